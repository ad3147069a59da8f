"""WelcomePage: shown when no dataset is open. Open…, the demo, and recent datasets.

Signals:
    openRequested(): the user wants to pick a folder.
    demoRequested(): open the generated demo dataset.
    datasetChosen(str): a recent dataset was picked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    openRequested = Signal()
    demoRequested = Signal()
    datasetChosen = Signal(str)

    def __init__(self, recent: list[str], *, has_demo: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(
            "<h1>Synset Browser</h1><p>Explore image datasets through their WordNet hierarchy.</p>"
        )
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        open_button = QPushButton("Open dataset folder…")
        open_button.clicked.connect(self.openRequested)
        demo_button = QPushButton("Open the demo dataset")
        demo_button.clicked.connect(self.demoRequested)
        demo_button.setVisible(has_demo)
        # A handful of paths: a QListWidget is the right tool at this size.
        self.recent_list = QListWidget()
        self.recent_list.addItems(recent)
        self.recent_list.itemActivated.connect(lambda item: self.datasetChosen.emit(item.text()))
        self.recent_list.setMaximumWidth(640)
        recent_title = QLabel("Recent datasets" if recent else "No recent datasets yet.")
        self.recent_list.setVisible(bool(recent))
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        for widget in (open_button, demo_button):
            widget.setMinimumWidth(280)
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(16)
        column.addWidget(recent_title, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.recent_list, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        self.setLayout(column)
