"""Verdicts in and out of files: CSV or JSON Lines, chosen by the file's extension.

Columns / keys: path, wnid, verdict, note, proposed_wnid, user, time (ISO 8601; written in
UTC to the microsecond, read as UTC when it names no zone). Paths follow the one rule for
file names (browser.core.filenames): raw bytes in CSV, ``path`` + ``path_bytes`` in JSON.
Every value is a string; a JSON number or null is a bad row, never turned into text.

Importing merges (browser.core.review.verdicts.VerdictStore.merge): for each image the newer
verdict wins, and within one file the newest row of an image, whatever the order of lines.
A bad row is reported with its line and the rest imported. An export is written under a
temporary name and linked into place, so it is whole or absent, and never replaces a file.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from browser.core.filenames import has_undecodable, json_path, jsonable, open_text, path_from_json
from browser.core.linefiles import LabelProblem
from browser.core.review.records import NOTE_LIMIT, VERDICTS, Verdict, exact_time, note_too_long
from browser.core.review.verdicts import VerdictStore

if TYPE_CHECKING:
    from browser.core.dataset.index import DatasetIndex

FIELDS = ("path", "wnid", "verdict", "note", "proposed_wnid", "user", "time")
_REQUIRED_COLUMNS = {"path", "wnid", "verdict"}
# Far above any valid row (a note is at most NOTE_LIMIT bytes), so that a long note is
# reported as such rather than as a CSV error; csv's default (128 KiB) broke the round trip.
_CSV_FIELD_LIMIT = 8 * NOTE_LIMIT


FORMATS = {".csv": "CSV", ".jsonl": "JSON Lines", ".json": "JSON Lines", ".ndjson": "JSON Lines"}


def file_format(path: str) -> str:
    """The format a verdict file's extension names ("CSV" or "JSON Lines"); any other
    extension raises ValueError, so a file is never written in a format its name hides."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in FORMATS:
        raise ValueError(
            f"{path}: a verdict file ends in {', '.join(FORMATS)} (CSV or JSON Lines), "
            f"not {extension or 'nothing'!r}"
        )
    return FORMATS[extension]


def _is_jsonl(path: str) -> bool:
    return file_format(path) == "JSON Lines"


def _when(v: Verdict) -> str:
    return datetime.fromtimestamp(v.time, UTC).isoformat()


def _csv_record(v: Verdict) -> list[str]:
    return [v.relpath, v.wnid, v.verdict or "", v.note, v.proposed, v.user, _when(v)]


def _json_record(v: Verdict) -> dict[str, str]:
    values = dict(zip(FIELDS[1:], _csv_record(v)[1:], strict=True))
    return {**json_path(v.relpath), **jsonable(values)}


def export_verdicts(store: VerdictStore, root: str, path: str) -> int:
    """Write the dataset's verdicts to a new file; returns how many. An existing file raises
    FileExistsError and is left as it is."""
    file_format(path)  # before anything is read or written
    verdicts = store.all(root)

    def fill(out: IO[str]) -> None:
        if _is_jsonl(path):
            for v in verdicts:
                out.write(json.dumps(_json_record(v), ensure_ascii=False) + "\n")
        else:
            writer = csv.writer(out)
            writer.writerow(FIELDS)
            writer.writerows(_csv_record(v) for v in verdicts)

    write_new_file(path, fill)
    return len(verdicts)


def write_new_file(path: str, fill: Callable[[IO[str]], None]) -> None:
    """Create ``path`` whole or not at all: written under a temporary name in the same folder,
    then hard-linked to ``path`` (which fails if it exists: nothing is ever replaced)."""
    if os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, "exists", path)
    folder, name = os.path.split(os.path.abspath(path))
    temp = os.path.join(folder, f".{name}.{uuid.uuid4().hex[:8]}.partial")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(descriptor, "w", encoding="utf-8", errors="surrogateescape", newline="") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system (FAT, some network mounts)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            os.replace(temp, path)  # replaces only the empty file just made
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


@dataclass
class ImportReport:
    added: int = 0
    replaced: int = 0  # the file's verdict was newer
    kept: int = 0  # ours was newer (or as new), and different
    unchanged: int = 0  # the same verdict was stored already
    conflicts: int = 0  # both had a different verdict for the image
    superseded: int = 0  # rows of the file that a newer row for the same image outranked
    unknown: int = 0  # imported rows naming images the dataset does not hold
    problems: list[LabelProblem] = field(default_factory=list)


def _bad(report: ImportReport, path: str, line: int, reason: str) -> None:
    report.problems.append(LabelProblem(path, line, reason))


def _jsonl_rows(path: str, report: ImportReport) -> Iterator[tuple[int, dict[str, Any], bool]]:
    with open(path, "rb") as source:
        for number, raw in enumerate(source, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                _bad(report, path, number, f"not UTF-8 text (byte {exc.start + 1})")
                continue
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                _bad(report, path, number, f"not JSON: {exc}")
                continue
            if isinstance(value, dict):
                yield number, value, True
            else:
                _bad(report, path, number, "not a JSON object")


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, limit))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _csv_rows(path: str, report: ImportReport) -> Iterator[tuple[int, dict[str, Any], bool]]:
    with open(path, "rb") as probe:
        first = probe.readline(4096)
    if first.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in first:
        _bad(report, path, 1, "not UTF-8 text (it looks like UTF-16): save it as UTF-8")
        return
    with open_text(path) as source, _csv_field_limit(_CSV_FIELD_LIMIT):
        reader = csv.reader(source)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            _bad(report, path, 1, f"not CSV: {exc}")
            return
        if header is None or any(has_undecodable(name) for name in header):
            _bad(report, path, 1, "the header is missing or not UTF-8 text")
            return
        missing = _REQUIRED_COLUMNS - set(header)
        if missing:
            _bad(report, path, 1, f"missing columns: {', '.join(sorted(missing))}")
            return
        while True:
            number = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                _bad(report, path, number, f"not CSV: {exc}")
                continue
            if not row:
                continue
            if len(row) != len(header):
                _bad(report, path, number, f"{len(row)} fields; the header has {len(header)}")
                continue
            yield number, dict(zip(header, row, strict=True)), False


_BAD_PARTS = frozenset(("", ".", ".."))
_JSON_STRINGS = (*FIELDS, "path_bytes")


def _path_error(relpath: str) -> str | None:
    bad = not relpath or relpath[0] == "/" or "\0" in relpath
    if bad or not _BAD_PARTS.isdisjoint(relpath.split("/")):
        return f"bad image path {relpath!r}"
    if has_undecodable(relpath):
        try:
            os.fsencode(relpath)
        except UnicodeEncodeError:  # a surrogate that no byte decodes to
            return f"bad image path {relpath!r}"
    return None


def _verdict(record: dict[str, Any], is_json: bool) -> Verdict | str:
    """The row's verdict, or why it is not one."""
    if is_json:
        for key in _JSON_STRINGS:
            if key in record and not isinstance(record[key], str):
                return f"{key} must be a string, not {type(record[key]).__name__}"
        if "path" not in record and "path_bytes" not in record:
            return "no path"
        try:
            relpath = path_from_json(record)
        except (ValueError, KeyError) as exc:
            return f"bad path_bytes: {exc}"
    else:
        relpath = record.get("path", "")
    texts = [record.get(key, "") for key in FIELDS[1:]]
    if has_undecodable("".join(texts)):  # JSON can spell a lone surrogate too ("\udce9")
        bad = next(k for k, t in zip(FIELDS[1:], texts, strict=True) if has_undecodable(t))
        return f"{bad} is not UTF-8 text"
    problem = _path_error(relpath)
    if problem:
        return problem
    verdict = record.get("verdict", "") or None
    if verdict is not None and verdict not in VERDICTS:
        return f"unknown verdict {verdict!r}"
    note = record.get("note", "")
    if note_too_long(note):
        return f"the note is longer than {NOTE_LIMIT:,} bytes"
    try:
        moment = datetime.fromisoformat(record.get("time", ""))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        when = exact_time(moment.timestamp())
    except (ValueError, OverflowError, OSError):
        return f"time is not ISO 8601: {record.get('time', '')!r}"
    return Verdict(
        relpath,
        record.get("wnid", ""),
        verdict,
        note,
        record.get("proposed_wnid", ""),
        record.get("user", ""),
        when,
    )


def _rank(v: Verdict) -> tuple[float, str, str, str, str, str]:
    """Newest first; equal times are ordered by content, so that line order never matters."""
    return (v.time, v.verdict or "", v.note, v.proposed, v.user, v.wnid)


def read_verdicts(path: str, report: ImportReport) -> list[Verdict]:
    """The newest row of each image in the file; bad rows go to ``report.problems``."""
    rows = _jsonl_rows(path, report) if _is_jsonl(path) else _csv_rows(path, report)
    newest: dict[str, Verdict] = {}
    for number, record, is_json in rows:
        verdict = _verdict(record, is_json)
        if isinstance(verdict, str):
            _bad(report, path, number, verdict)
            continue
        other = newest.get(verdict.relpath)
        if other is not None:
            report.superseded += 1
            if _rank(other) >= _rank(verdict):
                continue
        newest[verdict.relpath] = verdict
    return list(newest.values())


def import_verdicts(
    store: VerdictStore, root: str, path: str, index: DatasetIndex | None = None
) -> ImportReport:
    """Merge a file's verdicts into the dataset's: the newer verdict of an image wins. With
    the dataset's index, rows naming images it does not hold are counted (``unknown``)."""
    report = ImportReport()
    if not os.path.isfile(path):
        _bad(report, path, 0, "no such file")
        return report
    incoming = read_verdicts(path, report)
    if index is not None:
        report.unknown = len(incoming) - len(index.find_rows(v.relpath for v in incoming))
    counts = store.merge(root, incoming)
    report.added, report.replaced = counts.added, counts.replaced
    report.kept, report.conflicts = counts.kept, counts.conflicts
    report.unchanged = counts.unchanged
    return report
