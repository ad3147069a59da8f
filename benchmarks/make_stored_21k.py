"""A stored ImageNet-21k-sized index without the 14M-file tree (issue 15; run by hand).

Usage: python benchmarks/make_stored_21k.py WNIDS_FILE ROOT CACHE [--per-class N] [--real K]

Writes, with ``columnstore.save`` (the same writer a scan uses), the column index of a dataset
at ROOT of 21,843 wnid folders × 650 files = 14,197,950 images (random sizes) into the cache
folder CACHE, and makes ROOT itself: the 21,843 folders (so that what lists the dataset folder
lists as many entries as on the real tree), empty except the first K in path order, which get
their 650 files as real JPEGs (one generated JPEG and hard links to it), so that the window's
first screen of ``entity`` has thumbnails to show. Building the real tree
(``make_21k_tree.py``) takes half an hour and 14M directory entries; this takes about a minute.

WNIDS_FILE is timm's ``timm/data/_info/imagenet21k_goog_synsets.txt``. Then run
``bench_scale.py ROOT --stored CACHE``; remove both folders when done (~700 MB).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.dataset import columnstore  # noqa: E402
from browser.core.dataset.layouts import LAYOUT_CLASS_FOLDERS  # noqa: E402
from browser.core.dataset.scanner import FolderRecord  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402


def folder_names(wnid: str, per_class: int) -> list[str]:
    return sorted(f"{wnid}_{i}.JPEG" for i in range(per_class))


def make_root(root: Path, wnids: list[str], per_class: int, real: int) -> None:
    """The folders, and real files in the first ``real`` of them."""
    rng = np.random.default_rng(0)
    for n, wnid in enumerate(wnids):
        folder = root / wnid
        folder.mkdir(parents=True, exist_ok=True)
        if n >= real:
            continue
        names = folder_names(wnid, per_class)
        first = folder / names[0]
        pixels = rng.integers(0, 255, (375, 500, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(first, quality=85)
        for name in names[1:]:
            if not (folder / name).exists():
                os.link(first, folder / name)


def write_index(root: Path, cache: Path, wnids: list[str], per_class: int) -> str:
    hierarchy = load_hierarchy()
    rng = np.random.default_rng(1)
    folders = []
    mtime = time.time_ns()
    for wnid in wnids:
        node = hierarchy.find(wnid)
        names = folder_names(wnid, per_class)
        folders.append(
            FolderRecord(
                relpath=wnid,
                top=wnid,
                label=-1 if node is None else node,
                split="all",  # what a scan of class folders at the root says
                mtime_ns=mtime,
                names=b"\0".join(os.fsencode(n) for n in names),
                count=len(names),
                sizes=rng.integers(20_000, 400_000, len(names), dtype=np.int64),
                mtimes=np.full(len(names), mtime, dtype=np.int64),
            )
        )
    real = os.path.realpath(root)
    return columnstore.save(
        columnstore.columns_dir(cache, real),
        root=real,
        layout=LAYOUT_CLASS_FOLDERS,
        hierarchy=hierarchy,
        folders=folders,
        problems=[],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("wnids", type=Path)
    parser.add_argument("root", type=Path)
    parser.add_argument("cache", type=Path)
    parser.add_argument("--per-class", type=int, default=650)
    parser.add_argument("--real", type=int, default=2, help="folders given real files")
    args = parser.parse_args()
    wnids = sorted(args.wnids.read_text().split())
    started = time.perf_counter()
    make_root(args.root, wnids, args.per_class, args.real)
    generation = write_index(args.root, args.cache, wnids, args.per_class)
    print(
        f"{len(wnids):,} folders x {args.per_class} = {len(wnids) * args.per_class:,} images "
        f"indexed as {generation} in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
