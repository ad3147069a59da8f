"""DuplicatesDialog: near-duplicate groups under the selected synset, most dangerous first.

Hashing runs on a worker thread with progress and Cancel; hashes are cached, so a second
look only hashes what changed. Choosing a group shows its images side by side in the grid.

Signals:
    groupChosen(object): the dataset rows of the chosen group (a list of int).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from browser.core.analysis.duplicates import (
    DEFAULT_MAX_DISTANCE,
    DuplicateGroup,
    find_duplicate_groups,
    hash_cache_for,
    hash_rows,
)
from browser.core.dataset.scanner import ScanCancelled
from browser.core.dataset.view import DatasetView
from browser.qt.background import CallableTask, ProgressSignals, WorkerDialog

KIND_TEXT = {
    "labels": "same image, different labels",
    "splits": "same image in several splits",
    "class": "repeated within a class",
}


class DuplicatesDialog(WorkerDialog):
    groupChosen = Signal(object)

    def __init__(
        self, view: DatasetView, synset: int, cache_dir: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.groups: list[DuplicateGroup] = []
        hierarchy = view.hierarchy
        self.setWindowTitle(f"Duplicates in {hierarchy.name(synset)}")
        self.status = QLabel("Hashing images…")
        self.bar = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._chosen)
        layout = QVBoxLayout(self)
        for widget in (self.status, self.bar, self.cancel_button, self.list):
            layout.addWidget(widget)
        self.cancel_button.clicked.connect(self._cancel.set)
        self._signals = ProgressSignals(self)
        self._signals.progress.connect(self._progress)
        self._signals.done.connect(self._done)
        rows = view.rows(synset)
        index = view.index
        cache = hash_cache_for(index, cache_dir)

        def work() -> None:
            try:
                hashes, valid = hash_rows(
                    index,
                    rows,
                    cache,
                    progress=self._signals.progress.emit,
                    cancelled=self._cancel.is_set,
                )
            except ScanCancelled:
                self._signals.done.emit(None)
                return
            groups = find_duplicate_groups(index, rows[valid], hashes[valid])
            self._signals.done.emit(groups)

        self._pool.start(CallableTask(work))
        self.resize(560, 480)

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _done(self, groups: list[DuplicateGroup] | None) -> None:
        self.bar.hide()
        self.cancel_button.hide()
        if groups is None:
            self.status.setText("Cancelled; what was hashed is kept for next time.")
            return
        self.groups = groups
        self.status.setText(
            f"{len(groups):,} groups (hashes within {DEFAULT_MAX_DISTANCE} bits), "
            "most dangerous first"
        )
        index, hierarchy = self.view.index, self.view.hierarchy
        for group in groups:
            labels = sorted({hierarchy.name(int(index.labels[r])) for r in group.rows})
            splits = sorted({index.splits[index.split_ids[r]] for r in group.rows})
            self.list.addItem(
                f"{KIND_TEXT[group.kind]}: {len(group.rows)} images — "
                f"{', '.join(labels)} ({', '.join(splits)})"
            )

    def _chosen(self, number: int) -> None:
        if 0 <= number < len(self.groups):
            self.groupChosen.emit(list(self.groups[number].rows))
