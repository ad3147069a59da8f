"""Merging precompute parts into the shared cache's index, at scale (issue 18; run by hand).

Usage: python benchmarks/bench_merge.py [--images 1000000] [--part-rows 2000] [--generations 4]

The client of ``precompute`` merges finished part files into a new index generation every
few minutes and at the end; this times that merge on synthetic parts as a whole-dataset run
writes them (hash, pixel size and one 128 px thumbnail an image; the thumbnail's bytes are a
64-byte stand-in, since the merge reads only the parts' headers). The images are split into
``--generations`` equal merges, each into the index the previous one left, as a long run's
periodic merges are.

Baseline, in the same run: the least a merge into SQLite does: every part's JSON header read
and the same image and thumbnail rows inserted as plain tuples into a fresh database of the
same schema, in one transaction. Everything is written under a temporary folder, removed at
the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.images.sharedcache import (  # noqa: E402
    INDEX_SCHEMA,
    INDEXES,
    PARTS,
    PartEntry,
    dataset_folder,
    merge,
    read_manifest,
    read_part_header,
    start_folder,
    thumb_key,
    write_part,
)

BLOB = bytes(64)


def baseline(folder: Path, work: Path, dataset: str) -> float:
    """Headers read and rows inserted as tuples into a fresh database (seconds)."""
    began = time.perf_counter()
    with closing(sqlite3.connect(work)) as db:
        db.executescript(INDEX_SCHEMA)
        for part in sorted((folder / PARTS).glob("*.part")):
            header, base = read_part_header(part)
            rows, thumbs = [], []
            for record in header["entries"]:
                relpath = record["path"]
                size, mtime = record["size"], record["mtime"]
                hashed = record["hash"]
                hashed = hashed - (1 << 64) if hashed >= 1 << 63 else hashed
                rows.append((os.fsencode(relpath), size, mtime, 1, hashed, 1, 500, 375))
                offset, length = record["thumbs"]["128"]
                key = thumb_key(dataset, relpath, size, mtime, 128)
                thumbs.append((key, 1, base + offset, length, None))
            db.executemany("INSERT INTO images VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.executemany("INSERT INTO thumbs VALUES (?, ?, ?, ?, ?)", thumbs)
        db.commit()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=1_000_000)
    parser.add_argument("--part-rows", type=int, default=2000)
    parser.add_argument("--generations", type=int, default=4)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="bench-merge-") as temp:
        folder = dataset_folder(Path(temp) / "cache", "/data/imagenet21k")
        dataset = start_folder(folder)["dataset"]
        per_generation = -(-args.images // args.generations)
        total = 0.0
        for generation in range(args.generations):
            first = generation * per_generation
            count = min(per_generation, args.images - first)
            began = time.perf_counter()
            # Only this generation's parts are new: earlier ones are in the manifest.
            names = write_parts_from(folder, first, count, args.part_rows)
            written = time.perf_counter() - began
            began = time.perf_counter()
            merge(folder)
            took = time.perf_counter() - began
            total += took
            manifest = read_manifest(folder)
            if manifest is None or manifest["parts"][-1] != f"{names[-1]}.part":
                raise SystemExit("the merge did not take this generation's parts")
            index = folder / INDEXES / manifest["index"]
            print(
                f"merge {generation + 1}: {count:,} new images ({len(names)} parts, written in "
                f"{written:.1f} s) into {first:,}: {took:.1f} s, "
                f"{took / count * 1e6:.0f} µs/new image; index {index.stat().st_size / 1e6:.0f} MB"
            )
        ours = total / args.images
        base = baseline(folder, Path(temp) / "baseline.sqlite", dataset) / args.images
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"all {args.images:,} images: merges {ours * 1e6:.1f} µs/image, baseline "
            f"{base * 1e6:.1f} µs/image ({ours / base:.2f}x); peak RSS {peak:.0f} MB; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print(json.dumps({"merge_us": ours * 1e6, "baseline_us": base * 1e6}))


def write_parts_from(folder: Path, first: int, count: int, part_rows: int) -> list[str]:
    """Parts for images first … first + count - 1, ``part_rows`` a part; their task names."""
    names = []
    for start in range(first, first + count, part_rows):
        entries = []
        for i in range(start, min(first + count, start + part_rows)):
            wnid = f"n{10_000_000 + i // 650:08d}"
            entry = PartEntry(f"{wnid}/{wnid}_{i}.JPEG", 100_000 + i % 997, 1_600_000_000 + i)
            entry.hash, entry.has_hash = (i * 2_654_435_761) % (1 << 64), True
            entry.dims = (500, 375)
            entry.thumbs[128] = BLOB
            entries.append(entry)
        name = f"task-{start:09d}"
        write_part(folder / PARTS / f"{name}.part", name, entries)
        names.append(name)
    return names


if __name__ == "__main__":
    main()
