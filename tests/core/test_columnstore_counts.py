"""Counts taken from folders (the mapped index's fast path) equal counts over the rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from browser.core.counts import compute_counts
from browser.core.dataset import open_dataset
from browser.core.hierarchy import Hierarchy
from tests.conftest import MakeFiles

TENCH, GOLDFISH, SHARK = "n01440764", "n01443537", "n01484850"


def test_counts_from_folders_equal_counts_over_rows(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "ds",
        [
            f"train/{TENCH}/a.JPEG",
            f"train/{TENCH}/b.JPEG",
            f"train/{GOLDFISH}/c.JPEG",
            f"val/{TENCH}/d.JPEG",
            f"val/{SHARK}/e.JPEG",
            f"val/{SHARK}/f.JPEG",
            "val/not-a-class/g.JPEG",
        ],
    )
    cache = tmp_path / "cache"
    open_dataset(root, hierarchy, cache_dir=cache)
    index = open_dataset(root, hierarchy, cache_dir=cache)  # mapped
    assert not index.scanned
    counts = compute_counts(index)
    size = len(hierarchy)
    rows = np.bincount(
        index.split_ids.astype(np.int64) * size + index.labels, minlength=len(index.splits) * size
    ).reshape(len(index.splits), size)
    assert np.array_equal(counts.split_direct, rows)
    assert counts.split_direct.sum() == len(index) == 6
