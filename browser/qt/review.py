"""ReviewController: the GUI side of verdicts for the open dataset.

It keeps the dataset's verdicts by relative path (loaded once when the dataset opens), gives
and undoes them through the VerdictStore (each committed at once), and answers what the
grid and panel ask: the verdict of an image, the rows with a given verdict, the estimates.

Every question and every verdict names the image by its identity, (:class:`DatasetKey`,
relative path); one about a dataset that is no longer open gets no answer and records
nothing, so a verdict can only land on the image the window showed as current.

Signals:
    verdictsChanged(): a verdict was given, changed or undone.
    failed(str): a verdict could not be saved (read-only database, a name the store
        cannot hold, a full disk…); the message says which image and why.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from browser.core.dataset.view import DatasetView
from browser.core.filenames import display
from browser.core.review.estimates import ReviewSummary
from browser.core.review.records import NOTE_LIMIT, Verdict, VerdictsReadOnly
from browser.core.review.verdicts import VerdictStore
from browser.qt.identity import DatasetKey

log = logging.getLogger(__name__)

NOT_REVIEWED = "not reviewed"
HAS_NOTE = "has a note"  # grid filters on what a reviewer wrote, with or without a verdict
HAS_PROPOSAL = "has a proposed synset"
# What saving can run into besides a read-only store: a name SQLite cannot encode, a full
# or vanished disk, a value the store refuses. Each is shown in the window, never only logged.
_SAVE_ERRORS = (VerdictsReadOnly, sqlite3.Error, OSError, UnicodeError, ValueError)


class ReviewController(QObject):
    verdictsChanged = Signal()
    failed = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = VerdictStore(data_dir)
        self.view: DatasetView | None = None
        self.dataset: DatasetKey | None = None
        self.by_relpath: dict[str, Verdict] = {}
        # One entry per action: the (image, before, given) it changed; a group marked in the
        # Duplicates dialog is one action, so one undo takes it all back.
        self._undo: list[list[tuple[str, Verdict | None, Verdict]]] = []
        self._rows: dict[str, np.ndarray] | None = None
        self._summary: ReviewSummary | None = None
        self.notices: list[str] = []

    def set_view(self, view: DatasetView, dataset: DatasetKey) -> None:
        self.view = view
        self.dataset = dataset
        # Who the dataset is (a moved one keeps its verdicts); notices: what the user should know.
        try:
            self.notices = self.store.identify(view.index).notices
            self.by_relpath = {v.relpath: v for v in self.store.all(view.index.root)}
        except _SAVE_ERRORS as exc:
            self.notices, self.by_relpath = [], {}
            self.failed.emit(f"Verdicts cannot be read: {exc}")
        self._undo.clear()
        self._changed(emit=False)

    def _changed(self, *, emit: bool = True) -> None:
        self._rows = None
        self._summary = None
        if emit:
            self.verdictsChanged.emit()

    # -- asking -------------------------------------------------------------------------

    def verdict_of(self, dataset: DatasetKey | None, relpath: str) -> Verdict | None:
        """The verdict on an image, if it is one of the open dataset's."""
        if not self.by_relpath or dataset != self.dataset:
            return None  # the common case, and a cheap one: nothing reviewed yet
        return self.by_relpath.get(relpath)

    def rows_with(self, kind: str) -> np.ndarray:
        """Rows whose verdict is ``kind`` (a verdict name), or all reviewed rows ("")."""
        if self._rows is None:
            self._rows = self._rows_by_kind()
        return self._rows.get(kind, np.zeros(0, dtype=np.int64))

    def _rows_by_kind(self) -> dict[str, np.ndarray]:
        if self.view is None:
            return {}
        found = self.view.index.find_rows(self.by_relpath)
        kinds: dict[str, list[int]] = {"": [], HAS_NOTE: [], HAS_PROPOSAL: []}
        for relpath, row in found.items():
            given = self.by_relpath[relpath]
            if given.note.strip():
                kinds[HAS_NOTE].append(row)
            if given.proposed:
                kinds[HAS_PROPOSAL].append(row)
            verdict = given.verdict
            if verdict is not None:
                kinds[""].append(row)
                kinds.setdefault(verdict, []).append(row)
        return {kind: np.sort(np.array(rows, dtype=np.int64)) for kind, rows in kinds.items()}

    def summary(self) -> ReviewSummary | None:
        if self.view is None:
            return None
        if self._summary is None:
            self._summary = ReviewSummary(self.view, list(self.by_relpath.values()))
        return self._summary

    # -- giving -------------------------------------------------------------------------

    def give(
        self,
        dataset: DatasetKey | None,
        relpath: str,
        verdict: str | None,
        *,
        note: str | None = None,
        proposed: str | None = None,
    ) -> bool:
        """Record a verdict on an image (None clears it); False, and ``failed`` emitted
        with the reason, if it was not stored."""
        view = self.view
        name = display(relpath)
        if view is None or dataset is None or dataset != self.dataset:
            self.failed.emit(f"No verdict on {name}: its dataset is no longer open")
            return False
        if note is not None and len(note.encode("utf-8", "surrogateescape")) > NOTE_LIMIT:
            self.failed.emit(
                f"The note on {name} was not saved: it is longer than {NOTE_LIMIT >> 20} MiB"
            )
            return False
        index = view.index
        row = index.find_rows([relpath]).get(relpath)
        if row is None:
            self.failed.emit(f"No verdict on {name}: verdicts are on labelled images only")
            return False
        wnid = view.hierarchy.wnid(int(index.labels[row]))
        if verdict is None and note is None and proposed is None and relpath not in self.by_relpath:
            return True
        try:
            before = self.store.give(
                index.root, relpath, wnid, verdict, note=note, proposed=proposed
            )
            saved = self.store.get(index.root, [relpath]).get(relpath)
        except _SAVE_ERRORS as exc:
            log.warning("the verdict on %s was not saved", name, exc_info=True)
            self.failed.emit(f"The verdict on {name} was not saved: {exc}")
            return False
        if saved is not None:
            self._undo.append([(relpath, before, saved)])
            self.by_relpath[relpath] = saved
        self._changed()
        return True

    def give_group(self, dataset: DatasetKey | None, verdicts: dict[str, str | None]) -> bool:
        """Record several verdicts as one action, in one transaction, that one undo takes
        back: e.g. a group of duplicates, the copies marked and the kept one cleared. False,
        and ``failed`` emitted, if they were not stored (then none was)."""
        view = self.view
        if view is None or dataset is None or dataset != self.dataset:
            self.failed.emit("No verdicts given: their dataset is no longer open")
            return False
        index = view.index
        rows = index.find_rows(verdicts)
        missing = [relpath for relpath in verdicts if relpath not in rows]
        if missing:
            self.failed.emit(f"No verdict on {display(missing[0])}: not a labelled image")
            return False
        given = [
            (relpath, view.hierarchy.wnid(int(index.labels[rows[relpath]])), verdict)
            for relpath, verdict in verdicts.items()
            if verdict is not None or relpath in self.by_relpath
        ]
        if not given:
            return True
        relpaths = [relpath for relpath, _, _ in given]
        try:
            befores = self.store.give_many(index.root, given)
            saved = self.store.get(index.root, relpaths)
        except _SAVE_ERRORS as exc:
            log.warning("the verdicts on %d images were not saved", len(given), exc_info=True)
            self.failed.emit(f"The verdicts on {len(given):,} images were not saved: {exc}")
            return False
        done = [
            (relpath, before, saved[relpath])
            for relpath, before in zip(relpaths, befores, strict=True)
            if relpath in saved
        ]
        for relpath, _, now in done:
            self.by_relpath[relpath] = now
        if done:
            self._undo.append(done)
        self._changed()
        return True

    def undo(self) -> str | None:
        """Take back the last action (one verdict, or a group given together); returns the
        relative path of its first image (to show it)."""
        if not self._undo or self.view is None:
            return None
        action = self._undo[-1]
        first = action[0][0]
        root = self.view.index.root
        replaced: list[str] = []
        while action:
            relpath, before, given = action[-1]
            try:
                # Compare-and-set: a newer verdict imported meanwhile is never taken back.
                undone = self.store.undo(root, relpath, before, given)
            except _SAVE_ERRORS as exc:
                self._changed()
                self.failed.emit(f"Undo of the verdict on {display(relpath)} was not saved: {exc}")
                return None
            action.pop()
            if not undone:
                replaced.append(relpath)
                newer = self.store.get(root, [relpath]).get(relpath)
                if newer is not None:
                    self.by_relpath[relpath] = newer
            elif before is None:
                self.by_relpath.pop(relpath, None)
            else:
                self.by_relpath[relpath] = before
        self._undo.pop()
        self._changed()
        if replaced:
            names = ", ".join(display(r) for r in replaced[:3])
            more = f" and {len(replaced) - 3} more" if len(replaced) > 3 else ""
            self.failed.emit(
                f"Not undone: the verdict on {names}{more} was replaced by a newer one "
                "(an import) since; the newer one stays"
            )
        return first
