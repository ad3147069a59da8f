"""A model's mistakes seen through the hierarchy: severity, per-synset roll-ups, confusion.

**Mistake severity** (Bertinetto et al., "Making Better Mistakes", CVPR 2020) is the height of
the lowest common ancestor of the label and the prediction. WordNet is a DAG with leaves at
many depths, so here it is the minimum, over all common ancestors *a*, of max(edges from the
label up to *a*, edges from the prediction up to *a*): the LCA's height where the tree is
balanced. A sibling is 1; a prediction that is the label's parent is 1 as well.

Roll-ups count each image once under every synset at or above its label
(browser.core.dataset.counts): per label node, one ``bincount``; then one weighted ``bincount``
over the ancestor closure.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from browser.core.dataset.counts import roll_up
from browser.core.dataset.index import DatasetIndex
from browser.core.hierarchy.dag import Hierarchy
from browser.core.predictions.store import Predictions
from browser.core.predictions.suspects import Ranking

_FAR = np.iinfo(np.int32).max  # "not an ancestor" in the distance matrix
_MATRIX_LIMIT = 50_000_000  # entries of that matrix (int32) before falling back


class Severity:
    """Mistake severities and common ancestors on one hierarchy (memoised per synset)."""

    def __init__(self, hierarchy: Hierarchy) -> None:
        self.hierarchy = hierarchy
        self.up = lru_cache(maxsize=65536)(self._up)

    def _up(self, node: int) -> dict[int, int]:
        """Every ancestor of ``node`` (itself at 0) with the fewest edges up to it."""
        found = {node: 0}
        queue = deque([node])
        while queue:
            current = queue.popleft()
            for parent in self.hierarchy.parents(current):
                if parent not in found:
                    found[parent] = found[current] + 1
                    queue.append(parent)
        return found

    def common(self, label: int, predicted: int) -> tuple[int, int]:
        """(the common ancestor that minimises the severity, the severity); -1, -1 when the
        two share no ancestor. Ties go to the lower ancestor (nearer to one of the two: ``dog``
        rather than ``animal`` for a cairn predicted as dog), then the one nearer the label."""
        ups, downs = self.up(label), self.up(predicted)
        best = (-1, -1)
        best_key: tuple[int, int, int, int] | None = None
        for ancestor, steps in ups.items():
            other = downs.get(ancestor)
            if other is None:
                continue
            key = (max(steps, other), min(steps, other), steps, ancestor)
            if best_key is None or key < best_key:
                best_key, best = key, (ancestor, max(steps, other))
        return best

    def of(self, label: int, predicted: int) -> int:
        return self.common(label, predicted)[1]

    def many(self, labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
        """Severities of many (label, prediction) pairs, each distinct pair computed once;
        -1 where the prediction is not a node (an unknown class)."""
        out = np.full(len(labels), -1, dtype=np.int64)
        usable = predicted >= 0
        if not usable.any():
            return out
        # Each pair as one int64 (node numbers are far below 2**31): np.unique over rows
        # (axis=0) sorts a void dtype holding the GIL, which froze the window for 1.5-2.3 s
        # while 1.28M top-5 predictions were ranked on its worker thread.
        keys = labels[usable].astype(np.int64) << 32 | predicted[usable].astype(np.int64)
        unique, inverse = np.unique(keys, return_inverse=True)
        pairs = np.stack([unique >> 32, unique & 0xFFFFFFFF], axis=1)
        out[usable] = self._distinct(pairs)[inverse.reshape(-1)]
        return out

    def _distinct(self, pairs: np.ndarray) -> np.ndarray:
        """:meth:`of` for each pair, as one array operation: each node's distances up to
        every ancestor met, as a row of a matrix (``_FAR`` where it is not an ancestor); a
        pair's severity is the minimum of the element-wise maximum of its two rows. (One
        Python call of :meth:`of` per pair cost 0.6 s for 50,000 ImageNet images.)"""
        nodes = np.unique(pairs)
        ups = [self.up(int(node)) for node in nodes.tolist()]
        ancestors = sorted(set().union(*ups))
        if len(nodes) * len(ancestors) > _MATRIX_LIMIT:  # a huge hierarchy: pair by pair
            return np.array([self.of(int(a), int(b)) for a, b in pairs.tolist()], dtype=np.int64)
        column = {node: i for i, node in enumerate(ancestors)}
        steps = np.full((len(nodes), len(ancestors)), _FAR, dtype=np.int32)
        for row, up in enumerate(ups):
            steps[row, [column[a] for a in up]] = list(up.values())
        first = np.searchsorted(nodes, pairs[:, 0])
        second = np.searchsorted(nodes, pairs[:, 1])
        found = np.empty(len(pairs), dtype=np.int64)
        for start in range(0, len(pairs), 1024):
            part = slice(start, start + 1024)
            found[part] = np.maximum(steps[first[part]], steps[second[part]]).min(axis=1)
        found[found >= _FAR] = -1  # no common ancestor
        return found

    def toward(self, ancestor: int, node: int) -> int:
        """The child of ``ancestor`` on a shortest way up from ``node``."""
        ups = self.up(node)
        steps = ups[ancestor]
        for candidate, distance in ups.items():
            if distance == steps - 1 and ancestor in self.hierarchy.parents(candidate):
                return candidate
        return node

    def relation(self, label: int, predicted: int) -> str:
        """How a prediction relates to the label, in words a user can quote."""
        name = self.hierarchy.name
        if predicted < 0:
            return "a class outside the hierarchy"
        if predicted == label:
            return "the label"
        ups = self.up(label)
        if predicted in ups:
            return f"more general: {name(predicted)} is above {name(label)}"
        if label in self.up(predicted):
            return f"more specific: a kind of {name(label)}"
        ancestor, severity = self.common(label, predicted)
        if ancestor < 0:
            return "unrelated"
        if ups[ancestor] == 1 and self.up(predicted)[ancestor] == 1:
            return f"sibling under {name(ancestor)}"
        if severity <= 3:
            return f"related under {name(ancestor)} (severity {severity})"
        theirs, ours = self.toward(ancestor, predicted), self.toward(ancestor, label)
        return f"different: {name(theirs)} vs {name(ours)} (severity {severity})"


@dataclass(frozen=True)
class MistakeSummary:
    """Per synset (arrays by hierarchy node), over the ranked images at or below it."""

    model: str
    images: np.ndarray
    top1: np.ndarray  # images whose top-1 is the label
    top5: np.ndarray | None  # images whose label is among the top 5; None: not known
    errors: np.ndarray
    severity_sum: np.ndarray
    severity_errors: np.ndarray  # errors whose prediction is a node (severity is defined)
    suspects: np.ndarray

    def node(self, node: int) -> dict[str, object]:
        images = int(self.images[node])
        measured = int(self.severity_errors[node])
        return {
            "model": self.model,
            "images": images,
            "top1": int(self.top1[node]) / images if images else None,
            "top5": (int(self.top5[node]) / images if images and self.top5 is not None else None),
            "mistake_severity": (int(self.severity_sum[node]) / measured if measured else None),
            "suspects": int(self.suspects[node]),
        }


def in_top5(
    predictions: Predictions, records: np.ndarray, columns: np.ndarray
) -> np.ndarray | None:
    """Per record, whether the label's column is among its 5 most probable; None when the
    file gave fewer than 5 per image."""
    if predictions.probs is not None:
        found = np.empty(len(records), dtype=bool)
        # Every record (the common case): slices of the array, not a copy of each block.
        whole = len(records) == len(predictions.probs)
        for start in range(0, len(records), 1024):
            part = slice(start, start + 1024)
            rows = predictions.probs[part] if whole else predictions.probs[records[part]]
            own = rows[np.arange(len(rows)), columns[part]]
            found[part] = (rows > own[:, None]).sum(axis=1) < 5
        return found
    assert predictions.top_class is not None
    if predictions.top_class.shape[1] < 5:
        return None
    return (predictions.top_class[records, :5] == columns[:, None]).any(axis=1)


def summarise(
    index: DatasetIndex, predictions: Predictions, ranking: Ranking, severity: Severity
) -> MistakeSummary:
    """Accuracy, top-5, mean severity and suspects of every synset, each image once."""
    hierarchy = index.hierarchy
    size = len(hierarchy)
    columns = predictions.label_columns(index.labels)
    records = np.flatnonzero(columns >= 0)
    labels = index.labels[predictions.rows[records]].astype(np.int64)
    predicted = predictions.predicted[records]
    wrong = predicted != labels
    severities = np.zeros(len(records), dtype=np.int64)
    severities[wrong] = severity.many(labels[wrong], predicted[wrong]).clip(0)
    top5 = in_top5(predictions, records, columns[records])
    suspected_labels = ranking.label_nodes[ranking.suspected]

    def per_node(weights: np.ndarray | None, of: np.ndarray = labels) -> np.ndarray:
        direct = np.bincount(of, weights=weights, minlength=size)
        return roll_up(hierarchy, np.rint(direct).astype(np.int64))

    return MistakeSummary(
        predictions.info.name,
        images=per_node(None),
        top1=per_node((~wrong).astype(np.float64)),
        top5=None if top5 is None else per_node(top5.astype(np.float64)),
        errors=per_node(wrong.astype(np.float64)),
        severity_sum=per_node(severities.astype(np.float64)),
        severity_errors=per_node((wrong & (predicted >= 0)).astype(np.float64)),
        suspects=per_node(None, suspected_labels),
    )
