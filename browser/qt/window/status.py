"""The status bar: the open dataset, images shown and selected, and a scan's progress."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from browser.core.dataset.scanner import ScanProgress


class StatusArea:
    """The permanent widgets of a window's status bar. ``cancel`` stops the running scan."""

    def __init__(self, bar: QStatusBar, cancel: Callable[[], None]) -> None:
        self.bar = bar
        self.path_label = QLabel()
        self.shown_label = QLabel()
        self.selection_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(260)
        self.progress_bar.setFormat("%v / %m")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(cancel)
        self.progress_label = QLabel()
        self.hide_progress()
        bar.addWidget(self.path_label, 1)
        bar.addPermanentWidget(self.progress_label)
        bar.addPermanentWidget(self.progress_bar)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.shown_label)
        bar.addPermanentWidget(self.selection_label)

    def show_progress(self, label: str, done: int, total: int) -> None:
        """``total`` 0: busy, with no measure of how far."""
        self.progress_label.setText(label)
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            widget.show()

    def hide_progress(self) -> None:
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            widget.hide()

    def failed(self) -> None:
        """Opening failed: no progress, no dataset named."""
        self.hide_progress()
        self.path_label.setText("")

    def scan_progress(self, progress: ScanProgress) -> None:
        label = "Scanning folders" if progress.phase == "listing" else "Reading file sizes"
        self.show_progress(label, progress.done, progress.total)
        if progress.done >= progress.total:
            self.hide_progress()

    def show_counts(self, shown: int, selected: int) -> None:
        self.shown_label.setText(f"{shown:,} images shown")
        self.selection_label.setText(f"{selected:,} selected" if selected else "")
