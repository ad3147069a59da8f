"""ImageNet-21k-scale benchmarks (issue 15; run by hand, results go to docs/performance.md).

Usage: python benchmarks/bench_scale.py TREE [--cold] [--skip-stat] [--stored CACHE]

TREE is made by benchmarks/make_21k_tree.py (21,843 folders × 650 files), or TREE and an
index already stored in CACHE by benchmarks/make_stored_21k.py (for --stored). Every step runs
in a fresh process, and a bare ``os.scandir`` walk of the same tree is measured in the same
run as the baseline. With --cold (root only) the page cache is dropped before the cold
measurements. The index is written to a temporary cache folder, removed at the end; remove
the tree yourself (``rm -rf TREE``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_foundation import bare_walk  # noqa: E402

ENTITY = "n00001740"


def drop_page_cache() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def in_subprocess(code: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def timed_cli(argv: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB, as the OS counts it: mapped pages included) of one
    CLI run in a fresh process."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-m", "browser", *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if wall is None or rss is None:
        raise RuntimeError(f"no timing from /usr/bin/time:\n{done.stderr}")
    hours, minutes, seconds = wall.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return total, int(rss.group(1)) / 1024


PEAK = """
rss = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmHWM")) / 1024
"""

SCAN = (
    """
import json, time
from pathlib import Path
from browser.core.hierarchy.wordnet import load_hierarchy
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.counts import compute_counts
h = load_hierarchy()
t0 = time.perf_counter()
index = open_dataset({root!r}, h, cache_dir=Path({cache!r}))
compute_counts(index)
t1 = time.perf_counter()
"""
    + PEAK
    + """
print(json.dumps({{"listing": t1 - t0, "images": len(index), "peak_rss_mb": rss}}))
"""
)

STAT = (
    """
import json, time
from pathlib import Path
from browser.core.hierarchy.wordnet import load_hierarchy
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.statpass import fill_file_facts
h = load_hierarchy()
index = open_dataset({root!r}, h, cache_dir=Path({cache!r}))
t0 = time.perf_counter()
done = fill_file_facts(index)
t1 = time.perf_counter()
"""
    + PEAK
    + """
print(json.dumps({{"stat": t1 - t0, "files": done, "peak_rss_mb": rss}}))
"""
)

BREAKDOWN = (
    """
import json, time
t0 = time.perf_counter()
from pathlib import Path
from browser.core.hierarchy.wordnet import load_hierarchy
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.analysis.statistics import synset_statistics
t1 = time.perf_counter()
h = load_hierarchy()
t2 = time.perf_counter()
index = open_dataset({root!r}, h, cache_dir=Path({cache!r}))
assert not index.scanned
t3 = time.perf_counter()
view = DatasetView(index)
t4 = time.perf_counter()
stats = synset_statistics(view, h.index({entity!r}))
stats.as_dict(view)
t5 = time.perf_counter()
rows = view.rows(h.index({entity!r}))
names = [index.relpath(int(r)) for r in rows[:200]]
t6 = time.perf_counter()
"""
    + PEAK
    + """
print(json.dumps({{"imports": t1 - t0, "hierarchy": t2 - t1, "open": t3 - t2,
                  "counts": t4 - t3, "entity_statistics": t5 - t4,
                  "entity_rows_and_200_names": t6 - t5, "peak_rss_mb": rss}}))
"""
)


def walk_and_scan(
    root: str, cache: str, cold: bool, skip_stat: bool, rows: list[tuple[str, str, str]]
) -> int:
    """The bare walk baseline, a fresh scan and the stat pass; returns the files walked."""
    if cold:
        drop_page_cache()
        started = time.perf_counter()
        files = bare_walk(root)
        rows.append(("bare os.scandir walk, cold", f"{time.perf_counter() - started:.1f} s", ""))
    started = time.perf_counter()
    files = bare_walk(root)
    walk = time.perf_counter() - started
    rows.append(("bare os.scandir walk, warm", f"{walk:.1f} s", "baseline"))
    scan = in_subprocess(SCAN.format(root=root, cache=cache))
    rows.append(
        (
            "scan: listing to counts, incl. storing the index (fresh process, warm)",
            f"{scan['listing']:.1f} s (walk/scan {walk / scan['listing']:.2f}), "
            f"peak RSS {scan['peak_rss_mb']:.0f} MB",
            "walk/scan >= 0.5",
        )
    )
    if not skip_stat:
        stat = in_subprocess(STAT.format(root=root, cache=cache))
        rows.append(
            (
                "stat pass (sizes + mtimes, stored as new generations)",
                f"{stat['stat']:.1f} s for {stat['files']:,.0f} files, "
                f"peak RSS {stat['peak_rss_mb']:.0f} MB",
                "in the background",
            )
        )
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tree", type=Path)
    parser.add_argument("--cold", action="store_true", help="drop the page cache (root only)")
    parser.add_argument("--skip-stat", action="store_true", help="no stat pass")
    parser.add_argument(
        "--stored",
        type=Path,
        help="reopen the index already stored in this cache folder (no walk, scan or stat "
        "pass; the folder is kept)",
    )
    args = parser.parse_args()
    root = str(args.tree.resolve())
    cache = str(args.stored) if args.stored else tempfile.mkdtemp(prefix="synset-bench-cache-")
    files = 0
    rows: list[tuple[str, str, str]] = []
    try:
        if not args.stored:
            files = walk_and_scan(root, cache, args.cold, args.skip_stat, rows)
        # The fixed cost of the same command (interpreter, imports, WordNet), measured on a
        # one-image dataset in the same run: what is left over is the index's own cost.
        tiny = Path(cache) / "one-image"
        first = min(Path(root).iterdir())  # make_stored_21k.py fills the first folders only
        (tiny / first.name).mkdir(parents=True)
        os.link(next(first.iterdir()), tiny / first.name / "x.JPEG")
        tiny_argv = ["stats", str(tiny), ENTITY, "--json", "--cache-dir", cache]
        timed_cli(tiny_argv)  # scans it
        fixed = [timed_cli(tiny_argv) for _ in range(3)]
        rows.append(
            (
                "baseline: the same command on a one-image dataset (median of 3)",
                f"{statistics.median(w for w, _ in fixed):.2f} s, "
                f"peak RSS {max(r for _, r in fixed):.0f} MB",
                "baseline",
            )
        )
        argv = ["stats", root, ENTITY, "--json", "--cache-dir", cache]
        warm = [timed_cli(argv) for _ in range(3)]
        rows.append(
            (
                f"reopen: `stats DATASET {ENTITY} --json`, fresh process, warm (median of 3)",
                f"{statistics.median(w for w, _ in warm):.2f} s, "
                f"peak RSS {max(r for _, r in warm):.0f} MB",
                "< 1 s, < 500 MB",
            )
        )
        if args.cold:
            drop_page_cache()
            wall, rss = timed_cli(argv)
            rows.append(
                (
                    "the same, cold page cache",
                    f"{wall:.2f} s, peak RSS {rss:.0f} MB",
                    "< 1 s, < 500 MB",
                )
            )
        parts = in_subprocess(BREAKDOWN.format(root=root, cache=cache, entity=ENTITY))
        rows.append(
            (
                "in-process breakdown, warm: imports / hierarchy / open / counts / "
                "entity statistics / entity rows + 200 names",
                " / ".join(
                    f"{parts[k] * 1000:.0f} ms"
                    for k in (
                        "imports",
                        "hierarchy",
                        "open",
                        "counts",
                        "entity_statistics",
                        "entity_rows_and_200_names",
                    )
                )
                + f"; peak RSS {parts['peak_rss_mb']:.0f} MB",
                "",
            )
        )
        index_bytes = sum(p.stat().st_size for p in Path(cache).rglob("*") if p.is_file())
        rows.append(("index on disk (one generation)", f"{index_bytes / 2**20:.0f} MB", ""))
    finally:
        if not args.stored:
            shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(Path(cache) / "one-image", ignore_errors=True)
    print(
        f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"Tree: {root}, {files:,} files\n")
    print("| measure | result | goal |\n|---|---|---|")
    for name, value, goal in rows:
        print(f"| {name} | {value} | {goal} |")


if __name__ == "__main__":
    main()
