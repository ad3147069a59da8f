"""Precomputing into the shared cache, and every reader using it instead of decoding."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from browser.cli import main as cli
from browser.cli.precompute import run as precompute_command  # noqa: F401 - the command under test
from browser.core.analysis import duplicates
from browser.core.analysis.duplicates import HashCache, hash_cache_for, hash_rows
from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from browser.core.images import dimensions, precomputerun
from browser.core.images.dimensions import dimension_cache_for, read_dimensions
from browser.core.images.filecache import file_facts
from browser.core.images.precompute import (
    KINDS,
    PLANS,
    PlanRow,
    Task,
    iter_plan,
    plan_rows,
    read_plan,
    split_tasks,
    write_plan,
)
from browser.core.images.precomputerun import run_in_process, run_on_processes
from browser.core.images.sharedcache import (
    PARTS,
    TEMP_PREFIX,
    PartEntry,
    dataset_folder,
    merge,
    read_part_entries,
    start_folder,
    write_part,
)
from browser.core.images.sharedcachereader import SharedCache
from browser.core.images.thumbnails import ThumbnailCache, decode_with_pillow, encode_jpeg
from tests.conftest import DOG
from tests.precomputing import make_dataset, snapshot

BUCKETS = (128, 256)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "ds")


@pytest.fixture
def index(dataset: Path, tmp_path: Path, hierarchy: Hierarchy) -> DatasetIndex:
    return open_dataset(dataset, hierarchy, cache_dir=tmp_path / "index-cache")


def precompute_here(index: DatasetIndex, cache: Path, task_rows: int = 4) -> Path:
    """The single-process path: plan, every task in this process, merge."""
    folder = dataset_folder(cache, index.root)
    start_folder(folder)
    rows = np.arange(len(index))
    with SharedCache(folder) as shared:
        planned = plan_rows(index, rows, shared, KINDS, BUCKETS)
    if planned:
        plan = write_plan(folder, planned, BUCKETS).name
        run_in_process(split_tasks(str(folder), plan, len(planned), index.root, task_rows))
    merge(folder)
    return folder


def test_precomputed_values_are_those_the_app_computes(index: DatasetIndex, tmp_path: Path) -> None:
    folder = precompute_here(index, tmp_path / "shared")
    found = snapshot(folder, BUCKETS)
    assert len(found) == len(index)  # the shard's members and the odd names included
    rows = np.arange(len(index))
    hashes, valid = hash_rows(index, rows, HashCache(tmp_path / "alone" / "h.sqlite"))
    widths, heights = read_dimensions(
        index, rows, dimensions.DimensionCache(tmp_path / "alone" / "d.sqlite")
    )
    for row in rows.tolist():
        size, mtime, hashed, pixels, thumbs = found[index.relpath(row)]
        assert (size, mtime) == file_facts(index, row)
        expected_hash = int(hashes[row]) - (1 << 64) if hashes[row] >= 1 << 63 else hashes[row]
        assert hashed == (expected_hash if valid[row] else None)
        assert pixels == (widths[row], heights[row])
        for bucket in BUCKETS:
            if valid[row]:
                assert thumbs[bucket] == encode_jpeg(decode_with_pillow(index.path(row), bucket))
            else:
                assert thumbs[bucket].startswith("cannot be decoded")
    assert not valid.all()  # the broken file is among them, remembered as undecodable


def test_a_rerun_plans_nothing_and_an_interrupted_one_keeps_its_parts(
    index: DatasetIndex, tmp_path: Path
) -> None:
    folder = dataset_folder(tmp_path / "shared", index.root)
    start_folder(folder)
    rows = np.arange(len(index))
    planned = plan_rows(index, rows, None, KINDS, BUCKETS)
    plan = write_plan(folder, planned, BUCKETS).name
    tasks = split_tasks(str(folder), plan, len(planned), index.root, 5)
    run_in_process(tasks[:1])  # then "killed": nothing merged
    merge(folder)  # what the next run does first
    with SharedCache(folder) as shared:
        left = plan_rows(index, rows, shared, KINDS, BUCKETS)
    assert len(left) == len(planned) - 5
    assert {r.relpath for r in left} == {r.relpath for r in planned[5:]}
    precompute_here(index, tmp_path / "shared")
    with SharedCache(folder) as shared:
        assert plan_rows(index, rows, shared, KINDS, BUCKETS) == []
    # A retried task whose part exists computes nothing.
    assert run_in_process(tasks[:1]).computed == 0


def test_only_what_is_missing_is_planned(index: DatasetIndex, tmp_path: Path) -> None:
    folder = dataset_folder(tmp_path / "shared", index.root)
    start_folder(folder)
    rows = np.arange(len(index))
    planned = plan_rows(index, rows, None, ("hashes",), BUCKETS)
    run_in_process(
        split_tasks(str(folder), write_plan(folder, planned, BUCKETS).name, 99, index.root)
    )
    merge(folder)
    with SharedCache(folder) as shared:
        assert plan_rows(index, rows, shared, ("hashes",), BUCKETS) == []
        sizes = plan_rows(index, rows, shared, ("hashes", "sizes"), BUCKETS)
    assert len(sizes) == len(index)
    assert {row.needs for row in sizes} == {2}  # pixel sizes only, the hashes are there


def test_planning_a_chunk_at_a_time_plans_exactly_what_planning_at_once_does(
    index: DatasetIndex, tmp_path: Path
) -> None:
    """Each chunk looks up only its own key range of the cache (issue 18: planning 14.2M
    rows loaded the cache whole); the plan must not depend on where the chunks fall."""
    folder = dataset_folder(tmp_path / "shared", index.root)
    start_folder(folder)
    rows = np.arange(len(index))
    some = rows[::2]  # half the images get their hashes and sizes, the others nothing
    planned = plan_rows(index, some, None, ("hashes", "sizes"), BUCKETS)
    plan = write_plan(folder, planned, BUCKETS)
    run_in_process(split_tasks(str(folder), plan.name, plan.rows, index.root, 3))
    merge(folder)
    with SharedCache(folder) as shared:
        whole = list(iter_plan(index, rows, shared, KINDS, BUCKETS, chunk=len(rows)))
        for chunk in (1, 2, 3, 5):
            assert list(iter_plan(index, rows, shared, KINDS, BUCKETS, chunk=chunk)) == whole
    computed = {row.relpath for row in planned}
    assert {row.relpath for row in whole if row.needs & 3} == {
        index.relpath(int(r)) for r in rows
    } - computed


def test_nothing_to_plan_writes_no_plan_file(index: DatasetIndex, tmp_path: Path) -> None:
    folder = dataset_folder(tmp_path / "shared", index.root)
    start_folder(folder)
    written = write_plan(folder, iter([]), BUCKETS)
    assert written.rows == 0
    assert not list((folder / "plans").glob("*"))


def count_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[str]:
    calls: list[str] = []
    original = getattr(module, name)

    def counted(path: str, *args: object) -> object:
        calls.append(path)
        return original(path, *args)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_hashes_and_sizes_are_read_not_recomputed(
    index: DatasetIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    folder = precompute_here(index, cache)
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    hashed = count_calls(monkeypatch, duplicates, "file_hash")
    measured = count_calls(monkeypatch, dimensions, "header_size")
    rows = np.arange(len(index))
    hashes, valid = hash_rows(index, rows, hash_cache_for(index, cache))
    widths, _ = read_dimensions(index, rows, dimension_cache_for(index, cache))
    assert hashed == []
    assert measured == []
    assert valid.sum() == len(index) - 1
    assert (widths > 0).sum() == len(index) - 1
    # A changed file is the only one computed again.
    changed = next(r for r in rows.tolist() if index.relpath(r).endswith(f"{DOG}_0.JPEG"))
    path = index.path(changed)
    os.utime(path, ns=(1, 1))
    fresh = open_dataset(index.root, index.hierarchy, cache_dir=tmp_path / "index-cache")
    hash_rows(fresh, rows, hash_cache_for(fresh, cache))
    assert hashed == [path]
    # Readers never wrote to the shared folder (no SQLite journal, nothing touched).
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before


def test_the_shared_folder_is_found_through_the_environment(
    index: DatasetIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    precompute_here(index, tmp_path / "nfs")
    hashed = count_calls(monkeypatch, duplicates, "file_hash")
    monkeypatch.setenv("SYNSET_BROWSER_SHARED_CACHE", str(tmp_path / "nfs"))
    hash_rows(index, np.arange(len(index)), hash_cache_for(index, tmp_path / "local"))
    assert hashed == []


def test_the_thumbnail_cache_serves_precomputed_thumbnails(
    index: DatasetIndex, tmp_path: Path
) -> None:
    folder = precompute_here(index, tmp_path / "cache")
    expected = snapshot(folder, BUCKETS)
    with ThumbnailCache(tmp_path / "local-thumbs") as cache:
        cache.use_precomputed(tmp_path / "cache", index.root)
        for row in range(len(index)):
            path, (size, mtime) = index.path(row), file_facts(index, row)
            key = cache.key(path, size, mtime, 256)
            found, failed = cache.get_many([key])
            wanted = expected[index.relpath(row)][4][256]
            assert found.get(key, failed.get(key)) == wanted
            assert cache.lookup(key) == (
                (wanted, None) if isinstance(wanted, bytes) else (None, wanted)
            )


def test_merge_keeps_values_of_a_file_until_it_changes(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    start_folder(folder)
    write_part(folder / PARTS / "a.part", "a", [PartEntry("x.jpg", 1, 1, 5, True)])
    write_part(folder / PARTS / "b.part", "b", [PartEntry("x.jpg", 1, 1, dims=(3, 4))])
    merge(folder)
    with SharedCache(folder) as shared:
        assert shared.values("hashes") == {"x.jpg": (1, 1, 5)}
        assert shared.values("dimensions") == {"x.jpg": (1, 1, 3, 4)}
    write_part(folder / PARTS / "c.part", "c", [PartEntry("x.jpg", 2, 2, dims=(6, 7))])
    merge(folder)
    with SharedCache(folder) as shared:
        assert shared.values("hashes") == {}  # of the old file: dropped
        assert shared.values("dimensions") == {"x.jpg": (2, 2, 6, 7)}


names = st.text(st.characters(codec="utf-8", exclude_characters="/\0"), min_size=1).map(
    lambda s: s[:40]
) | st.binary(min_size=1, max_size=20).filter(lambda b: b"/" not in b and b"\0" not in b).map(
    lambda b: os.fsdecode(b)
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(names, st.integers(0, 1 << 40), st.integers(-1, 1 << 62), st.booleans()),
        min_size=1,
        max_size=12,
    ),
    st.integers(0, 11),
)
def test_plans_and_parts_keep_every_name_and_fact(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, int, int, bool]],
    start: int,
) -> None:
    folder = tmp_path_factory.mktemp("plan")
    planned = [
        PlanRow(
            f"{name}.tar/{name}" if member else f"d/{name}",
            size,
            mtime,
            size if member else -1,
            size if member else 0,
            f"{name}.tar" if member else "",
            7,
        )
        for name, size, mtime, member in rows
    ]
    plan = write_plan(folder, planned, (128, 384)).name
    start = min(start, len(planned) - 1)
    assert read_plan(folder / "plans" / plan, start, len(planned) + 3) == (
        (128, 384),
        planned[start:],
    )
    entries = [
        PartEntry(r.relpath, r.size, r.mtime, r.size, True, (1, 2), {128: b"\xff\xd8", 384: "no"})
        for r in planned
    ]
    write_part(folder / "p.part", "p", entries)
    assert read_part_entries(folder / "p.part") == entries


def test_local_processes_give_the_same_results(index: DatasetIndex, tmp_path: Path) -> None:
    reference = snapshot(precompute_here(index, tmp_path / "here"), BUCKETS)
    folder = dataset_folder(tmp_path / "pool", index.root)
    start_folder(folder)
    planned = plan_rows(index, np.arange(len(index)), None, KINDS, BUCKETS)
    plan = write_plan(folder, planned, BUCKETS).name
    tasks = split_tasks(str(folder), plan, len(planned), index.root, 4)
    report = run_on_processes(tasks, 2, folder)
    assert not report.failed
    assert len(report.done) == len(tasks)
    merge(folder)
    assert snapshot(folder, BUCKETS) == reference


def test_the_command_without_dask(
    dataset: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("browser.cli.precompute.dask_available", lambda: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shared = tmp_path / "shared"
    status = cli.run(["precompute", str(dataset), "--scheduler", "tcp://127.0.0.1:1"])
    assert status == 2
    assert "pip install 'synset-browser[cluster]'" in capsys.readouterr().err
    argv = ["precompute", str(dataset), "--cache-dir", str(shared), "--workers", "1"]
    assert cli.run([*argv, "--what", "hashes", "--task-rows", "50"]) == 0
    assert "local processes" in capsys.readouterr().err
    assert cli.run([*argv, "--what", "hashes,sizes", "--json"]) == 0
    assert '"computed": ' in capsys.readouterr().out
    assert cli.run([*argv, "--what", "colour"]) == 2


def test_a_half_written_part_of_a_killed_worker_is_gone_when_the_run_ends(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    real_run = precomputerun.run_in_process

    def killed_midway(args: object, tasks: list[Task], folder: Path, progress: object) -> object:
        # What a worker killed inside write_part leaves: its temporary, never renamed.
        (folder / PARTS / f"{TEMP_PREFIX}dead-worker").write_bytes(b"SBPART01 half")
        return real_run(tasks)

    monkeypatch.setattr("browser.cli.precompute._run", killed_midway)
    shared = tmp_path / "shared"
    argv = ["precompute", str(dataset), "--cache-dir", str(shared), "--what", "hashes"]
    assert cli.run(argv) == 0
    parts = next(shared.rglob(PARTS))
    assert not list(parts.glob(f"{TEMP_PREFIX}*"))
    assert list(parts.glob("*.part"))  # the finished parts stay


def test_a_finished_run_leaves_no_plan_and_the_next_run_removes_an_interrupted_ones(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plans are a gigabyte at 14M images and never read again once their run has ended."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("browser.cli.precompute.dask_available", lambda: False)
    shared = tmp_path / "shared"
    argv = ["precompute", str(dataset), "--cache-dir", str(shared), "--workers", "1"]
    assert cli.run([*argv, "--what", "hashes"]) == 0
    plans = next(shared.rglob(PARTS)).parent / PLANS
    assert list(plans.iterdir()) == []

    def interrupted(args: object, tasks: list[Task], folder: Path, progress: object) -> object:
        return precomputerun.RunReport(interrupted=True)  # Ctrl+C before any task ended

    monkeypatch.setattr("browser.cli.precompute._run", interrupted)
    assert cli.run([*argv, "--what", "sizes"]) == 130
    kept = list(plans.glob("*.plan"))
    assert len(kept) == 1  # tasks handed out before Ctrl+C may still read it
    (plans / f"{TEMP_PREFIX}spool").write_bytes(b"a killed planner's spool")

    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("browser.cli.precompute.dask_available", lambda: False)
    assert cli.run([*argv, "--what", "sizes"]) == 0
    assert list(plans.iterdir()) == []
    with SharedCache(plans.parent) as cache:  # and the interrupted run's work got done
        assert len(cache.values("dimensions")) == len(cache.values("hashes")) > 0


def test_a_part_written_twice_keeps_the_first(tmp_path: Path) -> None:
    part = tmp_path / "parts" / "t.part"
    write_part(part, "t", [PartEntry("a.jpg", 1, 1, 5, True)])
    first = part.stat().st_ino
    write_part(part, "t", [PartEntry("a.jpg", 1, 1, 5, True)])  # a retried task's twin
    assert part.stat().st_ino == first  # readers holding it open are not left stale
    assert [p.name for p in part.parent.iterdir()] == ["t.part"]


def test_ctrl_c_keeps_what_finished_and_a_rerun_goes_on(
    index: DatasetIndex, tmp_path: Path
) -> None:
    folder = dataset_folder(tmp_path / "shared", index.root)
    start_folder(folder)
    rows = np.arange(len(index))
    planned = plan_rows(index, rows, None, ("hashes",), BUCKETS)
    tasks = split_tasks(
        str(folder), write_plan(folder, planned, BUCKETS).name, len(planned), index.root, 4
    )

    def interrupt(report: precomputerun.RunReport, total: int) -> None:
        raise KeyboardInterrupt  # Ctrl+C once the first task is in

    report = run_on_processes(tasks, 1, folder, interrupt)
    assert report.interrupted
    assert len(report.done) == 1  # reported; tasks already handed to a process still finish
    finished = {e.relpath for p in (folder / PARTS).iterdir() for e in read_part_entries(p)}
    merge(folder)
    with SharedCache(folder) as shared:
        left = plan_rows(index, rows, shared, ("hashes",), BUCKETS)
    assert left  # the pool was stopped, not drained
    assert {r.relpath for r in left} == {r.relpath for r in planned} - finished


def test_workers_read_through_their_own_mount_point(index: DatasetIndex, tmp_path: Path) -> None:
    reference = snapshot(precompute_here(index, tmp_path / "here"), BUCKETS)
    elsewhere = tmp_path / "mnt" / "imagenet"
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(index.root)  # the workers' view of the same dataset
    folder = dataset_folder(tmp_path / "there", index.root)
    start_folder(folder)
    planned = plan_rows(index, np.arange(len(index)), None, KINDS, BUCKETS)
    plan = write_plan(folder, planned, BUCKETS).name
    run_in_process(split_tasks(str(folder), plan, len(planned), str(elsewhere), 4))
    merge(folder)
    assert snapshot(folder, BUCKETS) == reference


part_entries = st.lists(
    st.tuples(
        st.sampled_from(["a.jpg", "b/c.jpg", os.fsdecode(b"\xe9.jpg")]),
        st.integers(1, 2),  # (size, mtime) of the file when it was computed
        st.one_of(st.none(), st.integers(0, (1 << 64) - 1)),  # a hash, or not computed
        st.one_of(st.none(), st.tuples(st.integers(0, 9), st.integers(0, 9))),
    ),
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(part_entries, st.booleans()), min_size=1, max_size=6))
def test_merging_parts_in_any_batches_keeps_the_latest_values_of_each_file(
    tmp_path_factory: pytest.TempPathFactory,
    parts: list[tuple[list[tuple[str, int, int | None, tuple[int, int] | None]], bool]],
) -> None:
    folder = tmp_path_factory.mktemp("merge")
    start_folder(folder)
    model: dict[str, dict[str, object]] = {}
    for number, (entries, merge_now) in enumerate(parts):
        written = [
            PartEntry(path, facts, facts, hashed, hashed is not None, dims)
            for path, facts, hashed, dims in entries
        ]
        write_part(folder / PARTS / f"p{number:03d}.part", str(number), written)
        for entry in written:
            state = model.get(entry.relpath)
            if state is None or state["facts"] != entry.size:
                state = model[entry.relpath] = {"facts": entry.size}
            if entry.has_hash:
                state["hash"] = entry.hash
            if entry.dims is not None:
                state["dims"] = entry.dims
        if merge_now:
            merge(folder)
    merge(folder)
    signed = lambda h: h - (1 << 64) if h >= 1 << 63 else h  # noqa: E731
    with SharedCache(folder) as shared:
        assert shared.values("hashes") == {
            path: (s["facts"], s["facts"], signed(cast(int, s["hash"])))
            for path, s in model.items()
            if "hash" in s
        }
        assert shared.values("dimensions") == {
            path: (s["facts"], s["facts"], *cast(tuple[int, int], s["dims"]))
            for path, s in model.items()
            if "dims" in s
        }
