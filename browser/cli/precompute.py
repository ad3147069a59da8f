"""``synset-browser precompute``: thumbnails, perceptual hashes and pixel sizes computed ahead,
on a Dask cluster or local processes, into a cache every window and ``duplicates``/``stats``
read (``docs/cluster.md``)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from browser.cli.opening import find_nodes, open_index
from browser.cli.output import emit
from browser.cli.parsing import PROG, UsageError, add_common, add_layout
from browser.core import userdirs
from browser.core.dataset.view import DatasetView
from browser.core.images import writerlock
from browser.core.images.precompute import (
    DEFAULT_BUCKETS,
    DEFAULT_TASK_ROWS,
    KINDS,
    iter_plan,
    remove_plans,
    split_tasks,
    write_plan,
)
from browser.core.images.precomputerun import (
    INSTALL_HINT,
    RunReport,
    dask_available,
    run_on_dask,
    run_on_processes,
)
from browser.core.images.sharedcache import (
    clear_part_temporaries,
    dataset_folder,
    merge,
    start_folder,
)
from browser.core.images.sharedcachereader import SharedCache
from browser.core.images.thumbnails import BUCKETS

if TYPE_CHECKING:
    from browser.core.dataset.index import DatasetIndex
    from browser.core.hierarchy.dag import Hierarchy


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "precompute",
        help="compute thumbnails, hashes and pixel sizes ahead, on Dask or local processes",
    )
    parser.add_argument("dataset")
    parser.add_argument(
        "--what",
        default=",".join(KINDS),
        help=f"comma-separated, of {', '.join(KINDS)} (default: all)",
    )
    parser.add_argument("--node", metavar="WNID", help="only images at or below this synset")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_BUCKETS)),
        help=f"thumbnail sizes, of {', '.join(map(str, BUCKETS))} (default: 128)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, help="local worker processes (default: the number of cores)"
    )
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler")
    parser.add_argument(
        "--root-on-workers",
        metavar="PATH",
        help="the dataset root as the workers see it, if mounted elsewhere there",
    )
    parser.add_argument(
        "--task-rows",
        type=int,
        default=DEFAULT_TASK_ROWS,
        help=f"images per task (default {DEFAULT_TASK_ROWS:,})",
    )
    add_common(parser)
    add_layout(parser)
    return parser


def _choices(text: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(word.strip() for word in text.split(",") if word.strip()))
    wrong = [word for word in chosen if word not in allowed]
    if wrong or not chosen:
        raise UsageError(
            f"{PROG} precompute: {what} must be among {', '.join(allowed)}, "
            f"not {', '.join(wrong) or 'nothing'}"
        )
    return chosen


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    kinds = _choices(args.what, KINDS, "--what")
    sizes = _choices(args.sizes, tuple(map(str, BUCKETS)), "--sizes")
    buckets = tuple(int(size) for size in sizes)
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"{PROG} precompute: --workers must be at least 1")
    if args.task_rows < 1:
        raise UsageError(f"{PROG} precompute: --task-rows must be at least 1")
    if args.scheduler and not dask_available():
        raise UsageError(
            f"{PROG} precompute: --scheduler needs Dask, which is not installed: {INSTALL_HINT}"
        )
    # The index stays in the local cache (it is SQLite, which must not be written over NFS);
    # --cache-dir names where the results go, typically a shared folder.
    local = argparse.Namespace(**{**vars(args), "cache_dir": None})
    index = open_index(local, hierarchy)
    node = find_nodes(index.hierarchy, [args.node] if args.node else [])[0]
    rows = DatasetView(index).rows(node)
    folder = dataset_folder(userdirs.cache_dir(args.cache_dir), index.root).absolute()
    try:
        with writerlock.writing(folder) as lock:
            for notice in lock.notices:
                _say(notice)
            return _precompute(args, index, rows, folder, (kinds, buckets), lock)
    except writerlock.WriterBusy as exc:
        _say(str(exc))
        return 1


def _precompute(
    args: argparse.Namespace,
    index: DatasetIndex,
    rows: Any,
    folder: Path,
    asked: tuple[tuple[str, ...], tuple[int, ...]],
    lock: writerlock.WriterLock,
) -> int:
    """The run proper, while this process is the folder's one writer."""
    kinds, buckets = asked
    start_folder(folder)
    clear_part_temporaries(folder)  # no task of ours runs yet: leftovers are a dead run's
    merge(folder)  # parts an interrupted run finished count as done
    remove_plans(folder)  # earlier runs' plans: this run plans what is still missing
    with SharedCache(folder) as shared:
        plan = write_plan(folder, iter_plan(index, rows, shared, kinds, buckets), buckets)
    _say(f"{len(rows):,} images selected, {plan.rows:,} still need {', '.join(kinds)}")
    _say(f"results: {folder}")
    if not plan.rows:
        if args.json:
            emit({"folder": str(folder), "tasks": 0, "done": 0, "failed": 0, "images": 0})
        return 0
    root = args.root_on_workers or index.root
    tasks = split_tasks(str(folder), plan.name, plan.rows, root, args.task_rows)
    progress = _Progress()
    began = time.monotonic()
    report = _run(args, tasks, folder, progress)
    progress.finish()
    if not report.interrupted:
        # Every task has its result, so no worker of ours writes here any more: what a killed
        # worker left half-written goes now, not at the next run.
        clear_part_temporaries(folder)
    if lock.held():
        merged = merge(folder)
        if not report.interrupted:  # every task has ended: none reads the plan any more
            remove_plans(folder)
    else:  # this run stalled past the lock's heartbeat and another took over: it merges
        merged = 0
        _say("another precompute took over this folder; it will merge these results")
    elapsed = time.monotonic() - began
    rate = report.images / elapsed if elapsed > 0 else 0.0
    _say(
        f"{len(report.done):,}/{len(tasks):,} tasks done ({report.images:,} images, "
        f"{rate:,.0f}/s); {merged:,} parts merged"
    )
    for task, error in report.failed:
        _say(f"task {task.name} (rows {task.start:,}–{task.stop - 1:,}) failed: {error}")
    if report.interrupted:
        _say("interrupted: what finished is kept; run the same command again to go on")
        return 130
    if args.json:
        emit(
            {
                "folder": str(folder),
                "tasks": len(tasks),
                "done": len(report.done),
                "failed": len(report.failed),
                "images": report.images,
                "computed": report.computed,
                "interrupted": report.interrupted,
            }
        )
    return 1 if report.failed else 0


def _run(
    args: argparse.Namespace, tasks: list[Any], folder: Path, progress: _Progress
) -> RunReport:
    workers = args.workers or os.cpu_count() or 1
    if args.scheduler or dask_available():
        return run_on_dask(
            tasks,
            folder,
            workers=workers,
            scheduler=args.scheduler,
            progress=progress,
            announce=lambda link: _say(f"Dask dashboard: {link or 'not available'}"),
        )
    _say(f"Dask is not installed: {workers} local processes ({INSTALL_HINT} for a cluster)")
    return run_on_processes(tasks, workers, folder, progress)


class _Progress:
    """Tasks and images done, on one terminal line, at most a few times a second."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.began = time.monotonic()
        self.last = 0.0

    def __call__(self, report: RunReport, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.25:
            return
        self.last = now
        rate = report.images / max(1e-9, now - self.began)
        sys.stderr.write(
            f"\rprecompute: {len(report.done) + len(report.failed):,}/{total:,} tasks, "
            f"{report.images:,} images, {rate:,.0f}/s".ljust(70)
        )
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled and self.last:
            sys.stderr.write("\n")


def _say(line: str) -> None:
    print(f"synset-browser precompute: {line}", file=sys.stderr)
