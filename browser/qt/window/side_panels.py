"""The tabs beside the grid (Facts, Statistics, Map) kept on the synset shown, with the
review's estimates where verdicts exist."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from browser.core.dataset.view import DatasetView
from browser.core.review.estimates import Estimate
from browser.qt.review import ReviewController
from browser.qt.widgets.charts import StatisticsPanel
from browser.qt.widgets.metadata import MetadataPanel
from browser.qt.widgets.treemap_view import TreemapView


class SidePanels:
    def __init__(
        self,
        tabs: QTabWidget,
        metadata: MetadataPanel,
        statistics: StatisticsPanel,
        treemap: TreemapView,
        review: ReviewController,
    ) -> None:
        self.tabs = tabs
        self.metadata = metadata
        self.statistics = statistics
        self.treemap = treemap
        self.review = review

    def estimate(self, synset: int) -> Estimate | None:
        summary = self.review.summary()
        return summary.node(synset) if summary is not None else None

    def error_rate(self, synset: int) -> float | None:
        summary = self.review.summary()
        return summary.error_rate(synset) if summary is not None else None

    def error_sample(self, synset: int) -> int | None:
        """How many verdicts on labels the estimate stands on (the tree shows "29 % of 7")."""
        summary = self.review.summary()
        return summary.judged(synset) if summary is not None else None

    def show_charts(self, view: DatasetView, synset: int) -> None:
        """Fill the Statistics or Map tab, whichever is shown (only then: the charts of
        entity cost a pass over every image)."""
        shown = self.tabs.currentWidget()
        if shown is self.statistics:
            self.statistics.show_synset(view, synset, self.estimate(synset))
        elif shown is self.treemap:
            self.treemap.show_synset(view, synset)

    def show_facts(self, view: DatasetView, synset: int, paths: list[list[int]]) -> None:
        self.metadata.show_synset(view, synset, paths, self.estimate(synset))

    def statistics_shown(self) -> bool:
        return self.tabs.currentWidget() is self.statistics
