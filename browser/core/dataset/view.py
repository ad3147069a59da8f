"""What the browser shows of a dataset: the pruned synset tree and the image rows of a node.

Everything here is numpy over the index and the hierarchy's ancestor closure: selecting
``entity`` on 1.28M images yields one int array, not 1.28M Python objects.
"""

from __future__ import annotations

from enum import Enum

import numpy as np

from browser.core.dataset.classids import ClassNumbering
from browser.core.dataset.counts import Counts, compute_counts, runs
from browser.core.dataset.index import DatasetIndex
from browser.core.hierarchy.dag import Hierarchy


class SortKey(Enum):
    PATH = "path"
    CLASS = "class"
    SIZE = "size"


class DatasetView:
    """A dataset as the browser sees it: counts, the pruned tree, and image rows per synset."""

    def __init__(self, index: DatasetIndex, counts: Counts | None = None) -> None:
        self.index = index
        self.hierarchy: Hierarchy = index.hierarchy
        self.counts = counts if counts is not None else compute_counts(index)
        self.numbering = ClassNumbering(index)

    def children(self, node: int) -> list[int]:
        """Children that have images at or below them, most images first."""
        images = self.counts.images
        kept = [c for c in self.hierarchy.children(node) if images[c] > 0]
        kept.sort(key=lambda c: (-int(images[c]), self.hierarchy.name(c).lower()))
        return kept

    def has_children(self, node: int) -> bool:
        # A synset has shown children exactly when more images lie below it than on it.
        return bool(self.counts.images[node] > self.counts.direct_images[node])

    def below(self, node: int) -> np.ndarray:
        """Boolean mask over synsets: True for ``node`` and everything below it."""
        hierarchy = self.hierarchy
        mask = np.zeros(len(hierarchy), dtype=bool)
        mask[hierarchy.closure_owners[hierarchy.ancestor_idx == node]] = True
        return mask

    def rows(self, node: int, *, exact: bool = False, sort: SortKey = SortKey.PATH) -> np.ndarray:
        """Rows of the images labelled ``node`` (``exact``) or anything below it, sorted."""
        index = self.index
        if not index.per_image_labels:
            # Each folder's images share its label and lie in one run of rows: pick folders
            # (21,843 at ImageNet-21k), not 14M labels.
            folder_labels = index.folder_labels
            wanted = folder_labels == node if exact else self.below(node)[folder_labels]
            return self.sort(runs(index.folder_start, np.flatnonzero(wanted)), sort)
        labels = index.labels
        rows = np.flatnonzero(labels == node) if exact else np.flatnonzero(self.below(node)[labels])
        return self.sort(rows, sort)

    def sort(self, rows: np.ndarray, key: SortKey) -> np.ndarray:
        """Rows are stored in path order; other orders are stable sorts on top of it."""
        if key is SortKey.CLASS:
            # Node numbers follow WordNet offsets, so this is wnid order.
            return rows[np.argsort(self.index.labels[rows], kind="stable")]
        if key is SortKey.SIZE:
            sizes = self.index.sizes[rows]
            # Largest first; sizes not known yet (negative) go last.
            order = np.argsort(np.where(sizes < 0, np.iinfo(np.int64).max, -sizes), kind="stable")
            return rows[order]
        return rows

    def largest_children(self, node: int, limit: int = 8) -> list[tuple[int, int]]:
        """(child, images) of the children with the most images."""
        return [(c, int(self.counts.images[c])) for c in self.children(node)[:limit]]

    def largest_classes(self, node: int, limit: int = 10) -> list[tuple[int, int]]:
        """(class, images) of the biggest classes at or below ``node``."""
        direct = self.counts.direct_images
        candidates = np.flatnonzero(self.below(node) & (direct > 0))
        order = np.argsort(-direct[candidates], kind="stable")[:limit]
        return [(int(c), int(direct[c])) for c in candidates[order]]
