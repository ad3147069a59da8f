"""How wrong are the labels? Estimates from reviewed images, rolled up the hierarchy.

The label-error rate of a class is ``wrong_label / (correct + wrong_label + ambiguous)`` over
its reviewed images (``unusable`` says nothing about the label), with a 95 % Wilson
interval. Above the classes, each class weighs by its size in the dataset (a stratified
estimate, for the population rather than the sample): p = Σ N_c p_c / Σ N_c over the classes
with reviews. Its interval is Wilson's at the effective sample size p(1−p) / Var(p), with
Var(p) = Σ (N_c/N)² p_c(1−p_c)/n_c; for a single class that is exactly Wilson's interval.
Verdict counts roll up like image counts: each image once under every ancestor. Only
verdicts on images the dataset holds count (``unknown`` says how many others there are: an
image deleted since, or a verdict imported for another copy of the dataset).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from browser.core.dataset.counts import roll_up
from browser.core.dataset.view import DatasetView
from browser.core.review.records import VERDICTS, Verdict

Z_95 = 1.959963984540054
_JUDGED = ("correct", "wrong_label", "ambiguous")


def wilson(p: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson's score interval for a proportion ``p`` observed over ``n`` trials."""
    if n <= 0:
        return 0.0, 1.0
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Estimate:
    images: int
    reviewed: int
    verdicts: dict[str, int]
    error_rate: float | None  # None until some image below has a verdict on its label
    ci_low: float | None
    ci_high: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "images": self.images,
            "reviewed": self.reviewed,
            "verdicts": self.verdicts,
            "error_rate": self.error_rate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


class ReviewSummary:
    """Verdict counts per synset and error-rate estimates, for one dataset's verdicts."""

    def __init__(self, view: DatasetView, verdicts: list[Verdict]) -> None:
        self.view = view
        hierarchy = view.hierarchy
        size = len(hierarchy)
        # Per class (the label the image had when reviewed) and verdict kind.
        self.direct = {name: np.zeros(size, dtype=np.int64) for name in VERDICTS}
        held = view.index.find_rows(v.relpath for v in verdicts)
        self.unknown = sum(v.relpath not in held for v in verdicts)
        for verdict in verdicts:
            if verdict.relpath not in held:
                continue
            node = hierarchy.find(verdict.wnid)
            if node is not None and verdict.verdict is not None:
                self.direct[verdict.verdict][node] += 1
        self.rolled = {name: roll_up(hierarchy, counts) for name, counts in self.direct.items()}
        self._rates: dict[int, tuple[float | None, float | None, float | None]] = {}

    def error_rate(self, node: int) -> float | None:
        """The estimate alone (what the tree's column shows), computed once per synset."""
        return self._cached_rate(node)[0]

    def judged(self, node: int) -> int:
        """How many images at or below ``node`` have a verdict on their label (the sample
        the estimate rests on)."""
        return sum(int(self.rolled[name][node]) for name in _JUDGED)

    def reviewed(self, node: int) -> int:
        """How many images at or below ``node`` have a verdict of any kind (the review's
        coverage; :meth:`node` counts the same)."""
        return sum(int(self.rolled[name][node]) for name in VERDICTS)

    def _cached_rate(self, node: int) -> tuple[float | None, float | None, float | None]:
        if node not in self._rates:
            # Nothing reviewed at or below: no need to look for the classes there.
            reviewed = sum(int(self.rolled[name][node]) for name in _JUDGED)
            self._rates[node] = self._rate(node) if reviewed else (None, None, None)
        return self._rates[node]

    def node(self, node: int) -> Estimate:
        counts = {name: int(self.rolled[name][node]) for name in VERDICTS}
        rate, low, high = self._cached_rate(node)
        return Estimate(
            int(self.view.counts.images[node]),
            sum(counts.values()),
            counts,
            rate,
            low,
            high,
        )

    def _rate(self, node: int) -> tuple[float | None, float | None, float | None]:
        hierarchy = self.view.hierarchy
        below = np.unique(hierarchy.closure_owners[hierarchy.ancestor_idx == node])
        wrong = self.direct["wrong_label"][below]
        judged = sum(self.direct[name][below] for name in _JUDGED)
        sizes = self.view.counts.direct_images[below]
        used = (judged > 0) & (sizes > 0)
        if not used.any():
            return None, None, None
        wrong, judged, sizes = wrong[used], judged[used], sizes[used].astype(float)
        rates = wrong / judged
        weights = sizes / sizes.sum()
        p = float((weights * rates).sum())
        if used.sum() == 1:
            n_eff = float(judged[0])
        else:
            variance = float((weights**2 * rates * (1 - rates) / judged).sum())
            n_eff = p * (1 - p) / variance if variance > 0 else float(judged.sum())
        low, high = wilson(p, n_eff)
        return p, low, high
