"""The persistent index: one SQLite file per dataset in the user's cache directory.

One row per listed folder holds its names as a single blob (and sizes/mtimes as int64
blobs), so reopening 1.28M images reads ~1000–21k rows, not 1.28M. Classes are stored as
wnids rather than node numbers, so an index outlives a rebuilt hierarchy resource. A new
index is written to a temporary file and moved into place: a crash never leaves half an index.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import numpy as np

from browser.core.dataset.layouts import UNMAPPED_NOT_SYNSET, Skipped
from browser.core.dataset.scanner import FolderRecord, decode_names, encode_names
from browser.core.hierarchy.dag import Hierarchy

# 2: offsets of tar shard members. 3: folders reached through directory links follow the
# policy of browser.core.dataset.links; an older index may hold a whole dataset relabelled through a
# link loop, so it is set aside (kept) and the dataset scanned again.
SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE folders (
    relpath BLOB PRIMARY KEY, top BLOB NOT NULL, wnid TEXT, split TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL, count INTEGER NOT NULL, names BLOB NOT NULL,
    subdirs BLOB NOT NULL, skipped TEXT NOT NULL, reason TEXT NOT NULL,
    sizes BLOB, mtimes BLOB, offsets BLOB
);
CREATE TABLE problems (path BLOB NOT NULL, reason TEXT NOT NULL);
"""


class IndexStoreError(RuntimeError):
    """The stored index cannot be used (corrupt, or not one of ours)."""


class NewerIndexError(IndexStoreError):
    """The stored index was written by a newer version; it is left untouched."""


def unsaved_notice(path: Path, exc: BaseException) -> str:
    """What a user is told, once, when the index cannot be written (a read-only or full
    cache folder): the dataset still opens."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return (
        f"the index cannot be saved in {path.parent} ({reason}); the dataset is open "
        "without it, and will be scanned again next time"
    )


def index_file(cache_dir: Path, root: str, variant: str = "") -> Path:
    """Where the index of the dataset at ``root`` (a real path) is kept; ``variant`` keeps
    indexes made with another hierarchy apart."""
    key = os.fsencode(root) + (b"\0" + os.fsencode(variant) if variant else b"")
    digest = hashlib.sha256(key).hexdigest()[:20]
    return cache_dir / "indexes" / f"{digest}.sqlite"


def _blob(array: np.ndarray | None) -> bytes | None:
    return None if array is None else np.ascontiguousarray(array, dtype="<i8").tobytes()


def _array(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype="<i8")


def _folder_row(record: FolderRecord, hierarchy: Hierarchy) -> tuple[object, ...]:
    return (
        os.fsencode(record.relpath),
        os.fsencode(record.top),
        hierarchy.wnid(record.label) if record.label >= 0 else None,
        record.split,
        record.mtime_ns,
        record.count,
        record.names,
        encode_names(record.subdirs),
        json.dumps(record.skipped),  # ASCII-escaped, so non-UTF-8 names survive the text column
        record.reason,
        _blob(record.sizes),
        _blob(record.mtimes),
        _blob(record.offsets),
    )


def save(
    path: Path,
    *,
    root: str,
    layout: str,
    hierarchy: Hierarchy,
    folders: Iterable[FolderRecord],
    problems: Iterable[Skipped],
) -> None:
    """Write a complete index to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(tmp)) as db:
            # A private file until the rename below: no journal or syncs are needed while
            # it is written, and a crash leaves only a stray temporary file.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.executescript(_SCHEMA)
            meta = {
                "schema_version": str(SCHEMA_VERSION),
                "root": json.dumps(root),
                "layout": layout,
                "hierarchy": hierarchy.source,
                "written": str(time.time()),
            }
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            db.executemany(
                "INSERT INTO folders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (_folder_row(r, hierarchy) for r in folders),
            )
            db.executemany(
                "INSERT INTO problems VALUES (?, ?)",
                ((os.fsencode(p.path), p.reason) for p in problems),
            )
            db.commit()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load(path: Path, hierarchy: Hierarchy) -> tuple[str, str, list[FolderRecord], list[Skipped]]:
    """Read an index: (root, layout, folders, problems). Raises IndexStoreError if unusable."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            version = int(meta.get("schema_version", "0"))
            if version > SCHEMA_VERSION:
                raise NewerIndexError(
                    f"{path} was written by a newer Synset Browser (index schema {version})"
                )
            if version != SCHEMA_VERSION:
                raise IndexStoreError(f"{path} has an unknown index schema ({version})")
            rows = db.execute("SELECT * FROM folders ORDER BY relpath").fetchall()
            problems = [
                Skipped(os.fsdecode(p), reason)
                for p, reason in db.execute("SELECT path, reason FROM problems")
            ]
    except (sqlite3.Error, ValueError) as exc:
        raise IndexStoreError(f"{path} is not a readable index: {exc}") from exc
    folders = []
    for (
        relpath,
        top,
        wnid,
        split,
        mtime,
        count,
        names,
        subdirs,
        skipped,
        reason,
        sizes,
        mtimes,
        offsets,
    ) in rows:
        label = -1 if wnid is None else hierarchy.find(wnid)
        if label is None:
            label, reason = -1, UNMAPPED_NOT_SYNSET
        folders.append(
            FolderRecord(
                os.fsdecode(relpath),
                os.fsdecode(top),
                label,
                split,
                mtime,
                names,
                count,
                decode_names(subdirs),
                [tuple(s) for s in json.loads(skipped)],
                reason,
                _array(sizes),
                _array(mtimes),
                offsets=_array(offsets),
            )
        )
    # Rows come back in byte order of the path; the scanner orders by str. Keep one order.
    folders.sort(key=lambda r: r.relpath)
    return json.loads(meta["root"]), meta["layout"], folders, problems


def update_file_facts(path: Path, records: Iterable[FolderRecord]) -> None:
    """Store sizes and mtimes of some folders (after a stat pass) in one transaction."""
    with closing(sqlite3.connect(path)) as db:
        db.executemany(
            "UPDATE folders SET sizes = ?, mtimes = ? WHERE relpath = ?",
            ((_blob(r.sizes), _blob(r.mtimes), os.fsencode(r.relpath)) for r in records),
        )
        db.commit()
