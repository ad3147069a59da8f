"""Verdicts: committed at once, never lost, never silently replaced; files in and out."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from browser.core.verdictfiles import export_verdicts, import_verdicts
from browser.core.verdicts import DATABASE_NAME, Verdict, VerdictsReadOnly, VerdictStore

ROOT = "/data/imagenet/val"


def test_a_verdict_is_kept_with_who_and_when_and_survives_a_restart(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path)
    before = store.give(ROOT, "n01440764/a.JPEG", "n01440764", "wrong_label", note="a carp")
    assert before is None
    again = VerdictStore(tmp_path).get(ROOT, ["n01440764/a.JPEG"])["n01440764/a.JPEG"]
    assert (again.verdict, again.note, again.wnid) == ("wrong_label", "a carp", "n01440764")
    assert again.user
    assert abs(again.time - time.time()) < 60
    # Keyed by the dataset folder's name: the same dataset on another disk keeps its reviews.
    moved = VerdictStore(tmp_path).get("/mnt/other/val", ["n01440764/a.JPEG"])
    assert moved["n01440764/a.JPEG"].verdict == "wrong_label"


def test_undo_restores_exactly_what_was_there(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path)
    store.give(ROOT, "x.JPEG", "n01440764", "correct", note="fine")
    before = store.give(ROOT, "x.JPEG", "n01440764", "ambiguous")
    assert before is not None
    assert store.get(ROOT, ["x.JPEG"])["x.JPEG"].note == "fine"  # a verdict keeps the note
    store.put(ROOT, [before])  # undo
    assert store.get(ROOT, ["x.JPEG"])["x.JPEG"] == before
    store.forget(ROOT, "x.JPEG")  # undo of the first verdict
    assert store.get(ROOT, ["x.JPEG"]) == {}
    with pytest.raises(ValueError, match="unknown verdict 'meh'"):
        store.give(ROOT, "x.JPEG", "n01440764", "meh")


def test_a_newer_or_corrupt_database_is_left_alone_and_read_only(tmp_path: Path) -> None:
    VerdictStore(tmp_path).give(ROOT, "x.JPEG", "n01440764", "correct")
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    newer = VerdictStore(tmp_path)
    assert "newer Synset Browser" in newer.problem
    assert newer.get(ROOT, ["x.JPEG"])["x.JPEG"].verdict == "correct"  # still readable
    with pytest.raises(VerdictsReadOnly, match=str(tmp_path)):
        newer.give(ROOT, "y.JPEG", "n01440764", "correct")
    other = tmp_path / "corrupt"
    other.mkdir()
    (other / DATABASE_NAME).write_bytes(b"this is not SQLite" * 100)
    corrupt = VerdictStore(other)
    assert "cannot be used" in corrupt.problem
    assert corrupt.all(ROOT) == []
    assert (other / DATABASE_NAME).read_bytes() == b"this is not SQLite" * 100


def test_killing_the_process_keeps_every_committed_verdict(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from browser.core.verdicts import VerdictStore
        store = VerdictStore(Path({str(tmp_path)!r}))
        for n in range(100000):
            store.give("/d/val", f"{{n}}.JPEG", "n01440764", "correct")
            print(n, flush=True)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    assert child.stdout is not None
    committed = -1
    for line in child.stdout:
        committed = int(line)
        if committed >= 300:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    store = VerdictStore(tmp_path)
    kept = {v.relpath for v in store.all("/d/val")}
    assert {f"{n}.JPEG" for n in range(committed + 1)} <= kept  # every acknowledged one
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_export_import_round_trip_and_the_newer_verdict_wins(tmp_path: Path, suffix: str) -> None:
    ours = VerdictStore(tmp_path / "ours")
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
    theirs = VerdictStore(tmp_path / "theirs")
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


def test_bad_import_lines_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        {
            "path": "ok.JPEG",
            "wnid": "n01440764",
            "verdict": "correct",
            "time": "2026-01-01T00:00:00+00:00",
        },
        {
            "path": "../x.JPEG",
            "wnid": "n01440764",
            "verdict": "correct",
            "time": "2026-01-01T00:00:00+00:00",
        },
        {
            "path": "y.JPEG",
            "wnid": "n01440764",
            "verdict": "great",
            "time": "2026-01-01T00:00:00+00:00",
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    report = import_verdicts(VerdictStore(tmp_path), ROOT, str(path))
    assert report.added == 1
    assert sorted((p.line, p.reason.split(":")[0]) for p in report.problems) == [
        (2, "bad image path '../x.JPEG'"),
        (3, "unknown verdict 'great'"),
        (4, "not JSON"),
    ]
