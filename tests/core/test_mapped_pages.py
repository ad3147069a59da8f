"""A window scrolling through a stored index gives back the column pages it read (issue 15:
400 jumps through ImageNet-21k's grid left every 14M-row column in the window's RSS, 1.08 GB;
the kernel maps a whole page-cache folio for each row read)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import GOLDEN, TENCH

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/smaps")


def resident_kb(index: DatasetIndex, file_name: str) -> int:
    """The resident size of this process's mappings of the index's ``file_name``."""
    assert index.store_path is not None
    assert index.store_generation is not None
    wanted = str(index.store_path / index.store_generation / file_name)
    total, inside = 0, False
    with open("/proc/self/smaps", encoding="utf-8", errors="replace") as smaps:
        for line in smaps:
            fields = line.split()
            if not fields:
                continue
            if not fields[0].endswith(":"):  # a mapping's first line: range, perms, ..., path
                inside = len(fields) >= 6 and " ".join(fields[5:]) == wanted
            elif inside and fields[0] == "Rss:":
                total += int(fields[1])
    return total


@pytest.fixture
def stored(tmp_path: Path, hierarchy: Hierarchy) -> DatasetIndex:
    root = tmp_path / "ds"
    for wnid in (TENCH, GOLDEN):
        folder = root / wnid
        folder.mkdir(parents=True)
        for i in range(6000):  # enough rows for columns of many pages
            (folder / f"{wnid}_{i:05d}.JPEG").touch()
    scanned = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")  # writes the index
    # The scan's index maps the same files: what it read must not count against the other.
    scanned.release_mapped_pages()
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert not index.scanned  # mapped from the store
    return index


def test_released_pages_leave_the_rss_and_the_values_stay(stored: DatasetIndex) -> None:
    names = [stored.name(row) for row in range(len(stored))]
    labels = int(np.asarray(stored.labels, dtype=np.int64).sum())
    assert resident_kb(stored, "names.bin") > 0
    assert resident_kb(stored, "labels.npy") > 0
    stored.release_mapped_pages()
    assert resident_kb(stored, "names.bin") == 0
    assert resident_kb(stored, "labels.npy") == 0
    # Read again (from the page cache): the same values.
    assert [stored.name(row) for row in range(len(stored))] == names
    assert int(np.asarray(stored.labels, dtype=np.int64).sum()) == labels
