"""Near-duplicate search at scale.

1. ``near_pairs`` on 1.28M synthetic 64-bit hashes with planted near-duplicates
   (goal: < 30 s and < 1 GB).
2. ``--near-identical N``: the near search's worst case (distinct hashes sharing chunks).
3. ``synset-browser duplicates`` on a tree of many identical images (hard links of one real
   sample JPEG) plus many distinct ones (small random JPEGs): the first run hashes every file,
   the second finds the hashes cached and measures the grouping (goal at 20,000 identical +
   100,000 distinct: < 30 s and < 500 MB). Each run is a fresh process; its peak RSS is its
   own VmHWM.
4. Hashing throughput against the scaled-decode loop on the same files (``--samples``).

Usage: python benchmarks/bench_duplicates.py [--hashes 1281167] [--identical 20000]
           [--distinct 100000] [--samples DIR]
Everything it writes goes to a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.analysis.duplicates import DEFAULT_MAX_DISTANCE, group_hashes, near_pairs  # noqa: E402
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids  # noqa: E402
from browser.core.images.phash import file_hash  # noqa: E402
from browser.core.images.thumbnails import decode_with_pillow  # noqa: E402


def grouping(count: int) -> tuple[float, float, int, int]:
    rng = np.random.default_rng(2012)
    hashes = rng.integers(0, 2**64 - 1, size=count, dtype=np.uint64, endpoint=True)
    planted = 10_000
    sources = rng.choice(count, size=planted, replace=False)
    copies = hashes[sources].copy()
    for position in range(planted):
        for bit in rng.choice(
            64, size=int(rng.integers(0, DEFAULT_MAX_DISTANCE + 1)), replace=False
        ):
            copies[position] ^= np.uint64(1 << int(bit))
    hashes[rng.choice(np.setdiff1d(np.arange(count), sources), size=planted, replace=False)] = (
        copies
    )
    started = time.perf_counter()
    pairs = near_pairs(hashes, DEFAULT_MAX_DISTANCE)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return elapsed, peak_mb, len(pairs), planted


def identical_hashes(identical: int, distinct: int) -> tuple[float, float, int]:
    """The grouping alone on ``identical`` equal plus ``distinct`` random hashes: (seconds,
    peak MB of numpy allocations, groups)."""
    rng = np.random.default_rng(3)
    random = rng.integers(0, 2**64 - 1, size=distinct, dtype=np.uint64, endpoint=True)
    hashes = np.concatenate([random, np.full(identical, 12345, dtype=np.uint64)])
    rows = np.arange(len(hashes), dtype=np.int64)
    labels = (rows % 1000).astype(np.int32)
    tracemalloc.start()
    started = time.perf_counter()
    groups = group_hashes(rows, hashes, labels, labels, DEFAULT_MAX_DISTANCE)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return elapsed, peak, len(groups)


def near_identical(count: int) -> tuple[float, float, int]:
    """The search's worst case: ``count`` distinct hashes equal in two of the three chunks
    (42 of 64 bits), so every probe of those chunks finds all of them. (seconds, peak MB of
    numpy allocations, groups)."""
    rng = np.random.default_rng(5)
    hashes = np.uint64(0x5A5A_5A5A_5A40_0000) | rng.choice(
        np.arange(1 << 22, dtype=np.uint64), size=count, replace=False
    )
    rows = np.arange(count, dtype=np.int64)
    zeros = np.zeros(count, dtype=np.int32)
    tracemalloc.start()
    started = time.perf_counter()
    groups = group_hashes(rows, hashes, zeros, zeros, DEFAULT_MAX_DISTANCE)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return elapsed, peak, len(groups)


def build_tree(root: Path, sample: Path, identical: int, distinct: int) -> None:
    """``identical`` hard links of ``sample`` over 20 classes, and ``distinct`` random 64×64
    JPEGs over 100 classes (ILSVRC train layout: <wnid>/<file>)."""
    wnids = ilsvrc_wnids()
    for number in range(identical):
        folder = root / wnids[number % 20]
        folder.mkdir(parents=True, exist_ok=True)
        os.link(sample, folder / f"same_{number}.JPEG")
    rng = np.random.default_rng(7)
    for number in range(distinct):
        folder = root / wnids[100 + number % 100]
        folder.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
        image = Image.fromarray(pixels).resize((64, 64), Image.Resampling.BILINEAR)
        image.save(folder / f"random_{number}.JPEG", "JPEG", quality=90)


def run_cli(root: Path, cache: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, groups) of one ``duplicates --json`` run in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(root), str(cache)],
        capture_output=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    peak_kb = int(done.stderr.decode().rsplit("VmHWM:", 1)[1].split()[0])
    return elapsed, peak_kb / 1024, len(json.loads(done.stdout)["groups"])


def child(root: str, cache: str) -> None:
    from browser.cli.main import run

    status = run(["duplicates", root, "--json", "--cache-dir", cache])
    with open("/proc/self/status") as status_file:
        peak = next(line for line in status_file if line.startswith("VmHWM"))
    sys.stderr.write(peak)
    sys.exit(status)


def identical_images(sample: Path, identical: int, distinct: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="synset-bench-dupes-"))
    try:
        started = time.perf_counter()
        build_tree(work / "ds", sample, identical, distinct)
        built = time.perf_counter() - started
        first = run_cli(work / "ds", work / "cache")
        second = run_cli(work / "ds", work / "cache")
    finally:
        shutil.rmtree(work)
    name = f"{identical:,} identical + {distinct:,} distinct images"
    print(f"| {name}: building the tree | {built:.1f} s |")
    print(
        f"| {name}: `duplicates`, first run (hashes every file) | {first[0]:.1f} s, "
        f"peak RSS {first[1]:,.0f} MB, {first[2]:,} groups |"
    )
    print(
        f"| {name}: `duplicates`, hashes cached (the grouping) | **{second[0]:.1f} s, "
        f"peak RSS {second[1]:,.0f} MB**, {second[2]:,} groups |"
    )


def hashing(samples: Path) -> tuple[float, float]:
    files = sorted(str(p) for p in samples.glob("*.JPEG")) * 5
    started = time.perf_counter()
    for path in files:
        decode_with_pillow(path, 64)
    limit = len(files) / (time.perf_counter() - started)
    started = time.perf_counter()
    for path in files:
        file_hash(path)
    return limit, len(files) / (time.perf_counter() - started)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hashes", type=int, default=1_281_167, help="0: skip")
    parser.add_argument("--identical", type=int, default=20_000, help="0: skip the tree")
    parser.add_argument("--distinct", type=int, default=100_000)
    parser.add_argument("--samples", type=Path, help="real JPEGs (the tree links the first)")
    parser.add_argument("--near-identical", type=int, default=0, help="the worst case; 0: skip")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')}; max distance {DEFAULT_MAX_DISTANCE}")
    print("| measure | result |\n|---|---|")
    if args.hashes:
        elapsed, peak, pairs, planted = grouping(args.hashes)
        print(
            f"| near pairs among {args.hashes:,} hashes ({planted:,} planted) | {elapsed:.1f} s, "
            f"peak RSS {peak:,.0f} MB, {pairs:,} pairs found |"
        )
    if args.identical:
        elapsed, peak, groups = identical_hashes(args.identical, args.distinct)
        print(
            f"| grouping alone: {args.identical:,} equal + {args.distinct:,} random hashes | "
            f"{elapsed:.2f} s, peak numpy memory {peak:,.0f} MB, {groups:,} groups |"
        )
    if args.near_identical:
        elapsed, peak, groups = near_identical(args.near_identical)
        print(
            f"| worst case: {args.near_identical:,} distinct hashes equal in 42 of 64 bits | "
            f"{elapsed:.1f} s, peak numpy memory {peak:,.0f} MB, {groups:,} groups |"
        )
    if args.samples and args.identical:
        identical_images(sorted(args.samples.glob("*.JPEG"))[0], args.identical, args.distinct)
    if args.samples:
        limit, rate = hashing(args.samples)
        print(f"| Pillow draft decode loop at 64 px, 1 thread (the limit) | {limit:,.0f}/s |")
        print(
            f"| perceptual hash, 1 thread | {rate:,.0f}/s = **{rate / limit:.2f}** of the limit |"
        )


if __name__ == "__main__":
    main()
