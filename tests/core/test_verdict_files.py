"""Verdict files: the app reads back what it writes, exactly; bad rows are reported by line;
an export is whole or absent and never replaces a file."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review import files as verdictfiles
from browser.core.review.estimates import ReviewSummary
from browser.core.review.files import export_verdicts, import_verdicts
from browser.core.review.records import NOTE_LIMIT, VERDICTS, Verdict
from browser.core.review.verdicts import VerdictStore
from tests.conftest import TENCH, MakeFiles

ROOT = "/data/imagenet/val"
WHEN = "2026-01-01T00:00:00+00:00"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[VerdictStore]:
    with VerdictStore(tmp_path / "data") as opened:
        yield opened


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_export_import_round_trip_and_the_newer_verdict_wins(tmp_path: Path, suffix: str) -> None:
    with VerdictStore(tmp_path / "ours") as ours, VerdictStore(tmp_path / "theirs") as theirs:
        ours.put(
            ROOT,
            [
                Verdict("a.JPEG", "n01440764", "correct", "ok", "", "ann", 1000.0),
                Verdict("b.JPEG", "n01440764", "wrong_label", "", "n01443537", "ann", 1000.0),
            ],
        )
        out = tmp_path / f"out{suffix}"
        assert export_verdicts(ours, ROOT, str(out)) == 2
        with pytest.raises(FileExistsError):
            export_verdicts(ours, ROOT, str(out))
        report = import_verdicts(theirs, ROOT, str(out))
        assert (report.added, report.conflicts, report.problems) == (2, 0, [])
        assert theirs.all(ROOT) == ours.all(ROOT)
        # They change a, later; we change b, later than their copy: each newer verdict wins.
        theirs.put(ROOT, [Verdict("a.JPEG", "n01440764", "ambiguous", "", "", "bob", 2000.0)])
        ours.put(ROOT, [Verdict("b.JPEG", "n01440764", "unusable", "", "", "ann", 3000.0)])
        back = tmp_path / f"back{suffix}"
        export_verdicts(theirs, ROOT, str(back))
        report = import_verdicts(ours, ROOT, str(back))
        assert (report.replaced, report.kept, report.conflicts) == (1, 1, 2)
        merged = {v.relpath: v.verdict for v in ours.all(ROOT)}
    assert merged == {"a.JPEG": "ambiguous", "b.JPEG": "unusable"}


def _line(**values: object) -> str:
    return json.dumps(
        {"path": "ok.JPEG", "wnid": TENCH, "verdict": "correct", "time": WHEN, **values}
    )


def test_bad_json_lines_are_reported_by_line_and_the_rest_imported(
    tmp_path: Path, store: VerdictStore
) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        _line(),
        _line(path="../x.JPEG"),
        _line(path="y.JPEG", verdict="great"),
        "not json",
        _line(path="n.JPEG", verdict=3),  # a number is not stringified
        _line(path="t.JPEG", time="yesterday"),
        _line(path="z.JPEG", note="x" * (NOTE_LIMIT + 1)),
        _line(path="m.JPEG", note=None),
        "[1, 2]",
        _line(path="s.JPEG", note="\udce9"),  # valid JSON, but not text SQLite can keep
        _line(path="\ud800.JPEG"),  # a surrogate no file name has
    ]
    path.write_bytes(
        "\n".join(lines).encode() + b"\n" + _line(path="cafX.JPEG").encode().replace(b"X", b"\xe9")
    )
    report = import_verdicts(store, ROOT, str(path))
    assert report.added == 1
    assert [(p.line, p.reason.split(":")[0]) for p in report.problems] == [
        (2, "bad image path '../x.JPEG'"),
        (3, "unknown verdict 'great'"),
        (4, "not JSON"),
        (5, "verdict must be a string, not int"),
        (6, "time is not ISO 8601"),
        (7, f"the note is longer than {NOTE_LIMIT:,} bytes"),
        (8, "note must be a string, not NoneType"),
        (9, "not a JSON object"),
        (10, "note is not UTF-8 text"),
        (11, "bad image path '\\ud800.JPEG'"),
        (12, "not UTF-8 text (byte 14)"),
    ]
    assert [v.relpath for v in store.all(ROOT)] == ["ok.JPEG"]


def test_bad_csv_rows_are_reported_by_line_and_the_rest_imported(
    tmp_path: Path, store: VerdictStore
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "path,wnid,verdict,note,proposed_wnid,user,time\n"
        f'ok.JPEG,{TENCH},correct,"two\nlines",,ann,{WHEN}\n'
        f"short.JPEG,{TENCH},correct\n"
        f"bad.JPEG,{TENCH},meh,,,ann,{WHEN}\n"
        f"late.JPEG,{TENCH},correct,,,ann,2026-13-01\n"
        f"also.JPEG,{TENCH},unusable,,,ann,2026-01-01T00:00:00\n",  # no zone: UTC
        encoding="utf-8",
    )
    report = import_verdicts(store, ROOT, str(path))
    assert [(p.line, p.reason.split(":")[0]) for p in report.problems] == [
        (4, "3 fields; the header has 7"),
        (5, "unknown verdict 'meh'"),
        (6, "time is not ISO 8601"),
    ]
    assert report.added == 2
    assert store.get(ROOT, ["also.JPEG"])["also.JPEG"].time == 1767225600.0


def test_a_file_that_is_not_utf8_gets_a_clear_message(tmp_path: Path, store: VerdictStore) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("path,wnid,verdict,time\n".encode("utf-16"))
    report = import_verdicts(store, ROOT, str(path))
    assert [(p.line, p.reason) for p in report.problems] == [
        (1, "not UTF-8 text (it looks like UTF-16): save it as UTF-8")
    ]
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        b"path,wnid,verdict,note,time\n"
        + f"a.JPEG,{TENCH},correct,".encode()
        + b"caf\xe9,"
        + WHEN.encode()
        + b"\n"
    )
    report = import_verdicts(store, ROOT, str(latin1))
    assert [(p.line, p.reason) for p in report.problems] == [(2, "note is not UTF-8 text")]


@pytest.mark.parametrize("order", [1, -1])
def test_in_one_file_the_newest_row_of_an_image_wins_whatever_the_order(
    tmp_path: Path, order: int
) -> None:
    rows = [
        _line(verdict="correct", time="2026-01-01T00:00:00+00:00"),
        _line(verdict="wrong_label", time="2026-02-01T00:00:00+00:00"),
        _line(verdict="unusable", time="2025-12-01T00:00:00+00:00"),
    ][::order]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(rows) + "\n")
    with VerdictStore(tmp_path / "data") as store:
        report = import_verdicts(store, ROOT, str(path))
        assert (report.added, report.superseded) == (1, 2)
        assert store.get(ROOT, ["ok.JPEG"])["ok.JPEG"].verdict == "wrong_label"


def test_a_long_note_survives_the_csv_round_trip(tmp_path: Path) -> None:
    note = "a long note, " * (NOTE_LIMIT // 13)  # far over csv's default 128 KiB per field
    with VerdictStore(tmp_path / "a") as ours, VerdictStore(tmp_path / "b") as theirs:
        ours.give(ROOT, "x.JPEG", TENCH, "ambiguous", note=note)
        export_verdicts(ours, ROOT, str(tmp_path / "out.csv"))
        report = import_verdicts(theirs, ROOT, str(tmp_path / "out.csv"))
        assert report.problems == []
        assert theirs.all(ROOT) == ours.all(ROOT)


def test_an_export_that_fails_midway_leaves_no_file(
    tmp_path: Path, store: VerdictStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.merge(ROOT, [Verdict(f"{n}.JPEG", TENCH, "correct", "", "", "u", 1.0) for n in range(50)])
    real_write = verdictfiles.csv.writer

    class FullDisk:
        def __init__(self, out: Any) -> None:
            self.writer = real_write(out)
            self.rows = 0

        def writerow(self, row: list[str]) -> None:
            self.writer.writerow(row)

        def writerows(self, rows: object) -> None:
            for row in rows:  # type: ignore[attr-defined]
                self.rows += 1
                if self.rows > 10:
                    raise OSError(errno.ENOSPC, "No space left on device")
                self.writer.writerow(row)

    monkeypatch.setattr(verdictfiles.csv, "writer", FullDisk)
    out = tmp_path / "out.csv"
    with pytest.raises(OSError, match="No space"):
        export_verdicts(store, ROOT, str(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no file, no temporary


def test_an_export_never_replaces_a_file_that_appears_while_it_writes(
    tmp_path: Path, store: VerdictStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.merge(ROOT, [Verdict("a.JPEG", TENCH, "correct", "", "", "u", 1.0)])
    out = tmp_path / "out.jsonl"
    real_dumps = json.dumps

    def dumps_then_someone_writes(value: object, **options: object) -> str:
        out.write_text("the user's own file")
        return real_dumps(value, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(verdictfiles.json, "dumps", dumps_then_someone_writes)
    with pytest.raises(FileExistsError):
        export_verdicts(store, ROOT, str(out))
    assert out.read_text() == "the user's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out.jsonl"]


def test_a_latin1_name_goes_through_set_export_import_and_summary(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    name = os.fsdecode(b"caf\xe9.JPEG")
    root = make_files(tmp_path / "ds", [f"{TENCH}/{name}", f"{TENCH}/other.JPEG"])
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    relpath = f"{TENCH}/{name}"
    assert index.find_rows([relpath]) == {relpath: 0}
    for suffix in (".csv", ".jsonl"):
        with VerdictStore(tmp_path / "a") as ours, VerdictStore(tmp_path / f"b{suffix}") as theirs:
            ours.give(index.root, relpath, TENCH, "wrong_label", note="not a tench")
            out = tmp_path / f"out{suffix}"
            export_verdicts(ours, index.root, str(out))
            if suffix == ".jsonl":
                json.loads(out.read_text(encoding="utf-8"))  # valid UTF-8 JSON
            report = import_verdicts(theirs, index.root, str(out), index)
            assert (report.added, report.unknown, report.problems) == (1, 0, [])
            assert theirs.all(index.root) == ours.all(index.root)
            summary = ReviewSummary(DatasetView(index), theirs.all(index.root))
            tench = summary.node(hierarchy.index(TENCH))
            assert (tench.reviewed, tench.error_rate) == (1, 1.0)


def test_import_counts_rows_naming_images_the_dataset_does_not_hold(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG"])
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    path = tmp_path / "in.jsonl"
    path.write_text(_line(path=f"{TENCH}/a.JPEG") + "\n" + _line(path=f"{TENCH}/gone.JPEG") + "\n")
    with VerdictStore(tmp_path / "data") as store:
        report = import_verdicts(store, index.root, str(path), index)
        assert (report.added, report.unknown) == (2, 1)
        summary = ReviewSummary(DatasetView(index), store.all(index.root))
    assert summary.node(hierarchy.index(TENCH)).reviewed == 1
    assert summary.unknown == 1


# Any path a Linux file system allows below a root (bytes without NUL or "/", not "." or "..").
_segment = st.binary(min_size=1, max_size=12).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")
)
_relpath = st.lists(_segment, min_size=1, max_size=3).map(
    lambda parts: os.fsdecode(b"/".join(parts))
)
_text = st.text(st.characters(codec="utf-8"), max_size=40)
_verdict = st.builds(
    Verdict,
    relpath=_relpath,
    wnid=_text,
    verdict=st.sampled_from((None, *VERDICTS)),
    note=_text,
    proposed=_text,
    user=_text,
    time=st.integers(0, 4_000_000_000_000_000).map(lambda us: us / 1_000_000),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    verdicts=st.lists(_verdict, max_size=8, unique_by=lambda v: v.relpath),
    suffix=st.sampled_from([".csv", ".jsonl"]),
)
def test_export_then_import_gives_back_exactly_the_same_verdicts(
    tmp_path_factory: pytest.TempPathFactory, verdicts: list[Verdict], suffix: str
) -> None:
    folder = tmp_path_factory.mktemp("round")
    with VerdictStore(folder / "a") as ours, VerdictStore(folder / "b") as theirs:
        ours.put(ROOT, verdicts)
        out = folder / f"out{suffix}"
        assert export_verdicts(ours, ROOT, str(out)) == len(verdicts)
        report = import_verdicts(theirs, ROOT, str(out))
        assert report.problems == []
        assert sorted(theirs.all(ROOT), key=repr) == sorted(verdicts, key=repr)


def test_importing_the_same_file_again_changes_nothing_and_says_so(
    store: VerdictStore, tmp_path: Path
) -> None:
    store.put(ROOT, [Verdict("a.JPEG", TENCH, "correct", "", "", "ann", 1000.0)])
    out = tmp_path / "v.csv"
    export_verdicts(store, ROOT, str(out))
    report = import_verdicts(store, ROOT, str(out))
    assert (report.added, report.replaced, report.kept, report.unchanged) == (0, 0, 0, 1)
    assert report.conflicts == 0


def test_a_verdict_file_with_an_unknown_extension_is_refused_before_writing(
    store: VerdictStore, tmp_path: Path
) -> None:
    store.put(ROOT, [Verdict("a.JPEG", TENCH, "correct", "", "", "ann", 1000.0)])
    with pytest.raises(ValueError, match="CSV or JSON Lines"):
        export_verdicts(store, ROOT, str(tmp_path / "v.txt"))
    assert not (tmp_path / "v.txt").exists()
    assert verdictfiles.file_format(str(tmp_path / "V.JSONL")) == "JSON Lines"
