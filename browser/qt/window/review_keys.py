"""The review keys: verdicts, note, proposal, undo (active in review mode only).

They are the window's shortcuts, so they work wherever focus is in the window (the grid,
the tree, the panel) — except in a text field, where typing is typing: a line edit takes
printable keys and Ctrl+Z for itself, and a verdict key is never taken from it. The
preview passes its keys here too (:meth:`ReviewKeys.handle`).

Every verdict names the image by its identity (the open dataset, its relative path), read
from the grid's current cell at the moment of the key press. After a verdict the grid moves
on to the next image, so a class is gone through with one hand on the number keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QInputDialog,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from browser.qt.widgets.synset_picker import SynsetPicker

if TYPE_CHECKING:
    from browser.core.hierarchy.search import SynsetSearch
    from browser.qt.models.grid_model import ImageGridModel
    from browser.qt.review import ReviewController
    from browser.qt.widgets.grid_view import ThumbnailGrid
    from browser.qt.widgets.review_bar import ReviewBar


class ReviewKeysHost(Protocol):
    """The window the keys act in (it implements this; the keys never import the window)."""

    grid: ThumbnailGrid
    grid_model: ImageGridModel
    review: ReviewController
    review_bar: ReviewBar
    search: SynsetSearch


VERDICT_KEYS = {
    "1": "correct",
    "2": "wrong_label",
    "3": "ambiguous",
    "4": "unusable",
    "5": "duplicate",
    "0": None,
}


def typing_into_text() -> bool:
    """True while a text field has focus (a read-only text view is no text field)."""
    focus = QApplication.focusWidget()
    if isinstance(focus, (QTextEdit, QPlainTextEdit)):
        return not focus.isReadOnly()
    if isinstance(focus, QComboBox):
        return focus.isEditable()
    return isinstance(focus, (QLineEdit, QAbstractSpinBox))


class ReviewKeys(QObject):
    def __init__(self, window: QWidget, host: ReviewKeysHost) -> None:
        """``window``: where the key actions live and dialogs open; ``host``: the parts the
        keys act on (the same window, seen through :class:`ReviewKeysHost`)."""
        super().__init__(window)
        self.window = window
        self.host = host
        self.slots: dict[str, object] = {}
        for key, verdict in VERDICT_KEYS.items():
            self._add(key, lambda v=verdict: self.give(v))
        self._add("N", self.note)
        self._add("R", self.propose)
        self._add(QKeySequence(QKeySequence.StandardKey.Undo).toString(), self.undo)

    def _add(self, key: str, slot: object) -> None:
        action = QAction(self.window)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False: self._if_reviewing(slot))
        self.window.addAction(action)
        self.slots[QKeySequence(key).toString()] = slot

    def _if_reviewing(self, slot: object) -> None:
        if self.host.review_bar.reviewing and not typing_into_text():
            slot()  # type: ignore[operator]

    def handle(self, event: QKeyEvent) -> bool:
        """A key pressed in another window of ours (the preview): True if it was a review key
        and review mode is on."""
        sequence = QKeySequence(event.keyCombination()).toString()
        slot = self.slots.get(sequence)
        if slot is None or not self.host.review_bar.reviewing:
            return False
        slot()  # type: ignore[operator]
        return True

    def _current(self) -> tuple[int, str] | None:
        """The current grid position and its image's relative path."""
        grid = self.host.grid
        position = grid.current_position()
        relpath = self.host.grid_model.relpath_at(position)
        return None if relpath is None else (position, relpath)

    def give(self, verdict: str | None) -> None:
        current = self._current()
        if current is None:
            return
        position, relpath = current
        if self.host.review.give(self.host.grid_model.dataset, relpath, verdict):
            grid = self.host.grid
            if position + 1 < self.host.grid_model.count():
                grid.set_current_position(position + 1)

    def note(self) -> None:
        current = self._current()
        if current is None:
            return
        _, relpath = current
        dataset = self.host.grid_model.dataset
        old = self.host.review.verdict_of(dataset, relpath)
        text, ok = QInputDialog.getText(
            self.window, "Note", "A note on this image:", text=old.note if old else ""
        )
        if ok:  # the controller refuses (and says so) a note over NOTE_LIMIT
            self.host.review.give(dataset, relpath, old.verdict if old else None, note=text)

    def propose(self) -> None:
        current = self._current()
        if current is None:
            return
        _, relpath = current
        dataset = self.host.grid_model.dataset
        picker = SynsetPicker(self.host.search, self.window)
        if picker.exec() and (node := picker.chosen()) is not None:
            old = self.host.review.verdict_of(dataset, relpath)
            verdict = old.verdict if old and old.verdict else "wrong_label"
            wnid = self.host.search.hierarchy.wnid(node)
            self.host.review.give(dataset, relpath, verdict, proposed=wnid)

    def undo(self) -> None:
        relpath = self.host.review.undo()
        if relpath is None:
            return
        model = self.host.grid_model
        if model.index_ is None:
            return
        row = model.index_.find_rows([relpath]).get(relpath)
        positions = (model.rows == row).nonzero()[0] if row is not None else []
        if len(positions):
            self.host.grid.set_current_position(int(positions[0]))
