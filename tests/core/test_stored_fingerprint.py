"""A stored index's fingerprint is hashed once per generation (issue 15: registering a 14M
dataset in a new data folder hashed 300 MB of names), and the kept digest never describes
other rows or sizes than its own generation's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser.core.dataset import columnstore, generations, identity, storedfingerprint
from browser.core.dataset.identity import Fingerprint, fingerprint
from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.statpass import fill_file_facts
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.verdicts import VerdictStore
from tests.conftest import GOLDEN, TENCH, MakeFiles, a_dead_pid


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per time the names are really hashed."""
    calls: list[int] = []
    compute = identity._compute_fingerprint

    def counted(index: DatasetIndex) -> Fingerprint:
        calls.append(len(index))
        return compute(index)

    monkeypatch.setattr(identity, "_compute_fingerprint", counted)
    return calls


def generation_folder(index: DatasetIndex) -> Path:
    assert index.store_path is not None
    assert index.store_generation is not None
    return index.store_path / index.store_generation


def kept_files(index: DatasetIndex) -> list[str]:
    folder = generation_folder(index)
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("fingerprint-"))


def test_a_new_data_folder_reuses_the_stored_fingerprint_without_hashing(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy, hashes: list[int]
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{GOLDEN}/b.JPEG"])
    cache = tmp_path / "cache"
    open_dataset(root, hierarchy, cache_dir=cache)  # the scan writes the index
    with VerdictStore(tmp_path / "data-1") as store:
        first = store.identify(open_dataset(root, hierarchy, cache_dir=cache))
    assert len(hashes) == 1
    reopened = open_dataset(root, hierarchy, cache_dir=cache)
    assert len(kept_files(reopened)) == 1
    with VerdictStore(tmp_path / "data-2") as store:
        store.identify(reopened)
    assert len(hashes) == 1  # read, not hashed again
    # ...and what was read is what hashing gives, so a moved dataset is still recognised.
    assert fingerprint(reopened) == identity._compute_fingerprint(reopened)
    moved = tmp_path / "moved"
    root.rename(moved)
    with VerdictStore(tmp_path / "data-1") as store:
        assert store.identify(open_dataset(moved, hierarchy, cache_dir=cache)).key == first.key


def test_sizes_learnt_by_a_stat_pass_are_never_answered_with_the_old_digest(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy, hashes: list[int]
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{GOLDEN}/b.JPEG"])
    cache = tmp_path / "cache"
    index = open_dataset(root, hierarchy, cache_dir=cache)
    index = open_dataset(root, hierarchy, cache_dir=cache)
    unknown = fingerprint(index)
    assert unknown.files == ""
    fill_file_facts(index)  # sizes in memory first, then a new generation
    known = fingerprint(index)
    assert known.files  # not the kept digest of the sizes-unknown generation
    reopened = open_dataset(root, hierarchy, cache_dir=cache)
    assert reopened.store_generation == index.store_generation
    assert fingerprint(reopened) == known == identity._compute_fingerprint(reopened)


@pytest.fixture
def mapped(tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy) -> DatasetIndex:
    """A one-image dataset's index as a reopen maps it from the store."""
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG"])
    open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    return open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")


def test_a_kept_digest_of_another_generation_or_size_is_not_believed(
    mapped: DatasetIndex, hashes: list[int]
) -> None:
    index = mapped
    right = fingerprint(index)
    [name] = kept_files(index)
    kept = generation_folder(index) / name
    kept.write_text(kept.read_text().replace(kept.parent.name, "gen-other"))
    assert fingerprint(index) == right
    kept.write_text("{not json")
    assert fingerprint(index) == right
    assert len(hashes) == 3


def test_an_index_folder_that_cannot_take_the_digest_still_gives_the_fingerprint(
    mapped: DatasetIndex, hierarchy: Hierarchy, hashes: list[int]
) -> None:
    index = mapped
    right = identity._compute_fingerprint(index)
    folder = generation_folder(index)
    # What the digest would be renamed to is taken by a folder (as good as a read-only or
    # full disk, and it fails for root too): the write fails, the answer does not.
    numbering = columnstore.node_numbering(hierarchy)[:16]
    (folder / f"{storedfingerprint.PREFIX}{numbering}.json").mkdir()
    assert fingerprint(index) == right
    assert fingerprint(index) == right
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no litter
    assert len(hashes) == 3


def test_a_dead_writers_half_written_generation_is_removed_by_the_next_save(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG"])
    cache = tmp_path / "cache"
    index = open_dataset(root, hierarchy, cache_dir=cache)
    assert index.store_path is not None
    dead = index.store_path / f"{generations.WRITING}{a_dead_pid()}-1"
    (dead / "labels.npy").parent.mkdir()
    (dead / "labels.npy").write_bytes(b"half")
    ours = generations.writing_folder(index.store_path)  # a writer still at work
    fill_file_facts(index)  # saves a generation
    assert not dead.exists()
    assert ours.exists()
    old = os.stat(ours).st_mtime - 2 * 24 * 3600
    os.utime(ours, (old, old))
    assert generations.remove_abandoned(index.store_path) == [ours]
