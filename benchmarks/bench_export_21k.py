"""A 1M-image hard-link export out of a 14.2M-image index (issue 15; run by hand).

Usage: python benchmarks/bench_export_21k.py ROOT CACHE [--node WNID] [--keep]

ROOT and CACHE are made by ``make_stored_21k.py`` (the 21,843 folders of ImageNet-21k indexed,
650 names each, almost all without files). This gives every folder below ``--node`` (default
n13103136, woody plant: 1,631 classes, 1,060,150 images) its 650 files (one JPEG and hard
links to it; not timed), then times, in the same run:

1. the baseline: ``os.link`` of the same files into a fresh folder, one Python loop;
2. ``synset-browser export ROOT --node WNID --mode hardlink`` in a fresh process (index
   opened from CACHE, plan, names, links, manifest), with its peak RSS.

Everything written (the exports and, unless --keep, the files made in ROOT) is removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_scale import timed_cli  # noqa: E402
from browser.core.dataset.opening import open_dataset  # noqa: E402
from browser.core.dataset.view import DatasetView  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402


def selected_files(root: Path, cache: Path, wnid: str) -> list[tuple[Path, list[str]]]:
    """(folder, names) of every folder whose images are at or below ``wnid``."""
    hierarchy = load_hierarchy()
    index = open_dataset(root, hierarchy, cache_dir=cache)
    rows = DatasetView(index).rows(hierarchy.index(wnid))
    folders = np.unique(index.folder_ids[rows])
    found = []
    for folder_id in folders.tolist():
        span = index.folder_rows(folder_id)
        relpath = index.relpath(span.start).rsplit("/", 1)[0]
        found.append((root / relpath, [index.name(r) for r in span]))
    return found


def populate(selection: list[tuple[Path, list[str]]]) -> list[Path]:
    """One real JPEG per folder, hard links for the rest; returns the files made."""
    rng = np.random.default_rng(0)
    made = []
    for folder, names in selection:
        first = folder / names[0]
        if not first.exists():
            pixels = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(first, quality=85)
            made.append(first)
        for name in names[1:]:
            path = folder / name
            if not path.exists():
                os.link(first, path)
                made.append(path)
    return made


def baseline(selection: list[tuple[Path, list[str]]], out: Path) -> float:
    began = time.perf_counter()
    for folder, names in selection:
        target = out / folder.name
        target.mkdir(parents=True)
        for name in names:
            os.link(folder / name, target / name)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("cache", type=Path)
    parser.add_argument("--node", default="n13103136")
    parser.add_argument("--keep", action="store_true", help="keep the files made in ROOT")
    args = parser.parse_args()
    selection = selected_files(args.root, args.cache, args.node)
    images = sum(len(names) for _, names in selection)
    print(f"{args.node}: {len(selection):,} folders, {images:,} images")
    began = time.perf_counter()
    made = populate(selection)
    print(f"files made in ROOT: {len(made):,} in {time.perf_counter() - began:.0f} s (not timed)")
    out_base = args.root.parent / "bench-export-out"
    shutil.rmtree(out_base, ignore_errors=True)
    out_base.mkdir()
    try:
        os.sync()
        link_s = baseline(selection, out_base / "baseline")
        print(f"baseline: os.link of {images:,} files in {link_s:.1f} s")
        os.sync()
        argv = [
            "export", str(args.root), "--node", args.node, "--out", str(out_base / "export"),
            "--mode", "hardlink", "--cache-dir", str(args.cache),
        ]  # fmt: skip
        wall, rss = timed_cli(argv)
        exported = sum(1 for _ in (out_base / "export").rglob("*.JPEG"))
        print(
            f"export --mode hardlink: {exported:,} images in {wall:.1f} s "
            f"({wall / link_s:.2f}x the baseline), peak RSS {rss:.0f} MB"
        )
    finally:
        shutil.rmtree(out_base, ignore_errors=True)
        if not args.keep:
            for path in made:
                path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
