"""Export speed: 100k images in hardlink mode and manifest-only mode, against a bare os.link
loop over the same files in the same run (goal: hardlink export ≥ 0.5 of the bare loop).

Usage: python benchmarks/bench_export.py [--images 100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.dataset.opening import open_dataset  # noqa: E402
from browser.core.dataset.statpass import fill_file_facts  # noqa: E402
from browser.core.dataset.view import DatasetView  # noqa: E402
from browser.core.export.plan import ExportOptions, plan_export
from browser.core.export.run import run_export  # noqa: E402
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="synset-bench-export-"))
    root = work / "ds"
    classes = ilsvrc_wnids()[:100]
    per_class = args.images // len(classes)
    for wnid in classes:
        folder = root / wnid
        folder.mkdir(parents=True)
        for number in range(per_class):
            (folder / f"{wnid}_{number}.JPEG").write_bytes(b"\xff\xd8" + bytes(200))
    hierarchy = load_hierarchy()
    index = open_dataset(root, hierarchy, cache_dir=work / "cache")
    fill_file_facts(index)
    view = DatasetView(index)
    paths = [index.path(r) for r in range(len(index))]

    started = time.perf_counter()
    bare = work / "bare"
    for wnid in classes:
        (bare / wnid).mkdir(parents=True)
    for number, path in enumerate(paths):
        os.link(path, bare / classes[number // per_class] / f"{number}.JPEG")
    bare_s = time.perf_counter() - started

    results = {}
    for mode in ("hardlink", "none"):
        options = ExportOptions((hierarchy.wnid(hierarchy.root),), mode)
        started = time.perf_counter()
        plan = plan_export(view, options)
        planned = time.perf_counter() - started
        run_export(view, options, plan, work / f"out-{mode}")
        results[mode] = (time.perf_counter() - started, planned)
    total = len(paths)
    print(f"{total:,} images in {len(classes)} classes; {time.strftime('%Y-%m-%d')}")
    print("| measure | result |\n|---|---|")
    print(f"| bare os.link loop (the baseline) | {bare_s:.1f} s = {total / bare_s:,.0f} files/s |")
    for mode, (elapsed, planned) in results.items():
        print(
            f"| export, mode {mode} (plan {planned:.1f} s included) | {elapsed:.1f} s = "
            f"{total / elapsed:,.0f} files/s = **{bare_s / elapsed:.2f}** of the bare loop |"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
