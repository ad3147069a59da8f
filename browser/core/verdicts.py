"""Verdicts on images' labels: one SQLite database (WAL) in the user's data folder.

A verdict is committed the moment it is given, so a crash or ``kill -9`` loses at most the
keystroke in flight. Verdicts are keyed by the dataset's name (its folder's name, so a
dataset moved to another disk keeps its reviews) and the image's path relative to the
dataset root; each records the label the image had (its wnid), who gave it and when.

A database that cannot be used — corrupt, or written by a newer version — is never deleted
or replaced: the store opens it read-only if it can (else empty), says what is wrong and
where the file is, and refuses to write (``VerdictsReadOnly``).
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# "duplicate": the image is a copy of another in the dataset (it says nothing about the label).
VERDICTS = ("correct", "wrong_label", "ambiguous", "unusable", "duplicate")
SCHEMA_VERSION = 1
DATABASE_NAME = "verdicts.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS verdicts (
    dataset TEXT NOT NULL,
    relpath TEXT NOT NULL,
    wnid TEXT NOT NULL,
    verdict TEXT,
    note TEXT NOT NULL DEFAULT '',
    proposed TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL,
    time REAL NOT NULL,
    PRIMARY KEY (dataset, relpath)
);
"""


class VerdictsReadOnly(RuntimeError):
    """The verdict database cannot be written; ``str()`` says why and where it is."""


@dataclass(frozen=True)
class Verdict:
    relpath: str
    wnid: str  # the image's label when the verdict was given
    verdict: str | None  # one of VERDICTS, or None: cleared (a note may remain)
    note: str = ""
    proposed: str = ""  # a wnid the reviewer proposes instead
    user: str = ""
    time: float = 0.0


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def dataset_key(root: str) -> str:
    return os.path.basename(os.path.normpath(root)) or root


class VerdictStore:
    """Every dataset's verdicts. Connections are per thread; writes commit at once."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DATABASE_NAME
        self.problem = ""  # non-empty: read-only, and why
        self._local = threading.local()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            db = self._db()
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self._refuse(
                    f"{self.path} was written by a newer Synset Browser (schema {version})"
                )
            elif version == 0:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("SELECT count(*) FROM verdicts").fetchone()
        except (sqlite3.Error, OSError) as exc:
            self._refuse(f"{self.path} cannot be used ({exc}); it was left as it is")

    def _refuse(self, problem: str) -> None:
        self.problem = problem
        self._local = threading.local()
        try:  # read what can still be read, never write
            self._local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.db.execute("SELECT count(*) FROM verdicts").fetchone()
        except sqlite3.Error:
            self._local.db = sqlite3.connect(":memory:")
            self._local.db.executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable across process crashes
            self._local.db = db
        return db

    @property
    def read_only(self) -> bool:
        return bool(self.problem)

    # -- writing ------------------------------------------------------------------------

    def give(
        self,
        root: str,
        relpath: str,
        wnid: str,
        verdict: str | None,
        *,
        note: str | None = None,
        proposed: str | None = None,
    ) -> Verdict | None:
        """Record a verdict (None clears it; a None note or proposal keeps the old one).
        Returns what was there before, for undo."""
        if verdict is not None and verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}; one of {', '.join(VERDICTS)}")
        if self.read_only:
            raise VerdictsReadOnly(self.problem)
        before = self.get(root, [relpath]).get(relpath)
        self.put(
            root,
            [
                Verdict(
                    relpath,
                    wnid,
                    verdict,
                    note if note is not None else (before.note if before else ""),
                    proposed if proposed is not None else (before.proposed if before else ""),
                    current_user(),
                    time.time(),
                )
            ],
        )
        return before

    def put(self, root: str, verdicts: Iterable[Verdict]) -> None:
        """Store these exactly as given (undo, import), in one transaction."""
        if self.read_only:
            raise VerdictsReadOnly(self.problem)
        key = dataset_key(root)
        self._write(
            "INSERT OR REPLACE INTO verdicts VALUES (?,?,?,?,?,?,?,?)",
            [
                (key, v.relpath, v.wnid, v.verdict, v.note, v.proposed, v.user, v.time)
                for v in verdicts
            ],
        )

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        """One transaction, committed before returning."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(sql, rows)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def forget(self, root: str, relpath: str) -> None:
        """Remove an image's entry entirely (undo of a first verdict)."""
        if self.read_only:
            raise VerdictsReadOnly(self.problem)
        self._write(
            "DELETE FROM verdicts WHERE dataset = ? AND relpath = ?", [(dataset_key(root), relpath)]
        )

    # -- reading ------------------------------------------------------------------------

    def get(self, root: str, relpaths: Iterable[str]) -> dict[str, Verdict]:
        wanted = list(relpaths)
        found: dict[str, Verdict] = {}
        key = dataset_key(root)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db().execute(
                "SELECT relpath, wnid, verdict, note, proposed, user, time FROM verdicts "
                f"WHERE dataset = ? AND relpath IN ({marks})",
                (key, *chunk),
            ):
                found[row[0]] = Verdict(*row)
        return found

    def all(self, root: str) -> list[Verdict]:
        return [
            Verdict(*row)
            for row in self._db().execute(
                "SELECT relpath, wnid, verdict, note, proposed, user, time FROM verdicts "
                "WHERE dataset = ? ORDER BY relpath",
                (dataset_key(root),),
            )
        ]
