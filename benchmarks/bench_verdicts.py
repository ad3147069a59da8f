"""Dataset identity and verdict imports at ILSVRC size (nothing is written to the dataset).

- the fingerprint of a 1.28M-image index (1000 class folders), against hashing its names
  blob alone (the least any fingerprint of the names costs); it runs when a root is first
  seen, or when the number of images changed;
- importing 50,000 verdicts (CSV) into an empty store and again into a full one, against
  reading the file with csv.reader alone.

Usage: python benchmarks/bench_verdicts.py   (writes only into a temporary folder it removes)
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.dataset.identity import fingerprint  # noqa: E402
from browser.core.dataset.index import DatasetIndex  # noqa: E402
from browser.core.dataset.scanner import FolderRecord  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402
from browser.core.review.files import export_verdicts, import_verdicts  # noqa: E402
from browser.core.review.records import Verdict
from browser.core.review.verdicts import VerdictStore  # noqa: E402


def synthetic_index(classes: int = 1000, per_class: int = 1281) -> DatasetIndex:
    hierarchy = load_hierarchy()
    wnids = sorted(w for w in (hierarchy.wnid(n) for n in range(len(hierarchy))))[:classes]
    folders = []
    for wnid in wnids:
        names = b"\0".join(f"{wnid}_{i}.JPEG".encode() for i in range(per_class))
        record = FolderRecord(wnid, wnid, hierarchy.index(wnid), "", 0, names, per_class)
        record.sizes = np.full(per_class, 110_000, dtype=np.int64)
        folders.append(record)
    return DatasetIndex("/data/ilsvrc/train", hierarchy, "wnid-folders", folders, [])


def median_ms(work: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    index = synthetic_index()
    blob = b"".join(f.names for f in index.image_folders)
    print(f"{len(index):,} images; {time.strftime('%Y-%m-%d')}")
    print("| measure | result |\n|---|---|")
    base = median_ms(lambda: hashlib.sha256(blob).hexdigest())
    fp = median_ms(lambda: fingerprint(index))
    print(f"| sha256 of the names blob alone (baseline, median of 5) | {base:.0f} ms |")
    print(f"| fingerprint, paths and sizes (median of 5) | {fp:.0f} ms ({fp / base:.1f}x) |")
    folder = Path(tempfile.mkdtemp(prefix="bench-verdicts-"))
    try:
        with VerdictStore(folder / "a") as source:
            source.put(
                "/r",
                [
                    Verdict(f"n01440764/{i}.JPEG", "n01440764", "correct", "", "", "u", 1e9 + i)
                    for i in range(50_000)
                ],
            )
            export_verdicts(source, "/r", str(folder / "v.csv"))
        with open(folder / "v.csv", encoding="utf-8", newline="") as source:
            started = time.perf_counter()
            rows = sum(1 for _ in csv.reader(source))
            reading = time.perf_counter() - started
        print(
            f"| csv.reader over the file alone ({rows - 1:,} rows, baseline) | "
            f"{reading * 1000:.0f} ms |"
        )
        with VerdictStore(folder / "b") as target:
            started = time.perf_counter()
            import_verdicts(target, "/r", str(folder / "v.csv"))
            first = time.perf_counter() - started
            started = time.perf_counter()
            import_verdicts(target, "/r", str(folder / "v.csv"))
            again = time.perf_counter() - started
        print(
            f"| import 50,000 verdicts into an empty store | {first * 1000:.0f} ms "
            f"({first / reading:.0f}x) |"
        )
        print(f"| import them again (all kept) | {again * 1000:.0f} ms ({again / reading:.0f}x) |")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
