"""TreemapView: the pruned hierarchy as nested areas sized by image count.

It shows the children of one synset, and inside each its own children, as deep as the space
allows (a tile under ~40 px is not subdivided). A click selects the innermost tile under the
pointer (and the map descends into it), Backspace or a right click goes back up. The window
keeps it on the synset selected in the tree, and the tree on the one clicked here.

"Colour by" (top right) colours each tile by the label-error estimate, the review coverage or,
once a model's predictions are loaded, its accuracy; a legend below gives the scale, its
unit, and what grey ("no data") means. The numbers are the app's own roll-ups
(:mod:`browser.core.analysis.treemap_measures`).

Signals:
    synsetClicked(int): a tile was clicked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QStandardItemModel,
)
from PySide6.QtWidgets import QComboBox, QToolTip, QWidget

from browser.core.analysis.treemap import Tile, deep_layout
from browser.core.analysis.treemap_measures import (
    ACCURACY,
    COVERAGE,
    ERROR,
    MEASURES,
    NONE,
    Values,
    measure_values,
)
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.synset_labels import compact_count
from browser.core.predictions.modelstate import ModelState
from browser.core.review.estimates import ReviewSummary
from browser.qt.widgets.treemap_legend import (
    colour_for,
    legend_height,
    paint_legend,
    percent,
    text_colour,
)

NO_MODEL = "Import a model's predictions (Model tab) to colour by its accuracy"


class TreemapView(QWidget):
    synsetClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: DatasetView | None = None
        self.node = -1
        self.laid: list[Tile] = []  # every tile, parents before children
        self.tiles: list[Tile] = []  # the synset's children
        self.inner: list[Tile] = []  # deeper tiles, parents before children
        # Set by the window: where the review's estimates and the loaded model come from.
        self.review_summary: Callable[[], ReviewSummary | None] = lambda: None
        self.model_state: Callable[[], ModelState | None] = lambda: None
        self.colour_box = QComboBox(self)
        self.colour_box.setToolTip("Colour the tiles by a measure; grey: no data")
        for key, text in (
            (NONE, "Colour: none"),
            (ERROR, "Colour: label-error estimate"),
            (COVERAGE, "Colour: review coverage"),
            (ACCURACY, "Colour: model accuracy"),
        ):
            self.colour_box.addItem(text, key)
        self.colour_box.currentIndexChanged.connect(lambda _: self.data_changed())
        self._values: Values | None = None
        self.setMinimumHeight(200)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._offer_accuracy()

    # -- what is shown ------------------------------------------------------------------

    def show_synset(self, view: DatasetView, synset: int) -> None:
        self.view, self.node = view, synset
        self._offer_accuracy()
        self._relayout()

    def colour_by(self, key: str) -> None:
        found = self.colour_box.findData(key)
        if found >= 0:
            self.colour_box.setCurrentIndex(found)

    @property
    def colour_key(self) -> str:
        return str(self.colour_box.currentData())

    def data_changed(self) -> None:
        """Verdicts or the model changed: offer what can be shown, recolour."""
        self._offer_accuracy()
        self._values = self._measure_values()
        if self.isVisible():  # a hidden map is laid out when it is shown
            self._relayout()

    def _model(self) -> ModelState | None:
        state = self.model_state()
        if state is None or self.view is None or state.index is not self.view.index:
            return None
        return state

    def _offer_accuracy(self) -> None:
        model = self.colour_box.model()
        assert isinstance(model, QStandardItemModel)
        item = model.item(self.colour_box.findData(ACCURACY))
        available = self._model() is not None
        item.setEnabled(available)
        item.setToolTip("" if available else NO_MODEL)
        if not available and self.colour_key == ACCURACY:
            self.colour_by(NONE)

    def _measure_values(self) -> Values | None:
        if self.view is None or self.colour_key == NONE:
            return None
        model = self._model()
        summary = model.summary if model is not None else None
        return measure_values(self.colour_key, self.view, self.review_summary(), summary)

    # -- layout -------------------------------------------------------------------------

    def _top(self) -> int:
        return self.colour_box.sizeHint().height() + 4

    def _legend(self) -> int:
        return legend_height(self.fontMetrics().height()) if self._values is not None else 0

    def map_rect(self) -> QRectF:
        top = self._top()
        return QRectF(0, top, self.width(), max(0, self.height() - top - self._legend()))

    def _relayout(self) -> None:
        hint = self.colour_box.sizeHint()
        self.colour_box.setGeometry(self.width() - hint.width() - 2, 2, hint.width(), hint.height())
        if self._values is None and self.colour_key != NONE:
            self._values = self._measure_values()
        if self.view is None:
            self.laid, self.tiles, self.inner = [], [], []
        else:
            area = self.map_rect()
            header = float(self.fontMetrics().height() + 4)
            laid = deep_layout(self.view, self.node, area.width(), area.height(), header=header)
            self.laid = [replace(t, y=t.y + area.y()) for t in laid]
            self.tiles = [t for t in self.laid if t.depth == 0]
            self.inner = [t for t in self.laid if t.depth > 0]
        self.update()

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802
        self._relayout()

    def tile_at(self, point: QPointF) -> Tile | None:
        """The innermost tile under ``point``."""
        for tile in [*reversed(self.inner), *self.tiles]:
            if QRectF(tile.x, tile.y, tile.width, tile.height).contains(point):
                return tile
        return None

    def value_of(self, node: int) -> float | None:
        return self._values(node) if self._values is not None else None

    # -- painting -----------------------------------------------------------------------

    def _fill(self, tile: Tile, number: int) -> QColor:
        if self._values is not None:
            return colour_for(MEASURES[self.colour_key], self._values(tile.node))
        if tile.depth == 0:
            return QColor.fromHsv((number * 47) % 360, 110, 190)
        return QColor(255, 255, 255, 70)  # lighter with each level, over the parent's hue

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self.view is None:
            return
        painter = QPainter(self)
        hierarchy = self.view.hierarchy
        metrics = painter.fontMetrics()
        line = metrics.height()
        top_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        ordered = self.laid
        has_children = _tiles_with_children(ordered)
        for number, tile in enumerate(ordered):
            rect = QRectF(tile.x, tile.y, tile.width, tile.height).adjusted(1, 1, -1, -1)
            fill = self._fill(tile, number)
            painter.fillRect(rect, fill)
            painter.setPen(QColor(60, 60, 60, 110))
            painter.drawRect(rect)
            if rect.width() < 30 or rect.height() < line:
                continue
            shown = fill if fill.alpha() == 255 else QColor(220, 220, 220)
            painter.setPen(text_colour(shown))
            name = hierarchy.name(tile.node)
            value = self.value_of(tile.node) if self._values is not None else None
            extra = f" · {percent(value)}" if value is not None else ""
            width = int(rect.width()) - 6
            if id(tile) in has_children or rect.height() < 2 * line + 4:
                label = f"{name} · {compact_count(tile.images)}{extra}"
                text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, width)
                painter.drawText(rect.adjusted(3, 1, -3, -1), top_left, text)
            else:
                lines = [
                    metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
                    for text in (name, f"{compact_count(tile.images)}{extra}")
                ]
                painter.drawText(rect.adjusted(3, 1, -3, -1), top_left, "\n".join(lines))
        if self._values is not None:
            legend = QRectF(0, self.height() - self._legend(), self.width(), self._legend())
            paint_legend(painter, legend, MEASURES[self.colour_key])
        painter.end()

    # -- input --------------------------------------------------------------------------

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
        """To the parent, past a chain of single children without images of their own: the
        map skips such chains going down, so going up lands where the click came from."""
        view = self.view
        if view is None:
            return
        node = self.node
        while True:
            parents = [p for p in view.hierarchy.parents(node) if view.counts.images[p]]
            if not parents:
                break
            node = parents[0]
            if len(view.children(node)) > 1 or view.counts.direct_images[node]:
                break
        if node != self.node:
            self.synsetClicked.emit(node)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.view is not None:
            assert isinstance(event, QHelpEvent)
            tile = self.tile_at(QPointF(event.pos()))
            if tile is not None:
                QToolTip.showText(event.globalPos(), self.tooltip(tile), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def tooltip(self, tile: Tile) -> str:
        assert self.view is not None
        counts, hierarchy = self.view.counts, self.view.hierarchy
        text = (
            f"{hierarchy.name(tile.node)} ({hierarchy.wnid(tile.node)})\n"
            f"{tile.images:,} images, {int(counts.classes[tile.node]):,} classes"
        )
        if self._values is not None:
            measure = MEASURES[self.colour_key]
            value = self._values(tile.node)
            said = percent(value) if value is not None else f"no data ({measure.no_data})"
            text += f"\n{measure.title}: {said}"
        return text


def _tiles_with_children(ordered: list[Tile]) -> set[int]:
    """ids of the tiles that have tiles drawn inside them (pre-order: a child follows its
    parent, one level deeper)."""
    found: set[int] = set()
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.depth == before.depth + 1:
            found.add(id(before))
    return found
