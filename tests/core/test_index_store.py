"""The stored index: reopened without walking, refreshed incrementally, never destructive."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from browser.core.dataset import columnstore, generations, scanner, store
from browser.core.dataset.opening import DatasetPathError, open_dataset
from browser.core.dataset.scanner import ScanCancelled
from browser.core.dataset.statpass import fill_file_facts, pending_folders
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import MakeFiles

TENCH, GOLDFISH, SHARK = "n01440764", "n01443537", "n01484850"


def snapshot(root: Path) -> dict[str, str]:
    """Every path below root with a hash of its content and its mtime."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            digest = hashlib.sha1(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            found[str(path.relative_to(root))] = f"{digest}:{path.stat().st_mtime_ns}"
    return found


def current_generation(store_path: Path) -> Path:
    return store_path / (store_path / generations.CURRENT).read_text().strip()


@pytest.fixture
def dataset(tmp_path: Path, make_files: MakeFiles) -> Path:
    return make_files(
        tmp_path / "ds",
        [
            f"train/{TENCH}/a.JPEG",
            f"train/{TENCH}/b.JPEG",
            f"train/{GOLDFISH}/c.JPEG",
            f"val/{TENCH}/d.JPEG",
        ],
    )


def test_reopening_reads_the_store_without_walking(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert first.scanned
    assert first.store_path is not None
    assert first.store_path.exists()
    assert str(first.store_path).startswith(str(cache))

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("the dataset was walked again")

    monkeypatch.setattr("browser.core.dataset.opening.scan", no_walk)
    again = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert not again.scanned
    assert [again.relpath(r) for r in range(len(again))] == [
        first.relpath(r) for r in range(len(first))
    ]
    assert again.split_sizes() == first.split_sizes() == {"train": 3, "val": 1}


def test_refresh_lists_only_changed_folders(
    dataset: Path,
    tmp_path: Path,
    hierarchy: Hierarchy,
    make_files: MakeFiles,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "cache"
    fill_file_facts(open_dataset(dataset, hierarchy, cache_dir=cache))
    make_files(dataset, [f"train/{TENCH}/new.JPEG", f"train/{SHARK}/s.JPEG"])
    os.unlink(dataset / "val" / TENCH / "d.JPEG")
    listed: list[str] = []
    real = scanner._list_folder

    def spy(path: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        listed.append(os.path.relpath(path, dataset))
        return real(path)

    monkeypatch.setattr(scanner, "_list_folder", spy)
    index = open_dataset(dataset, hierarchy, cache_dir=cache, refresh=True)
    assert sorted(listed) == [f"train/{TENCH}", f"train/{SHARK}", f"val/{TENCH}"]
    names = [index.relpath(r) for r in range(len(index))]
    assert names == [
        f"train/{TENCH}/a.JPEG",
        f"train/{TENCH}/b.JPEG",
        f"train/{TENCH}/new.JPEG",
        f"train/{GOLDFISH}/c.JPEG",
        f"train/{SHARK}/s.JPEG",
    ]
    # The unchanged folder kept its file sizes; the re-listed ones need the stat pass again.
    assert [index.image_folders[f].relpath for f in pending_folders(index)] == [
        f"train/{TENCH}",
        f"train/{SHARK}",
    ]


def test_the_dataset_folder_is_never_written(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    before = snapshot(dataset)
    index = open_dataset(dataset, hierarchy, cache_dir=tmp_path / "cache")
    fill_file_facts(index)
    open_dataset(dataset, hierarchy, cache_dir=tmp_path / "cache", refresh=True)
    assert snapshot(dataset) == before


def test_a_corrupt_index_is_set_aside_not_deleted(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    path = open_dataset(dataset, hierarchy, cache_dir=cache).store_path
    assert path is not None
    header = current_generation(path) / "header.json"
    header.write_bytes(b"garbage, not JSON" * 100)
    index = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert index.scanned
    assert len(index) == 4
    assert any("moved it to" in note for note in index.notes)
    aside = [p for p in path.parent.iterdir() if ".unreadable-" in p.name]
    assert len(aside) == 1
    (kept,) = aside[0].glob("gen-*/header.json")
    assert kept.read_bytes().startswith(b"garbage")
    assert not open_dataset(dataset, hierarchy, cache_dir=cache).scanned  # a good one again


def test_an_index_from_a_newer_version_is_left_alone(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    path = open_dataset(dataset, hierarchy, cache_dir=cache).store_path
    assert path is not None
    header_file = current_generation(path) / "header.json"
    header = json.loads(header_file.read_text())
    header["schema_version"] = 999
    header_file.write_text(json.dumps(header))
    before = snapshot(path)
    index = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert len(index) == 4
    assert index.store_path is None
    assert any("newer Synset Browser" in note for note in index.notes)
    fill_file_facts(index)  # works in memory, writes nothing
    assert snapshot(path) == before


def test_the_stat_pass_is_stored_and_resumes_after_cancel(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    index = open_dataset(dataset, hierarchy, cache_dir=cache)
    calls = iter(range(100))
    with pytest.raises(ScanCancelled):
        fill_file_facts(index, cancelled=lambda: next(calls) >= 1)  # stop after one folder
    reopened = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert len(pending_folders(reopened)) == 2  # one of three folders was stored
    assert fill_file_facts(reopened) == 2  # only the other two folders are stat'ed
    final = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert pending_folders(final) == []
    assert all(final.sizes > 0)


def test_cancelling_a_scan_writes_no_index(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(ScanCancelled):
        open_dataset(dataset, hierarchy, cache_dir=cache, cancelled=lambda: True)
    assert not columnstore.columns_dir(cache, str(dataset.resolve())).exists()


def test_progress_is_reported_per_class_folder(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    seen: list[scanner.ScanProgress] = []
    open_dataset(dataset, hierarchy, cache_dir=tmp_path / "cache", progress=seen.append)
    assert [(p.done, p.total) for p in seen] == [(1, 3), (2, 3), (3, 3)]
    assert seen[-1].images == 4


def test_bad_dataset_paths_are_refused(tmp_path: Path, hierarchy: Hierarchy) -> None:
    with pytest.raises(DatasetPathError, match="no such folder"):
        open_dataset(tmp_path / "missing", hierarchy, cache_dir=tmp_path / "cache")
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetPathError, match="not a folder"):
        open_dataset(tmp_path / "file", hierarchy, cache_dir=tmp_path / "cache")


def test_a_cache_folder_that_cannot_be_written_opens_the_dataset_unsaved(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    # A regular file where the cache folder should be: mkdir fails as on a read-only disk
    # (tests run as root, which chmod cannot stop).
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    index = open_dataset(dataset, hierarchy, cache_dir=blocker / "cache")
    assert len(index) == 4
    assert index.store_path is None
    (note,) = index.notes
    assert "the index cannot be saved" in note
    assert "the dataset is open without it" in note
    assert fill_file_facts(index) == 4  # in memory; nothing more to say
    assert len(index.notes) == 1


def test_a_full_or_read_only_store_stops_saving_and_says_so_once(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    open_dataset(dataset, hierarchy, cache_dir=cache)
    index = open_dataset(dataset, hierarchy, cache_dir=cache)

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(columnstore, "save_facts", full)
    assert fill_file_facts(index) == 4
    assert index.store_path is None
    (note,) = index.notes
    assert "No space left on device" in note

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(columnstore, "save", read_only)
    again = open_dataset(dataset, hierarchy, cache_dir=cache, refresh=True)
    assert len(again) == 4
    assert again.store_path is None
    assert [n for n in again.notes if "Read-only file system" in n] == again.notes
    assert len(again.notes) == 1


def test_a_latin1_file_name_survives_scan_store_and_reopen(
    tmp_path: Path, hierarchy: Hierarchy, jpeg_bytes: bytes
) -> None:
    root = tmp_path / "ds"
    folder = root / TENCH
    folder.mkdir(parents=True)
    raw = os.fsencode(folder) + b"/caf\xe9.JPEG"
    with open(raw, "wb") as handle:
        handle.write(jpeg_bytes)
    cache = tmp_path / "cache"
    scanned = open_dataset(root, hierarchy, cache_dir=cache)
    assert scanned.scanned
    assert os.fsencode(scanned.name(0)) == b"caf\xe9.JPEG"
    again = open_dataset(root, hierarchy, cache_dir=cache)
    assert not again.scanned
    assert os.fsencode(again.path(0)) == raw
    assert os.fsencode(again.relpath(0)) == os.fsencode(TENCH) + b"/caf\xe9.JPEG"


def write_legacy_index(dataset: Path, cache: Path, hierarchy: Hierarchy) -> Path:
    """An index as the SQLite format (browser.core.dataset.store) wrote it, with file facts."""
    result = scanner.scan(str(dataset.resolve()), hierarchy)
    for record in result.folders:
        record.sizes = np.full(record.count, 7, dtype=np.int64)
        record.mtimes = np.full(record.count, 11, dtype=np.int64)
    legacy = store.index_file(cache, str(dataset.resolve()))
    store.save(
        legacy,
        root=str(dataset.resolve()),
        layout=result.layout,
        hierarchy=hierarchy,
        folders=result.folders,
        problems=result.problems,
    )
    return legacy


def test_an_index_in_the_sqlite_format_is_rebuilt_as_columns_not_misread(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    legacy = write_legacy_index(dataset, cache, hierarchy)

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("the dataset was walked again")

    monkeypatch.setattr("browser.core.dataset.opening.scan", no_walk)
    index = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert not legacy.exists()
    assert any("rebuilt in the column format" in note for note in index.notes)
    assert index.store_path == columnstore.columns_dir(cache, str(dataset.resolve()))
    expected = [
        f"train/{TENCH}/a.JPEG",
        f"train/{TENCH}/b.JPEG",
        f"train/{GOLDFISH}/c.JPEG",
        f"val/{TENCH}/d.JPEG",
    ]
    for opened in (index, open_dataset(dataset, hierarchy, cache_dir=cache)):
        assert [opened.relpath(r) for r in range(len(opened))] == expected
        assert opened.sizes.tolist() == [7, 7, 7, 7]  # the stat pass's work is kept
        assert opened.mtimes.tolist() == [11, 11, 11, 11]
        assert [hierarchy.wnid(n) for n in opened.labels.tolist()] == [
            TENCH,
            TENCH,
            GOLDFISH,
            TENCH,
        ]
        assert opened.split_sizes() == {"train": 3, "val": 1}


def test_an_older_column_schema_is_set_aside_and_rescanned(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    first = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert first.store_path is not None
    header_file = current_generation(first.store_path) / "header.json"
    header = json.loads(header_file.read_text())
    header["schema_version"] = 0
    header_file.write_text(json.dumps(header))
    again = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert again.scanned
    assert any("older index schema" in note for note in again.notes)
    assert len(list((cache / "indexes").glob("*.unreadable-*.columns"))) == 1
    assert not open_dataset(dataset, hierarchy, cache_dir=cache).scanned


def test_a_column_file_of_the_wrong_size_is_never_read(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    first = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert first.store_path is not None
    labels = current_generation(first.store_path) / "labels.npy"
    with open(labels, "ab") as handle:
        handle.write(b"\0" * 8)  # as if another writer's rows were half there
    again = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert again.scanned
    assert len(again) == 4
    assert any("labels.npy has" in note for note in again.notes)


def test_an_index_made_before_the_link_policy_is_set_aside_and_rescanned(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    legacy = write_legacy_index(dataset, cache, hierarchy)
    with closing(sqlite3.connect(legacy)) as db:  # as the previous walker wrote it
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        db.commit()
    again = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert again.scanned
    assert any("moved it to" in note for note in again.notes)
    assert len(list((cache / "indexes").glob("*.unreadable-*.sqlite"))) == 1


def test_reopening_maps_the_stored_columns(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    first = open_dataset(dataset, hierarchy, cache_dir=cache)
    again = open_dataset(dataset, hierarchy, cache_dir=cache)
    for column in (again.labels, again.split_ids, again.folder_ids, again.sizes):
        # Mapped from the stored file, read-only, not rebuilt row by row in memory.
        assert not column.flags.writeable
        assert not column.flags.owndata
        assert isinstance(column.base, (np.memmap, np.ndarray))
    assert [again.name(r) for r in range(len(again))] == [first.name(r) for r in range(len(first))]
    assert again.labels.tolist() == first.labels.tolist()
    assert again.split_ids.tolist() == first.split_ids.tolist()


def test_a_stat_pass_writes_a_new_generation_not_the_mapped_one(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    open_dataset(dataset, hierarchy, cache_dir=cache)
    window = open_dataset(dataset, hierarchy, cache_dir=cache)  # has the columns mapped
    mapped = current_generation(window.store_path or Path())
    before = snapshot(mapped)
    worker = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert fill_file_facts(worker) == 4
    assert snapshot(mapped) == before  # not one byte of the mapped files changed
    assert (window.sizes == -1).all()
    assert worker.store_generation != window.store_generation
    final = open_dataset(dataset, hierarchy, cache_dir=cache)
    assert final.store_generation == worker.store_generation
    assert (final.sizes > 0).all()
