"""Verdicts in and out of files: CSV or JSON Lines, chosen by the file's extension.

Columns / keys: path, wnid, verdict, note, proposed_wnid, user, time (ISO 8601, UTC).
Importing merges: an image with a verdict on both sides keeps the newer one, and the
conflicts are counted. Exports never overwrite an existing file.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

from browser.core.labelfiles import LabelProblem
from browser.core.verdicts import VERDICTS, Verdict, VerdictStore

FIELDS = ("path", "wnid", "verdict", "note", "proposed_wnid", "user", "time")


def _is_jsonl(path: str) -> bool:
    return path.lower().endswith((".jsonl", ".json", ".ndjson"))


def _record(v: Verdict) -> dict[str, str]:
    when = datetime.fromtimestamp(v.time, UTC).isoformat(timespec="seconds")
    return {
        "path": v.relpath,
        "wnid": v.wnid,
        "verdict": v.verdict or "",
        "note": v.note,
        "proposed_wnid": v.proposed,
        "user": v.user,
        "time": when,
    }


def export_verdicts(store: VerdictStore, root: str, path: str) -> int:
    """Write the dataset's verdicts to a new file; returns how many."""
    verdicts = store.all(root)
    with open(path, "x", encoding="utf-8", newline="") as out:
        if _is_jsonl(path):
            for v in verdicts:
                out.write(json.dumps(_record(v), ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(out, FIELDS)
            writer.writeheader()
            writer.writerows(_record(v) for v in verdicts)
    return len(verdicts)


@dataclass
class ImportReport:
    added: int = 0
    replaced: int = 0  # the file's verdict was newer
    kept: int = 0  # ours was newer (or the same)
    conflicts: int = 0  # both had a different verdict for the image
    problems: list[LabelProblem] = field(default_factory=list)


def _parse(path: str, report: ImportReport) -> list[Verdict]:
    rows: list[tuple[int, dict[str, str]]] = []
    with open(path, encoding="utf-8", newline="") as source:
        if _is_jsonl(path):
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError as exc:
                    report.problems.append(LabelProblem(path, number, f"not JSON: {exc}"))
                    continue
                if isinstance(value, dict):
                    rows.append((number, {k: str(v) for k, v in value.items() if v is not None}))
                else:
                    report.problems.append(LabelProblem(path, number, "not a JSON object"))
        else:
            reader = csv.DictReader(source)
            missing = {"path", "wnid", "verdict"} - set(reader.fieldnames or [])
            if missing:
                report.problems.append(
                    LabelProblem(path, 1, f"missing columns: {', '.join(sorted(missing))}")
                )
                return []
            rows = [(number, row) for number, row in enumerate(reader, start=2)]
    verdicts = []
    for number, row in rows:
        relpath, verdict = row.get("path", ""), row.get("verdict", "") or None
        if not relpath or relpath.startswith("/") or ".." in relpath.split("/"):
            report.problems.append(LabelProblem(path, number, f"bad image path {relpath!r}"))
            continue
        if verdict is not None and verdict not in VERDICTS:
            report.problems.append(LabelProblem(path, number, f"unknown verdict {verdict!r}"))
            continue
        try:
            when = datetime.fromisoformat(row.get("time", "")).timestamp()
        except ValueError:
            report.problems.append(LabelProblem(path, number, "time is not ISO 8601"))
            continue
        verdicts.append(
            Verdict(
                relpath,
                row.get("wnid", ""),
                verdict,
                row.get("note", ""),
                row.get("proposed_wnid", ""),
                row.get("user", ""),
                when,
            )
        )
    return verdicts


def import_verdicts(store: VerdictStore, root: str, path: str) -> ImportReport:
    """Merge a file's verdicts into the dataset's: the newer verdict of an image wins."""
    report = ImportReport()
    if not os.path.isfile(path):
        report.problems.append(LabelProblem(path, 0, "no such file"))
        return report
    incoming = _parse(path, report)
    ours = store.get(root, (v.relpath for v in incoming))
    chosen = []
    for theirs in incoming:
        mine = ours.get(theirs.relpath)
        if mine is None:
            report.added += 1
            chosen.append(theirs)
            continue
        if (mine.verdict, mine.note, mine.proposed) != (
            theirs.verdict,
            theirs.note,
            theirs.proposed,
        ):
            report.conflicts += 1
        if theirs.time > mine.time:
            report.replaced += 1
            chosen.append(theirs)
        else:
            report.kept += 1
    store.put(root, chosen)
    return report
