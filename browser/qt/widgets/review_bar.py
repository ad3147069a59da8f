"""ReviewBar: the review switch, the verdict filter and the audit-sample button above the grid.

Signals:
    reviewToggled(bool): review mode on or off.
    filterChanged(): the verdict filter changed.
    auditRequested(): the user wants a random sample per class to review.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from browser.core.review.records import VERDICTS
from browser.qt.review import HAS_NOTE, HAS_PROPOSAL, NOT_REVIEWED

KEYS_HELP = (
    "Review keys: 1 correct · 2 wrong label · 3 ambiguous / several objects · "
    "4 not a usable image · 5 duplicate of another · 0 clear · N note · "
    "R propose the right synset · Ctrl+Z undo"
)


class ReviewBar(QWidget):
    reviewToggled = Signal(bool)
    filterChanged = Signal()
    auditRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.review_button = QPushButton("Review")
        self.review_button.setCheckable(True)
        self.review_button.setShortcut("Ctrl+R")
        self.review_button.setToolTip(f"Review mode (Ctrl+R). {KEYS_HELP}")
        self.review_button.toggled.connect(self.reviewToggled)
        self.filter_box = QComboBox()
        self.filter_box.setToolTip("Show only images with this verdict")
        self.filter_box.addItem("All images", None)
        self.filter_box.addItem("Not reviewed", NOT_REVIEWED)
        for name in VERDICTS:
            self.filter_box.addItem(name.replace("_", " ").capitalize(), name)
        self.filter_box.addItem("Has a note", HAS_NOTE)
        self.filter_box.addItem("Has a proposed synset", HAS_PROPOSAL)
        self.filter_box.currentIndexChanged.connect(lambda _: self.filterChanged.emit())
        self.audit_button = QPushButton("Audit sample…")
        self.audit_button.setToolTip(
            "Review a random sample of N images per class under this synset (reproducible)"
        )
        self.audit_button.clicked.connect(self.auditRequested)
        # Why the last verdict was not saved; stays until one is.
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        for widget in (self.review_button, self.filter_box, self.audit_button, self.problem):
            layout.addWidget(widget)

    def show_problem(self, message: str) -> None:
        """A verdict was not saved: say so beside the switch ("" once one is saved)."""
        self.problem.setText(message)
        self.problem.setToolTip(message)
        self.problem.setVisible(bool(message))

    @property
    def reviewing(self) -> bool:
        return self.review_button.isChecked()

    def filter_kind(self) -> str | None:
        """None: every image; NOT_REVIEWED; or a verdict name."""
        kind = self.filter_box.currentData()
        return kind if isinstance(kind, str) else None
