"""Planning a precompute of a whole ImageNet-21k index (issue 18; run by hand).

Usage: python benchmarks/bench_plan_21k.py ROOT CACHE [--rows N]

ROOT and CACHE are made by ``make_stored_21k.py`` (14,197,950 images indexed). Each step runs
in a fresh process, measured with /usr/bin/time (wall, peak RSS as the OS counts it):

1. the baseline: the relative path of every row, in one Python loop (the least any planner
   that names the images it plans must do);
2. ``iter_plan`` + ``write_plan`` of thumbnails, hashes and sizes for every row, against an
   empty shared cache (everything is planned), into a temporary folder that is removed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PRELUDE = """
import sys, time
from pathlib import Path
import numpy as np
sys.path.insert(0, {repo!r})
from browser.core.hierarchy.wordnet import load_hierarchy
from browser.core.dataset.opening import open_dataset
index = open_dataset({root!r}, load_hierarchy(), cache_dir=Path({cache!r}))
rows = np.arange(min(len(index), {rows}))
began = time.perf_counter()
"""

BASELINE = """
names = 0
for row in rows.tolist():
    names += len(index.relpath(row))
print(f"seconds {{time.perf_counter() - began:.2f}} rows {{len(rows)}}")
"""

PLAN = """
from browser.core.images.precompute import KINDS, iter_plan, write_plan
from browser.core.images.sharedcache import dataset_folder, start_folder
from browser.core.images.sharedcachereader import SharedCache
folder = dataset_folder(Path({out!r}), index.root)
start_folder(folder)
with SharedCache(folder) as shared:
    plan = write_plan(folder, iter_plan(index, rows, shared, KINDS, (128,)), (128,))
size = (folder / "plans" / plan.name).stat().st_size
print(f"seconds {{time.perf_counter() - began:.2f}} rows {{plan.rows}} plan {{size / 1e6:.0f}} MB")
"""


def timed(code: str) -> tuple[str, float]:
    done = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return done.stdout.strip(), int(rss.group(1)) / 1024 if rss else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root")
    parser.add_argument("cache")
    parser.add_argument("--rows", type=int, default=10**9)
    args = parser.parse_args()
    values = {"repo": str(REPO), "root": args.root, "cache": args.cache, "rows": args.rows}
    line, rss = timed((PRELUDE + BASELINE).format(**values))
    print(f"baseline, every row's relative path: {line}; peak RSS {rss:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as out:
        line, rss = timed((PRELUDE + PLAN).format(**values, out=out))
    print(f"plan of thumbnails, hashes and sizes: {line}; peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
