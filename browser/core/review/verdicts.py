"""Verdicts on images' labels: one SQLite database (WAL) in the user's data folder.

A verdict is committed the moment it is given, so a crash or ``kill -9`` loses at most the
keystroke in flight. A verdict is keyed by its image's identity (browser.core.dataset.identity): the
dataset's key from the registry in the same database, and the image's relative path as bytes.
Each records the label the image had (its wnid), who gave it and when (to the microsecond).

Which verdict wins, whoever writes (window, imports, other processes): every
read-compare-write runs inside one ``BEGIN IMMEDIATE`` transaction, so no writer decides on a
row that another changes meanwhile. An import keeps the newer verdict of each image (ties keep
the stored one). A verdict given in the window is the newest by definition: it is stamped
inside its transaction later than whatever is stored, so a keystroke is never swallowed by an
imported row from a clock that runs ahead.

The first databases (schema 1) keyed verdicts by the dataset folder's base name. Opening one
keeps those rows as they are (``legacy_verdicts``); the first dataset of that name to open
gets a copy, and any other dataset of the same name is told where they went, never given them
silently (see :meth:`VerdictStore.identify`).

A database that cannot be written — corrupt, written by a newer version, or in a read-only
folder — is never deleted or replaced: the store reads what it can, says what is wrong and
where the file is, and refuses to write (``VerdictsReadOnly``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from browser.core.dataset import identity
from browser.core.review.readonlydb import ReadOnlyCopy, open_read_only
from browser.core.review.records import (
    NOTE_LIMIT,
    VERDICTS,
    MergeCounts,
    Verdict,
    VerdictsReadOnly,
    current_user,
    exact_time,
    note_too_long,
)
from browser.core.review.schema import (
    COLUMNS,
    COPY_NEWER,
    SCHEMA_VERSION,
    UPSERT,
    claim_legacy,
    migrate,
    read_only_source,
)

if TYPE_CHECKING:
    from browser.core.dataset.index import DatasetIndex

DATABASE_NAME = "verdicts.sqlite"
_CHUNK = 500  # SQLite's variable limit is 999 on old builds


def _verdict(row: tuple[object, ...]) -> Verdict:
    relpath = row[0]
    name = os.fsdecode(relpath) if isinstance(relpath, bytes) else str(relpath)
    return Verdict(name, *row[1:])  # type: ignore[arg-type]


def _row(key: str, v: Verdict) -> tuple[object, ...]:
    return (key, os.fsencode(v.relpath), v.wnid, v.verdict, v.note, v.proposed, v.user, v.time)


def _writable(folder: Path) -> bool:
    database = folder / DATABASE_NAME
    return os.access(folder, os.W_OK) and (not database.exists() or os.access(database, os.W_OK))


class VerdictStore:
    """Every dataset's verdicts. Use as a context manager, or call :meth:`close`.

    Connections are per OS thread (a sqlite3 connection may not be shared between threads
    that use it at once, and the window reads from workers); :meth:`close` closes all of them.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DATABASE_NAME
        self.problem = ""  # non-empty: read-only, and why
        self.version = SCHEMA_VERSION
        self._local = threading.local()
        self._handles = _Handles()
        self._keys: dict[str, str] = {}  # root -> dataset key
        # Deterministic in CPython: a store dropped without close() closes its connections.
        self._finalizer = weakref.finalize(self, self._handles.close)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            if not _writable(data_dir):
                self._refuse(f"{data_dir} is read-only: verdicts are read, not written")
                return
            self._prepare()
        except (sqlite3.Error, OSError) as exc:
            self._refuse(f"{self.path} cannot be used ({exc}); it was left as it is")

    def _prepare(self) -> None:
        db = self._db()
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._refuse(f"{self.path} was written by a newer Synset Browser (schema {version})")
            return
        if version < SCHEMA_VERSION:
            db.execute("PRAGMA journal_mode = WAL")
            with self._transaction() as tx:
                migrate(tx)
        db.execute("SELECT count(*) FROM verdicts").fetchone()

    def _refuse(self, problem: str) -> None:
        self.problem = problem
        self._handles.close()
        self._local = threading.local()
        try:  # read what can still be read, never write
            db, self._handles.copy = open_read_only(self.path)
            self._handles.connections.append(db)
            self.version = db.execute("PRAGMA user_version").fetchone()[0]
            db.execute("SELECT count(*) FROM verdicts").fetchone()
        except (sqlite3.Error, OSError):
            self._handles.close()
            db = sqlite3.connect(":memory:", check_same_thread=False)
            migrate(db)
            self.version = SCHEMA_VERSION
        self._keep(db)

    def _keep(self, db: sqlite3.Connection) -> None:
        self._local.db = db
        with self._handles.lock:
            if db not in self._handles.connections:
                self._handles.connections.append(db)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is not None:
            return db
        if self.read_only:
            # One read-only connection serves every thread (check_same_thread=False; the
            # module is built thread-safe), so that a private copy is made once.
            if not self._handles.connections:  # closed: open it again
                self._refuse(self.problem)
            db = self._handles.connections[0]
            self._local.db = db
            return db
        # check_same_thread=False only so that close() may close it from another thread.
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self._keep(db)  # before its first statement, which fails on a damaged file
        db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable across process crashes
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before anything is read, committed before returning."""
        if self.read_only:
            raise VerdictsReadOnly(self.problem)
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @property
    def read_only(self) -> bool:
        return bool(self.problem)

    def close(self) -> None:
        """Close every connection of every thread (and drop a private read-only copy)."""
        self._handles.close()
        self._local = threading.local()

    def __enter__(self) -> VerdictStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- which dataset ------------------------------------------------------------------

    def identify(self, dataset: DatasetIndex | str) -> identity.DatasetIdentity:
        """The dataset's identity (see browser.core.dataset.identity); with an index, a moved
        dataset is recognised by its images. ``notices`` say what the user should know: verdicts
        carried over from another root, or verdicts of the same folder name given elsewhere."""
        root = dataset if isinstance(dataset, str) else dataset.root
        if self.read_only:
            key = self._lookup(root)
            return identity.DatasetIdentity(key or "", root)
        with self._transaction() as db:
            # The images without a label are a view of their own, not what the dataset holds.
            index = None if isinstance(dataset, str) or dataset.is_unlabelled else dataset
            known = identity.register(db, root, index)
            known.notices += claim_legacy(db, known)
        self._keys[root] = known.key
        return known

    def same_as(self, root: str, old_root: str) -> identity.DatasetIdentity:
        """Declare ``root`` the dataset that was at ``old_root``: it takes that key and its
        verdicts; verdicts it had of its own are merged in (the newer one of an image wins)."""
        with self._transaction() as db:
            key = identity.lookup(db, old_root)
            if key is None:
                raise KeyError(f"no verdicts are kept for a dataset at {old_root}")
            previous = identity.lookup(db, root)
            identity.adopt(db, root, key, f"declared the same as {old_root}")
            if previous is not None and previous != key:
                db.execute(COPY_NEWER, (key, previous))
        self._keys[root] = key
        return identity.DatasetIdentity(key, root, [f"verdicts of {old_root} carried over"])

    def _lookup(self, root: str) -> str | None:
        if self.version < SCHEMA_VERSION:
            return None
        try:
            return identity.lookup(self._db(), root)
        except sqlite3.Error:
            return None

    def _key(self, root: str) -> str:
        """The dataset key of ``root``, registering it (without a fingerprint) if needed."""
        key = self._keys.get(root)
        if key is None:
            key = self.identify(root).key
        return key

    def _source(self, root: str) -> tuple[str, str]:
        """Where ``root``'s verdicts are read: (table, dataset column value)."""
        if not self.read_only:
            return "verdicts", self._key(root)
        return read_only_source(self._db(), root, self.version)

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
        """Record a verdict (None clears it; a None note or proposal keeps the old one),
        newer than whatever is stored. Returns what was there before, for undo."""
        return self.give_many(root, [(relpath, wnid, verdict)], note=note, proposed=proposed)[0]

    def give_many(
        self,
        root: str,
        given: list[tuple[str, str, str | None]],
        *,
        note: str | None = None,
        proposed: str | None = None,
    ) -> list[Verdict | None]:
        """Record (relpath, wnid, verdict) for several images in one transaction, as
        :meth:`give` does for one (a group of duplicates marked at once). Returns what was
        there before each, in order, for undo."""
        for _, _, verdict in given:
            if verdict is not None and verdict not in VERDICTS:
                raise ValueError(f"unknown verdict {verdict!r}; one of {', '.join(VERDICTS)}")
        if note is not None and note_too_long(note):
            raise ValueError(f"a note is at most {NOTE_LIMIT:,} bytes")
        key = self._key(root) if not self.read_only else ""
        with self._transaction() as db:
            stored = self._get(db, "verdicts", key, [relpath for relpath, _, _ in given])
            befores = [stored.get(relpath) for relpath, _, _ in given]
            rows = []
            for (relpath, wnid, verdict), before in zip(given, befores, strict=True):
                when = exact_time(time.time())
                if before is not None and before.time >= when:
                    when = exact_time(before.time + 1e-6)
                kept_note = note if note is not None else (before.note if before else "")
                kept_proposal = (
                    proposed if proposed is not None else (before.proposed if before else "")
                )
                mine = Verdict(
                    relpath, wnid, verdict, kept_note, kept_proposal, current_user(), when
                )
                rows.append(_row(key, mine))
            db.executemany(UPSERT.format(op=">="), rows)
        return befores

    def merge(self, root: str, verdicts: Iterable[Verdict]) -> MergeCounts:
        """Merge verdicts (one per image): for each image the newer one wins, decided and
        written in one transaction, so concurrent merges add up."""
        counts = MergeCounts()
        incoming = list(verdicts)
        key = self._key(root) if not self.read_only else ""
        with self._transaction() as db:
            ours = self._get(db, "verdicts", key, (v.relpath for v in incoming))
            chosen = []
            for theirs in incoming:
                mine = ours.get(theirs.relpath)
                if mine is None:
                    counts.added += 1
                    chosen.append(theirs)
                    continue
                if mine == theirs:
                    counts.unchanged += 1
                    continue
                if (mine.verdict, mine.note, mine.proposed) != (
                    theirs.verdict,
                    theirs.note,
                    theirs.proposed,
                ):
                    counts.conflicts += 1
                if theirs.time > mine.time:
                    counts.replaced += 1
                    chosen.append(theirs)
                else:
                    counts.kept += 1
            db.executemany(UPSERT.format(op=">"), [_row(key, v) for v in chosen])
        return counts

    def undo(self, root: str, relpath: str, before: Verdict | None, given: Verdict) -> bool:
        """Take back ``given`` (what :meth:`give` stored): restore ``before`` (None: remove
        the entry), but only while the stored verdict is still ``given``. False when another
        writer (an import) replaced it since: the newer verdict stays."""
        key = self._key(root) if not self.read_only else ""
        with self._transaction() as db:
            if self._get(db, "verdicts", key, [relpath]).get(relpath) != given:
                return False
            if before is None:
                db.execute(
                    "DELETE FROM verdicts WHERE dataset = ? AND relpath = ?",
                    (key, os.fsencode(relpath)),
                )
            else:
                db.execute(
                    f"INSERT OR REPLACE INTO verdicts (dataset, {COLUMNS}) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    _row(key, before),
                )
        return True

    def put(self, root: str, verdicts: Iterable[Verdict]) -> None:
        """Store these exactly as given, whatever is stored, in one transaction (tests, and
        the window's undo until it uses :meth:`undo`, which never replaces a newer verdict)."""
        key = self._key(root) if not self.read_only else ""
        with self._transaction() as db:
            db.executemany(
                f"INSERT OR REPLACE INTO verdicts (dataset, {COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                [_row(key, v) for v in verdicts],
            )

    def forget(self, root: str, relpath: str) -> None:
        """Remove an image's entry entirely (undo of a first verdict)."""
        key = self._key(root) if not self.read_only else ""
        with self._transaction() as db:
            db.execute(
                "DELETE FROM verdicts WHERE dataset = ? AND relpath = ?",
                (key, os.fsencode(relpath)),
            )

    # -- reading ------------------------------------------------------------------------

    def get(self, root: str, relpaths: Iterable[str]) -> dict[str, Verdict]:
        table, key = self._source(root)
        return self._get(self._db(), table, key, relpaths)

    def _get(
        self, db: sqlite3.Connection, table: str, key: str, relpaths: Iterable[str]
    ) -> dict[str, Verdict]:
        legacy = table != "verdicts" or self.version < SCHEMA_VERSION
        wanted: list[object] = [p if legacy else os.fsencode(p) for p in relpaths]
        found: dict[str, Verdict] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for row in db.execute(
                f"SELECT {COLUMNS} FROM {table} WHERE dataset = ? AND relpath IN ({marks})",
                (key, *chunk),
            ):
                verdict = _verdict(row)
                found[verdict.relpath] = verdict
        return found

    def all(self, root: str) -> list[Verdict]:
        """The dataset's verdicts, by relative path (bytes order)."""
        table, key = self._source(root)
        return [
            _verdict(row)
            for row in self._db().execute(
                f"SELECT {COLUMNS} FROM {table} WHERE dataset = ? ORDER BY relpath", (key,)
            )
        ]


class _Handles:
    """What a store holds open: its connections, and a private read-only copy."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections: list[sqlite3.Connection] = []
        self.copy: ReadOnlyCopy | None = None

    def close(self) -> None:
        with self.lock:
            while self.connections:
                self.connections.pop().close()
            if self.copy is not None:
                self.copy.remove()
                self.copy = None
