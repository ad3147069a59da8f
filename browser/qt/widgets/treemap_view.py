"""TreemapView: the pruned hierarchy as nested areas sized by image count.

It shows the children of one synset; a click selects a child (and the map descends into
it), Backspace or a right click goes back up. The window keeps it on the synset selected in
the tree, and the tree on the one clicked here.

Signals:
    synsetClicked(int): a tile was clicked.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from browser.core.analysis.treemap import Tile, nested_layout
from browser.core.dataset.view import DatasetView


class TreemapView(QWidget):
    synsetClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: DatasetView | None = None
        self.node = -1
        self.tiles: list[Tile] = []
        self.inner: list[Tile] = []  # the tiles' own children, drawn inside them
        self.setMinimumHeight(200)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    def show_synset(self, view: DatasetView, synset: int) -> None:
        self.view, self.node = view, synset
        self._relayout()

    def _relayout(self) -> None:
        if self.view is None:
            self.tiles, self.inner = [], []
        else:
            size = float(self.width()), float(self.height())
            self.tiles, self.inner = nested_layout(self.view, self.node, *size)
        self.update()

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802
        self._relayout()

    def tile_at(self, point: QPointF) -> Tile | None:
        """The innermost tile under ``point``."""
        for tile in [*self.inner, *self.tiles]:
            if QRectF(tile.x, tile.y, tile.width, tile.height).contains(point):
                return tile
        return None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self.view is None:
            return
        painter = QPainter(self)
        hierarchy = self.view.hierarchy
        metrics = painter.fontMetrics()
        top_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        for number, tile in enumerate(self.tiles):
            rect = QRectF(tile.x, tile.y, tile.width, tile.height).adjusted(1, 1, -1, -1)
            painter.fillRect(rect, QColor.fromHsv((number * 47) % 360, 110, 190))
            if rect.width() > 40 and rect.height() > metrics.height():
                painter.setPen(QColor(15, 15, 15))
                label = f"{hierarchy.name(tile.node)} · {tile.images:,}"
                width = int(rect.width()) - 8
                text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, width)
                painter.drawText(rect.adjusted(4, 1, -4, -1), top_left, text)
        for tile in self.inner:
            rect = QRectF(tile.x, tile.y, tile.width, tile.height).adjusted(1, 1, -1, -1)
            painter.fillRect(rect, QColor(255, 255, 255, 90))
            if rect.width() > 50 and rect.height() > metrics.height() * 2:
                painter.setPen(QColor(30, 30, 30))
                text = f"{hierarchy.name(tile.node)}\n{tile.images:,}"
                wrap = top_left | Qt.TextFlag.TextWordWrap
                painter.drawText(rect.adjusted(3, 2, -3, -2), wrap, text)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.RightButton:
            self.go_up()
            return
        tile = self.tile_at(event.position())
        if tile is not None:
            self.synsetClicked.emit(tile.node)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Backspace:
            self.go_up()
        else:
            super().keyPressEvent(event)

    def go_up(self) -> None:
        if self.view is None:
            return
        parents = [p for p in self.view.hierarchy.parents(self.node) if self.view.counts.images[p]]
        if parents:
            self.synsetClicked.emit(parents[0])

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.view is not None:
            assert isinstance(event, QHelpEvent)
            tile = self.tile_at(QPointF(event.pos()))
            if tile is not None:
                counts, hierarchy = self.view.counts, self.view.hierarchy
                QToolTip.showText(
                    event.globalPos(),
                    f"{hierarchy.name(tile.node)} ({hierarchy.wnid(tile.node)})\n"
                    f"{tile.images:,} images, {int(counts.classes[tile.node]):,} classes",
                    self,
                )
            else:
                QToolTip.hideText()
            return True
        return super().event(event)
