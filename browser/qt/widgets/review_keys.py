"""The review keys on the grid: verdicts, note, proposal, undo (active in review mode only).

After a verdict the grid moves on to the next image, so a class is gone through with one
hand on the number keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog

from browser.qt.widgets.synset_picker import SynsetPicker

if TYPE_CHECKING:
    from browser.qt.widgets.main_window import MainWindow

VERDICT_KEYS = {
    "1": "correct",
    "2": "wrong_label",
    "3": "ambiguous",
    "4": "unusable",
    "5": "duplicate",
    "0": None,
}


class ReviewKeys(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        for key, verdict in VERDICT_KEYS.items():
            self._add(key, lambda v=verdict: self.give(v))
        self._add("N", self.note)
        self._add("R", self.propose)
        self._add(QKeySequence.StandardKey.Undo, self.undo)

    def _add(self, key: str | QKeySequence.StandardKey, slot: object) -> None:
        action = QAction(self.window.grid)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda _=False: self._if_reviewing(slot))
        self.window.grid.addAction(action)

    def _if_reviewing(self, slot: object) -> None:
        if self.window.review_bar.reviewing:
            slot()  # type: ignore[operator]

    def _current(self) -> tuple[int, int] | None:
        grid = self.window.grid
        position = grid.current_position()
        if position < 0:
            return None
        return position, grid.current_image_row()

    def give(self, verdict: str | None) -> None:
        current = self._current()
        if current is None:
            return
        position, row = current
        if self.window.review.give(row, verdict):
            grid = self.window.grid
            if position + 1 < self.window.grid_model.count():
                grid.set_current_position(position + 1)

    def note(self) -> None:
        current = self._current()
        if current is None:
            return
        _, row = current
        old = self.window.review.verdict_of_row(row)
        text, ok = QInputDialog.getText(
            self.window, "Note", "A note on this image:", text=old.note if old else ""
        )
        if ok:
            self.window.review.give(row, old.verdict if old else None, note=text)

    def propose(self) -> None:
        current = self._current()
        if current is None:
            return
        _, row = current
        picker = SynsetPicker(self.window.search, self.window)
        if picker.exec() and (node := picker.chosen()) is not None:
            old = self.window.review.verdict_of_row(row)
            verdict = old.verdict if old and old.verdict else "wrong_label"
            wnid = self.window.search.hierarchy.wnid(node)
            self.window.review.give(row, verdict, proposed=wnid)

    def undo(self) -> None:
        row = self.window.review.undo()
        if row is None:
            return
        model = self.window.grid_model
        positions = (model.rows == row).nonzero()[0]
        if len(positions):
            self.window.grid.set_current_position(int(positions[0]))
