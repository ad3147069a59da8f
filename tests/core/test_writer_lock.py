"""One precompute writes a shared cache folder at a time (issue 18): a second run is told who
holds the folder, a dead writer's lock is taken over with a notice, and of several runs that
start at once exactly one writes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser.cli import main as cli
from browser.core.images import writerlock
from browser.core.images.precompute import Task
from browser.core.images.precomputerun import run_in_process
from browser.core.images.sharedcache import PARTS
from browser.core.images.writerlock import LOCK, WriterBusy, acquire, release
from tests.conftest import a_dead_pid
from tests.precomputing import make_dataset


def plant(folder: Path, *, host: str, pid: int, age_s: float = 0.0) -> Path:
    """A lock as another run would have left it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    path.write_text(json.dumps({"host": host, "pid": pid, "started": "then", "token": "theirs"}))
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


def test_a_second_writer_is_refused_with_who_holds_the_folder(tmp_path: Path) -> None:
    lock = acquire(tmp_path)
    with pytest.raises(WriterBusy) as refused:
        acquire(tmp_path)
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message
    assert socket.gethostname() in message
    release(lock)
    assert not (tmp_path / LOCK).exists()
    release(acquire(tmp_path))  # free again


def test_the_lock_of_a_dead_writer_on_this_machine_is_taken_over(tmp_path: Path) -> None:
    plant(tmp_path, host=socket.gethostname(), pid=a_dead_pid())
    lock = acquire(tmp_path)
    assert lock.held()
    assert len(lock.notices) == 1
    assert "is gone" in lock.notices[0]
    release(lock)


def test_another_machines_lock_counts_until_it_is_no_longer_touched(tmp_path: Path) -> None:
    plant(tmp_path, host="node-17.cluster", pid=1, age_s=60)
    with pytest.raises(WriterBusy, match="node-17.cluster"):
        acquire(tmp_path, stale_after=600)
    plant(tmp_path, host="node-17.cluster", pid=1, age_s=900)
    lock = acquire(tmp_path, stale_after=600)
    assert "last touched 15 minutes ago" in lock.notices[0]
    release(lock)


def test_a_run_whose_lock_was_taken_over_leaves_the_new_lock_alone(tmp_path: Path) -> None:
    stalled = acquire(tmp_path)
    os.unlink(tmp_path / LOCK)  # as a take-over does, before writing its own
    newer = acquire(tmp_path)
    assert not stalled.held()
    release(stalled)
    assert newer.held()
    release(newer)


class _OneBeat:
    """A stop event that lets the heartbeat loop run once."""

    def __init__(self) -> None:
        self.waits = 0

    def wait(self, timeout: float) -> bool:
        self.waits += 1
        return self.waits > 1


def test_a_held_lock_is_touched_by_its_heartbeat_and_released_after(tmp_path: Path) -> None:
    with writerlock.writing(tmp_path) as lock:
        old = time.time() - 3600
        os.utime(lock.path, (old, old))
        beating = writerlock.WriterLock(lock.path, lock.token)
        beating._stop = _OneBeat()  # type: ignore[assignment]
        writerlock._beat(beating)
        assert lock.path.stat().st_mtime > time.time() - 60  # not stale to another machine
    assert not lock.path.exists()


_RACER = """
import sys, time
from pathlib import Path
from browser.core.images.writerlock import WriterBusy, acquire
folder, go = Path(sys.argv[1]), Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
try:
    lock = acquire(folder)
except WriterBusy:
    print("busy")
else:
    print("won")
    while not (folder / "done").exists():  # hold it until every racer has tried
        time.sleep(0.01)
"""


def test_of_runs_that_start_together_exactly_one_writes(tmp_path: Path) -> None:
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(tmp_path / "shared"), str(go)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for _ in range(4)
    ]
    go.touch()
    outcomes = []
    for racer in racers:
        if racer.stdout is not None:
            line = racer.stdout.readline().strip()
            outcomes.append(line)
            if line == "busy":
                racer.wait(timeout=120)
    (tmp_path / "shared" / "done").touch()
    for racer in racers:
        racer.wait(timeout=120)
        if racer.stdout is not None:
            racer.stdout.close()
    assert sorted(outcomes) == ["busy", "busy", "busy", "won"]


def test_the_command_refuses_a_folder_another_run_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    dataset = make_dataset(tmp_path / "ds")
    shared = tmp_path / "shared"
    folder = shared / "precomputed" / "ds"
    argv = ["precompute", str(dataset), "--cache-dir", str(shared), "--what", "hashes"]
    held = acquire(folder)  # a live run of this machine (our own pid)
    assert cli.run(argv) == 1
    assert "another precompute is writing" in capsys.readouterr().err
    assert not (folder / PARTS).exists()  # nothing planned, nothing written
    release(held)

    seen: list[bool] = []

    def checked(args: object, tasks: list[Task], where: Path, progress: object) -> object:
        seen.append((where / LOCK).exists())
        return run_in_process(tasks)

    monkeypatch.setattr("browser.cli.precompute._run", checked)
    assert cli.run(argv) == 0
    assert seen == [True]  # held while the tasks ran
    assert not (folder / LOCK).exists()  # and released after
