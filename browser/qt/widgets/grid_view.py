"""ThumbnailGrid: a QTableView with fixed-size cells that behaves like a list.

A QListView in icon mode lays out every item on each resize (seconds at 1.3M items); a
table with fixed section sizes costs the same at 14M as at 1k. On top of the table, the
keyboard and Shift-selection follow reading order, as in a file manager.

Signals:
    currentImageChanged(int): the dataset row of the current image, -1 for none.
    activated(QModelIndex): inherited; Enter or double-click.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QRegion,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from browser.core.images.thumbnails import bucket_for
from browser.qt.models.grid_model import ImageGridModel
from browser.qt.widgets.cell_painter import CAPTION_LINES_HEIGHT, CellPainter
from browser.qt.widgets.reading_order import NAVIGATION_KEYS, Cursor, cursor_target, span_selection

MIN_ZOOM, MAX_ZOOM = 64, 384


class ThumbnailGrid(QTableView):
    """The grid of thumbnails. Thumbnails are requested for visible cells, then one screen
    further in the direction of scrolling."""

    currentImageChanged = Signal(int)
    zoomChanged = Signal(int)

    def __init__(self, model: ImageGridModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid_model = model
        self.setModel(model)
        self.cell_painter = CellPainter()
        self.setShowGrid(False)
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setMinimumSectionSize(16)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.zoom = 128
        self._anchor = 0
        self._last_scroll = 0
        self._request_timer = QTimer(self, singleShot=True, interval=0)
        self._request_timer.timeout.connect(self.request_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _: self._request_timer.start())
        model.modelReset.connect(self._model_reset)
        model.thumbnailsArrived.connect(self._repaint_cells)
        self.set_zoom(128)

    # -- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        # All visible cells in one Python call. QTableView would call a delegate per cell,
        # and PySide wraps a painter, an option and an index for each call: at 64 px that
        # was 0.4 ms a cell and stalled scrolling.
        # Only the cells the update region touches: when a batch of thumbnails arrives, those
        # cells alone are invalidated (see _repaint_cells), not the whole screen.
        model = self.grid_model
        if model.count() == 0:
            return
        width = self.columnWidth(0)
        height = self.rowHeight(0)
        left = self.columnViewportPosition(0)
        spans = self.selected_positions()
        current = self.current_position()
        palette = self.palette()
        metrics = self.fontMetrics()
        painter = QPainter(self.viewport())
        painted: set[int] = set()
        for area in event.region():  # type: ignore[attr-defined]  # iterable; stubs lag
            first, last = self._row_span(area.top(), area.bottom())
            first_column = max(0, (area.left() - left) // width)
            last_column = min(model.columns - 1, (area.right() - left) // width)
            for row in range(first, last + 1):
                top = self.rowViewportPosition(row)
                for column in range(first_column, last_column + 1):
                    position = row * model.columns + column
                    if position in painted:
                        continue
                    painted.add(position)
                    cell = model.cell(position)
                    if cell is None:
                        break
                    self.cell_painter.paint(
                        painter,
                        QRect(left + column * width, top, width, height),
                        cell,
                        selected=any(a <= position <= b for a, b in spans),
                        current=position == current,
                        palette=palette,
                        metrics=metrics,
                    )
        painter.end()

    def _repaint_cells(self, positions: list[int]) -> None:
        """Invalidate just the visible cells whose thumbnails arrived."""
        visible = self.visible_positions()
        region = QRegion()
        for position in positions:
            if position in visible:
                region += self.visualRect(self.grid_model.index_at(position))
        if not region.isEmpty():
            self.viewport().update(region)

    def dataChanged(  # noqa: N802
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # Thumbnail arrivals repaint their own cells; QAbstractItemView would repaint the
        # whole viewport for a range, and a full repaint per batch stalled scrolling.
        if list(roles) == [Qt.ItemDataRole.DecorationRole]:
            return
        super().dataChanged(top_left, bottom_right, roles)

    # -- geometry -----------------------------------------------------------------------

    def set_zoom(self, pixels: int) -> None:
        pixels = max(MIN_ZOOM, min(MAX_ZOOM, pixels))
        self.zoom = pixels
        self.verticalHeader().setDefaultSectionSize(pixels + 10 + CAPTION_LINES_HEIGHT)
        # The box the delegate paints into is exactly `pixels` square (cell minus margins).
        self.grid_model.set_sizes(bucket_for(pixels), pixels)
        self.viewport().update()
        self._relayout()
        self.zoomChanged.emit(pixels)

    def _relayout(self) -> None:
        width = self.viewport().width()
        columns = max(1, width // (self.zoom + 10))
        # Share the spare width among the columns rather than leave a gap on the right.
        self.horizontalHeader().setDefaultSectionSize(max(self.zoom + 10, width // columns))
        if columns != self.grid_model.columns:
            # Changing the column count resets the table; keep current image and selection.
            current, spans = self.current_position(), self.selected_positions()
            self.grid_model.set_columns(columns)
            if current >= 0:
                self.set_current_position(current)
            for first, last in spans:
                self.selectionModel().select(
                    span_selection(self.grid_model, first, last),
                    QItemSelectionModel.SelectionFlag.Select,
                )
        self._request_timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = 16 if event.angleDelta().y() > 0 else -16
            self.set_zoom(self.zoom + step)
            event.accept()
            return
        super().wheelEvent(event)

    # -- positions ----------------------------------------------------------------------

    def current_position(self) -> int:
        index = self.currentIndex()
        return self.grid_model.position(index) if index.isValid() else -1

    def current_image_row(self) -> int:
        position = self.current_position()
        return (
            self.grid_model.image_row(position) if 0 <= position < self.grid_model.count() else -1
        )

    def set_current_position(self, position: int) -> None:
        """Make ``position`` current (and the anchor of the next Shift-selection)."""
        index = self.grid_model.index_at(position)
        if index.isValid():
            self._anchor = position
            # Not setCurrentIndex(): it asks selectionCommand() with no event, which reads the
            # keyboard's live modifiers, so Ctrl+Z (undo) or Ctrl+click toggled a second image
            # into the selection.
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.scrollTo(index)

    def selected_positions(self) -> list[tuple[int, int]]:
        """Selected positions as inclusive (first, last) spans in reading order."""
        columns = self.grid_model.columns
        spans = []
        selection = self.selectionModel().selection()
        for selection_range in (selection.at(i) for i in range(selection.count())):
            for row in range(selection_range.top(), selection_range.bottom() + 1):
                first = row * columns + selection_range.left()
                last = min(row * columns + selection_range.right(), self.grid_model.count() - 1)
                if first <= last:
                    spans.append((first, last))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for first, last in spans:
            if merged and first <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
            else:
                merged.append((first, last))
        return merged

    def selected_count(self) -> int:
        return sum(last - first + 1 for first, last in self.selected_positions())

    # -- list-like behaviour ------------------------------------------------------------

    def moveCursor(self, action: Cursor, modifiers: Qt.KeyboardModifier) -> QModelIndex:  # noqa: N802
        count = self.grid_model.count()
        if count == 0:
            return QModelIndex()
        position = max(0, self.current_position())
        columns = self.grid_model.columns
        page = max(1, self.viewport().height() // self.verticalHeader().defaultSectionSize())
        target = cursor_target(action, position, count, columns, page)
        return self.grid_model.index_at(target)

    def selectionCommand(  # noqa: N802
        self,
        index: QModelIndex | QPersistentModelIndex,
        event: QEvent | None = None,
    ) -> QItemSelectionModel.SelectionFlag:
        """As in a file manager: a key moves the current image and selects it alone; Shift
        extends from the anchor; Ctrl moves without selecting (Ctrl+Space toggles).

        Qt's extended selection extends on a plain key when its press state is left over
        from the click before (↓ after a click selected 6 images, End 994). A call with no
        event (setCurrentIndex) would read the keyboard's live modifiers; it selects one.
        """
        flag = QItemSelectionModel.SelectionFlag
        if event is None:
            return flag.ClearAndSelect
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            modifiers = event.modifiers()
            if event.key() == Qt.Key.Key_Space and modifiers & Qt.KeyboardModifier.ControlModifier:
                return flag.Toggle
            if event.key() in NAVIGATION_KEYS:
                if modifiers & Qt.KeyboardModifier.ShiftModifier:
                    return flag.SelectCurrent
                if modifiers & Qt.KeyboardModifier.ControlModifier:
                    return flag.NoUpdate
                return flag.ClearAndSelect
        return super().selectionCommand(index, event)

    def setSelection(self, rect: QRect, command: QItemSelectionModel.SelectionFlag) -> None:  # noqa: N802
        # Extending (Shift: the command carries Current), Qt asks for the rectangle between
        # anchor and current; users expect the run of images between them in reading order.
        # Otherwise the rectangle is the one cell clicked or moved to, and only it counts:
        # treating every call as a span made a plain ↓ select the run from the last click.
        current = self.current_position()
        extending = bool(command & QItemSelectionModel.SelectionFlag.Current)
        if current < 0 or not extending:
            super().setSelection(rect, command)
            return
        self.selectionModel().select(
            span_selection(self.grid_model, self._anchor, current), command
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._anchor = self.grid_model.position(index)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.ZoomIn) or (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
            and event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal)
        ):
            self.set_zoom(self.zoom + 32)
            return
        if event.matches(QKeySequence.StandardKey.ZoomOut) or (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
            and event.key() == Qt.Key.Key_Minus
        ):
            self.set_zoom(self.zoom - 32)
            return
        modifiers = event.modifiers()
        shift = modifiers & Qt.KeyboardModifier.ShiftModifier
        super().keyPressEvent(event)
        if not shift:
            self._anchor = max(0, self.current_position())
        plain = not modifiers & (
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
        )
        current = self.currentIndex()
        if plain and event.key() in NAVIGATION_KEYS and current.isValid():
            # At an edge Qt does not move and leaves the selection as it was (after Ctrl
            # moves, another image); a plain arrow always means "this image alone".
            self.selectionModel().select(current, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def currentChanged(
        self,
        current: QModelIndex | QPersistentModelIndex,  # noqa: N802
        previous: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().currentChanged(current, previous)
        position = self.grid_model.position(current) if current.isValid() else -1
        row = self.grid_model.image_row(position) if 0 <= position < self.grid_model.count() else -1
        self.currentImageChanged.emit(row)

    # -- thumbnails ---------------------------------------------------------------------

    def _row_span(self, top_y: int, bottom_y: int) -> tuple[int, int]:
        """Rows that cover viewport y range [top_y, bottom_y], by arithmetic on the fixed row
        height (rowAt() answers -1 past the last row, which once meant "paint to the end"
        and cost a 1.3 s paint at 1.28M images)."""
        height = max(1, self.rowHeight(0))
        first = max(0, self.rowAt(max(0, top_y)))
        bottom_y = min(bottom_y, self.viewport().height() - 1)
        last = first + (bottom_y - self.rowViewportPosition(first)) // height
        return first, min(self.grid_model.rowCount() - 1, last)

    def visible_positions(self) -> range:
        model = self.grid_model
        if model.count() == 0:
            return range(0)
        top, bottom = self._row_span(0, self.viewport().height() - 1)
        return range(top * model.columns, min(model.count(), (bottom + 1) * model.columns))

    def request_visible(self) -> int:
        """Request visible thumbnails first, then a screen ahead in the scroll direction."""
        visible = self.visible_positions()
        if not visible:
            return 0
        value = self.verticalScrollBar().value()
        forward = value >= self._last_scroll
        self._last_scroll = value
        span = len(visible)
        if forward:
            ahead = range(visible.stop, min(self.grid_model.count(), visible.stop + span))
        else:
            ahead = range(visible.start - 1, max(-1, visible.start - span - 1), -1)
        return self.grid_model.request_thumbnails([*visible, *ahead])

    def thumbnails_settled(self) -> bool:
        """Nothing is waiting to be asked for, and the loader has nothing pending: every
        visible cell shows its thumbnail or its failure (tests wait for this)."""
        return not self._request_timer.isActive() and self.grid_model.loader.pending == 0

    def _model_reset(self) -> None:
        self._request_timer.start()
