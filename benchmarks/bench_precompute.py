"""Precompute throughput on real JPEGs: Dask worker processes against the in-process loop.

For thumbnails (128 px) and for perceptual hashes, separately:

1. the in-process loop: the app's own functions over every file, in this process;
2. ``run_task`` on a Dask LocalCluster of 1 worker process, then of 2 (one thread each),
   timed from submitting the tasks to the last result (the cluster's start is not counted;
   ``--with-startup`` prints it apart), then the merge of the parts into the index.

Goals (issue 18): 2 workers ≥ 1.7× 1 worker; one worker's rate ≥ 0.9× the in-process loop.
Each measurement is made ``--repeat`` times (default 2); every number is printed.

The images are the sample JPEGs (``--samples``, default /work/shared/samples/imagenet)
copied over and over into class folders of a temporary dataset (``--images``, default
4000), which is removed at the end.

Usage: python benchmarks/bench_precompute.py [--images 4000] [--task-rows 250] [--repeat 2]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.dataset import open_dataset  # noqa: E402
from browser.core.precompute import (  # noqa: E402
    hash_or_none,
    plan_rows,
    run_task,
    split_tasks,
    thumbnail_or_reason,
    write_plan,
)
from browser.core.sharedcache import dataset_folder, merge, start_folder  # noqa: E402
from browser.core.wordnet import load_hierarchy  # noqa: E402


def make_dataset(samples: Path, root: Path, count: int) -> None:
    sources = sorted(samples.glob("*.JPEG"))
    if not sources:
        raise SystemExit(f"no .JPEG files in {samples}")
    for i in range(count):
        source = sources[i % len(sources)]
        wnid = source.name.split("_")[0]
        folder = root / wnid
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / f"{wnid}_{i}.JPEG")


def in_process(paths: list[str], kind: str) -> float:
    began = time.perf_counter()
    for path in paths:
        if kind == "thumbnails":
            thumbnail_or_reason(path, 128)
        else:
            hash_or_none(path)
    return time.perf_counter() - began


def on_dask(tasks: list, workers: int) -> tuple[float, float]:
    """(wall seconds from submit to the last result, the cluster's start-up seconds)."""
    from distributed import Client, LocalCluster, wait

    logging.getLogger("distributed").setLevel(logging.ERROR)
    began = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(workers)
        # Warm each worker's imports (Pillow, numpy) as a long run's first task would.
        client.run(lambda: __import__("browser.core.precompute"))
        started = time.perf_counter()
        futures = client.map(run_task, tasks, pure=False)
        wait(futures)
        wall = time.perf_counter() - started
        failed = [f for f in futures if f.status != "finished"]
        if failed:
            raise SystemExit(f"{len(failed)} tasks failed: {failed[0].exception()}")
        del futures
    return wall, started - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", default="/work/shared/samples/imagenet", type=Path)
    parser.add_argument("--images", type=int, default=4000)
    parser.add_argument("--task-rows", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="bench-precompute-") as temp:
        root = Path(temp) / "imagenet-copies"
        make_dataset(args.samples, root, args.images)
        index = open_dataset(root, load_hierarchy(), cache_dir=Path(temp) / "index")
        rows = np.arange(len(index))
        paths = [index.path(r) for r in rows.tolist()]
        folders = len({os.path.dirname(p) for p in paths})
        print(f"{len(paths):,} JPEGs in {folders} class folders")
        for kind in ("thumbnails", "hashes"):
            for attempt in range(args.repeat):
                loop = in_process(paths, kind)
                print(f"{kind}: in-process loop {len(paths) / loop:7.0f}/s  (run {attempt + 1})")
            for workers in (1, 2):
                for attempt in range(args.repeat):
                    cache = Path(temp) / f"cache-{kind}-{workers}-{attempt}"
                    folder = dataset_folder(cache, index.root)
                    start_folder(folder)
                    planned = plan_rows(index, rows, None, (kind,), (128,))
                    plan = write_plan(folder, planned, (128,))
                    tasks = split_tasks(str(folder), plan, len(planned), index.root, args.task_rows)
                    wall, startup = on_dask(tasks, workers)
                    began = time.perf_counter()
                    merge(folder)
                    merged = time.perf_counter() - began
                    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
                    print(
                        f"{kind}: {workers} worker(s) {len(paths) / wall:7.0f}/s "
                        f"({len(paths) / wall / workers:5.0f}/s per worker; cluster start "
                        f"{startup:.1f} s; merge {merged * 1000:.0f} ms, "
                        f"{merged / len(paths) * 1e6:.0f} µs/image; cache {size / 1e6:.1f} MB)"
                        f"  (run {attempt + 1})"
                    )
                    shutil.rmtree(cache)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
