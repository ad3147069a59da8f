"""Reopening a stored index answers from its folder columns: no folder record is made until
one is asked for, the dataset folder is listed once, and what is answered equals a scan."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from browser.core.dataset import labelfiles
from browser.core.dataset.classids import ClassNumbering
from browser.core.dataset.counts import compute_counts
from browser.core.dataset.identity import fingerprint
from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.scanner import FolderRecord
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import MakeFiles

TENCH, GOLDFISH, SHARK = "n01440764", "n01443537", "n01484850"


def settled(folder: Path) -> None:
    """Give ``folder`` an mtime in the past, as a dataset folder has that nobody is
    changing (a just-changed folder's listing is never kept)."""
    past = time.time() - 3600
    os.utime(folder, (past, past))


@pytest.fixture
def records_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The relpaths of the folder records made while the test runs."""
    made: list[str] = []
    original = FolderRecord.__init__

    def counting(self: FolderRecord, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self.relpath)

    monkeypatch.setattr(FolderRecord, "__init__", counting)
    return made


def test_reopening_makes_no_folder_record_until_one_is_asked_for(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles, records_made: list[str]
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"{TENCH}/a.JPEG", f"{TENCH}/b.JPEG", f"{GOLDFISH}/c.JPEG", f"{SHARK}/d.JPEG"],
    )
    cache = tmp_path / "cache"
    first = open_dataset(root, hierarchy, cache_dir=cache)
    records_made.clear()
    index = open_dataset(root, hierarchy, cache_dir=cache)
    assert not index.scanned
    counts = compute_counts(index)
    numbering = ClassNumbering(index)
    # What `stats` answers: counts, classes, class numbers, splits.
    assert counts.images[hierarchy.root] == 4
    assert numbering.of(hierarchy.index(GOLDFISH)).class_index == 1
    assert index.split_sizes() == first.split_sizes()
    # What the window's dataset panel answers: nothing unlabelled, unmapped or skipped.
    assert index.unlabelled is None
    assert index.unmapped() == []
    assert index.skipped() == []
    assert records_made == []
    assert index.relpath(2) == f"{GOLDFISH}/c.JPEG"  # one folder shown: one record made
    assert records_made == [GOLDFISH]
    assert index.relpath(2) == f"{GOLDFISH}/c.JPEG"
    assert records_made == [GOLDFISH]  # and kept
    # Finding images by path (verdicts, predictions) makes only their folders' records.
    assert index.find_rows([f"{GOLDFISH}/c.JPEG"]) == {f"{GOLDFISH}/c.JPEG": 2}
    assert records_made == [GOLDFISH]


def test_folders_made_on_demand_equal_the_scanned_ones(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    # An unmapped folder sorts before the class folders: stored order (labelled first) is
    # not path order, which the reopened index must still give.
    root = make_files(
        tmp_path / "ds",
        [
            "aaa-not-a-class/x.JPEG",
            f"{TENCH}/a.JPEG",
            f"{TENCH}/b.JPEG",
            f"{TENCH}/notes.txt",  # skipped: not an image
            f"{GOLDFISH}/c.JPEG",
            "zzz-not-either/y.JPEG",
        ],
    )
    (root / f"{SHARK}").mkdir()  # an empty class folder
    cache = tmp_path / "cache"
    scanned = open_dataset(root, hierarchy, cache_dir=cache)
    again = open_dataset(root, hierarchy, cache_dir=cache)
    assert not again.scanned

    def described(records: Any) -> list[tuple[object, ...]]:
        return [
            (r.relpath, r.top, r.label, r.split, r.count, bytes(r.names), r.reason, r.skipped)
            for r in records
        ]

    assert described(again.folders) == described(scanned.folders)
    assert described(again.image_folders) == described(scanned.image_folders)
    assert again.unmapped() == scanned.unmapped()
    assert again.skipped() == scanned.skipped() != []
    assert again.unlabelled is not None
    assert scanned.unlabelled is not None
    assert described(again.unlabelled.folders) == described(scanned.unlabelled.folders)
    assert again.class_nodes.tolist() == scanned.class_nodes.tolist()
    assert fingerprint(again) == fingerprint(scanned)  # what a moved dataset is found by
    assert [again.relpath(r) for r in range(len(again))] == [
        scanned.relpath(r) for r in range(len(scanned))
    ]


def test_opening_and_numbering_classes_list_the_dataset_folder_once(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ImageNet-21k's folder has 21,843 entries; real.json, map_clsloc.txt and meta.mat were
    each looked for with a listing of its own."""
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{GOLDFISH}/c.JPEG"])
    cache = tmp_path / "cache"
    open_dataset(root, hierarchy, cache_dir=cache)
    settled(root)
    listed: list[str] = []
    real_scandir = os.scandir

    def counting(path: Any = ".") -> Any:
        listed.append(os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting)
    index = open_dataset(root, hierarchy, cache_dir=cache)
    numbering = ClassNumbering(index)
    assert numbering.devkit_map is None
    assert numbering.of(hierarchy.index(TENCH)).devkit_id is None
    assert listed.count(str(root)) <= 1


def test_a_devkit_added_after_a_listing_is_found(tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    folder.mkdir()
    settled(folder)
    assert labelfiles.find_near(str(folder), labelfiles.DEVKIT_MAP) is None
    data = folder / "ILSVRC2012_devkit_t12" / "data"
    data.mkdir(parents=True)
    (data / labelfiles.DEVKIT_MAP).write_text("1 n01440764 tench\n")
    assert labelfiles.find_near(str(folder), labelfiles.DEVKIT_MAP) == str(
        data / labelfiles.DEVKIT_MAP
    )


def test_a_taxonomy_renumbered_since_the_index_was_written_relabels_the_folders(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    """The stored folder labels are node numbers: trusted only while the hierarchy numbers
    its nodes as when they were written."""
    root = make_files(tmp_path / "ds", ["cats/a.JPEG", "cats/b.JPEG", "dogs/c.JPEG"])
    taxonomy = tmp_path / "t.csv"
    taxonomy.write_text("child,parent,name\nanimals,,animals\ncats,animals,cats\ndogs,animals,\n")
    cache = tmp_path / "cache"
    first = open_dataset(root, hierarchy, cache_dir=cache, hierarchy_choice=str(taxonomy))
    before = compute_counts(first)
    cats = first.hierarchy.index("cats")
    assert before.images[cats] == 2
    # A node added in front of the others moves every node number.
    taxonomy.write_text(
        "child,parent,name\naardvarks,animals,\nanimals,,animals\ncats,animals,cats\n"
        "dogs,animals,\n"
    )
    again = open_dataset(root, hierarchy, cache_dir=cache, hierarchy_choice=str(taxonomy))
    assert not again.scanned
    after = compute_counts(again)
    assert again.hierarchy.index("cats") != cats
    assert after.images[again.hierarchy.index("cats")] == 2
    assert after.images[again.hierarchy.index("dogs")] == 1
    assert after.images[again.hierarchy.index("aardvarks")] == 0


@settings(max_examples=60, deadline=None)
@given(
    folders=st.lists(
        st.tuples(st.sampled_from([TENCH, GOLDFISH, SHARK, "n02084071"]), st.integers(0, 4)),
        max_size=8,
    ),
    node=st.sampled_from([TENCH, GOLDFISH, SHARK, "n02084071", "n01440764", "n00001740"]),
    exact=st.booleans(),
)
def test_rows_picked_by_folder_equal_rows_picked_by_label(
    hierarchy: Hierarchy, folders: list[tuple[str, int]], node: str, exact: bool
) -> None:
    records = [
        FolderRecord(
            f"{i:02d}/{wnid}",
            f"{i:02d}",
            hierarchy.index(wnid),
            "train",
            0,
            b"\0".join(b"%d.JPEG" % j for j in range(count)),
            count,
        )
        for i, (wnid, count) in enumerate(folders)
    ]
    index = DatasetIndex("/nowhere", hierarchy, "class-folders", records, [])
    view = DatasetView(index)
    synset = hierarchy.index(node)
    by_label = (
        np.flatnonzero(index.labels == synset)
        if exact
        else np.flatnonzero(view.below(synset)[index.labels])
    )
    assert view.rows(synset, exact=exact).tolist() == by_label.tolist()
