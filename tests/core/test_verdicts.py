"""Verdicts: committed at once, never lost, never silently replaced, every connection closed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from browser.core.review.records import NOTE_LIMIT, Verdict, VerdictsReadOnly
from browser.core.review.verdicts import DATABASE_NAME, VerdictStore

ROOT = "/data/imagenet/val"


def test_a_verdict_is_kept_with_who_and_when_and_survives_a_restart(tmp_path: Path) -> None:
    with VerdictStore(tmp_path) as store:
        before = store.give(ROOT, "n01440764/a.JPEG", "n01440764", "wrong_label", note="a carp")
    assert before is None
    with VerdictStore(tmp_path) as again:
        saved = again.get(ROOT, ["n01440764/a.JPEG"])["n01440764/a.JPEG"]
    assert (saved.verdict, saved.note, saved.wnid) == ("wrong_label", "a carp", "n01440764")
    assert saved.user
    assert abs(saved.time - time.time()) < 60


def test_undo_restores_exactly_what_was_there(tmp_path: Path) -> None:
    with VerdictStore(tmp_path) as store:
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


def test_a_note_up_to_the_limit_is_kept_and_a_longer_one_refused(tmp_path: Path) -> None:
    with VerdictStore(tmp_path) as store:
        longest = "é" * (NOTE_LIMIT // 2)  # two bytes each: exactly the limit
        store.give(ROOT, "x.JPEG", "n01440764", "correct", note=longest)
        assert store.get(ROOT, ["x.JPEG"])["x.JPEG"].note == longest
        with pytest.raises(ValueError, match="at most"):
            store.give(ROOT, "x.JPEG", "n01440764", "correct", note=longest + "x")


def test_a_given_verdict_is_newer_than_an_imported_one_from_a_clock_ahead(tmp_path: Path) -> None:
    """The window's keystroke is the newest verdict: read and stamped in one transaction."""
    future = time.time() + 3600
    with VerdictStore(tmp_path) as store:
        store.merge(ROOT, [Verdict("x.JPEG", "n01440764", "correct", "", "", "bob", future)])
        before = store.give(ROOT, "x.JPEG", "n01440764", "wrong_label")
        assert before is not None
        assert before.time == future
        saved = store.get(ROOT, ["x.JPEG"])["x.JPEG"]
        assert saved.verdict == "wrong_label"
        assert saved.time > future
        # ... and an import of the older row afterwards does not take it back.
        counts = store.merge(ROOT, [before])
        assert (counts.kept, counts.replaced) == (1, 0)
        assert store.get(ROOT, ["x.JPEG"])["x.JPEG"].verdict == "wrong_label"


def test_a_newer_or_corrupt_database_is_left_alone_and_read_only(tmp_path: Path) -> None:
    with VerdictStore(tmp_path) as store:
        store.give(ROOT, "x.JPEG", "n01440764", "correct")
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with VerdictStore(tmp_path) as newer:
        assert "newer Synset Browser" in newer.problem
        assert newer.get(ROOT, ["x.JPEG"])["x.JPEG"].verdict == "correct"  # still readable
        with pytest.raises(VerdictsReadOnly, match=str(tmp_path)):
            newer.give(ROOT, "y.JPEG", "n01440764", "correct")
    other = tmp_path / "corrupt"
    other.mkdir()
    (other / DATABASE_NAME).write_bytes(b"this is not SQLite" * 100)
    with VerdictStore(other) as corrupt:
        assert "cannot be used" in corrupt.problem
        assert corrupt.all(ROOT) == []
    assert (other / DATABASE_NAME).read_bytes() == b"this is not SQLite" * 100


def test_killing_the_process_keeps_every_committed_verdict(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from browser.core.review.verdicts import VerdictStore
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
    with VerdictStore(tmp_path) as store:
        kept = {v.relpath for v in store.all("/d/val")}
    assert {f"{n}.JPEG" for n in range(committed + 1)} <= kept  # every acknowledged one
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_close_closes_the_connections_of_every_thread(tmp_path: Path) -> None:
    store = VerdictStore(tmp_path)
    store.give(ROOT, "x.JPEG", "n01440764", "correct")
    seen: list[sqlite3.Connection] = []

    def read() -> None:
        assert store.get(ROOT, ["x.JPEG"])["x.JPEG"].verdict == "correct"
        seen.append(store._db())

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    seen.append(store._db())
    assert seen[0] is not seen[1]  # one connection per thread
    store.close()
    for db in seen:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            db.execute("SELECT 1")
    # A closed store opens again when it is used again (and closes again).
    assert store.get(ROOT, ["x.JPEG"])["x.JPEG"].verdict == "correct"
    store.close()


def test_non_utf8_paths_are_kept_as_their_bytes(tmp_path: Path) -> None:
    latin1 = os.fsdecode(b"n01440764/caf\xe9.JPEG")
    with VerdictStore(tmp_path) as store:
        store.give(ROOT, latin1, "n01440764", "wrong_label")
        assert [v.relpath for v in store.all(ROOT)] == [latin1]
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    assert db.execute("SELECT relpath FROM verdicts").fetchall() == [(b"n01440764/caf\xe9.JPEG",)]
    db.close()


def test_undo_never_takes_back_a_verdict_an_import_replaced_meanwhile(tmp_path: Path) -> None:
    with VerdictStore(tmp_path) as store:
        before = store.give(ROOT, "x.JPEG", "n01440764", "correct")
        given = store.get(ROOT, ["x.JPEG"])["x.JPEG"]
        assert store.undo(ROOT, "x.JPEG", before, given)  # nothing in between: undone
        assert store.get(ROOT, ["x.JPEG"]) == {}
        first = store.give(ROOT, "x.JPEG", "n01440764", "correct")
        assert first is None
        store.give(ROOT, "x.JPEG", "n01440764", "ambiguous")
        given = store.get(ROOT, ["x.JPEG"])["x.JPEG"]
        newer = Verdict("x.JPEG", "n01440764", "unusable", "", "", "bob", given.time + 10)
        store.merge(ROOT, [newer])  # another process imports a newer verdict
        assert not store.undo(ROOT, "x.JPEG", None, given)
        assert store.get(ROOT, ["x.JPEG"])["x.JPEG"] == newer
