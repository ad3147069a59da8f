"""Prediction files: every bad row reported with its line or index, the rest read; paths
normalised exactly as documented; non-UTF-8 paths by the one rule."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from browser.core.hierarchy.ilsvrc import ilsvrc_wnids
from browser.core.predictions.files import PredictionFileError, read_prediction_file
from browser.core.predictions.predictionfile import normalise_path, normalise_paths

A, B, C = "n02088364", "n02088094", "n01440764"
LATIN1 = os.fsdecode(b"caf\xe9.JPEG")  # a latin-1 name, not UTF-8


def _npz(path: Path, **arrays: object) -> str:
    np.savez(path, **arrays)  # type: ignore[arg-type]
    return str(path)


def _reasons(found: object) -> list[str]:
    return [str(p) for p in found.problems]  # type: ignore[attr-defined]


def test_npz_rows_with_nan_negative_or_a_bad_sum_are_reported_by_index(tmp_path: Path) -> None:
    probs = np.array(
        [[0.7, 0.2, 0.1], [np.nan, 0.5, 0.5], [0.5, 0.5, 0.002], [1.2, -0.2, 0.0], [0.2, 0.3, 0.5]],
        dtype=np.float32,
    )
    paths = np.array(["a/1.JPEG", "a/2.JPEG", "a/3.JPEG", "a/4.JPEG", "a/1.JPEG"])
    found = read_prediction_file(
        _npz(tmp_path / "m.npz", paths=paths, probs=probs, classes=[A, B, C])
    )
    assert found.paths == ["a/1.JPEG"]
    reasons = _reasons(found)
    assert any("index 1: NaN" in r for r in reasons)
    assert any("index 2: probabilities sum to 1.002" in r for r in reasons)
    assert any("index 3: a probability outside 0–1" in r for r in reasons)
    assert any("index 4: a/1.JPEG was given at index 0 already" in r for r in reasons)
    assert len(reasons) == 4


def test_a_sum_within_the_tolerance_is_kept(tmp_path: Path) -> None:
    probs = np.array([[0.5, 0.5, 0.0009]], dtype=np.float32)
    found = read_prediction_file(
        _npz(tmp_path / "m.npz", paths=np.array(["x.JPEG"]), probs=probs, classes=[A, B, C])
    )
    assert (found.paths, found.problems) == (["x.JPEG"], [])


def test_npz_logits_become_probabilities_and_1000_columns_take_the_ilsvrc_order(
    tmp_path: Path,
) -> None:
    logits = np.zeros((2, 1000), dtype=np.float32)
    logits[0, 7] = 10.0
    found = read_prediction_file(
        _npz(tmp_path / "m.npz", paths=np.array(["p.JPEG", "q.JPEG"]), logits=logits)
    )
    assert found.classes == list(ilsvrc_wnids())
    assert found.probs is not None
    assert np.allclose(found.probs.sum(axis=1), 1, atol=1e-5)
    assert int(found.probs[0].argmax()) == 7


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"probs": np.ones((1, 3)) / 3, "classes": [A, B]}, "K = 3 columns but 2 classes"),
        ({"probs": np.ones((1, 3)) / 3}, "no 'classes' array, and K = 3"),
        ({"paths": np.array(["a", "b"]), "probs": np.ones((1, 1))}, "2 paths but 1 rows"),
        ({"paths": np.array([1]), "probs": np.ones((1, 1))}, "paths must hold strings or bytes"),
        ({"logits_": np.ones((1, 1))}, "neither 'probs' nor 'logits'"),
    ],
)
def test_a_file_that_cannot_be_predictions_says_why(
    tmp_path: Path, arrays: dict[str, object], message: str
) -> None:
    arrays = {"paths": np.array(["a.JPEG"]), **arrays}
    with pytest.raises(PredictionFileError, match=message):
        read_prediction_file(_npz(tmp_path / "m.npz", **arrays))


def test_npz_paths_as_bytes_keep_non_utf8_names(tmp_path: Path) -> None:
    paths = np.array([b"a/caf\xe9.JPEG"], dtype="S")
    found = read_prediction_file(
        _npz(tmp_path / "m.npz", paths=paths, probs=np.array([[1.0]]), classes=[A])
    )
    assert found.paths == ["a/" + LATIN1]


def test_npz_object_arrays_are_refused_rather_than_unpickled(tmp_path: Path) -> None:
    paths = np.array(["a.JPEG"], dtype=object)
    np.savez(tmp_path / "m.npz", paths=paths, probs=np.array([[1.0]]), classes=[A])
    with pytest.raises(PredictionFileError):
        read_prediction_file(str(tmp_path / "m.npz"))


def test_csv_bad_rows_are_reported_by_line_and_the_rest_read(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    rows = [
        "path,predicted,confidence",
        f"a\\1.JPEG,{A},0.9",
        f"./a/2.JPEG,{B},nan",
        f"a/3.JPEG,{B},1.5",
        "a/4.JPEG,,0.5",
        f"a/5.JPEG,{A}",
        f"a/1.JPEG,{B},0.4",
        f"a/6.JPEG,{C},0.25",
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = read_prediction_file(str(source))
    assert found.paths == ["a/1.JPEG", "a/6.JPEG"]
    assert found.kind == "top-k"
    assert found.where.tolist() == [2, 8]
    reasons = _reasons(found)
    assert [r.split(":")[1] for r in reasons] == ["3", "4", "5", "6", "7"]
    assert "confidence 'nan' is not a probability" in reasons[0]
    assert "a/1.JPEG was given on line 2 already" in reasons[4]


def test_csv_top_k_lists_over_one_or_malformed_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"

    def cell(value: object) -> str:
        return '"' + json.dumps(value).replace('"', '""') + '"'

    rows = [
        "path,top",
        f"a/1.JPEG,{cell([[B, 0.2], [A, 0.7]])}",
        f"a/2.JPEG,{cell([[A, 0.7], [B, 0.31]])}",
        f"a/3.JPEG,{cell([[A, 0.7], [B, 0.3005]])}",
        "a/4.JPEG,[oops",
        f"a/5.JPEG,{cell([[A, 0.5], [A, 0.1]])}",
        f"a/6.JPEG,{cell([A, 0.5])}",
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = read_prediction_file(str(source))
    assert found.paths == ["a/1.JPEG", "a/3.JPEG"]
    assert found.top_class is not None
    assert found.top_prob is not None
    # Most probable first, whatever the order in the file.
    assert [found.classes[c] for c in found.top_class[0].tolist()] == [A, B]
    assert found.top_prob[0].tolist() == pytest.approx([0.7, 0.2])
    reasons = _reasons(found)
    assert [r.split(":")[1] for r in reasons] == ["3", "5", "6", "7"]
    assert "sum to 1.01, over 1 + 0.001" in reasons[0]


def test_a_top_k_sum_just_over_the_limit_is_refused_on_every_python_with_its_digits(
    tmp_path: Path,
) -> None:
    """0.6 + 0.2 + 0.001 + 0.2 adds up to one ulp over 1.001: the same file must be read the
    same on 3.11 and on 3.12+ (whose sum() compensates rounding), and the reason must not
    read "sum to 1.001, over 1 + 0.001"."""
    top = [[A, 0.6], [B, 0.2], ["n01443537", 0.001], ["n01484850", 0.2]]
    source = tmp_path / "p.csv"
    source.write_text('path,top\na/1.JPEG,"' + json.dumps(top).replace('"', '""') + '"\n')
    found = read_prediction_file(str(source))
    assert found.paths == []
    assert _reasons(found) == [
        f"{source}:2: top probabilities sum to 1.0010000000000001, over 1 + 0.001"
    ]


def test_csv_keeps_the_raw_bytes_of_a_non_utf8_path(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_bytes(b"path,predicted,confidence\na/caf\xe9.JPEG," + A.encode() + b",0.5\n")
    assert read_prediction_file(str(source)).paths == ["a/" + LATIN1]


def test_jsonl_reads_path_bytes_and_reports_bad_lines(tmp_path: Path) -> None:
    raw = base64.b64encode(b"a/caf\xe9.JPEG").decode()
    lines = [
        json.dumps(
            {"path": "a/caf\ufffd.JPEG", "path_bytes": raw, "predicted": A, "confidence": 1}
        ),
        "{not json",
        "",
        json.dumps({"path": "b.JPEG", "top": [[A, 0.5], [C, "x"]]}),
        json.dumps({"path": "c.JPEG", "predicted": B, "confidence": True}),
        json.dumps(["no", "object"]),
        json.dumps({"path": ".\\d\\e.JPEG", "top": [[A, 0.6]]}),
    ]
    source = tmp_path / "p.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = read_prediction_file(str(source))
    assert found.paths == ["a/" + LATIN1, "d/e.JPEG"]
    assert [r.split(":")[1] for r in _reasons(found)] == ["2", "4", "5", "6"]


def test_a_csv_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("file,class\na.JPEG,n01440764\n", encoding="utf-8")
    with pytest.raises(PredictionFileError, match="must name 'path'"):
        read_prediction_file(str(source))


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PredictionFileError, match="not '.txt'"):
        read_prediction_file(str(tmp_path / "p.txt"))


segment = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/\\\0"),
    min_size=1,
    max_size=8,
).filter(lambda s: s not in (".", ".."))


@given(
    parts=st.lists(segment, min_size=1, max_size=4),
    backslashes=st.lists(st.booleans(), min_size=4, max_size=4),
    dot=st.booleans(),
)
def test_paths_match_after_separator_and_leading_dot_slash_only(
    parts: list[str], backslashes: list[bool], dot: bool
) -> None:
    expected = "/".join(parts)
    written = parts[0]
    for part, back in zip(parts[1:], backslashes, strict=False):
        written += ("\\" if back else "/") + part
    if dot:
        written = "./" + written
    assert normalise_path(written) == expected
    # No suffix matching and nothing else: a different prefix stays different.
    assert normalise_path("x/" + written) != expected


@settings(deadline=None)
@given(st.lists(st.text(alphabet="ab./\\\0", max_size=6), max_size=6))
def test_paths_normalised_together_are_each_normalised_alone(paths: list[str]) -> None:
    assert normalise_paths(paths) == [normalise_path(p) for p in paths]


pair = st.lists(
    st.one_of(
        st.sampled_from([A, B, C, f" {A}", 1, None]),
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-1, 2),
            st.booleans(),
            st.text(max_size=2),
        ),
    ),
    min_size=0,
    max_size=3,
)


@settings(deadline=None)
@given(st.lists(st.one_of(st.lists(pair, max_size=4), st.none(), st.text(max_size=3)), max_size=8))
# Sums exactly to the limit by plain addition; Python 3.12's compensated sum() made the
# careful path accept it while bulk refused it (found by CI's 3.12 and 3.13 runs).
@example([[["n02088364", 0.6], ["n02088094", 0.2], ["n01440764", 0.001], ["n01443537", 0.2]]])
def test_bulk_checks_agree_with_the_row_by_row_definition(tops: list[object]) -> None:
    """The bulk path (numpy over a chunk) accepts, orders and rejects exactly as the careful
    row-by-row check does, with the same reason."""
    from browser.core.predictions.predictionfile import TOLERANCE
    from browser.core.predictions.topkrows import check_tops, top_entries_checked

    classes: dict[str, int] = {}
    reasons, numbers, probs, position = check_tops(
        [t if t is not None else None for t in tops], classes, TOLERANCE, top_entries_checked
    )
    names = list(classes)
    for top, reason, at in zip(tops, reasons, position, strict=True):
        if top is None:
            assert reason is not None
            continue
        expected = top_entries_checked(top)
        if isinstance(expected, str):
            assert reason == expected
            continue
        assert reason is None
        got = [(names[c], float(p)) for c, p in zip(numbers[at], probs[at], strict=True) if c >= 0]
        assert got == [(w, pytest.approx(p)) for w, p in expected]


def test_a_file_whose_every_top_row_is_bad_reports_each_row(tmp_path: Path) -> None:
    """Regression: when no row of a chunk was kept, packing the (empty) chunk two classes wide
    into a one-wide result raised ValueError instead of reporting the rows."""
    source = tmp_path / "p.csv"
    source.write_text(
        f'path,top\na/1.JPEG,[]\na/2.JPEG,"[[""{A}"", 0.6], [""{A}"", 0.3]]"\n', encoding="utf-8"
    )
    found = read_prediction_file(str(source))
    assert found.paths == []
    assert [(p.line, p.reason) for p in found.problems] == [
        (2, "top must be a non-empty list of [wnid, probability]"),
        (3, "top names a class twice"),
    ]


@pytest.mark.parametrize(
    ("cell", "reasons"),
    [
        # Python 3.11 and 3.12's json refuses 5,000 levels (RecursionError); 3.13's decodes
        # them, and the nested lists are then no list of pairs. Either way the row is bad.
        (
            "[" * 5000 + "]" * 5000,
            ("top is not a JSON list of [wnid, probability]", "top must be a list of [wnid"),
        ),
        (f'[["{A}", 1{"0" * 400}]]', ("top: " + "1" + "0" * 400 + " is not a probability",)),
    ],
)
def test_a_deeply_nested_or_huge_top_cell_is_a_bad_row_not_a_crash(
    tmp_path: Path, cell: str, reasons: tuple[str, ...]
) -> None:
    """Regression: json.loads raised RecursionError on deep nesting, and float() of a huge JSON
    integer OverflowError: neither was caught, so one such cell stopped the whole import."""
    source = tmp_path / "p.csv"
    quoted = '"' + cell.replace('"', '""') + '"'
    source.write_text(f'path,top\na/1.JPEG,{quoted}\nb.JPEG,"[[""{A}"", 1]]"\n', encoding="utf-8")
    found = read_prediction_file(str(source))
    assert found.paths == ["b.JPEG"]
    assert [p.line for p in found.problems] == [2]
    assert found.problems[0].reason.startswith(reasons)


def test_a_row_the_csv_module_cannot_read_stops_the_file_with_its_line(tmp_path: Path) -> None:
    """Regression: a cell over the csv module's field limit (128 KB) raised csv.Error, which
    no caller catches; now it is a PredictionFileError that names the file and line."""
    source = tmp_path / "p.csv"
    source.write_text(f'path,top\na/1.JPEG,"[[""{A}"", 1]]"\nb.JPEG,{"x" * 200_000}\n')
    with pytest.raises(PredictionFileError, match=r"p\.csv:3: not readable as CSV"):
        read_prediction_file(str(source))
