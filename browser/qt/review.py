"""ReviewController: the GUI side of verdicts for the open dataset.

It keeps the dataset's verdicts by relative path (loaded once when the dataset opens), gives
and undoes them through the VerdictStore (each committed at once), and answers what the
grid and panel ask: the verdict of a row, the rows with a given verdict, the estimates.

Signals:
    verdictsChanged(): a verdict was given, changed or undone.
    failed(str): the store refused to write (read-only database); the message says why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from browser.core.browse import DatasetView
from browser.core.estimates import ReviewSummary
from browser.core.verdicts import Verdict, VerdictsReadOnly, VerdictStore

NOT_REVIEWED = "not reviewed"


class ReviewController(QObject):
    verdictsChanged = Signal()
    failed = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = VerdictStore(data_dir)
        self.view: DatasetView | None = None
        self.by_relpath: dict[str, Verdict] = {}
        self._undo: list[tuple[str, Verdict | None]] = []
        self._rows: dict[str, np.ndarray] | None = None
        self._summary: ReviewSummary | None = None
        self.notices: list[str] = []

    def set_view(self, view: DatasetView) -> None:
        self.view = view
        # Who the dataset is (a moved one keeps its verdicts); notices: what the user should know.
        self.notices = self.store.identify(view.index).notices
        self.by_relpath = {v.relpath: v for v in self.store.all(view.index.root)}
        self._undo.clear()
        self._changed(emit=False)

    def _changed(self, *, emit: bool = True) -> None:
        self._rows = None
        self._summary = None
        if emit:
            self.verdictsChanged.emit()

    # -- asking -------------------------------------------------------------------------

    def verdict_of_row(self, row: int) -> Verdict | None:
        if not self.by_relpath or self.view is None:
            return None  # the common case, and a cheap one: nothing reviewed yet
        return self.by_relpath.get(self.view.index.relpath(row))

    def rows_with(self, kind: str) -> np.ndarray:
        """Rows whose verdict is ``kind`` (a verdict name), or all reviewed rows ("")."""
        if self._rows is None:
            self._rows = self._rows_by_kind()
        return self._rows.get(kind, np.zeros(0, dtype=np.int64))

    def _rows_by_kind(self) -> dict[str, np.ndarray]:
        if self.view is None:
            return {}
        found = self.view.index.find_rows(self.by_relpath)
        kinds: dict[str, list[int]] = {"": []}
        for relpath, row in found.items():
            verdict = self.by_relpath[relpath].verdict
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
        row: int,
        verdict: str | None,
        *,
        note: str | None = None,
        proposed: str | None = None,
    ) -> bool:
        """Record a verdict for ``row`` (None clears it); False if it could not be stored."""
        view = self.view
        if view is None or view.index.is_unlabelled:
            return False
        index = view.index
        relpath = index.relpath(row)
        wnid = view.hierarchy.wnid(int(index.labels[row]))
        if verdict is None and note is None and proposed is None:
            current = self.by_relpath.get(relpath)
            if current is None:
                return True
        try:
            before = self.store.give(
                index.root, relpath, wnid, verdict, note=note, proposed=proposed
            )
        except VerdictsReadOnly as exc:
            self.failed.emit(f"Verdicts cannot be saved: {exc}")
            return False
        self._undo.append((relpath, before))
        saved = self.store.get(index.root, [relpath]).get(relpath)
        if saved is not None:
            self.by_relpath[relpath] = saved
        self._changed()
        return True

    def undo(self) -> int | None:
        """Take back the last verdict; returns its row (to show it), or None."""
        if not self._undo or self.view is None:
            return None
        relpath, before = self._undo.pop()
        root = self.view.index.root
        try:
            if before is None:
                self.store.forget(root, relpath)
                self.by_relpath.pop(relpath, None)
            else:
                self.store.put(root, [before])
                self.by_relpath[relpath] = before
        except VerdictsReadOnly as exc:
            self.failed.emit(f"Verdicts cannot be saved: {exc}")
            return None
        self._changed()
        return self.view.index.find_rows([relpath]).get(relpath)
