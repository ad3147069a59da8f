"""Exact and near duplicates among a dataset's images, without comparing all pairs.

Equal hashes are grouped first (``np.unique``): the near search and the grouping then work
on distinct hashes only, so 20,000 copies of one picture cost what one does, instead of
200 million pairs. The groups are expanded back to images at the end.

Distinct hashes within ``max_distance`` bits of each other are found by multi-index hashing:
the 64 bits are cut into three chunks of 21–22 bits, and two hashes within distance D agree
to within r = ⌈(D+1)/3⌉−1 bits on at least one chunk (pigeonhole). So for each chunk every
hash probes the sorted chunk values at its own value and at every value r bits away, with
numpy, and only those candidates are compared in full. Candidates are made in pieces of at
most ``_CANDIDATES`` (or one probe's run, if longer) and folded into a union-find over the
distinct hashes as they come, so memory stays O(distinct hashes) whatever the data. Time is
near-linear for hashes of real photographs (chunk values spread evenly); the worst case is
many *distinct* hashes sharing one chunk value (e.g. 20,000 hashes equal in 42 of their 64
bits), where the candidates of that chunk grow with the square of their number.

The default distance, 5, comes from measurements on the sample ImageNet images: a copy
resized to half and recompressed at quality 60 is at most 2 bits away, a 3 % crop has a
median of 6, and distinct images were never closer than 16 bits (1 % under 22).

Groups are ranked most dangerous first: the same picture under different labels, then
across splits (train/val leakage), then within one class.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from pathlib import Path

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.images.filecache import (
    FileValueCache,
    Precomputed,
    cache_path,
    per_file_values,
)
from browser.core.images.phash import file_hash
from browser.core.images.sharedcachereader import precomputed_values

DEFAULT_MAX_DISTANCE = 5
_CHUNKS = ((0, 21), (21, 21), (42, 22))
_BLOCK = 200_000  # hashes probed at once
_CANDIDATES = 1 << 20  # candidate pairs compared at once: bounds the search's memory
_MERGE_EVERY = 1 << 20  # near pairs buffered before they are merged into the union-find
_TABLE_FROM = 1 << 16  # distinct hashes from which runs are found by table, not search


def _masks(width: int, radius: int) -> list[int]:
    masks = [0]
    for bits in range(1, radius + 1):
        masks += [sum(1 << b for b in combo) for combo in combinations(range(width), bits)]
    return masks


def _pieces(sizes: np.ndarray) -> Iterator[tuple[int, int]]:
    """Consecutive (start, end) ranges of probes whose candidates add up to at most
    ``_CANDIDATES``, or to one probe's candidates where that alone is more."""
    ends = np.cumsum(sizes)
    start = 0
    while start < len(sizes):
        before = int(ends[start - 1]) if start else 0
        end = int(np.searchsorted(ends, before + _CANDIDATES, side="right"))
        end = max(end, start + 1)
        yield start, end
        start = end


class _Runs:
    """Where each chunk value's run starts among the sorted chunk values, and how long it is.

    Many hashes: a table over all 2^width values, so a probe is two array lookups instead
    of two binary searches (1.28M hashes: 78.8 → 9.2 s). Few hashes: binary searches, as
    the tables (32–64 MB) would cost more than the search.
    """

    def __init__(self, sorted_keys: np.ndarray, width: int) -> None:
        self.sorted_keys = sorted_keys
        self.length: np.ndarray | None = None
        self.start: np.ndarray | None = None
        if len(sorted_keys) > _TABLE_FROM:
            self.length = np.bincount(sorted_keys, minlength=1 << width)
            self.start = np.cumsum(self.length) - self.length

    def find(self, probe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(run starts, run lengths) of the probed values."""
        if self.start is not None and self.length is not None:
            return self.start[probe], self.length[probe]
        start = np.searchsorted(self.sorted_keys, probe, side="left")
        return start, np.searchsorted(self.sorted_keys, probe, side="right") - start


def _near_pair_pieces(
    hashes: np.ndarray, max_distance: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(first, second, distance) arrays of index pairs (first < second) at most
    ``max_distance`` bits apart, in pieces of bounded size. A pair close in several chunks
    comes once per chunk."""
    count = len(hashes)
    radius = max(0, math.ceil((max_distance + 1) / len(_CHUNKS)) - 1)
    for shift, width in _CHUNKS:
        keys = ((hashes >> np.uint64(shift)) & np.uint64((1 << width) - 1)).astype(np.int64)
        order = np.argsort(keys, kind="stable")
        runs = _Runs(keys[order], width)
        for mask in _masks(width, radius):
            for block_start in range(0, count, _BLOCK):
                block = np.arange(block_start, min(count, block_start + _BLOCK))
                run_start, all_sizes = runs.find(keys[block] ^ mask)
                if not all_sizes.any():
                    continue
                for start, end in _pieces(all_sizes):
                    sizes = all_sizes[start:end]
                    total = int(sizes.sum())
                    if not total:
                        continue
                    first = np.repeat(block[start:end], sizes)
                    within = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
                    second = order[np.repeat(run_start[start:end], sizes) + within]
                    keep = first < second
                    first, second = first[keep], second[keep]
                    distance = np.bitwise_count(hashes[first] ^ hashes[second]).astype(np.int64)
                    close = distance <= max_distance
                    if close.any():
                        yield first[close], second[close], distance[close]


def near_pairs(hashes: np.ndarray, max_distance: int = DEFAULT_MAX_DISTANCE) -> np.ndarray:
    """Index pairs (i < j) of hashes at most ``max_distance`` bits apart, with their
    distances: an int64 array of shape (k, 3).

    Every pair is listed, so k grows with the square of the number of equal hashes: for
    grouping, use :func:`find_duplicate_groups`, which never lists them.
    """
    hashes = np.asarray(hashes, dtype=np.uint64)
    found = [np.stack(piece, axis=1) for piece in _near_pair_pieces(hashes, max_distance)]
    if not found:
        return np.zeros((0, 3), dtype=np.int64)
    pairs = np.concatenate(found)
    _, unique = np.unique(pairs[:, 0] * len(hashes) + pairs[:, 1], return_index=True)
    return pairs[unique]


class _Components:
    """Union-find over ``count`` items, merged a batch of pairs at a time with numpy.

    ``parent`` is kept flat (every item points at its root) and a root is the smallest item
    of its component, so merging is: hook each larger root onto the smaller one, flatten,
    and repeat for the pairs whose roots still differ. ``widest`` is, per item, the largest
    distance of a pair it is in (the widest of a component is the widest of its items).
    """

    def __init__(self, count: int) -> None:
        self.parent = np.arange(count, dtype=np.int64)
        self.widest = np.zeros(count, dtype=np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_count = 0

    def add(self, first: np.ndarray, second: np.ndarray, distance: np.ndarray) -> None:
        np.maximum.at(self.widest, first, distance)
        np.maximum.at(self.widest, second, distance)
        self._pending.append((first, second))
        self._pending_count += len(first)
        if self._pending_count >= _MERGE_EVERY:
            self.merge()

    def merge(self) -> np.ndarray:
        """Merge the pending pairs; returns ``parent`` (each item's root)."""
        if self._pending:
            first = np.concatenate([f for f, _ in self._pending])
            second = np.concatenate([s for _, s in self._pending])
            self._pending, self._pending_count = [], 0
            parent = self.parent
            while len(first):
                first, second = parent[first], parent[second]
                differ = first != second
                first, second = first[differ], second[differ]
                np.minimum.at(parent, np.maximum(first, second), np.minimum(first, second))
                while True:  # pointer jumping until every item points at its root
                    grand = parent[parent]
                    if np.array_equal(grand, parent):
                        break
                    parent[:] = grand
        return self.parent


@dataclass(frozen=True)
class DuplicateGroup:
    rows: tuple[int, ...]  # dataset rows
    distance: int  # the largest distance between two linked images of the group
    kind: str  # "labels" (different labels), "splits" (same label, several splits), "class"


KIND_ORDER = {"labels": 0, "splits": 1, "class": 2}


def group_hashes(
    rows: np.ndarray,
    hashes: np.ndarray,
    labels: np.ndarray,
    splits: np.ndarray,
    max_distance: int = DEFAULT_MAX_DISTANCE,
) -> list[DuplicateGroup]:
    """Groups of ``rows`` whose hashes are linked by chains of distances at most
    ``max_distance`` (``labels``/``splits``: of each row), most dangerous first.

    Memory grows with the number of distinct hashes, never with the number of pairs; time
    with the distinct hashes and the candidates their near search meets (module docstring).
    """
    rows = np.asarray(rows, dtype=np.int64)
    if not len(rows):
        return []
    distinct, inverse, counts = np.unique(
        np.asarray(hashes, dtype=np.uint64), return_inverse=True, return_counts=True
    )
    components = _Components(len(distinct))
    for first, second, distance in _near_pair_pieces(distinct, max_distance):
        components.add(first, second, distance)
    root = components.merge()
    # A distinct hash is in a group if other rows share it or it has a near pair (distinct
    # hashes are at least 1 bit apart, so ``widest`` > 0 says that).
    linked = (counts > 1) | (components.widest > 0)
    members = np.flatnonzero(linked[inverse])
    if not len(members):
        return []
    group_of = root[inverse[members]]
    members = members[np.lexsort((rows[members], group_of))]
    group_of = root[inverse[members]]
    starts = np.flatnonzero(np.r_[True, group_of[1:] != group_of[:-1]])
    member_labels, member_splits = labels[members], splits[members]
    several_labels = np.minimum.reduceat(member_labels, starts) != np.maximum.reduceat(
        member_labels, starts
    )
    several_splits = np.minimum.reduceat(member_splits, starts) != np.maximum.reduceat(
        member_splits, starts
    )
    widest = np.maximum.reduceat(components.widest[inverse[members]], starts)
    member_rows = rows[members].tolist()
    ends = [*starts[1:].tolist(), len(members)]
    groups = [
        DuplicateGroup(
            tuple(member_rows[start:end]),
            distance,
            "labels" if labelled else "splits" if split else "class",
        )
        for start, end, distance, labelled, split in zip(
            starts.tolist(),
            ends,
            widest.tolist(),
            several_labels.tolist(),
            several_splits.tolist(),
            strict=True,
        )
    ]
    groups.sort(key=lambda g: (KIND_ORDER[g.kind], -len(g.rows), g.rows))
    return groups


def find_duplicate_groups(
    index: DatasetIndex,
    rows: np.ndarray,
    hashes: np.ndarray,
    max_distance: int = DEFAULT_MAX_DISTANCE,
) -> list[DuplicateGroup]:
    """Near-duplicate groups among dataset ``rows`` with these ``hashes`` (decodable ones
    only), most dangerous first. The CLI, the export and the GUI dialog all use this."""
    rows = np.asarray(rows, dtype=np.int64)
    labels = np.asarray(index.labels)[rows]
    splits = np.asarray(index.split_ids)[rows]
    return group_hashes(rows, hashes, labels, splits, max_distance)


class HashCache(FileValueCache):
    """Perceptual hashes by file (NULL: the image cannot be decoded)."""

    def __init__(self, path: Path, precomputed: Precomputed | None = None) -> None:
        super().__init__(path, ("hash",), precomputed)


def _signed(value: int) -> int:  # SQLite integers are signed 64-bit
    return value - (1 << 64) if value >= 1 << 63 else value


def _hash(path: str) -> tuple[int | None]:
    try:
        return (_signed(file_hash(path)),)
    except Exception:  # an undecodable image has no hash; it is remembered as such
        return (None,)


def hash_rows(
    index: DatasetIndex,
    rows: np.ndarray,
    cache: HashCache,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(hashes as uint64, decodable mask) for ``rows``; computed ones are cached as they come."""
    values = per_file_values(
        index, rows, cache, _hash, (None,), progress=progress, cancelled=cancelled
    )
    valid = np.array([v[0] is not None for v in values], dtype=bool)
    hashes = np.array([(v[0] or 0) % (1 << 64) for v in values], dtype=np.uint64)
    return hashes, valid


def hash_cache_for(index: DatasetIndex, cache_dir: Path) -> HashCache:
    """The dataset's hash cache, backed by the hashes ``precompute`` made, if any."""
    precomputed = partial(precomputed_values, cache_dir, index.root, "hashes")
    return HashCache(cache_path(index, cache_dir, "hashes"), precomputed)
