"""``precompute`` on a real Dask cluster: a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1, started and stopped by the test; one worker is killed mid-run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from browser.cli import main as cli
from browser.core.analysis import duplicates
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from browser.core.images.sharedcache import (
    PARTS,
    TEMP_PREFIX,
    dataset_folder,
    merge,
    start_folder,
)
from browser.qt import thumbdecode
from tests.precomputing import make_dataset, snapshot

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

BUCKETS = "128,256,384"
_STARTUP_S = 60.0


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]


def _wait_for(condition: object, what: str, timeout: float = _STARTUP_S) -> None:
    """Poll a condition of another process (a file appearing): no signal reaches us here."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)  # a stopped worker could not act on SIGTERM
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A scheduler and two single-threaded workers without nannies (a killed worker stays
    dead), on random free ports of 127.0.0.1."""
    scheduler_file = tmp_path / "scheduler.json"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    dask = [sys.executable, "-m", "dask"]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with open(logs / "scheduler.log", "wb") as log:
            scheduler = subprocess.Popen(
                [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0"]
                + ["--no-dashboard", "--scheduler-file", str(scheduler_file)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(scheduler)
        _wait_for(scheduler_file.exists, "the scheduler's start")
        _wait_for(lambda: scheduler_file.stat().st_size > 0, "the scheduler file")
        address = json.loads(scheduler_file.read_text())["address"]
        workers = []
        for number in range(2):
            with open(logs / f"worker-{number}.log", "wb") as log:
                worker = subprocess.Popen(
                    [*dask, "worker", address, "--nthreads", "1", "--no-nanny"]
                    + ["--host", "127.0.0.1", "--no-dashboard", "--name", f"w{number}"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            processes.append(worker)
            workers.append(worker)
        with distributed.Client(address, timeout=_STARTUP_S) as client:
            client.wait_for_workers(2, timeout=_STARTUP_S)
        yield Cluster(address, scheduler, workers)
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "ds", per_class=8)


def _precompute(dataset: Path, shared: Path, *options: str) -> int:
    argv = ["precompute", str(dataset), "--cache-dir", str(shared), "--sizes", BUCKETS]
    return cli.run([*argv, "--task-rows", "3", *options])


def _reference(dataset: Path, tmp_path: Path, hierarchy: Hierarchy) -> dict[str, object]:
    """The single-process path, in this process."""
    from browser.core.images.precompute import KINDS, plan_rows, split_tasks, write_plan
    from browser.core.images.precomputerun import run_in_process

    index = open_dataset(dataset, hierarchy, cache_dir=tmp_path / "reference-index")
    folder = dataset_folder(tmp_path / "reference", index.root)
    start_folder(folder)
    buckets = tuple(int(b) for b in BUCKETS.split(","))
    planned = plan_rows(index, np.arange(len(index)), None, KINDS, buckets)
    plan = write_plan(folder, planned, buckets).name
    run_in_process(split_tasks(str(folder), plan, len(planned), index.root, 3))
    merge(folder)
    return snapshot(folder, buckets)


def test_a_cluster_run_survives_a_killed_worker_and_matches_one_process(
    cluster: Cluster,
    dataset: Path,
    tmp_path: Path,
    hierarchy: Hierarchy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shared = tmp_path / "shared"
    parts = dataset_folder(shared, str(dataset.resolve())) / PARTS
    doomed, spared = cluster.workers
    # The spared worker is frozen while the doomed one starts: the scheduler hands it tasks it
    # cannot finish, so when the doomed one dies (after its first result) the run is
    # certainly not over, whatever the speed of the machine.
    spared.send_signal(signal.SIGSTOP)
    statuses: list[int] = []
    run = threading.Thread(
        target=lambda: statuses.append(_precompute(dataset, shared, "--scheduler", cluster.address))
    )
    run.start()
    try:
        _wait_for(lambda: parts.is_dir() and any(parts.glob("*.part")), "a first result")
        doomed.kill()
        doomed.wait(timeout=20)
    finally:
        spared.send_signal(signal.SIGCONT)
        run.join(timeout=300)
    assert not run.is_alive()
    assert statuses == [0]
    assert doomed.returncode == -signal.SIGKILL
    folder = parts.parent
    buckets = tuple(int(b) for b in BUCKETS.split(","))
    assert snapshot(folder, buckets) == _reference(dataset, tmp_path, hierarchy)
    # The killed worker may have died halfway through writing a part: nothing of it remains.
    assert not list(parts.glob(f"{TEMP_PREFIX}*"))
    capsys.readouterr()

    # A second run finds everything done: no task, no new part.
    before = sorted(p.name for p in parts.iterdir())
    assert _precompute(dataset, shared, "--scheduler", cluster.address, "--json") == 0
    assert json.loads(capsys.readouterr().out)["tasks"] == 0
    assert sorted(p.name for p in parts.iterdir()) == before

    # duplicates reads the merged hashes: not one image decoded.
    decoded: list[str] = []

    def counted(path: str) -> int:
        decoded.append(path)
        return 0

    monkeypatch.setattr(duplicates, "file_hash", counted)
    monkeypatch.setenv("SYNSET_BROWSER_SHARED_CACHE", str(shared))
    argv = ["duplicates", str(dataset), "--json", "--cache-dir", str(tmp_path / "desk")]
    assert cli.run(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert decoded == []
    assert result["undecodable"] == 1
    assert result["hashed"] == len(snapshot(folder, buckets)) - 1


def test_the_window_shows_precomputed_thumbnails_without_decoding(
    qtbot: QtBot,
    dataset: Path,
    tmp_path: Path,
    hierarchy: Hierarchy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.integration.windows import make_window

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    # What the window's own cache folder is in make_window: a local precompute lands there.
    assert _precompute(dataset, tmp_path / "cache", "--workers", "2") == 0
    decodes: list[str] = []
    for name in ("decode_with_qt", "_from_pillow"):
        original = getattr(thumbdecode, name)

        def counted(path: str, bucket: int, original: object = original) -> object:
            decodes.append(path)
            return original(path, bucket)  # type: ignore[operator]

        monkeypatch.setattr(thumbdecode, name, counted)
    window = make_window(qtbot, tmp_path, hierarchy)
    try:
        with qtbot.waitSignal(window.tasks.opened, timeout=20000):
            window.open_dataset(str(dataset))
        qtbot.waitUntil(window.grid.thumbnails_settled, timeout=20000)
        assert window.grid_model.count() > 10
        assert window.loader.memory_used > 0  # thumbnails were shown
        assert decodes == []
    finally:
        window.close()


def test_the_default_local_cluster_matches_one_process(
    dataset: Path, tmp_path: Path, hierarchy: Hierarchy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``precompute --workers N`` with Dask installed runs on a LocalCluster of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shared = tmp_path / "shared"
    assert _precompute(dataset, shared, "--workers", "2") == 0
    folder = dataset_folder(shared, str(dataset.resolve()))
    buckets = tuple(int(b) for b in BUCKETS.split(","))
    assert snapshot(folder, buckets) == _reference(dataset, tmp_path, hierarchy)


def _malloc_trim_threshold() -> str | None:
    import os

    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


@pytest.mark.parametrize("ours", [True, False])
def test_precomputes_workers_keep_glibcs_own_memory_thresholds(
    ours: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_, which made every decoded image's buffer be
    mmapped and unmapped again (a worker made thumbnails at 0.78x the loop's rate)."""
    from browser.core.images.precomputerun import LOCAL_WORKER_CONFIG, local_cluster

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)  # workers inherit ours
    cluster = local_cluster(1, LOCAL_WORKER_CONFIG if ours else {})
    try:
        with distributed.Client(cluster) as client:
            found = list(client.run(_malloc_trim_threshold).values())
    finally:
        cluster.close()
    assert found == ([None] if ours else ["65536"])
