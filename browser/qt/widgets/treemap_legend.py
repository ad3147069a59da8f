"""Colours of a treemap coloured by a measure, and the legend that explains them.

Label errors and accuracy are good or bad, so they run from red (bad) through yellow to
green (good); review coverage is only more or less, so it runs from pale to deep blue. Grey
is "no data", and the legend says what that means for the measure shown.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter

from browser.core.analysis.treemap_measures import COVERAGE, Measure

NO_DATA = QColor(185, 185, 185)
_STEPS = 6  # gradient stops of the legend's bar


def colour_for(measure: Measure, value: float | None) -> QColor:
    """The fill of a tile whose measure is ``value`` (a fraction; None: no data)."""
    if value is None:
        return NO_DATA
    share = min(1.0, max(0.0, value / measure.high))
    if measure.key == COVERAGE:
        return QColor.fromHsv(212, int(30 + 200 * share), int(250 - 95 * share))
    good = share if measure.higher_is_better else 1.0 - share
    return QColor.fromHsv(int(120 * good), 170, 225)


def text_colour(fill: QColor) -> QColor:
    """Black on light fills, white on dark ones: labels stay readable on every colour."""
    light = 0.299 * fill.red() + 0.587 * fill.green() + 0.114 * fill.blue()
    return QColor(15, 15, 15) if light > 140 else QColor(250, 250, 250)


def percent(value: float) -> str:
    return f"{100 * value:.0f} %" if value >= 0.1 or value == 0 else f"{100 * value:.1f} %"


def legend_height(line: int) -> int:
    return 3 * line + 12


def paint_legend(painter: QPainter, rect: QRectF, measure: Measure) -> None:
    """In ``rect`` (a strip three lines high): the colour scale from 0 to ``measure.high``
    with its ends, what the numbers are (wrapped beside it), and the grey of "no data"."""
    metrics = painter.fontMetrics()
    line = metrics.height()
    bar_width = min(180.0, rect.width() * 0.42)
    bar = QRectF(rect.x() + 4, rect.y() + 4, bar_width, line - 2)
    gradient = QLinearGradient(bar.topLeft(), bar.topRight())
    for step in range(_STEPS + 1):
        share = step / _STEPS
        gradient.setColorAt(share, colour_for(measure, share * measure.high))
    painter.fillRect(bar, gradient)
    painter.setPen(QColor(90, 90, 90))
    painter.drawRect(bar)
    painter.setPen(QColor(20, 20, 20))
    top_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
    top_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
    below = QRectF(bar.x(), bar.bottom() + 2, bar.width(), line)
    highest = percent(measure.high) + ("+" if measure.high < 1 else "")
    painter.drawText(below, top_left, "0 %")
    painter.drawText(below, top_right, highest)
    beside = QRectF(bar.right() + 10, rect.y() + 2, rect.right() - bar.right() - 14, 2 * line)
    painter.drawText(beside, top_left | Qt.TextFlag.TextWordWrap, measure.unit)
    swatch = QRectF(rect.x() + 4, below.bottom() + 4, line - 4, line - 4)
    painter.fillRect(swatch, NO_DATA)
    painter.setPen(QColor(90, 90, 90))
    painter.drawRect(swatch)
    painter.setPen(QColor(20, 20, 20))
    said = QRectF(swatch.right() + 6, swatch.y() - 2, rect.width() - line - 10, line)
    no_data = f"grey: no data ({measure.no_data})"
    painter.drawText(
        said, top_left, metrics.elidedText(no_data, Qt.TextElideMode.ElideRight, int(said.width()))
    )
