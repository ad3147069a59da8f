"""Running precompute tasks: on Dask (a LocalCluster of worker processes, or the scheduler
at an address), on local processes when Dask is not installed, or in this process.

Dask does the scheduling, the retries and the recovery from dead workers; this module only
submits tasks, follows them, merges finished parts now and then, and stops cleanly on
Ctrl+C (what finished is merged, so a rerun starts from there).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from browser.core.images.precompute import Task, TaskResult, run_task
from browser.core.images.sharedcache import merge

log = logging.getLogger(__name__)

RETRIES = 3  # per task, beyond the first attempt
MERGE_EVERY_S = 600.0  # finished parts are merged this often during a long run
INSTALL_HINT = "pip install 'synset-browser[cluster]'"

# How precompute's own LocalCluster workers differ from Dask's defaults (measured with
# benchmarks/bench_precompute.py; see docs/performance.md and docs/cluster.md):
# - the statistical profiler wakes a thread 100 times a second to take the GIL from the
#   decoding thread; it only feeds the dashboard's profile tab;
# - MALLOC_TRIM_THRESHOLD_, which Dask's nanny sets to 64 KiB, switches off glibc's dynamic
#   mmap threshold: every decoded image's buffer (~0.5 MB) is then mmapped, page-faulted and
#   unmapped again (about 110 extra page faults a thumbnail). Unset, glibc keeps reusing the
#   heap; a task's memory is bounded by one image at a time.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


class ClusterUnavailable(Exception):
    """Dask is needed (``--scheduler``) but not installed; ``str()`` says how to get it."""


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class RunReport:
    done: list[TaskResult] = field(default_factory=list)
    failed: list[tuple[Task, str]] = field(default_factory=list)
    interrupted: bool = False
    dashboard: str = ""

    @property
    def images(self) -> int:
        return sum(r.images for r in self.done)

    @property
    def computed(self) -> int:
        return sum(r.computed for r in self.done)


Progress = Callable[[RunReport, int], None]  # (report so far, tasks in all)


def run_in_process(tasks: list[Task], progress: Progress | None = None) -> RunReport:
    """Every task here, one after the other: the single-process reference."""
    report = RunReport()
    for task in tasks:
        report.done.append(run_task(task))
        if progress is not None:
            progress(report, len(tasks))
    return report


def _follow(
    results: Iterator[tuple[Task, TaskResult | None, str]],
    tasks: list[Task],
    folder: Path,
    report: RunReport,
    progress: Progress | None,
) -> None:
    last_merge = time.monotonic()
    for task, result, error in results:
        if result is not None:
            report.done.append(result)
        else:
            report.failed.append((task, error))
        if progress is not None:
            progress(report, len(tasks))
        if time.monotonic() - last_merge > MERGE_EVERY_S:
            merge(folder)  # windows reading the cache see the results so far
            last_merge = time.monotonic()


def run_on_processes(
    tasks: list[Task], workers: int, folder: Path, progress: Progress | None = None
) -> RunReport:
    """Local worker processes (spawned, so no inherited threads or open files), for when Dask
    is not installed: a failed task is tried again up to RETRIES times; a crashed process
    (the pool breaks) gets a new pool for the tasks not finished."""
    report = RunReport()
    try:
        _follow(_pool_results(tasks, workers), tasks, folder, report, progress)
    except KeyboardInterrupt:
        report.interrupted = True
    return report


def _pool_results(tasks: list[Task], workers: int) -> Iterator[tuple[Task, TaskResult | None, str]]:
    attempts = dict.fromkeys(range(len(tasks)), 0)
    waiting = list(range(len(tasks)))
    while waiting:
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        try:
            running = {pool.submit(run_task, tasks[i]): i for i in waiting}
            waiting = []
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    i = running.pop(future)
                    try:
                        yield tasks[i], future.result(), ""
                        continue
                    except BrokenProcessPool as exc:  # a process died: a new pool retries
                        error: Exception = exc
                        broken = True
                    except Exception as exc:
                        error, broken = exc, False
                    attempts[i] += 1
                    if attempts[i] > RETRIES:
                        yield tasks[i], None, f"{type(error).__name__}: {error}"
                    elif broken:
                        waiting.append(i)
                    else:
                        running[pool.submit(run_task, tasks[i])] = i
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """Start processes that ignore Ctrl+C (the disposition survives their exec): the terminal
    sends it to the whole process group, and the LocalCluster's workers would each die with
    a traceback while this process is closing them in order."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may change signal handlers
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def local_cluster(workers: int, config: Mapping[str, object] = LOCAL_WORKER_CONFIG) -> Any:
    """A Dask LocalCluster of ``workers`` processes, one thread each (decoding holds the GIL
    in part, so threads would share it), started with ``config``; its dashboard on a free
    local port. Needs Dask installed."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(config):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            host="127.0.0.1",
            silence_logs=logging.ERROR,
        )


def run_on_dask(
    tasks: list[Task],
    folder: Path,
    *,
    workers: int = 0,
    scheduler: str | None = None,
    progress: Progress | None = None,
    announce: Callable[[str], None] | None = None,
) -> RunReport:
    """On the Dask scheduler at ``scheduler``, else on a LocalCluster of ``workers`` worker
    processes (one thread each: decoding holds the GIL in part, so threads would share it)."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise ClusterUnavailable(
            f"Dask is not installed, so there is no scheduler to talk to: {INSTALL_HINT}"
        ) from exc
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # distributed logs every worker's comings and goings at INFO; -v shows them.
        logging.getLogger("distributed").setLevel(logging.WARNING)
    report = RunReport()
    cluster: Any = None
    if scheduler is None:
        with _ctrl_c_ignored():
            cluster = local_cluster(workers)
    client = Client(cluster if cluster is not None else scheduler)
    try:
        report.dashboard = str(client.dashboard_link or "")
        if announce is not None:
            announce(report.dashboard)
        futures = client.map(
            run_task,
            tasks,
            key=[f"precompute-{task.name}" for task in tasks],
            retries=RETRIES,
            pure=False,
        )
        task_of = {future.key: task for future, task in zip(futures, tasks, strict=True)}

        def results() -> Iterator[tuple[Task, TaskResult | None, str]]:
            for future in as_completed(futures):
                task = task_of[future.key]
                try:
                    yield task, future.result(), ""
                except Exception as exc:  # out of retries, or its workers kept dying
                    yield task, None, f"{type(exc).__name__}: {exc}"

        try:
            _follow(results(), tasks, folder, report, progress)
        except KeyboardInterrupt:
            report.interrupted = True
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return report
