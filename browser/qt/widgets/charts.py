"""Small charts drawn with QPainter (no charting dependency), and the statistics panel.

Each chart shows one thing and sits under a caption that says the takeaway in words; the
numbers come from browser.core.analysis.statistics.

Signals:
    StatisticsPanel.synsetClicked(int): a bar of the children chart was clicked.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from browser.core.analysis.statistics import SynsetStatistics, synset_statistics
from browser.core.dataset.scanner import ScanCancelled
from browser.core.dataset.view import DatasetView
from browser.core.images.dimensions import dimension_cache_for, read_dimensions
from browser.core.review.estimates import Estimate
from browser.qt.background import CallableTask, ProgressSignals, serial_pool

_BAR_HEIGHT = 18
_MAX_BARS = 25


class BarChart(QWidget):
    """Horizontal bars, largest first; a click on a bar reports its key."""

    barClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, int, int]] = []  # label, value, key
        self.setMouseTracking(True)

    def set_bars(self, bars: list[tuple[str, int, int]]) -> None:
        self.bars = bars[:_MAX_BARS]
        self.setFixedHeight(max(1, len(self.bars)) * _BAR_HEIGHT + 4)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if not self.bars:
            return
        painter = QPainter(self)
        palette = self.palette()
        label_width = min(self.width() // 2, 150)
        top_value = max(value for _, value, _ in self.bars) or 1
        for number, (label, value, _) in enumerate(self.bars):
            y = 2 + number * _BAR_HEIGHT
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            text = painter.fontMetrics().elidedText(
                label, Qt.TextElideMode.ElideRight, label_width - 6
            )
            painter.drawText(
                QRectF(0, y, label_width - 6, _BAR_HEIGHT),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            length = (self.width() - label_width - 60) * value / top_value
            painter.fillRect(
                QRectF(label_width, y + 3, max(1.0, length), _BAR_HEIGHT - 6),
                palette.color(QPalette.ColorRole.Highlight),
            )
            painter.drawText(
                QRectF(label_width + length + 4, y, 56, _BAR_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter,
                f"{value:,}",
            )
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        number = int((event.position().y() - 2) // _BAR_HEIGHT)
        if 0 <= number < len(self.bars):
            self.barClicked.emit(self.bars[number][2])


class Histogram(QWidget):
    """Vertical bins with the range written under them."""

    def __init__(self, unit: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = unit
        self.edges: list[float] = []
        self.counts: list[int] = []
        self.setFixedHeight(110)

    def set_bins(self, edges: list[float], counts: list[int]) -> None:
        self.edges, self.counts = edges, counts
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if not self.counts or not any(self.counts):
            return
        painter = QPainter(self)
        palette = self.palette()
        plot = QRectF(4, 4, self.width() - 8, self.height() - 26)
        top = max(self.counts)
        width = plot.width() / len(self.counts)
        for number, count in enumerate(self.counts):
            height = plot.height() * count / top
            painter.fillRect(
                QRectF(plot.left() + number * width + 1, plot.bottom() - height, width - 2, height),
                palette.color(QPalette.ColorRole.Highlight),
            )
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        below = QRectF(plot.left(), plot.bottom() + 2, plot.width(), 18)
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft, f"{self.edges[0]:,.0f}{self.unit}")
        painter.drawText(below, Qt.AlignmentFlag.AlignRight, f"{self.edges[-1]:,.0f}{self.unit}")
        painter.end()


class Heatmap(QWidget):
    """A 2-D histogram: darker cells hold more images; axes say the ranges."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid: tuple[list[float], list[float], list[list[int]]] | None = None
        self.setFixedHeight(200)

    def set_grid(self, grid: tuple[list[float], list[float], list[list[int]]] | None) -> None:
        self.grid = grid
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self.grid is None:
            return
        x_edges, y_edges, counts = self.grid
        top = max((max(column) for column in counts), default=0) or 1
        painter = QPainter(self)
        palette = self.palette()
        plot = QRectF(40, 4, self.width() - 48, self.height() - 26)
        cell_w, cell_h = plot.width() / len(counts), plot.height() / len(counts[0])
        colour = palette.color(QPalette.ColorRole.Highlight)
        for i, column in enumerate(counts):
            for j, count in enumerate(column):
                if count:
                    shade = QColor(colour)
                    shade.setAlphaF(0.15 + 0.85 * count / top)
                    y = plot.bottom() - (j + 1) * cell_h  # height grows upwards
                    painter.fillRect(QRectF(plot.left() + i * cell_w, y, cell_w, cell_h), shade)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        below = QRectF(plot.left(), plot.bottom() + 2, plot.width(), 18)
        right = Qt.AlignmentFlag.AlignRight
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft, f"{x_edges[0]:,.0f}")
        painter.drawText(below, right, f"width {x_edges[-1]:,.0f}")
        painter.drawText(QRectF(0, plot.top(), 38, 16), right, f"{y_edges[-1]:,.0f}")
        painter.drawText(QRectF(0, plot.bottom() - 16, 38, 16), right, f"{y_edges[0]:,.0f}")
        painter.end()


class StatisticsPanel(QScrollArea):
    synsetClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        content = QWidget()
        layout = QVBoxLayout(content)
        self.title = QLabel()
        self.children_caption, self.children_chart = QLabel(), BarChart()
        self.classes_caption, self.classes_chart = QLabel(), Histogram(" images")
        self.sizes_caption, self.sizes_chart = QLabel(), Histogram(" kB")
        self.splits_caption = QLabel()
        self.splits_chart = BarChart()  # not connected: a split is not a synset to go to
        self.review_caption = QLabel()
        self.pixels_caption, self.pixels_chart = QLabel(), Heatmap()
        self.aspects_caption, self.aspects_chart = QLabel(), Histogram()
        self.measure_button = QPushButton("Measure pixel sizes")
        self.measure_button.setToolTip("Read every image's header below this synset (cached)")
        self.measure_bar = QProgressBar()
        self.measure_bar.hide()
        for label in (
            self.review_caption,
            self.pixels_caption,
            self.aspects_caption,
            self.children_caption,
            self.classes_caption,
            self.sizes_caption,
            self.splits_caption,
        ):
            label.setWordWrap(True)
        for widget in (
            self.title,
            self.children_caption,
            self.children_chart,
            self.classes_caption,
            self.classes_chart,
            self.sizes_caption,
            self.sizes_chart,
            self.splits_caption,
            self.splits_chart,
            self.review_caption,
            self.measure_button,
            self.measure_bar,
            self.pixels_caption,
            self.pixels_chart,
            self.aspects_caption,
            self.aspects_chart,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.setWidget(content)
        self.children_chart.barClicked.connect(self.synsetClicked)
        self.statistics: SynsetStatistics | None = None
        self.measure_button.clicked.connect(self.measure)
        self.cache_dir: Path | None = None  # set by the window: where dimensions are cached
        self.widths: np.ndarray | None = None  # per dataset row, 0: not measured
        self.heights: np.ndarray | None = None
        self._shown: tuple[DatasetView, int, Estimate | None] | None = None
        self._cancel = threading.Event()
        self._pool = serial_pool(self)
        self._signals = ProgressSignals(self)
        self._signals.progress.connect(self._measure_progress)
        self._signals.done.connect(self._measured)

    def show_synset(self, view: DatasetView, synset: int, estimate: Estimate | None = None) -> None:
        hierarchy = view.hierarchy
        if self._shown is None or self._shown[0] is not view:
            self.widths = self.heights = None  # another dataset
        self._shown = (view, synset, estimate)
        dimensions = None
        if self.widths is not None and self.heights is not None:
            rows = view.rows(synset)
            dimensions = (self.widths[rows], self.heights[rows])
        stats = synset_statistics(view, synset, dimensions)
        self.statistics = stats
        self.title.setText(f"<h3>{hierarchy.name(synset)}</h3>")
        captions = stats.captions
        self.children_caption.setText(captions.get("children", "No children with images."))
        self.children_chart.set_bars([(hierarchy.name(c), n, c) for c, n in stats.children])
        self.classes_caption.setText(captions.get("per_class", ""))
        histogram = stats.per_class_histogram
        self.classes_chart.set_bins(histogram.edges, histogram.counts)
        self.sizes_caption.setText(captions.get("file_sizes", "File sizes are not known yet."))
        sizes = stats.file_sizes
        self.sizes_chart.set_bins([e / 1e3 for e in sizes.edges], sizes.counts)
        self.splits_caption.setText(captions.get("splits", ""))
        self.splits_chart.set_bars([(name, n, -1) for name, n in stats.splits.items()])
        self.splits_chart.setVisible(len(stats.splits) > 1)
        review = ""
        if estimate is not None and estimate.reviewed:
            counts = ", ".join(
                f"{k.replace('_', ' ')} {v:,}" for k, v in estimate.verdicts.items() if v
            )
            review = f"Reviewed {estimate.reviewed:,} of {estimate.images:,} images: {counts}."
            if estimate.error_rate is not None:
                review += f" Estimated label errors {estimate.error_rate:.1%}."
        self.review_caption.setText(review)
        self.pixels_caption.setText(captions.get("pixels", ""))
        self.pixels_chart.set_grid(stats.pixels)
        self.pixels_chart.setVisible(stats.pixels is not None)
        self.aspects_caption.setText(captions.get("aspects", ""))
        if stats.aspects is not None:
            self.aspects_chart.set_bins(stats.aspects.edges, stats.aspects.counts)
        self.aspects_chart.setVisible(stats.aspects is not None)

    # -- the pixel-size pass ------------------------------------------------------------

    def measure(self) -> None:
        """Read the pixel sizes below the shown synset on a worker (cached, resumable)."""
        if self._shown is None or self.cache_dir is None:
            return
        view, synset, _ = self._shown
        rows = view.rows(synset)
        cache = dimension_cache_for(view.index, self.cache_dir)
        self._cancel.clear()
        self.measure_button.setText("Cancel")
        self.measure_button.clicked.disconnect()
        self.measure_button.clicked.connect(self._cancel.set)
        self.measure_bar.show()

        def work() -> None:
            try:
                widths, heights = read_dimensions(
                    view.index,
                    rows,
                    cache,
                    progress=self._signals.progress.emit,
                    cancelled=self._cancel.is_set,
                )
            except ScanCancelled:
                self._signals.done.emit(None)
                return
            self._signals.done.emit((view, rows, widths, heights))

        self._pool.start(CallableTask(work))

    def _measure_progress(self, done: int, total: int) -> None:
        self.measure_bar.setRange(0, total)
        self.measure_bar.setValue(done)

    def _measured(
        self, result: tuple[DatasetView, np.ndarray, np.ndarray, np.ndarray] | None
    ) -> None:
        self.measure_bar.hide()
        self.measure_button.setText("Measure pixel sizes")
        self.measure_button.clicked.disconnect()
        self.measure_button.clicked.connect(self.measure)
        if result is None or self._shown is None:
            return
        view, rows, widths, heights = result
        if view is not self._shown[0]:
            return
        if self.widths is None or self.heights is None:
            self.widths = np.zeros(len(view.index), dtype=np.int32)
            self.heights = np.zeros(len(view.index), dtype=np.int32)
        self.widths[rows], self.heights[rows] = widths, heights
        self.show_synset(*self._shown)

    def stop(self) -> None:
        self._cancel.set()
        self._pool.waitForDone()
