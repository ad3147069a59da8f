"""The CSV and JSON Lines readers (bulk: whole chunks of rows parsed and checked at once) give
exactly what a simple line-by-line reader gives: the same records in the same order, the same
classes and probabilities, and the same bad-row reports (line and reason), on generated files
with bad rows of every kind and non-UTF-8 paths."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browser.core.filenames import json_path, open_text, path_from_json
from browser.core.predictions.files import read_prediction_file
from browser.core.predictions.predictionfile import TOLERANCE, normalise_path
from browser.core.predictions.topkrows import entries_checked, top_entries_checked

A, B, C = "n02088364", "n02088094", "n01440764"

Expected = tuple[list[str], list[int], list[list[tuple[str, float]]], list[tuple[int, str]]]


def _keep(found: Expected, line: int, name: Any, top: Any, predicted: Any, confidence: Any) -> None:
    """The rules for one record, in the order the readers apply them."""
    paths, lines, tops, problems = found
    if not (isinstance(name, str) and name.strip()):
        problems.append((line, "no path"))
        return
    checked = (
        top_entries_checked(top) if top is not None else entries_checked(predicted, confidence)
    )
    if isinstance(checked, str):
        problems.append((line, checked))
        return
    relpath = normalise_path(name)
    if relpath in paths:
        problems.append(
            (line, f"{relpath} was given on line {lines[paths.index(relpath)]} already")
        )
        return
    paths.append(relpath)
    lines.append(line)
    tops.append(checked)


def reference_csv(path: str) -> Expected:
    found: Expected = ([], [], [], [])
    with open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = {name.strip(): i for i, name in enumerate(header)}
        for cells in reader:
            line = reader.line_num
            if not cells:
                continue
            if len(cells) != len(header):
                found[3].append((line, f"{len(cells)} fields, the header has {len(header)}"))
                continue
            top = None
            if "top" in columns and cells[columns["top"]].strip():
                try:
                    top = json.loads(cells[columns["top"]])
                except (ValueError, RecursionError):
                    found[3].append((line, "top is not a JSON list of [wnid, probability]"))
                    continue
            predicted = cells[columns["predicted"]] if "predicted" in columns else None
            confidence = cells[columns["confidence"]] if "confidence" in columns else None
            _keep(found, line, cells[columns["path"]], top, predicted, confidence)
    return found


def reference_jsonl(path: str) -> Expected:
    found: Expected = ([], [], [], [])
    with open_text(path) as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except (ValueError, RecursionError):
                found[3].append((line, "not a JSON object"))
                continue
            if not isinstance(record, dict) or "path" not in record:
                found[3].append((line, "not a JSON object with a path"))
                continue
            try:
                name = path_from_json(record)
            except (TypeError, ValueError) as exc:
                found[3].append((line, f"bad path: {exc}"))
                continue
            top, predicted = record.get("top"), record.get("predicted")
            _keep(found, line, name, top, predicted, record.get("confidence"))
    return found


def _same(path: str, expected: Expected) -> None:
    got = read_prediction_file(path)
    paths, lines, tops, problems = expected
    assert got.paths == paths
    assert got.where.tolist() == lines
    assert [(p.line, p.reason) for p in got.problems] == problems
    assert got.top_class is not None
    assert got.top_prob is not None
    as_read = [
        [
            (got.classes[c], float(p))
            for c, p in zip(got.top_class[i].tolist(), got.top_prob[i].tolist(), strict=True)
            if c >= 0
        ]
        for i in range(len(got))
    ]
    assert as_read == [[(w, float(np.float32(p))) for w, p in top] for top in tops]


# -- generated rows -----------------------------------------------------------------------

names = st.sampled_from(
    [
        "a/1.JPEG",
        "a\\1.JPEG",
        "./a/1.JPEG",
        "././a/2.JPEG",
        ".\\b\\3.JPEG",
        "b/3.JPEG",
        os.fsdecode(b"a/caf\xe9.JPEG"),
        os.fsdecode(b"./c/\xff\xfe.JPEG"),
        "c/d\u00e9j\u00e0 vu.JPEG",
        "line\nbreak.JPEG",
        "cr\rlf\r\n.JPEG",
        "",
        "  ",
        "a/,x.JPEG",
        'q/"x".JPEG',
    ]
) | st.text(alphabet="ab/\\.", max_size=5)
wnids = st.sampled_from([A, B, C, f" {A}", "", "n0\u00e9", "x y", 'n"q', "n\\q"])
probabilities = st.sampled_from(
    [0.6, 0.2, 0.1, 0.0, 1, 0, 0.5, 1.0005, 1.2, -0.0, 1e-3, 0.05, 0.2, 1e400]
)
numbers = probabilities | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-2, 2)
pair = st.tuples(wnids, numbers).map(list) | st.lists(wnids | numbers, max_size=3)
# Mostly good lists (in any order, so that sorting them shows), the rest anything.
good_top = st.lists(
    st.tuples(st.sampled_from([A, B, C, "n01443537", "n01484850"]), probabilities),
    min_size=1,
    max_size=5,
    unique_by=lambda pair: pair[0],
).map(lambda pairs: [[w, p if p != 1e400 else 0.3] for w, p in pairs])
tops = (
    good_top
    | good_top
    | st.lists(pair, min_size=0, max_size=4)
    | st.none()
    | st.sampled_from(["x", 3, {"a": 1}])
)


def _top_text(top: Any, spaced: bool, draw: Any) -> str:
    if top is None:
        return draw(st.sampled_from(["", "  "]))
    text = json.dumps(top, separators=(", ", ": ") if spaced else (",", ":"))
    indented = json.dumps(top, indent=1).replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    return draw(
        st.sampled_from([text, text, " " + text, text[:-1], text + "]", "[" + text, indented])
    )


@st.composite
def csv_files(draw: Any) -> tuple[list[str], list[list[str]]]:
    header = draw(
        st.sampled_from(
            [
                ["path", "top"],
                ["top", "path"],
                ["path", "predicted", "confidence"],
                ["path", "predicted", "confidence", "top"],
            ]
        )
    )
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 9)) == 0:
            rows.append(draw(st.sampled_from([[], ["only"], ["a", "b", "c", "d", "e"]])))
            continue
        cells = {
            "path": draw(names),
            "top": _top_text(draw(tops), draw(st.booleans()), draw),
            "predicted": draw(wnids),
            "confidence": str(draw(numbers)) if draw(st.booleans()) else draw(st.text(max_size=3)),
        }
        rows.append([cells[column] for column in header])
    return header, rows


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(csv_files())
def test_csv_reading_in_bulk_matches_the_line_by_line_reference(
    tmp_path: Path, generated: tuple[list[str], list[list[str]]]
) -> None:
    header, rows = generated
    source = tmp_path / "p.csv"
    with open_text(source, "w") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    _same(str(source), reference_csv(str(source)))


@st.composite
def jsonl_lines(draw: Any) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.integers(0, 12))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", "{oops", "[1, 2]", '{"top": []}', "null"])))
            continue
        record: dict[str, Any] = json_path(draw(names))
        if kind == 1:
            record["path"] = 3
        top = draw(tops)
        if top is not None or draw(st.booleans()):
            record["top"] = top
        else:
            record["predicted"] = draw(wnids | numbers)
            record["confidence"] = draw(numbers | st.booleans() | st.text(max_size=2))
        lines.append(json.dumps(record))
    return lines


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(jsonl_lines())
def test_json_lines_reading_in_bulk_matches_the_line_by_line_reference(
    tmp_path: Path, lines: list[str]
) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same(str(source), reference_jsonl(str(source)))


def test_the_reference_itself_reads_a_known_file(tmp_path: Path) -> None:
    """The reference is not vacuous: it keeps, orders and rejects as documented."""
    source = tmp_path / "p.csv"
    source.write_text(
        "path,top\n"
        f'a\\1.JPEG,"[[""{B}"", 0.2], [""{A}"", 0.7]]"\n'
        f'./a/1.JPEG,"[[""{A}"", 1]]"\n'
        f'b.JPEG,"[[""{A}"", 0.7], [""{B}"", 0.31]]"\n',
        encoding="utf-8",
    )
    paths, lines, found_tops, problems = reference_csv(str(source))
    assert (paths, lines, found_tops) == (["a/1.JPEG"], [2], [[(A, 0.7), (B, 0.2)]])
    assert problems == [
        (3, "a/1.JPEG was given on line 2 already"),
        (4, f"top probabilities sum to 1.01, over 1 + {TOLERANCE:g}"),
    ]
    _same(str(source), (paths, lines, found_tops, problems))
