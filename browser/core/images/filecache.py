"""Values computed from each image file (perceptual hashes, pixel sizes), cached by the
image's relative path, size and mtime in one SQLite file per dataset and kind.

A changed file is computed again; values are saved as they come, so an interrupted pass
resumes where it stopped. Hard links to one file are computed once per pass (a dataset of
20,000 links to one picture is one decode, not 20,000).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.scanner import ScanCancelled
from browser.core.dataset.tarshards import MemberPath

_SAVE_EVERY = 500
_LINKED_MEMO = 100_000  # hard-linked files whose values one pass remembers (~20 MB at most)
Values = tuple[Any, ...]  # (value, …) of one file, in the cache's column order


KeyRange = tuple[bytes, bytes]  # the least and greatest relative path (bytes) wanted
Precomputed = Callable[[KeyRange | None], dict[str, Values]]


class FileValueCache:
    def __init__(
        self,
        path: Path,
        columns: tuple[str, ...],
        precomputed: Precomputed | None = None,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Values ``synset-browser precompute`` made (browser.core.images.sharedcache), in the same
        # shape as load()'s: used where this cache has nothing current, never copied into it.
        self.precomputed = precomputed
        self._marks = ",".join("?" * (3 + len(columns)))
        with closing(sqlite3.connect(path)) as db:
            values = "".join(f", {name} INTEGER" for name in columns)
            db.execute(
                "CREATE TABLE IF NOT EXISTS files "
                f"(relpath TEXT PRIMARY KEY, size INTEGER, mtime INTEGER{values})"
            )
            if db.execute("PRAGMA user_version").fetchone()[0] < 1:
                # Paths are BLOBs (a latin-1 name is not valid TEXT); caches written before
                # that hold TEXT, which sorts apart from BLOBs: made BLOBs once, so that a
                # range of paths is one range of the key.
                db.execute(
                    "UPDATE OR REPLACE files SET relpath = CAST(relpath AS BLOB) "
                    "WHERE typeof(relpath) = 'text'"
                )
                db.execute("PRAGMA user_version = 1")
            db.commit()

    def load(self, between: KeyRange | None = None) -> dict[str, Values]:
        """relpath → (size, mtime, *values); with ``between``, only the relative paths in
        that closed range (one range of the primary key: a class of a 14M-image cache
        without reading the other 14M rows)."""
        query = "SELECT * FROM files"
        bounds: tuple[bytes, ...] = ()
        if between is not None:
            query, bounds = f"{query} WHERE relpath BETWEEN ? AND ?", between
        with closing(sqlite3.connect(self.path)) as db:
            return {os.fsdecode(row[0]): tuple(row[1:]) for row in db.execute(query, bounds)}

    def save(self, entries: list[Values]) -> None:
        """(relpath, size, mtime, *values) rows."""
        rows = [(os.fsencode(entry[0]), *entry[1:]) for entry in entries]
        with closing(sqlite3.connect(self.path)) as db:
            db.executemany(f"INSERT OR REPLACE INTO files VALUES ({self._marks})", rows)
            db.commit()


def cache_path(index: DatasetIndex, cache_dir: Path, kind: str) -> Path:
    """Where ``kind`` values of this dataset are kept (beside its index, by the same name)."""
    # Named after the index's digest, as when the index was one SQLite file.
    name = f"{Path(index.store_path).stem}.sqlite" if index.store_path else "unsaved.sqlite"
    return cache_dir / kind / name


def file_facts(index: DatasetIndex, row: int) -> tuple[int, int]:
    size, mtime = int(index.sizes[row]), int(index.mtimes[row])
    if size < 0:  # the stat pass has not reached it: the cache needs the file's facts
        try:
            st = os.stat(index.path(row))
            size, mtime = st.st_size, st.st_mtime_ns
        except OSError:
            pass
    return size, mtime


def _linked_identity(path: str) -> tuple[int, int, int, int] | None:
    """(device, inode, size, mtime) of a file with several hard links, else None: all its
    names have the same content, so one computation serves them all."""
    if isinstance(path, MemberPath):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    if st.st_nlink < 2:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def key_range(relpaths: list[str]) -> KeyRange | None:
    """The least and greatest of these paths as bytes (the cache's key order), or None."""
    if not relpaths:
        return None
    encoded = [os.fsencode(relpath) for relpath in relpaths]
    return min(encoded), max(encoded)


def per_file_values(
    index: DatasetIndex,
    rows: np.ndarray,
    cache: FileValueCache,
    compute: Callable[[str], Values],
    missing: Values,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cached_only: bool = False,
) -> list[Values]:
    """The values of each of ``rows``: cached where the file is unchanged, else computed
    from its path (``missing`` when ``cached_only``). Raises ScanCancelled when cancelled,
    after saving what was computed."""
    relpaths = [index.relpath(row) for row in rows.tolist()]
    wanted = key_range(relpaths)
    known = cache.load(wanted) if wanted is not None else {}
    precomputed = cache.precomputed(wanted) if cache.precomputed and wanted else {}
    values: list[Values] = []
    fresh: list[Values] = []
    linked: dict[tuple[int, int, int, int], Values] = {}
    for position, (row, relpath) in enumerate(zip(rows.tolist(), relpaths, strict=True)):
        size, mtime = file_facts(index, row)
        entry = known.get(relpath)
        if entry is None or entry[:2] != (size, mtime):
            entry = precomputed.get(relpath)
        if entry is not None and size >= 0 and entry[:2] == (size, mtime):
            values.append(entry[2:])
        elif cached_only:
            values.append(missing)
        else:
            if cancelled is not None and cancelled():
                cache.save(fresh)
                raise ScanCancelled
            path = index.path(row)
            identity = _linked_identity(path)
            value = linked.get(identity) if identity is not None else None
            if value is None:
                value = compute(path)
                if identity is not None and len(linked) < _LINKED_MEMO:
                    linked[identity] = value
            values.append(value)
            fresh.append((relpath, size, mtime, *value))
            if len(fresh) >= _SAVE_EVERY:
                cache.save(fresh)
                fresh = []
        if progress is not None and (position % _SAVE_EVERY == 0 or position == len(rows) - 1):
            progress(position + 1, len(rows))
    cache.save(fresh)
    return values
