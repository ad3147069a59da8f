"""ThumbnailGrid: a QTableView with fixed-size cells that behaves like a list.

A QListView in icon mode lays out every item on each resize (seconds at 1.3M items); a
table with fixed section sizes costs the same at 14M as at 1k. On top of the table, the
keyboard and Shift-selection follow reading order, as in a file manager.

Signals:
    currentImageChanged(int): the dataset row of the current image, -1 for none.
    activated(QModelIndex): inherited; Enter or double-click.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QRegion,
    QResizeEvent,
    QStaticText,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from browser.core.thumbnails import bucket_for
from browser.qt.models.grid_model import Cell, ImageGridModel

CAPTION_LINES_HEIGHT = 34
_CAPTIONS_KEPT = 4_000  # a few screens of captions at the smallest zoom
ERROR_TILE = QColor(120, 30, 30)
ERROR_TEXT = QColor(255, 220, 220)
# A model's top-1 where it differs from the label: amber on a dark strip over the picture.
PREDICTED_COLOUR = QColor(255, 190, 60)
PREDICTED_STRIP = QColor(0, 0, 0, 160)
MIN_ZOOM, MAX_ZOOM = 64, 384
# Verdict badges: colour and mark (colour-blind safe pairs, and the mark says it too).
BADGES = {
    "correct": (QColor(26, 133, 255), "✓"),
    "wrong_label": (QColor(212, 17, 89), "✗"),
    "ambiguous": (QColor(230, 140, 0), "?"),
    "unusable": (QColor(110, 110, 110), "⊘"),
    "duplicate": (QColor(120, 60, 170), "="),
}

Cursor = QAbstractItemView.CursorAction
_NAVIGATION_KEYS = {
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}


class CellPainter:
    """Paints a cell: the thumbnail, a placeholder while it loads, or an error tile; then the
    file name and (above leaf level) the class name.

    Captions are kept as elided QStaticText, which keeps its text layout: laying out two
    lines of text per cell on every repaint was most of a repaint's cost.
    """

    def __init__(self) -> None:
        self._captions: OrderedDict[tuple[str, int, bool], QStaticText | str] = OrderedDict()
        # The same words on every error tile: laid out once, not per tile (a screen of
        # undecodable files is a screen of them).
        self._error_texts = [QStaticText("⚠ cannot decode"), QStaticText("⚠")]
        for text in self._error_texts:
            text.setTextFormat(Qt.TextFormat.PlainText)

    def _caption(
        self, metrics: QFontMetrics, text: str, width: int, middle: bool
    ) -> QStaticText | str:
        """The elided caption: a prepared QStaticText once it has been painted before, else
        the plain string. On a jump every caption is new, and building a QStaticText for
        each was 13 % of the GIL in a profile; most of those are never painted again."""
        key = (text, width, middle)
        found = self._captions.get(key)
        if isinstance(found, QStaticText):
            self._captions.move_to_end(key)
            return found
        # Evict one at a time: clearing 20k cached texts at once took 1.3 s in one paint.
        if len(self._captions) >= _CAPTIONS_KEPT:
            self._captions.popitem(last=False)
        if found is None:
            mode = Qt.TextElideMode.ElideMiddle if middle else Qt.TextElideMode.ElideRight
            elided = metrics.elidedText(text, mode, width)
            self._captions[key] = elided  # seen once: remember the elided text only
            return elided
        static = QStaticText(found)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.prepare()
        self._captions[key] = static
        return static

    @staticmethod
    def picture_area(cell_rect: QRect) -> QRect:
        """Where a cell's thumbnail (or placeholder, or error tile) is painted; the thumbnail
        is centred horizontally and stands on the bottom edge of this box."""
        rect = cell_rect.adjusted(3, 3, -3, -3)
        return QRect(
            rect.x() + 2, rect.y() + 2, rect.width() - 4, rect.height() - CAPTION_LINES_HEIGHT - 4
        )

    @staticmethod
    def _draw_caption(
        painter: QPainter,
        caption: QStaticText | str,
        left: int,
        top: int,
        width: int,
        metrics: QFontMetrics,
    ) -> None:
        if isinstance(caption, QStaticText):
            x = left + (width - int(caption.size().width())) // 2
            painter.drawStaticText(x, top, caption)
        else:
            painter.drawText(
                QRect(left, top, width, metrics.height()), Qt.AlignmentFlag.AlignHCenter, caption
            )

    def paint(
        self,
        painter: QPainter,
        cell_rect: QRect,
        cell: Cell,
        *,
        selected: bool,
        current: bool,
        palette: QPalette,
        metrics: QFontMetrics,
    ) -> None:
        rect = cell_rect.adjusted(3, 3, -3, -3)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        image_rect = self.picture_area(cell_rect)
        picture = image_rect  # where a verdict badge goes: on the image itself
        if cell.pixmap is not None:
            # Already made for this cell size by the loader; bottom-aligned on its caption.
            x = image_rect.x() + (image_rect.width() - cell.pixmap.width()) // 2
            y = image_rect.bottom() + 1 - cell.pixmap.height()
            painter.drawPixmap(x, y, cell.pixmap)
            picture = QRect(x, y, cell.pixmap.width(), cell.pixmap.height())
        elif cell.failure:
            painter.fillRect(image_rect, ERROR_TILE)
            painter.setPen(ERROR_TEXT)
            words, sign = self._error_texts
            label = words if words.size().width() <= image_rect.width() else sign
            size = label.size()
            painter.drawStaticText(
                image_rect.x() + (image_rect.width() - int(size.width())) // 2,
                image_rect.y() + (image_rect.height() - int(size.height())) // 2,
                label,
            )
        else:
            painter.fillRect(image_rect, palette.color(QPalette.ColorRole.AlternateBase))
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(text_role))
        width = rect.width() - 8
        top = image_rect.bottom() + 3
        left = rect.x() + 4
        name = self._caption(metrics, cell.name, width, True)
        self._draw_caption(painter, name, left, top, width, metrics)
        if cell.class_name:
            if not selected:
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            text = self._caption(metrics, cell.class_name, width, False)
            self._draw_caption(painter, text, left, top + metrics.height(), width, metrics)
        if cell.predicted:  # a model's other opinion, in a second colour over the picture
            strip = QRect(picture.x(), picture.y(), picture.width(), metrics.height() + 4)
            painter.fillRect(strip, PREDICTED_STRIP)
            painter.setPen(PREDICTED_COLOUR)
            text = self._caption(metrics, "→ " + cell.predicted, width, False)
            self._draw_caption(painter, text, left, picture.y() + 2, width, metrics)
        if cell.verdict is not None or cell.noted:
            self._draw_badge(painter, picture, cell)
        if current:
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))

    def _draw_badge(self, painter: QPainter, image_rect: QRect, cell: Cell) -> None:
        """A verdict's mark in the thumbnail's top-left corner (a dot alone: a note only)."""
        colour, mark = BADGES.get(cell.verdict or "", (QColor(90, 90, 90), "•"))
        badge = QRect(image_rect.x() + 3, image_rect.y() + 3, 20, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(badge)
        painter.setPen(QColor("white"))
        painter.drawText(
            badge, Qt.AlignmentFlag.AlignCenter, mark + ("*" if cell.noted and cell.verdict else "")
        )
        painter.setBrush(Qt.BrushStyle.NoBrush)


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
                    self._span_selection(first, last), QItemSelectionModel.SelectionFlag.Select
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

    def _span_selection(self, first: int, last: int) -> QItemSelection:
        """A reading-order span as at most three rectangles."""
        model, columns = self.grid_model, self.grid_model.columns
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

    # -- list-like behaviour ------------------------------------------------------------

    def moveCursor(self, action: Cursor, modifiers: Qt.KeyboardModifier) -> QModelIndex:  # noqa: N802
        count = self.grid_model.count()
        if count == 0:
            return QModelIndex()
        position = max(0, self.current_position())
        columns = self.grid_model.columns
        page = max(1, self.viewport().height() // self.verticalHeader().defaultSectionSize())
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
        return self.grid_model.index_at(max(0, min(count - 1, target)))

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
            if event.key() in _NAVIGATION_KEYS:
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
        self.selectionModel().select(self._span_selection(self._anchor, current), command)

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
        if plain and event.key() in _NAVIGATION_KEYS and current.isValid():
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
