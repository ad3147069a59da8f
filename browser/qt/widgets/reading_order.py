"""The grid as a list: positions in reading order (left to right, then down), where the
keyboard moves the current one, and a span of them as a selection of table cells.

Used by :class:`browser.qt.widgets.grid_view.ThumbnailGrid`, which is a table underneath.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QAbstractItemView

from browser.qt.models.grid_model import ImageGridModel

NAVIGATION_KEYS = {
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}


Cursor = QAbstractItemView.CursorAction


def cursor_target(action: Cursor, position: int, count: int, columns: int, page: int) -> int:
    """The position a cursor ``action`` moves to from ``position`` (of ``count``, laid out in
    ``columns``, ``page`` rows to a screen), kept within the grid."""
    moves = {
        Cursor.MoveLeft: position - 1,
        Cursor.MovePrevious: position - 1,
        Cursor.MoveRight: position + 1,
        Cursor.MoveNext: position + 1,
        Cursor.MoveUp: position - columns,
        Cursor.MoveDown: position + columns,
        Cursor.MovePageUp: position - page * columns,
        Cursor.MovePageDown: position + page * columns,
        Cursor.MoveHome: 0,
        Cursor.MoveEnd: count - 1,
    }
    target = moves.get(action, position)
    if action in (Cursor.MoveDown, Cursor.MovePageDown) and target >= count:
        target = count - 1
    return max(0, min(count - 1, target))


def span_selection(model: ImageGridModel, first: int, last: int) -> QItemSelection:
    """A reading-order span as at most three rectangles."""
    columns = model.columns
    first, last = min(first, last), max(first, last)
    last = min(last, model.count() - 1)
    selection = QItemSelection()
    if first > last:
        return selection
    top, bottom = first // columns, last // columns
    if top == bottom:
        selection.select(model.index(top, first % columns), model.index(top, last % columns))
        return selection
    selection.select(model.index(top, first % columns), model.index(top, columns - 1))
    if bottom - top > 1:
        selection.select(model.index(top + 1, 0), model.index(bottom - 1, columns - 1))
    selection.select(model.index(bottom, 0), model.index(bottom, last % columns))
    return selection
