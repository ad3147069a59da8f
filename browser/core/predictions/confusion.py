"""The confusion matrix of one synset: which of its parts the model mistakes for which.

Rows are what the images are labelled, columns what the model predicted. The axes are the
synset's classes when it has at most :data:`MAX_CLASSES`, else its children (dog → hunting
dog, working dog, toy dog, …), plus the synset itself where images are labelled with it, and
a row and a column for "outside this synset". An image whose label lies below two children
(WordNet is a DAG) is counted once, in the first of them in the axis order, so the matrix's
cells add up to the images. The outside/outside cell is not counted: it is not this synset's
business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from browser.core.dataset.view import DatasetView
from browser.core.predictions.suspects import Ranking

MAX_CLASSES = 60


@dataclass
class Confusion:
    """``counts[i, j]``: images labelled in bucket ``i`` and predicted in bucket ``j``; the
    last bucket is "outside". ``row_of``/``col_of``/``rows``: per ranked image, its buckets
    and its dataset row (for :meth:`cell_rows`)."""

    node: int
    names: list[str]
    nodes: list[int]  # the node of each bucket but the last (outside)
    by: str  # "classes" or "children"
    counts: np.ndarray
    rows: np.ndarray
    row_of: np.ndarray
    col_of: np.ndarray
    errors: int  # images labelled at or below the synset whose prediction is another class
    errors_inside: int  # ... predicted as another class at or below it

    @property
    def outside(self) -> int:
        return len(self.names) - 1

    def cell_rows(self, i: int, j: int) -> np.ndarray:
        """The dataset rows of the images in cell (i, j)."""
        if i == j == self.outside:
            return np.zeros(0, dtype=np.int64)
        return self.rows[(self.row_of == i) & (self.col_of == j)]

    def normalised(self) -> np.ndarray:
        """Each row divided by its sum (0 for an empty row): the colour of the cells."""
        sums = self.counts.sum(axis=1, keepdims=True)
        return np.divide(self.counts, sums, out=np.zeros(self.counts.shape), where=sums > 0)

    def caption(self, name: str) -> str:
        """Errors that stay inside the synset versus errors that leave it, quotable."""
        if not self.errors:
            return f"no errors under {name}"
        noun = "error" if self.errors == 1 else "errors"
        leave = self.errors - self.errors_inside
        return (
            f"of {self.errors:,} {noun} under {name}, {self.errors_inside:,} "
            f"{'is' if self.errors_inside == 1 else 'are'} another {name}; "
            f"{leave:,} {'leaves' if leave == 1 else 'leave'} it"
        )


def confusion(view: DatasetView, ranking: Ranking, node: int) -> Confusion:
    """The confusion matrix of ``node`` over the ranked images (labels the model knows)."""
    hierarchy = view.hierarchy
    below = view.below(node)
    classes = np.flatnonzero(below & (view.counts.direct_images > 0))
    if len(classes) <= MAX_CLASSES:
        by = "classes"
        order = classes[np.argsort(-view.counts.direct_images[classes], kind="stable")]
        axis = [int(c) for c in order.tolist() if c != node]
    else:
        by = "children"
        axis = view.children(node)
    axis = ([node] if node not in axis else []) + axis
    size = len(hierarchy)
    other = len(axis)  # "another <node>": below the node but on no axis entry
    bucket_of = np.full(size, other + 1, dtype=np.int64)  # outside, until placed
    bucket_of[below] = other
    for position in range(len(axis) - 1, -1, -1):  # reversed: the first axis entry wins
        entry = axis[position]
        if by == "children" and entry != node:
            bucket_of[view.below(entry)] = position
        else:
            bucket_of[entry] = position
    labels = ranking.label_nodes
    predicted = ranking.predicted
    row_of = bucket_of[labels]
    col_of = np.where(predicted >= 0, bucket_of[predicted.clip(0)], other + 1)
    involved = (row_of <= other) | (col_of <= other)
    row_of, col_of, rows = row_of[involved], col_of[involved], ranking.rows[involved]
    counts = np.zeros((other + 2, other + 2), dtype=np.int64)
    np.add.at(counts, (row_of, col_of), 1)
    # The synset itself and "another <synset>" only where they hold images.
    keep = [
        i
        for i in range(other + 2)
        if i == other + 1 or (i < other and axis[i] != node) or _used(counts, i)
    ]
    remap = np.full(other + 2, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    name = hierarchy.name(node)
    names = [
        f"other {name}"
        if i == other
        else hierarchy.name(axis[i]) + (" itself" if axis[i] == node else "")
        for i in keep[:-1]
    ]
    names.append(f"outside {name}")
    wrong_inside = below[labels] & (predicted != labels)
    stays = wrong_inside & (predicted >= 0) & below[predicted.clip(0)]
    return Confusion(
        node,
        names,
        [axis[i] if i < other else node for i in keep[:-1]],
        by,
        counts[np.ix_(keep, keep)],
        rows,
        remap[row_of],
        remap[col_of],
        int(wrong_inside.sum()),
        int(stays.sum()),
    )


def _used(counts: np.ndarray, i: int) -> bool:
    return bool(counts[i].any() or counts[:, i].any())
