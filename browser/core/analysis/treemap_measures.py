"""What a treemap tile can be coloured by: per synset, a number on a fixed scale, or None
("no data", drawn grey).

The numbers are the ones the rest of the app shows, read from the same roll-ups, never
recomputed another way: the label-error estimate of :class:`ReviewSummary` (the tree's error
column), the share of images with a verdict (its verdict counts rolled up), and the model's
top-1 accuracy of :class:`MistakeSummary` (the tree's model column).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from browser.core.dataset.view import DatasetView
from browser.core.predictions.mistakes import MistakeSummary
from browser.core.review.estimates import ReviewSummary


@dataclass(frozen=True)
class Measure:
    key: str
    title: str  # as the "Colour by" menu says it
    unit: str  # what the legend's numbers are
    high: float  # the scale runs from 0 to this (a fraction); above it is drawn as it
    higher_is_better: bool
    no_data: str  # what a grey tile means, for the legend


NONE = "none"
ERROR = "error"
COVERAGE = "coverage"
ACCURACY = "accuracy"

MEASURES = {
    ERROR: Measure(
        ERROR,
        "Label-error estimate",
        "% of labels wrong, estimated from the verdicts",
        0.25,  # real datasets: a few % to ~20 %; beyond a quarter the colour saturates
        False,
        "no verdict on a label yet",
    ),
    COVERAGE: Measure(
        COVERAGE, "Review coverage", "% of images with a verdict", 1.0, True, "no images"
    ),
    ACCURACY: Measure(
        ACCURACY,
        "Model accuracy",
        "% of images whose top-1 prediction is the label",
        1.0,
        True,
        "no prediction for these images",
    ),
}

Values = Callable[[int], float | None]


def measure_values(
    key: str,
    view: DatasetView,
    review: ReviewSummary | None,
    model: MistakeSummary | None,
) -> Values | None:
    """Per synset, the value of measure ``key`` as a fraction (None: no data); None when the
    measure cannot be shown at all (no model for accuracy, an unknown key)."""
    if key == ERROR:
        return (lambda node: review.error_rate(node)) if review is not None else (lambda _: None)
    if key == COVERAGE:
        images = view.counts.images

        def coverage(node: int) -> float | None:
            total = int(images[node])
            if not total:
                return None
            return review.reviewed(node) / total if review is not None else 0.0

        return coverage
    if key == ACCURACY and model is not None:

        def accuracy(node: int) -> float | None:
            predicted = int(model.images[node])
            return int(model.top1[node]) / predicted if predicted else None

        return accuracy
    return None
