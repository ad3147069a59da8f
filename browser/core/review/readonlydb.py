"""Read an SQLite database that may not be written to, without losing what its WAL holds.

A database in WAL mode keeps its newest transactions in ``NAME-wal`` until a checkpoint
copies them into the main file. Opening it read-only needs the ``-shm`` index beside it, or
permission to create one; in a read-only folder after an unclean exit (or a copy of the two
files) neither holds. ``immutable=1`` would open it anyway but *ignores the -wal*, so the
newest rows would silently vanish: it is used only when there is no -wal to ignore. Otherwise
the two files are copied into a private temporary folder and the copy is read.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path


class ReadOnlyCopy:
    """A private copy of a database and its -wal, removed by :meth:`remove`."""

    def __init__(self, path: Path) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="synset-browser-readonly-"))
        self.path = self.folder / path.name
        shutil.copyfile(path, self.path)
        wal = _wal(path)
        if wal.exists():
            shutil.copyfile(wal, _wal(self.path))

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _connect(path: Path, options: str) -> sqlite3.Connection:
    # check_same_thread=False: one read-only connection serves every thread of the store.
    db = sqlite3.connect(f"{path.absolute().as_uri()}?{options}", uri=True, check_same_thread=False)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        db.close()
        raise
    return db


def open_read_only(path: Path) -> tuple[sqlite3.Connection, ReadOnlyCopy | None]:
    """A read-only connection to the database at ``path`` showing every committed row, and
    the private copy it reads (None when it reads the file itself)."""
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        return _connect(path, "mode=ro"), None
    except sqlite3.Error:
        pass
    wal = _wal(path)
    if not wal.exists() or wal.stat().st_size == 0:
        return _connect(path, "immutable=1"), None  # exact: nothing lives outside the file
    copy = ReadOnlyCopy(path)
    try:
        return _connect(copy.path, "mode=ro"), copy
    except BaseException:
        copy.remove()
        raise
