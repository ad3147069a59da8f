"""Reading a shared precompute cache (the layout and its rule: browser.core.images.sharedcache):
read-only, lock-free, and following the manifest as a running ``precompute`` publishes new
index generations."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from browser.core.images.sharedcache import (
    INDEXES,
    MANIFEST,
    PARTS,
    dataset_folder,
    read_manifest,
    shared_base,
)

_RECHECK_S = 5.0  # how often a reader looks for a newer manifest
_CHUNK = 500  # keys per IN (...) query
_OPEN_PARTS = 64  # part files a reader keeps open


# -- reading ---------------------------------------------------------------------------------


class SharedCache:
    """Read-only access to a shared cache folder, safe to share between threads.

    It follows the manifest: a newer index published by a running ``precompute`` is picked up
    within :data:`_RECHECK_S` seconds. Every method answers "nothing" rather than failing when
    the folder cannot be read (the caller then computes what it needs, as without a cache).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._index_name: str | None = None
        self.dataset_id = ""
        self._checked = -_RECHECK_S
        self._parts: dict[int, str] = {}
        self._fds: dict[int, int] = {}
        # Closed explicitly by close(); should an owner forget, still closed (not left to
        # SQLite's finalizer, a ResourceWarning on Python 3.13) when the cache goes away.
        self._opened: list[sqlite3.Connection] = []
        self._finalizer = weakref.finalize(self, _release, self._opened, self._fds)

    def __enter__(self) -> SharedCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _index(self) -> sqlite3.Connection | None:
        """The current index (reopened if the manifest names another); under the lock."""
        now = time.monotonic()
        if now - self._checked < _RECHECK_S:
            return self._db
        self._checked = now
        try:
            manifest = read_manifest(self.folder)
        except (OSError, ValueError):
            manifest = None
        name = None if manifest is None else manifest.get("index")
        if name != self._index_name:
            self._close_index()
            if manifest is not None and name:
                uri = (self.folder / INDEXES / name).resolve().as_uri()
                # immutable: no locks and no journal look-ups, right for a file that never
                # changes under its name (and the only safe way to read SQLite over NFS).
                try:
                    db = sqlite3.connect(
                        f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False
                    )
                except sqlite3.Error:
                    return None
                try:
                    self._parts = dict(db.execute("SELECT id, name FROM parts"))
                except sqlite3.Error:
                    db.close()
                    return None
                self._opened.append(db)
                self._db, self._index_name = db, name
                self.dataset_id = str(manifest["dataset"])
        return self._db

    def current(self) -> bool:
        """Whether there is an index to read (and its dataset id is known)."""
        with self._lock:
            return self._index() is not None

    def thumbnails(self, keys: list[bytes]) -> tuple[dict[bytes, bytes], dict[bytes, str]]:
        """Thumbnails (JPEG bytes) and remembered failures of the keys it has."""
        found: dict[bytes, bytes] = {}
        failed: dict[bytes, str] = {}
        with self._lock:
            db = self._index()
            if db is None or not keys:
                return found, failed
            try:
                for start in range(0, len(keys), _CHUNK):
                    chunk = keys[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    query = (
                        "SELECT key, part, offset, length, failure FROM thumbs "
                        f"WHERE key IN ({marks})"
                    )
                    for key, part, offset, length, failure in db.execute(query, chunk):
                        if failure is not None:
                            failed[key] = failure
                        else:
                            data = os.pread(self._part_fd(part), length, offset)
                            if len(data) == length:
                                found[key] = data
            except (OSError, sqlite3.Error):
                self._checked = -_RECHECK_S  # a vanished file: look at the manifest again
        return found, failed

    def known_thumbnails(self, keys: list[bytes]) -> set[bytes]:
        """Which of ``keys`` have a thumbnail or a remembered failure (nothing is read)."""
        known: set[bytes] = set()
        with self._lock:
            db = self._index()
            if db is None:
                return known
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                known.update(
                    k
                    for (k,) in db.execute(f"SELECT key FROM thumbs WHERE key IN ({marks})", chunk)
                )
        return known

    def values(
        self, kind: str, between: tuple[bytes, bytes] | None = None
    ) -> dict[str, tuple[Any, ...]]:
        """relpath → (size, mtime, *values) of every image with ``kind`` computed:
        "hashes" (signed 64-bit hash, None if undecodable) or "dimensions" (width, height);
        with ``between``, only relative paths (bytes) in that closed range."""
        columns = {"hashes": ("has_hash", "hash"), "dimensions": ("has_dims", "width, height")}
        flag, wanted = columns[kind]
        with self._lock:
            db = self._index()
            if db is None:
                return {}
            try:
                query = f"SELECT relpath, size, mtime, {wanted} FROM images WHERE {flag}"
                if between is None:
                    found = db.execute(query)
                else:  # the primary key's order: one range of the table
                    found = db.execute(f"{query} AND relpath BETWEEN ? AND ?", between)
                return {os.fsdecode(row[0]): tuple(row[1:]) for row in found}
            except sqlite3.Error:
                self._checked = -_RECHECK_S
                return {}

    def _part_fd(self, part: int) -> int:
        fd = self._fds.get(part)
        if fd is None:
            if len(self._fds) >= _OPEN_PARTS:
                os.close(self._fds.pop(next(iter(self._fds))))
            fd = os.open(self.folder / PARTS / self._parts[part], os.O_RDONLY)
            self._fds[part] = fd
        return fd

    def _close_index(self) -> None:
        _release(self._opened, self._fds)
        self._db, self._index_name, self._parts = None, None, {}

    def close(self) -> None:
        with self._lock:
            self._close_index()


def _release(opened: list[sqlite3.Connection], fds: dict[int, int]) -> None:
    while fds:
        os.close(fds.popitem()[1])
    while opened:
        opened.pop().close()


def open_shared(cache_dir: Path, root: str) -> SharedCache | None:
    """The shared cache readers use for the dataset at ``root``, or None if there is none."""
    folder = dataset_folder(shared_base(cache_dir), root)
    if not (folder / MANIFEST).exists():
        return None
    return SharedCache(folder)


def precomputed_values(
    cache_dir: Path, root: str, kind: str, between: tuple[bytes, bytes] | None = None
) -> dict[str, tuple[Any, ...]]:
    """relpath → (size, mtime, *values) precomputed for the dataset at ``root`` ({} if none),
    with ``between`` only for relative paths (bytes) in that closed range."""
    shared = open_shared(cache_dir, root)
    if shared is None:
        return {}
    with shared:
        return shared.values(kind, between)


def has_precomputed(cache_dir: Path, root: str) -> bool:
    return (dataset_folder(shared_base(cache_dir), root) / MANIFEST).exists()
