"""Small charts drawn with QPainter (no charting dependency), and the statistics panel.

Each chart shows one thing and sits under a caption that says the takeaway in words; the
numbers come from browser.core.statistics.

Signals:
    StatisticsPanel.synsetClicked(int): a bar of the children chart was clicked.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from browser.core.browse import DatasetView
from browser.core.estimates import Estimate
from browser.core.statistics import SynsetStatistics, synset_statistics

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
        self.review_caption = QLabel()
        for label in (
            self.review_caption,
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
            self.review_caption,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.setWidget(content)
        self.children_chart.barClicked.connect(self.synsetClicked)
        self.statistics: SynsetStatistics | None = None

    def show_synset(self, view: DatasetView, synset: int, estimate: Estimate | None = None) -> None:
        hierarchy = view.hierarchy
        stats = synset_statistics(view, synset)
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
        review = ""
        if estimate is not None and estimate.reviewed:
            counts = ", ".join(
                f"{k.replace('_', ' ')} {v:,}" for k, v in estimate.verdicts.items() if v
            )
            review = f"Reviewed {estimate.reviewed:,} of {estimate.images:,} images: {counts}."
            if estimate.error_rate is not None:
                review += f" Estimated label errors {estimate.error_rate:.1%}."
        self.review_caption.setText(review)
