"""Painting one thumbnail cell: picture, caption (cached as QStaticText), verdict badge,
and the error tile of an image that cannot be shown. Used by :class:`.grid_view.ThumbnailGrid`
for every visible cell in one call."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QStaticText

from browser.qt.models.grid_model import Cell

CAPTION_LINES_HEIGHT = 34
_CAPTIONS_KEPT = 4_000  # a few screens of captions at the smallest zoom
ERROR_TILE = QColor(120, 30, 30)
ERROR_TEXT = QColor(255, 220, 220)
# A model's top-1 where it differs from the label: amber on a dark strip over the picture.
PREDICTED_COLOUR = QColor(255, 190, 60)
PREDICTED_STRIP = QColor(0, 0, 0, 160)

BADGES = {
    "correct": (QColor(26, 133, 255), "✓"),
    "wrong_label": (QColor(212, 17, 89), "✗"),
    "ambiguous": (QColor(230, 140, 0), "?"),
    "unusable": (QColor(110, 110, 110), "⊘"),
    "duplicate": (QColor(120, 60, 170), "="),
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
