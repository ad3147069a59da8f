"""Image and class counts rolled up the WordNet DAG, each image once per ancestor.

WordNet lets a synset reach an ancestor along several paths (304 of the 1000 ILSVRC classes
do). Adding a class's images along every path would count them several times; instead each
class adds its images once to every member of its ancestor closure (itself included), which
the hierarchy stores precomputed. The whole roll-up is one weighted ``bincount``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.hierarchy.dag import Hierarchy


def runs(start: np.ndarray, picked: np.ndarray) -> np.ndarray:
    """The positions ``start[p]`` up to ``start[p + 1]`` of each picked ``p`` (ascending),
    concatenated in order: the rows of some folders, the closures of some synsets."""
    if len(picked) == len(start) - 1:  # all of them
        return np.arange(int(start[-1]), dtype=np.int64)
    first = start[picked]
    lengths = start[picked + 1] - first
    before = np.cumsum(lengths) - lengths  # where each run starts in the result
    return np.repeat(first - before, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)


def roll_up(hierarchy: Hierarchy, per_synset: np.ndarray) -> np.ndarray:
    """Sum ``per_synset`` values over each synset's descendants (itself included), once each."""
    # Only synsets that carry something (21,843 classes of 82,115) add to their closure.
    carrying = np.flatnonzero(per_synset)
    positions = runs(hierarchy.ancestor_ptr, carrying)
    weights = np.repeat(per_synset[carrying], np.diff(hierarchy.ancestor_ptr)[carrying])
    totals = np.bincount(
        hierarchy.ancestor_idx[positions], weights=weights, minlength=len(hierarchy)
    )
    return np.rint(totals).astype(np.int64)


@dataclass(frozen=True)
class Counts:
    """Per-synset counts of one dataset (arrays indexed by hierarchy node).

    ``images``: images whose class is the synset or below it; ``direct_images``: images whose
    class is the synset itself; ``classes``: synsets at or below with at least one image;
    ``split_images[s]``/``split_direct[s]``: the same image counts for split ``s``.
    """

    splits: list[str]
    direct_images: np.ndarray
    images: np.ndarray
    classes: np.ndarray
    split_direct: np.ndarray
    split_images: np.ndarray

    def node(self, node: int) -> dict[str, object]:
        return {
            "images": int(self.images[node]),
            "direct_images": int(self.direct_images[node]),
            "classes": int(self.classes[node]),
            "splits": {name: int(self.split_images[i, node]) for i, name in enumerate(self.splits)},
        }


def _split_direct(index: DatasetIndex, size: int) -> np.ndarray:
    """Images per (split, synset). When every folder names its class (no label files), a
    folder's images share its label and split: count folders weighted by their images,
    O(folders) rather than a pass over millions of rows."""
    n_splits = len(index.splits)
    if not index.per_image_labels:
        images = np.diff(index.folder_start).astype(np.float64)
        flat = index.folder_split_ids * size + index.folder_labels
        totals = np.bincount(flat, weights=images, minlength=n_splits * size)
        return np.rint(totals).astype(np.int64).reshape(n_splits, size)
    flat = index.split_ids.astype(np.int64) * size + index.labels
    return np.bincount(flat, minlength=n_splits * size).reshape(n_splits, size)


def compute_counts(index: DatasetIndex) -> Counts:
    """Roll up the whole DAG for ``index`` (tens of milliseconds at 1.28M images)."""
    hierarchy = index.hierarchy
    size = len(hierarchy)
    n_splits = len(index.splits)
    split_direct = _split_direct(index, size)
    direct = split_direct.sum(axis=0)
    split_images = (
        np.stack([roll_up(hierarchy, row) for row in split_direct])
        if n_splits
        else (np.zeros((0, size), dtype=np.int64))
    )
    return Counts(
        splits=list(index.splits),
        direct_images=direct,
        images=split_images.sum(axis=0) if n_splits else np.zeros(size, dtype=np.int64),
        classes=roll_up(hierarchy, (direct > 0).astype(np.int64)),
        split_direct=split_direct,
        split_images=split_images,
    )
