"""Foundation benchmarks at ILSVRC-2012 scale (run by hand; results go to docs/performance.md).

Usage: python benchmarks/bench_foundation.py [TREE] [--repeat N]

TREE defaults to /tmp/synset-bench/ilsvrc and is generated (1000 × 1,281 empty files) when
missing. Every speed is reported with a baseline measured in the same run, since the
machines are noisy: a fresh scan against a bare ``os.scandir`` walk of the same tree, the
stat pass against a bare ``os.stat`` loop over the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.make_ilsvrc_tree import make_tree  # noqa: E402
from browser.core.dataset.counts import compute_counts  # noqa: E402
from browser.core.dataset.opening import open_dataset  # noqa: E402
from browser.core.dataset.statpass import fill_file_facts  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402


def bare_walk(path: str) -> int:
    """The baseline: list every folder with os.scandir, recursing into folders."""
    count = 0
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir():
                count += bare_walk(entry.path)
            else:
                count += 1
    return count


COLD = False


def drop_page_cache() -> None:
    """With --cold (root only): make every timed step read the disk again."""
    if COLD:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")


def timed(action: Callable[[], object]) -> float:
    drop_page_cache()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def in_subprocess(code: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


REOPEN = """
import json, time
t0 = time.perf_counter()
from pathlib import Path
from browser.core.hierarchy.wordnet import load_hierarchy
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.counts import compute_counts
t1 = time.perf_counter()
h = load_hierarchy()
t2 = time.perf_counter()
index = open_dataset({root!r}, h, cache_dir=Path({cache!r}))
assert not index.scanned
t3 = time.perf_counter()
counts = compute_counts(index)
t4 = time.perf_counter()
# VmHWM, not ru_maxrss: after fork+exec Linux reports the parent's peak in ru_maxrss.
rss = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmHWM")) / 1024
print(json.dumps({{"imports": t1 - t0, "hierarchy": t2 - t1, "reopen": t3 - t2,
                  "counts": t4 - t3, "images": len(index), "peak_rss_mb": rss}}))
"""

LOAD = """
import json, time
import numpy
t0 = time.perf_counter()
from browser.core.hierarchy.wordnet import load_hierarchy
h = load_hierarchy()
print(json.dumps({"load": time.perf_counter() - t0}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tree", nargs="?", default="/tmp/synset-bench/ilsvrc", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="drop the page cache (root only)")
    args = parser.parse_args()
    global COLD
    COLD = args.cold
    root = str(args.tree)
    if not args.tree.exists():
        make_tree(args.tree, 1281)
    hierarchy = load_hierarchy()
    rows: list[tuple[str, str, str]] = []

    loads = [in_subprocess(LOAD)["load"] for _ in range(5)]
    rows.append(
        (
            "hierarchy load, fresh process (median of 5)",
            f"{statistics.median(loads) * 1000:.0f} ms",
            "< 150 ms",
        )
    )

    scans, walks, ratios = [], [], []
    cache = ""
    caches = []  # removed at the end: a benchmark leaves nothing behind but the tree
    for _ in range(args.repeat):
        walk = timed(lambda: bare_walk(root))
        cache = tempfile.mkdtemp(prefix="synset-bench-cache-")
        caches.append(cache)
        scan = timed(
            lambda c=cache: compute_counts(  # type: ignore[misc]
                open_dataset(root, hierarchy, cache_dir=Path(c))
            )
        )
        walks.append(walk)
        scans.append(scan)
        ratios.append(walk / scan)
    rows.append(("bare os.scandir walk (median)", f"{statistics.median(walks):.2f} s", "baseline"))
    rows.append(
        (
            "fresh scan to counts, incl. storing the index (median)",
            f"{statistics.median(scans):.2f} s",
            "",
        )
    )
    rows.append(
        (
            "ratio walk / scan-to-counts (median; per run "
            + ", ".join(f"{r:.2f}" for r in ratios)
            + ")",
            f"{statistics.median(ratios):.2f}",
            ">= 0.5",
        )
    )

    index = open_dataset(root, hierarchy, cache_dir=Path(cache))
    paths = [index.path(r) for r in range(len(index))]
    bare_stat = timed(lambda: [os.stat(p) for p in paths])
    stat_pass = timed(lambda: fill_file_facts(index))
    rows.append(("bare os.stat loop over the same files", f"{bare_stat:.2f} s", "baseline"))
    rows.append(
        (
            "stat pass (sizes + mtimes, stored)",
            f"{stat_pass:.2f} s",
            f"ratio {bare_stat / stat_pass:.2f}",
        )
    )

    drop_page_cache()
    warm = in_subprocess(REOPEN.format(root=root, cache=cache))
    rows.append(
        (
            "reopen from the stored index (fresh process)",
            f"{warm['reopen'] * 1000:.0f} ms",
            "< 1 s",
        )
    )
    counts = [timed(lambda: compute_counts(index)) for _ in range(20)]
    rows.append(
        (
            "full-DAG counts, 82,115 synsets (median of 20)",
            f"{statistics.median(counts) * 1000:.1f} ms",
            "< 200 ms",
        )
    )
    rows.append(
        (
            f"peak RSS, {warm['images']:,.0f} images loaded + counts",
            f"{warm['peak_rss_mb']:.0f} MB",
            "< 400 MB",
        )
    )

    print(
        f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    cache_state = "page cache dropped before each timed step" if COLD else "warm page cache"
    print(
        f"Tree: {root}, {len(index):,} files in {len(index.class_nodes)} class folders "
        f"({cache_state})\n"
    )
    print("| measure | result | goal |\n|---|---|---|")
    for name, value, goal in rows:
        print(f"| {name} | {value} | {goal} |")
    for folder in caches:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
