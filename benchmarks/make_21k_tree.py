"""Generate an ImageNet-21k-sized tree: 21,843 wnid folders × 650 files = 14,197,950 images.

Usage: python benchmarks/make_21k_tree.py WNIDS_FILE [DEST] [--per-class N] [--samples DIR]

WNIDS_FILE is timm's ``timm/data/_info/imagenet21k_goog_synsets.txt`` (``pip download timm
--no-deps`` and unzip the wheel); the app itself never needs it. Each folder gets one real
JPEG copied from --samples (taken in turn) and hard links to that copy for its other files:
ext4 allows 65,000 links per inode, so one inode per folder stays far below it and the tree
costs directory entries, not image bytes. Remove it with ``rm -rf DEST`` when done.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import time
from pathlib import Path


def make_tree(wnids: list[str], dest: Path, per_class: int, samples: list[Path]) -> int:
    made = 0
    for n, wnid in enumerate(wnids):
        folder = os.path.join(dest, wnid)
        os.makedirs(folder, exist_ok=True)
        first = os.path.join(folder, f"{wnid}_0.JPEG")
        if not os.path.exists(first):
            shutil.copyfile(samples[n % len(samples)], first)
        made += 1
        for i in range(1, per_class):
            with contextlib.suppress(FileExistsError):
                os.link(first, os.path.join(folder, f"{wnid}_{i}.JPEG"))
            made += 1
        if n % 1000 == 999:
            print(f"{n + 1:,} folders, {made:,} files", flush=True)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("wnids", type=Path)
    parser.add_argument("dest", nargs="?", default="/tmp/synset-bench/in21k", type=Path)
    parser.add_argument("--per-class", type=int, default=650)
    parser.add_argument("--samples", type=Path, default=Path("/work/shared/samples/imagenet"))
    args = parser.parse_args()
    wnids = args.wnids.read_text().split()
    samples = sorted(args.samples.glob("*.JPEG"))
    if not samples:
        parser.error(f"no *.JPEG in {args.samples}")
    started = time.perf_counter()
    made = make_tree(wnids, args.dest, args.per_class, samples)
    print(f"{made:,} files under {args.dest} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
