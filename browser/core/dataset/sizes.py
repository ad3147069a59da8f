"""Summaries of file sizes: a histogram, and the summary a stored index keeps in its header
(so ``entity``'s size statistics need no pass over 14M sizes). Below the statistics
(:mod:`browser.core.analysis.statistics`) because the index's store writes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Histogram:
    edges: list[float]  # len(counts) + 1 bin edges
    counts: list[int]


@dataclass(frozen=True)
class SizeSummary:
    """Median, 99th percentile and histogram of the known file sizes of a whole index. A
    stored index keeps it in its header (computed when the sizes are written), so a synset
    holding every image (``entity``) is summarised without touching 14M sizes."""

    count: int
    median: float
    p99: float
    histogram: Histogram

    def as_json(self) -> dict[str, object]:
        return {
            "count": self.count,
            "median": self.median,
            "p99": self.p99,
            **self.histogram.__dict__,
        }

    @staticmethod
    def from_json(value: dict[str, Any]) -> SizeSummary:
        """Raises KeyError, TypeError or ValueError for anything but what as_json wrote."""
        edges, counts = value["edges"], value["counts"]
        if not isinstance(edges, list) or not isinstance(counts, list):
            raise TypeError("a size summary's histogram is two lists")
        return SizeSummary(
            int(value["count"]),
            float(value["median"]),
            float(value["p99"]),
            Histogram([float(e) for e in edges], [int(c) for c in counts]),
        )


def summarize_sizes(sizes: np.ndarray) -> SizeSummary:
    """The summary of these sizes (negative values, not known yet, left out)."""
    if (sizes < 0).any():
        sizes = sizes[sizes >= 0]
    if not len(sizes):
        return SizeSummary(0, 0.0, 0.0, histogram(sizes))
    # One partial sort (selection) for both, not a full sort of millions of sizes.
    median, high = np.percentile(sizes, [50, 99])
    return SizeSummary(len(sizes), float(median), float(high), histogram(sizes))


def histogram(values: np.ndarray, bins: int = 20) -> Histogram:
    if not len(values):
        return Histogram([0.0, 1.0], [0])
    counts, edges = np.histogram(values, bins=bins)
    return Histogram([float(e) for e in edges], [int(c) for c in counts])
