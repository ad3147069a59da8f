"""Two processes importing verdicts at once: the newest verdict of each image wins, and the
counts they report add up (each image added once). Nothing from tests.conftest is imported:
the children are spawned and import this module alone (no Qt)."""

from __future__ import annotations

import csv
import multiprocessing
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path

from browser.core.review.files import import_verdicts
from browser.core.review.verdicts import VerdictStore

ROOT = "/data/imagenet/train"
IMAGES = 3000


def _write(path: Path, verdict: str, newer_when_even: bool) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["path", "wnid", "verdict", "note", "proposed_wnid", "user", "time"])
        for i in range(IMAGES):
            newer = (i % 2 == 0) == newer_when_even
            when = datetime.fromtimestamp(2000 if newer else 1000, UTC).isoformat()
            writer.writerow([f"n01440764/{i}.JPEG", "n01440764", verdict, "", "", "u", when])


def _import(data: str, path: str, start: Barrier, results: dict[str, tuple[int, ...]]) -> None:
    with VerdictStore(Path(data)) as store:
        store.identify(ROOT)
        start.wait(timeout=60)  # both parsed nothing yet: they race from here
        report = import_verdicts(store, ROOT, path)
    results[path] = (report.added, report.replaced, report.kept, len(report.problems))


def test_concurrent_imports_keep_the_newest_verdict_and_their_counts_add_up(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    _write(first, "correct", newer_when_even=True)
    _write(second, "wrong_label", newer_when_even=False)
    data = tmp_path / "data"
    VerdictStore(data).close()  # the database exists before they race
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        results = manager.dict()
        start = context.Barrier(2)
        children = [
            context.Process(target=_import, args=(str(data), str(path), start, results))
            for path in (first, second)
        ]
        for child in children:
            child.start()
        for child in children:
            child.join(timeout=120)
            assert child.exitcode == 0
        reports = dict(results)
    added = sum(r[0] for r in reports.values())
    replaced = sum(r[1] for r in reports.values())
    kept = sum(r[2] for r in reports.values())
    assert all(r[3] == 0 for r in reports.values())
    assert added == IMAGES  # not "3,000 added" twice
    assert replaced + kept == IMAGES  # each image met the other's verdict exactly once
    with VerdictStore(data) as store:
        final = {v.relpath: v.verdict for v in store.all(ROOT)}
    assert final == {
        f"n01440764/{i}.JPEG": "correct" if i % 2 == 0 else "wrong_label" for i in range(IMAGES)
    }
