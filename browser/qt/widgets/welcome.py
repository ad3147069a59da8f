"""WelcomePage: shown when no dataset is open. Open…, the demo, and recent datasets.

Signals:
    openRequested(): the user wants to pick a folder.
    demoRequested(): open the generated demo dataset.
    datasetChosen(str): a recent dataset was picked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from browser.core.dataset.scanner import ScanProgress
from browser.core.filenames import display


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
        self.recent_title = recent_title
        # While a first scan runs, where the user looks: what is being listed, and how far.
        self.scan_label = QLabel()
        self.scan_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scan_bar = QProgressBar()
        self.scan_bar.setMaximumWidth(640)
        self.scan_bar.setFormat("%v / %m")
        self.scan_label.hide()
        self.scan_bar.hide()
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
        column.addWidget(self.scan_label, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.scan_bar, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        self.setLayout(column)

    def begin_scan(self, path: str) -> None:
        """A dataset is being opened: say which, instead of the recent list."""
        self.scan_path = display(path)
        self.show_progress(None)

    def show_progress(self, progress: ScanProgress | None) -> None:
        """How far the scan is, and which folder it lists."""
        path = getattr(self, "scan_path", "")
        self.recent_title.hide()
        self.recent_list.hide()
        self.scan_label.show()
        self.scan_bar.show()
        self.scan_bar.setMinimumWidth(360)
        if progress is None:
            self.scan_label.setText(f"Opening {path}…")
            self.scan_bar.setRange(0, 0)
            return
        if progress.phase == "listing":
            where = display(progress.folder) if progress.folder else ""
            self.scan_label.setText(
                f"Listing the folders of {path}: {progress.done:,} of {progress.total:,}, "
                f"{progress.images:,} images so far\n{where}"
            )
        else:
            self.scan_label.setText(f"Reading the file sizes of {path}")
        self.scan_bar.setRange(0, progress.total)
        self.scan_bar.setValue(progress.done)

    def end_scan(self) -> None:
        """Back to the recent datasets (the scan ended, failed or was cancelled)."""
        self.scan_label.hide()
        self.scan_bar.hide()
        self.recent_title.show()
        self.recent_list.setVisible(self.recent_list.count() > 0)
