"""Near-duplicate grouping at ImageNet scale: 1.28M synthetic 64-bit hashes with planted
near-duplicates (goal: < 30 s and < 1 GB), and hashing throughput against the scaled-decode
loop on the same files.

Usage: python benchmarks/bench_duplicates.py [--hashes 1281167] [--samples DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.duplicates import DEFAULT_MAX_DISTANCE, near_pairs  # noqa: E402
from browser.core.phash import file_hash  # noqa: E402
from browser.core.thumbnails import decode_with_pillow  # noqa: E402


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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hashes", type=int, default=1_281_167)
    parser.add_argument("--samples", type=Path)
    args = parser.parse_args()
    elapsed, peak, pairs, planted = grouping(args.hashes)
    print(f"{time.strftime('%Y-%m-%d')}; max distance {DEFAULT_MAX_DISTANCE}")
    print("| measure | result |\n|---|---|")
    print(
        f"| near pairs among {args.hashes:,} hashes ({planted:,} planted) | {elapsed:.1f} s, "
        f"peak RSS {peak:,.0f} MB, {pairs:,} pairs found |"
    )
    if args.samples:
        limit, rate = hashing(args.samples)
        print(f"| Pillow draft decode loop at 64 px, 1 thread (the limit) | {limit:,.0f}/s |")
        print(
            f"| perceptual hash, 1 thread | {rate:,.0f}/s = **{rate / limit:.2f}** of the limit |"
        )


if __name__ == "__main__":
    main()
