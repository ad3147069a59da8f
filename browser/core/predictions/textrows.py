"""CSV and JSON Lines prediction files, read a chunk of rows at a time.

Each chunk is handled column by column: the top-k lists (browser.core.predictions.topcells for
CSV cells in the plain form, ``json.loads`` for the rest), their checks
(browser.core.predictions.topkrows), the paths' normalisation and the duplicate check all run
over the whole chunk, so no Python object is kept per row beyond the path itself. A row found
bad is looked at alone only to say why, in the words of the careful definitions; the tests
hold the readers to a line-by-line reference on generated files.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import accumulate, islice
from operator import itemgetter
from typing import Any

import numpy as np

from browser.core.filenames import path_from_json
from browser.core.linefiles import LabelProblem
from browser.core.predictions.predictionfile import (
    TOLERANCE,
    PredictionFile,
    PredictionFileError,
    normalise_paths,
)
from browser.core.predictions.topcells import plain_cells, split_plain
from browser.core.predictions.topkrows import (
    ClassNumbers,
    Flat,
    entries_checked,
    flatten,
    pack,
    pad,
    top_entries_checked,
)

CHUNK = 16384  # rows at a time: bounds the Python objects alive at once, and how long one
# bulk string operation over a chunk (a join, a translate, a map of the pattern) holds the GIL
# while a window waits for it: at 65,536 rows such a step froze the window for 0.3-0.6 s
NOT_JSON_TOP = "top is not a JSON list of [wnid, probability]"
_ABSENT = object()  # a row without a top list: its predicted and confidence count
_DECODE_ERRORS = (ValueError, RecursionError)  # RecursionError: "[[[[…" thousands deep


class Chunk:
    """Rows of one chunk: per row its line, path and, where known already, why it is bad;
    its top list as CSV text (``texts``) or decoded (``tops``: a value, ``_ABSENT``)."""

    def __init__(self, lines: list[int], names: list[Any]) -> None:
        self.lines = lines
        self.names = names
        self.reasons: list[str | None] = [None] * len(lines)
        self.texts: list[str] | None = None
        self.tops: list[Any] = [_ABSENT] * len(lines)
        self.predicted: list[Any] = [None] * len(lines)
        self.confidence: list[Any] = [None] * len(lines)
        self.bad_rows: list[tuple[int, str]] = []  # (line, why) of rows without a path read


def csv_chunks(path: str, handle: Any) -> Iterator[Chunk]:
    reader = csv.reader(handle)
    header = _next(path, reader)
    if header is None:
        raise PredictionFileError(f"{path}: empty file")
    columns = {name.strip(): i for i, name in enumerate(header)}
    if "path" not in columns or not ({"predicted", "top"} & set(columns)):
        raise PredictionFileError(
            f"{path}: the header must name 'path' and either 'predicted' and 'confidence' "
            f"or 'top' (found: {', '.join(header)})"
        )
    width = len(header)
    while True:
        start = reader.line_num
        try:
            read = list(islice(reader, CHUNK))
        except csv.Error as exc:  # a field over the csv module's size limit, say
            raise PredictionFileError(
                f"{path}:{reader.line_num}: not readable as CSV ({exc})"
            ) from exc
        if not read:
            return
        every = _lines(read, start, reader.line_num)
        bad: list[tuple[int, str]] = []
        if set(map(len, read)) == {width}:
            rows, lines = read, every
        else:
            rows, lines = [], []
            for cells, line in zip(read, every, strict=True):
                if len(cells) == width:
                    rows.append(cells)
                    lines.append(line)
                elif cells:  # a blank line is no row
                    bad.append((line, f"{len(cells)} fields, the header has {width}"))
        chunk = Chunk(lines, list(map(itemgetter(columns["path"]), rows)))
        chunk.bad_rows = bad
        for name in ("predicted", "confidence"):
            if name in columns:
                setattr(chunk, name, list(map(itemgetter(columns[name]), rows)))
        if "top" in columns:
            chunk.texts = list(map(itemgetter(columns["top"]), rows))
        yield chunk


def _lines(rows: list[list[str]], start: int, end: int) -> list[int]:
    """The line each row ends on (what ``reader.line_num`` said after it; asking it row by
    row was a fifth of reading). A row takes one line plus one per line break inside its
    quoted cells, which the csv module keeps as they were; where no row holds one, the rows
    are simply the lines after ``start``."""
    if end - start == len(rows):
        return list(range(start + 1, end + 1))
    spans = [1 + sum(map(_breaks, cells)) for cells in rows]
    return list(accumulate(spans, initial=start))[1:]


def _breaks(cell: str) -> int:
    """Line breaks in a cell: ``\n``, ``\r`` or ``\r\n``, as a file opened with
    ``newline=""`` splits lines."""
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")


def _next(path: str, reader: Any) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as exc:
        raise PredictionFileError(f"{path}:{reader.line_num}: not readable as CSV ({exc})") from exc


def jsonl_chunks(handle: Any) -> Iterator[Chunk]:
    numbered = enumerate(handle, start=1)
    while True:
        texts = list(islice(numbered, CHUNK))
        if not texts:
            return
        lines, names, tops, predicted, confidence = [], [], [], [], []
        bad: list[tuple[int, str]] = []
        for line, text in texts:
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except _DECODE_ERRORS:
                bad.append((line, "not a JSON object"))
                continue
            if not isinstance(record, dict) or "path" not in record:
                bad.append((line, "not a JSON object with a path"))
                continue
            try:
                name = path_from_json(record)
            except (TypeError, ValueError) as exc:
                bad.append((line, f"bad path: {exc}"))
                continue
            lines.append(line)
            names.append(name)
            top = record.get("top")
            tops.append(_ABSENT if top is None else top)
            predicted.append(record.get("predicted"))
            confidence.append(record.get("confidence"))
        chunk = Chunk(lines, names)
        chunk.bad_rows = bad
        chunk.tops, chunk.predicted, chunk.confidence = tops, predicted, confidence
        yield chunk


class TopK:
    """Top-k records gathered chunk by chunk, bad rows reported with their line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[LabelProblem] = []
        self.numbers = ClassNumbers()
        self.paths: list[str] = []
        self.where: list[np.ndarray] = []
        self.seen: set[str] = set()
        # Line of each path kept, made only once a path comes twice (most files: never).
        self.first: dict[str, int] | None = None
        self.class_parts: list[np.ndarray] = []
        self.prob_parts: list[np.ndarray] = []

    def add(self, chunk: Chunk) -> None:
        for line, reason in chunk.bad_rows:
            self.problems.append(LabelProblem(self.path, line, reason))
        size = len(chunk.lines)
        if not size:
            return
        parts = []
        if chunk.texts is not None:
            parts += self._decode_texts(chunk)
        # Rows not decoded from plain text: decoded lists, and top-1 rows.
        listed = [
            i for i in range(size) if chunk.tops[i] is not _ABSENT and chunk.tops[i] is not None
        ]
        flat, shaped = flatten(
            [chunk.tops[i] for i in listed], np.array(listed, np.int64), self.numbers
        )
        parts.append(flat)
        for i, ok in zip(listed, shaped.tolist(), strict=True):
            if not ok:
                chunk.reasons[i] = chunk.reasons[i] or _explain(chunk.tops[i])
        parts.append(self._top1(chunk))
        whole = Flat.joined([p for p in parts if len(p.owner)] or [parts[0]])
        bad, classes, probs = pack(whole, size, len(self.numbers.numbers), TOLERANCE)
        for i in np.flatnonzero(bad).tolist():
            if chunk.reasons[i] is None:
                chunk.reasons[i] = _explain(_top_of(chunk, i))
        self._keep(chunk, classes, probs)

    def _decode_texts(self, chunk: Chunk) -> list[Flat]:
        """The CSV top cells: plain ones split in bulk, the others decoded one by one."""
        texts = chunk.texts
        assert texts is not None
        plain = plain_cells(texts)
        rows = np.flatnonzero(plain)
        chosen = texts if len(rows) == len(texts) else [texts[i] for i in rows.tolist()]
        lengths, wnids, probs = split_plain(chosen)
        for i in np.flatnonzero(~plain).tolist():
            text = texts[i]
            if not text.strip():
                continue  # no top list: predicted and confidence count
            try:
                top = json.loads(text)
            except _DECODE_ERRORS:
                chunk.reasons[i] = NOT_JSON_TOP
                continue
            if top is not None:  # a cell saying null has no top list
                chunk.tops[i] = top
        for i in rows.tolist():
            chunk.tops[i] = None  # decoded here, in bulk
        return [Flat.of(rows, lengths, self.numbers.of(wnids), probs)]

    def _top1(self, chunk: Chunk) -> Flat:
        """Rows without a top list, by their predicted class and confidence."""
        rows, wnids, probs = [], [], []
        for i in range(len(chunk.lines)):
            if chunk.tops[i] is not _ABSENT or chunk.reasons[i] is not None:
                continue
            checked = entries_checked(chunk.predicted[i], chunk.confidence[i])
            if isinstance(checked, str):
                chunk.reasons[i] = checked
                continue
            rows.append(i)
            wnids.append(checked[0][0])
            probs.append(checked[0][1])
        ids = self.numbers.of(wnids)
        return Flat(np.array(rows, dtype=np.int64), ids, np.array(probs, dtype=np.float64))

    def _keep(self, chunk: Chunk, classes: np.ndarray, probs: np.ndarray) -> None:
        """Rows without a reason: their paths normalised and checked for repeats."""
        names, reasons = chunk.names, chunk.reasons
        # A row's first problem wins: "no path" comes before what its top list says.
        if not all(map(str.strip, names)):  # every name is a str (CSV cell, JSON path)
            for i in range(len(names)):
                if not _named(names[i]) and reasons[i] != NOT_JSON_TOP:
                    reasons[i] = "no path"
        good = [i for i, reason in enumerate(reasons) if reason is None]
        relpaths = normalise_paths([names[i] for i in good])
        lines = chunk.lines
        if self.first is None and (
            len(set(relpaths)) != len(relpaths) or not self.seen.isdisjoint(relpaths)
        ):
            where = np.concatenate(self.where).tolist() if self.where else []
            self.first = dict(zip(self.paths, where, strict=True))
            self.seen = set()
        if self.first is None:
            kept = good
            self.seen.update(relpaths)
        else:
            kept, unique = [], []
            for i, relpath in zip(good, relpaths, strict=True):
                if relpath in self.first:
                    reasons[i] = f"{relpath} was given on line {self.first[relpath]} already"
                    continue
                self.first[relpath] = lines[i]
                kept.append(i)
                unique.append(relpath)
            relpaths = unique
        for i, reason in enumerate(reasons):
            if reason is not None:
                self.problems.append(LabelProblem(self.path, lines[i], reason))
        self.paths += relpaths
        at = np.array(kept, dtype=np.int64)
        self.where.append(np.array(lines, dtype=np.int64)[at])
        self.class_parts.append(classes[at])
        self.prob_parts.append(probs[at])

    def result(self) -> PredictionFile:
        width = max((part.shape[1] for part in self.class_parts), default=1)
        top_class = pad(self.class_parts, width, -1)
        # As wide as the widest kept row (a bad row may have been wider).
        used = int((top_class >= 0).sum(axis=1).max(initial=1)) or 1
        self.problems.sort(key=lambda problem: problem.line)
        return PredictionFile(
            self.path,
            "top-k",
            "line",
            self.paths,
            np.concatenate(self.where) if self.where else np.zeros(0, dtype=np.int64),
            list(self.numbers.numbers),
            top_class=np.ascontiguousarray(top_class[:, :used]).astype(np.int32),
            top_prob=np.ascontiguousarray(pad(self.prob_parts, width, 0.0)[:, :used]).astype(
                np.float32
            ),
            problems=self.problems,
        )


def _named(name: Any) -> bool:
    return isinstance(name, str) and bool(name.strip())


def _top_of(chunk: Chunk, i: int) -> Any:
    if chunk.tops[i] is None and chunk.texts is not None:
        return json.loads(chunk.texts[i])  # a plain cell: decodes, it is plain JSON
    return chunk.tops[i]


def _explain(top: Any) -> str:
    said = top_entries_checked(top)
    return said if isinstance(said, str) else "top must be a list of [wnid, probability]"


def read_chunks(path: str, chunks: Iterator[Chunk]) -> PredictionFile:
    rows = TopK(path)
    for chunk in chunks:
        rows.add(chunk)
    return rows.result()
