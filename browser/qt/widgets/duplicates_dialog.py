"""DuplicatesDialog: near-duplicate groups under the selected synset, most dangerous first.

Hashing runs on a worker thread with progress and Cancel; hashes are cached, so a second
look only hashes what changed. Choosing a group shows its images side by side, each with its
label, split and file name (and in the grid). "Mark as duplicates" records, in one action
that one undo takes back, a ``duplicate`` verdict on every image of the group but the one
chosen to keep. Verdicts a reviewer already gave are never replaced without asking.

Keys: Page Down / Page Up (or Alt+→ / Alt+←) next and previous group, 1–9 the image to keep,
Ctrl+Return mark the group, Ctrl+Z undo.

Signals:
    groupChosen(object): the dataset rows of the chosen group (a list of int).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
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
from browser.core.filenames import display
from browser.core.images.thumbnails import ThumbnailCache
from browser.core.review.records import Verdict
from browser.qt.background import CallableTask, ProgressSignals, WorkerDialog
from browser.qt.identity import DatasetKey
from browser.qt.review import ReviewController
from browser.qt.widgets.duplicate_group import VERDICT_TEXT, DuplicateGroupView

KIND_TEXT = {
    "labels": "same image, different labels",
    "splits": "same image in several splits",
    "class": "repeated within a class",
}
REPLACE, SKIP, CANCEL = "replace", "skip", "cancel"


class DuplicatesDialog(WorkerDialog):
    groupChosen = Signal(object)

    def __init__(
        self,
        view: DatasetView,
        synset: int,
        cache_dir: Path,
        parent: QWidget | None = None,
        *,
        review: ReviewController | None = None,
        dataset: DatasetKey | None = None,
        thumbnails: ThumbnailCache | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.review, self.dataset = review, dataset
        self.groups: list[DuplicateGroup] = []
        # Asked when images to be marked already have another verdict; tests answer it.
        self.ask_about_verdicts: Callable[[dict[str, Verdict]], str] = self._ask_about_verdicts
        hierarchy = view.hierarchy
        self.setWindowTitle(f"Duplicates in {hierarchy.name(synset)}")
        self.status = QLabel("Hashing images…")
        self.bar = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._chosen)
        self.list.setWordWrap(True)  # a group's labels and splits are read whole
        self.list.setSpacing(2)
        self.group_view = DuplicateGroupView(thumbnails)
        self.previous_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.mark_button = QPushButton("Mark as duplicates, keep the chosen one")
        self.undo_button = QPushButton("Undo")
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.mark_button.clicked.connect(self.mark_group)
        self.undo_button.clicked.connect(self.undo)
        actions = QHBoxLayout()
        for button in (self.previous_button, self.next_button):
            actions.addWidget(button)
        actions.addStretch(1)
        for button in (self.undo_button, self.mark_button):
            actions.addWidget(button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.group_view, 1)
        right_layout.addWidget(self.outcome)
        right_layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([300, 640])
        layout = QVBoxLayout(self)
        for widget in (self.status, self.bar, self.cancel_button):
            layout.addWidget(widget)
        layout.addWidget(splitter, 1)
        self._add_keys()
        self._enable()
        if review is not None:
            review.verdictsChanged.connect(self._verdicts_changed)
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
        self.resize(960, 560)

    def _add_keys(self) -> None:
        keys: list[tuple[QKeySequence.StandardKey | str, Callable[[], object]]] = [
            (QKeySequence.StandardKey.MoveToNextPage, lambda: self.step(1)),
            (QKeySequence.StandardKey.MoveToPreviousPage, lambda: self.step(-1)),
            ("Alt+Right", lambda: self.step(1)),
            ("Alt+Left", lambda: self.step(-1)),
            ("Ctrl+Return", self.mark_group),
            (QKeySequence.StandardKey.Undo, self.undo),
        ]
        keys += [(str(n + 1), partial(self.group_view.choose_keep, n)) for n in range(9)]
        for key, slot in keys:
            QShortcut(QKeySequence(key), self, slot)

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

        if groups:
            self.list.setCurrentRow(0)
            self.list.setFocus()
        self._enable()

    def _chosen(self, number: int) -> None:
        if 0 <= number < len(self.groups):
            rows = list(self.groups[number].rows)
            generation = self.dataset.generation if self.dataset is not None else 0
            self.group_view.show_group(self.view.index, generation, rows, self._verdict_of)
            self.outcome.setText("")
            self.groupChosen.emit(rows)
        self._enable()

    def _enable(self) -> None:
        number = self.list.currentRow()
        chosen = 0 <= number < len(self.groups)
        self.previous_button.setEnabled(number > 0)
        self.next_button.setEnabled(number + 1 < len(self.groups))
        can_mark = self.review is not None and self.dataset is not None
        self.mark_button.setEnabled(chosen and can_mark)
        if not can_mark:
            self.mark_button.setToolTip("Verdicts are kept only for a dataset open in the window")
        self.undo_button.setEnabled(can_mark)

    def step(self, by: int) -> None:
        """The next (``by`` = 1) or previous (-1) group."""
        number = self.list.currentRow() + by
        if 0 <= number < len(self.groups):
            self.list.setCurrentRow(number)

    # -- verdicts -----------------------------------------------------------------------

    def _verdict_of(self, relpath: str) -> Verdict | None:
        if self.review is None:
            return None
        return self.review.verdict_of(self.dataset, relpath)

    def _verdicts_changed(self) -> None:
        self.group_view.refresh_captions(self._verdict_of)

    def mark_group(self) -> bool:
        """Mark every image of the shown group but the one chosen to keep as a duplicate, in
        one action; the kept one loses a ``duplicate`` verdict it had. Images with another
        verdict are replaced only if the user says so. True if something was recorded."""
        number = self.list.currentRow()
        if self.review is None or not 0 <= number < len(self.groups):
            return False
        index = self.view.index
        rows = list(self.groups[number].rows)
        keep = self.group_view.kept()
        relpaths = [index.relpath(row) for row in rows]
        kept = relpaths[keep]
        others = [r for i, r in enumerate(relpaths) if i != keep]
        said = {r: self._verdict_of(r) for r in relpaths}
        other_verdicts = {
            r: v
            for r in others
            if (v := said[r]) is not None and v.verdict not in (None, "duplicate")
        }
        answer = self.ask_about_verdicts(other_verdicts) if other_verdicts else REPLACE
        if answer == CANCEL:
            self.outcome.setText("Nothing marked.")
            return False
        wanted: dict[str, str | None] = {}
        for relpath in others:
            before = said[relpath]
            if before is not None and before.verdict == "duplicate":
                continue  # already marked: nothing to record
            if relpath in other_verdicts and answer == SKIP:
                continue
            wanted[relpath] = "duplicate"
        kept_before = said[kept]
        if kept_before is not None and kept_before.verdict == "duplicate":
            wanted[kept] = None  # the copy kept is no longer a duplicate
        if not wanted:
            self.outcome.setText("Nothing to change: this group is marked already.")
            return False
        if not self.review.give_group(self.dataset, wanted):
            return False
        marked = sum(v == "duplicate" for v in wanted.values())
        kept_name = display(kept)
        self.outcome.setText(
            f"Marked {marked} as duplicate{'s' if marked != 1 else ''}, kept {kept_name} "
            "(Ctrl+Z undoes it)."
        )
        item = self.list.item(number)
        if item is not None and not item.text().startswith("✓ "):
            item.setText("✓ " + item.text())
        return True

    def undo(self) -> None:
        if self.review is not None and self.review.undo() is not None:
            self.outcome.setText("Undone.")

    def _ask_about_verdicts(self, verdicts: dict[str, Verdict]) -> str:
        lines = [
            f"{display(relpath)}: {VERDICT_TEXT.get(v.verdict or '', v.verdict)}"
            for relpath, v in list(verdicts.items())[:8]
        ]
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Images already reviewed")
        box.setText(
            f"{len(verdicts)} image{'s' if len(verdicts) != 1 else ''} of this group already "
            "have another verdict. Replace it with “duplicate”?"
        )
        box.setInformativeText("\n".join(lines))
        replace = box.addButton("Replace", QMessageBox.ButtonRole.AcceptRole)
        skip = box.addButton("Keep their verdicts", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(skip)
        box.exec()
        clicked = box.clickedButton()
        return REPLACE if clicked is replace else SKIP if clicked is skip else CANCEL

    def stop_worker(self) -> None:
        self.group_view.shutdown()
        super().stop_worker()
