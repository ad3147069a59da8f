"""Model predictions at ImageNet size (issue 16); nothing is written to any dataset.

1. Import of 50,000 × 1,000 float32 probabilities (.npz, ImageNet val size) into the store:
   goal < 10 s; baseline: ``np.load`` of the same arrays alone.
2. Ranking them (cleanlab's label quality + find_label_issues, n_jobs=1) and the per-synset
   roll-ups the window and ``stats --json`` show: goal < 15 s; baseline: self-confidence.
3. Import of a 1.28M-row top-5 CSV (ILSVRC train size): goal < 60 s; baseline: ``csv.reader``
   over the same file.

Peak memory: the process's peak RSS during each step (VmHWM, reset before it through
/proc/self/clear_refs; tracemalloc would slow the Python parts several times over).
Indexes are synthetic (1,000 ILSVRC classes, no image files).

4. The same rows as JSON Lines; baseline: ``json.loads`` of each line.

Usage: python benchmarks/bench_predictions.py [--val 50000] [--train 1281167]
Everything it writes goes to a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.dataset.index import DatasetIndex  # noqa: E402
from browser.core.dataset.scanner import FolderRecord  # noqa: E402
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402
from browser.core.predictions.mistakes import Severity, summarise  # noqa: E402
from browser.core.predictions.store import PredictionStore, import_predictions  # noqa: E402
from browser.core.predictions.suspects import rank_suspects  # noqa: E402


def synthetic_index(root: str, per_class: int) -> DatasetIndex:
    hierarchy = load_hierarchy()
    folders = []
    for wnid in ilsvrc_wnids():
        names = b"\0".join(f"{wnid}_{i}.JPEG".encode() for i in range(per_class))
        folders.append(FolderRecord(wnid, wnid, hierarchy.index(wnid), "", 0, names, per_class))
    return DatasetIndex(root, hierarchy, "wnid-folders", folders, [])


def relpaths(index: DatasetIndex) -> list[str]:
    return [index.relpath(row) for row in range(len(index))]


def _rss_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measured(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, seconds, peak RSS in MB while it ran)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")  # resets VmHWM to the current RSS
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    return result, elapsed, _rss_mb("VmHWM")


def model_probabilities(index: DatasetIndex, seed: int = 0) -> np.ndarray:
    """Softmax outputs of a model that is right about 80 % of the time."""
    rng = np.random.default_rng(seed)
    classes = {w: i for i, w in enumerate(ilsvrc_wnids())}
    labels = np.array([classes[index.hierarchy.wnid(int(n))] for n in index.labels])
    probs = np.empty((len(index), 1000), dtype=np.float32)
    for start in range(0, len(index), 5000):
        block = rng.normal(0, 1, (min(5000, len(index) - start), 1000)).astype(np.float32)
        mine = labels[start : start + len(block)]
        block[np.arange(len(block)), mine] += np.where(rng.random(len(block)) < 0.8, 6, 0)
        block = np.exp(block - block.max(axis=1, keepdims=True))
        probs[start : start + len(block)] = block / block.sum(axis=1, keepdims=True)
    return probs


def full_probabilities(folder: Path, count: int) -> None:
    index = synthetic_index("/data/ilsvrc/val", count // 1000)
    source = folder / "val.npz"
    np.savez(source, paths=np.array(relpaths(index)), probs=model_probabilities(index))
    _, base, base_peak = measured(lambda: dict(np.load(source)))
    # What the import must write whatever its code (the store keeps the N×K array): the
    # disk's share of the import, which varies most on a shared machine.
    copy = folder / "copy.npz"
    _, writing, _ = measured(lambda: np.savez(copy, **dict(np.load(source))))
    copy.unlink()
    store = PredictionStore.for_index(folder / "data", index)
    report, took, peak = measured(lambda: import_predictions(store, index, str(source)))
    assert report.stored, report.problems[:3]
    assert not report.problems, report.problems[:3]
    print(
        f"| {len(index):,} × 1,000 float32 (.npz, {source.stat().st_size / 2**20:,.0f} MB): "
        f"np.load alone (baseline) | {base:.1f} s, {base_peak:,.0f} MB | — |"
    )
    print(
        f"| the same, np.load and np.savez again (baseline with the write) | {writing:.1f} s | — |"
    )
    print(
        f"| the same, import (read, check, match, store) | {took:.1f} s, {peak:,.0f} MB "
        f"({took / base:.1f}x) | < 10 s |"
    )
    predictions, loading, load_peak = measured(lambda: store.load(index))
    print(f"| loading it back (window, commands) | {loading:.1f} s, {load_peak:,.0f} MB | — |")
    _, plain, plain_peak = measured(lambda: rank_suspects(index, predictions, use_cleanlab=False))
    # Paid once per process (the window pays it on its worker thread): scikit-learn, scipy
    # and pandas come with it.
    started = time.perf_counter()
    import cleanlab.filter
    import cleanlab.rank  # noqa: F401

    importing = time.perf_counter() - started
    print(f"| importing cleanlab (once per process) | {importing:.1f} s | — |")

    def ranked() -> None:
        ranking = rank_suspects(index, predictions)
        assert ranking.method == "cleanlab"
        summarise(index, predictions, ranking, Severity(index.hierarchy))

    _, took, peak = measured(ranked)
    print(f"| ranking by self-confidence (baseline) | {plain:.2f} s, {plain_peak:,.0f} MB | — |")
    print(
        f"| then ranking with cleanlab (scores + find_label_issues, n_jobs=1) and the roll-ups "
        f"(top-1, top-5, severity, suspects) | {took:.1f} s, {peak:,.0f} MB | < 15 s |"
    )


def top5_rows(index: DatasetIndex) -> list[list[list[object]]]:
    """Five distinct classes per row, drawn in bulk (rng.choice per row took minutes)."""
    rng = np.random.default_rng(1)
    wnids = list(ilsvrc_wnids())
    starts = rng.integers(0, 1000, len(index))
    every = ((starts[:, None] + np.arange(5) * 7) % 1000).tolist()
    probs = (0.6, 0.2, 0.1, 0.05, 0.02)
    return [[[wnids[c], p] for c, p in zip(picks, probs, strict=True)] for picks in every]


def top5_csv(folder: Path, count: int) -> None:
    per_class = -(-count // 1000)
    index = synthetic_index("/data/ilsvrc/train", per_class)
    source = folder / "train-top5.csv"
    tops = top5_rows(index)
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "top"])
        for row, top in enumerate(tops):
            writer.writerow([index.relpath(row), json.dumps(top)])
    del tops

    def read_alone() -> int:
        with source.open(encoding="utf-8", newline="") as handle:
            return sum(1 for _ in csv.reader(handle))

    def read_and_decode() -> int:
        with source.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            next(rows)
            return sum(len(json.loads(cells[1])) for cells in rows)

    _, base, _ = measured(read_alone)
    _, decoding, _ = measured(read_and_decode)
    store = PredictionStore.for_index(folder / "data", index)
    before = _rss_mb("VmRSS")  # the peak below includes what the process held already
    report, took, peak = measured(lambda: import_predictions(store, index, str(source)))
    assert report.stored, report.problems[:3]
    assert not report.problems, report.problems[:3]
    print(
        f"| {len(index):,}-row top-5 CSV ({source.stat().st_size / 2**20:,.0f} MB): "
        f"csv.reader alone (baseline) | {base:.1f} s | — |"
    )
    print(f"| the same, csv.reader and json.loads of each top cell | {decoding:.1f} s | — |")
    print(
        f"| the same, import | {took:.1f} s, {peak:,.0f} MB ({peak - before:,.0f} MB more than "
        f"before it; {took / base:.1f}x csv.reader, {took / decoding:.1f}x csv.reader + json) "
        "| < 60 s |"
    )


def top5_jsonl(folder: Path, count: int) -> None:
    """The same rows as JSON Lines; baseline: json.loads of each line."""
    index = synthetic_index("/data/ilsvrc/train", -(-count // 1000))
    source = folder / "train-top5.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for row, top in enumerate(top5_rows(index)):
            handle.write(json.dumps({"path": index.relpath(row), "top": top}) + "\n")

    def decode() -> int:
        with source.open(encoding="utf-8") as handle:
            return sum(len(json.loads(line)["top"]) for line in handle)

    _, base, _ = measured(decode)
    store = PredictionStore.for_index(folder / "data", index)
    report, took, peak = measured(lambda: import_predictions(store, index, str(source)))
    assert report.stored, report.problems[:3]
    assert not report.problems, report.problems[:3]
    print(
        f"| the same rows as JSON Lines ({source.stat().st_size / 2**20:,.0f} MB): json.loads "
        f"of each line (baseline) | {base:.1f} s | — |"
    )
    print(f"| the same, import | {took:.1f} s, {peak:,.0f} MB ({took / base:.1f}x) | — |")
    source.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--val", type=int, default=50_000)
    parser.add_argument("--train", type=int, default=1_281_167)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-predictions-"))
    print(f"{time.strftime('%Y-%m-%d')}; | measure | result | goal |\n|---|---|---|")
    try:
        full_probabilities(folder, args.val)
        top5_csv(folder, args.train)
        top5_jsonl(folder, args.train)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the whole run: {rss:,.0f} MB")


if __name__ == "__main__":
    main()
