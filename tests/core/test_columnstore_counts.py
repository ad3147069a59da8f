"""What a mapped index answers from folders or its header equals what its rows say."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from browser.core.analysis.statistics import synset_statistics
from browser.core.dataset.counts import compute_counts
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.statpass import fill_file_facts
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
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


def test_the_stored_size_summary_says_what_the_sizes_say(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"train/{TENCH}/{i}.JPEG" for i in range(5)] + [f"val/{SHARK}/{i}.JPEG" for i in range(4)],
    )
    for i, path in enumerate(sorted(root.rglob("*.JPEG"))):
        path.write_bytes(b"x" * (1000 * (i + 1) ** 2))  # sizes far apart
    cache = tmp_path / "cache"
    fill_file_facts(open_dataset(root, hierarchy, cache_dir=cache))
    index = open_dataset(root, hierarchy, cache_dir=cache)
    assert index.size_summary is not None
    assert index.size_summary.count == 9
    view = DatasetView(index)
    entity = hierarchy.index("n00001740")
    stored = synset_statistics(view, entity)
    index.size_summary = None  # computed from the sizes themselves
    live = synset_statistics(view, entity)
    assert stored.file_sizes == live.file_sizes
    assert stored.captions == live.captions
    assert "kB at the median" in live.captions["file_sizes"]
