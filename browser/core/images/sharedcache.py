"""A cache of precomputed thumbnails, hashes and pixel sizes that many machines read at once
while one ``synset-browser precompute`` writes it, on a shared file system (NFS included).

The rule (``docs/cluster.md``): **nothing in the folder is ever modified in place; files
appear whole, by rename.** SQLite needs byte-range locks that NFS does not honour, so no
SQLite database is ever *written* there; readers open the index read-only and ``immutable``
(no locks at all), which is safe because it never changes once it has its name.

- ``parts/<task>.part``: one per finished task, written by the worker that computed it (a
  temporary name in the same folder, then ``os.replace``). A JSON header lists each image by
  key — relative path bytes, size, mtime, never a row position — with its values, and where
  its thumbnails' JPEG bytes lie in the rest of the file.
- ``indexes/index-<generation>.sqlite``: every merged part's entries, built by the one writer
  (``precompute``'s client) in a local temporary folder and copied in under a new name.
- ``manifest.json``: which index is current and which parts it holds; replaced atomically
  after the index it names is in place. Readers (browser.core.images.sharedcachereader) look at it
  again every few seconds.

Old index generations are kept (:data:`KEEP_INDEXES`) so that a reader still using one is not
left with a vanished file. Only one writer at a time, which ``precompute`` enforces with the
folder's writer lock (browser.core.images.writerlock); were two to run, nothing would be
corrupted, but one run's manifest could omit the other's parts until the next merge.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import tempfile
import uuid
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from browser.core.filenames import json_path, path_from_json

MANIFEST = "manifest.json"
PARTS = "parts"
INDEXES = "indexes"
PART_SUFFIX = ".part"
TEMP_PREFIX = ".tmp-"
SHARED_CACHE_ENV = "SYNSET_BROWSER_SHARED_CACHE"
KEEP_INDEXES = 3
_MAGIC = b"SBPART01"

INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS parts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS images (
    relpath BLOB PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
    has_hash INTEGER NOT NULL, hash INTEGER,
    has_dims INTEGER NOT NULL, width INTEGER, height INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS thumbs (
    key BLOB PRIMARY KEY, part INTEGER NOT NULL, offset INTEGER NOT NULL,
    length INTEGER NOT NULL, failure TEXT
) WITHOUT ROWID;
"""

# A value computed for one file of a changed size or mtime is dropped; one of the same file
# is kept unless the new part has it too. (SET expressions all see the old row.)
_UPSERT = """
INSERT INTO images VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(relpath) DO UPDATE SET
    has_hash = CASE WHEN excluded.has_hash THEN 1
        WHEN size = excluded.size AND mtime = excluded.mtime THEN has_hash ELSE 0 END,
    hash = CASE WHEN excluded.has_hash THEN excluded.hash
        WHEN size = excluded.size AND mtime = excluded.mtime THEN hash ELSE NULL END,
    has_dims = CASE WHEN excluded.has_dims THEN 1
        WHEN size = excluded.size AND mtime = excluded.mtime THEN has_dims ELSE 0 END,
    width = CASE WHEN excluded.has_dims THEN excluded.width
        WHEN size = excluded.size AND mtime = excluded.mtime THEN width ELSE NULL END,
    height = CASE WHEN excluded.has_dims THEN excluded.height
        WHEN size = excluded.size AND mtime = excluded.mtime THEN height ELSE NULL END,
    size = excluded.size, mtime = excluded.mtime
"""


def dataset_folder(base: Path, root: str) -> Path:
    """The shared cache of the dataset at ``root`` under ``base``: ``base`` itself if it holds
    a manifest (the user named the dataset's folder), else ``base/precomputed/<root's name>``
    (the same name on every machine that mounts the dataset under that name)."""
    if (base / MANIFEST).exists():
        return base
    return base / "precomputed" / (os.path.basename(os.path.normpath(root)) or "root")


def shared_base(cache_dir: Path) -> Path:
    """Where readers look for precomputed results: ``$SYNSET_BROWSER_SHARED_CACHE`` if set
    (a shared folder), else the local cache folder (where a local ``precompute`` writes)."""
    override = os.environ.get(SHARED_CACHE_ENV)
    return Path(override) if override else cache_dir


def thumb_key(dataset_id: str, relpath: str, size: int, mtime: int, bucket: int) -> bytes:
    """A thumbnail's key: the same on every machine, unlike one made from an absolute path."""
    raw = (
        dataset_id.encode() + b"\0" + os.fsencode(relpath) + f"\0{size}\0{mtime}\0{bucket}".encode()
    )
    return hashlib.sha1(raw, usedforsecurity=False).digest()


# -- writing ---------------------------------------------------------------------------------


def atomic_write(path: Path, write: Callable[[Any], None], *, replace: bool = True) -> None:
    """Write a new file under a temporary name in its folder, flush it to disk, rename it.
    With ``replace=False`` an existing file is kept as it is (``os.link`` never replaces): a
    part written twice (a task retried while its first worker still ran) keeps the file that
    readers may already hold open, which on NFS a replacement would make stale for them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
    try:
        with open(temporary, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
            os.unlink(temporary)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@dataclass
class PartEntry:
    """One image's results in a part: only what was asked is present."""

    relpath: str
    size: int
    mtime: int
    hash: int | None = None  # unsigned 64-bit; None with has_hash: undecodable
    has_hash: bool = False
    dims: tuple[int, int] | None = None  # (0, 0): unreadable
    thumbs: dict[int, bytes | str] = field(default_factory=dict)  # bucket → JPEG or failure


def write_part(path: Path, task: str, entries: Iterable[PartEntry]) -> None:
    """One task's results as an immutable file: magic, header length, JSON header, blobs."""
    records = []
    blobs: list[bytes] = []
    offset = 0
    for entry in entries:
        record: dict[str, Any] = {**json_path(entry.relpath), "size": entry.size}
        record["mtime"] = entry.mtime
        if entry.has_hash:
            record["hash"] = entry.hash
        if entry.dims is not None:
            record["dims"] = list(entry.dims)
        thumbs: dict[str, Any] = {}
        for bucket, value in entry.thumbs.items():
            if isinstance(value, bytes):
                thumbs[str(bucket)] = [offset, len(value)]
                blobs.append(value)
                offset += len(value)
            else:
                thumbs[str(bucket)] = value
        if thumbs:
            record["thumbs"] = thumbs
        records.append(record)
    header = json.dumps({"task": task, "entries": records}, separators=(",", ":")).encode()

    def write(out: Any) -> None:
        out.write(_MAGIC + struct.pack("<Q", len(header)) + header)
        for blob in blobs:
            out.write(blob)

    atomic_write(path, write, replace=False)


def read_part_header(path: Path) -> tuple[dict[str, Any], int]:
    """(header, where the blobs start) of a part file; ValueError if it is not one."""
    with open(path, "rb") as part:
        start = part.read(16)
        if len(start) != 16 or start[:8] != _MAGIC:
            raise ValueError(f"{path}: not a precompute part file")
        (length,) = struct.unpack("<Q", start[8:])
        header = json.loads(part.read(length))
    return header, 16 + length


def read_part_entries(path: Path) -> list[PartEntry]:
    """Every entry of a part, thumbnails' bytes included (tests and tools)."""
    header, base = read_part_header(path)
    with open(path, "rb") as part:
        entries = []
        for record in header["entries"]:
            entry = _entry(record)
            for bucket, value in record.get("thumbs", {}).items():
                if isinstance(value, list):
                    part.seek(base + value[0])
                    entry.thumbs[int(bucket)] = part.read(value[1])
                else:
                    entry.thumbs[int(bucket)] = str(value)
            entries.append(entry)
    return entries


def _entry(record: dict[str, Any]) -> PartEntry:
    dims = record.get("dims")
    return PartEntry(
        path_from_json(record),
        int(record["size"]),
        int(record["mtime"]),
        record.get("hash"),
        "hash" in record,
        None if dims is None else (int(dims[0]), int(dims[1])),
    )


def _signed(value: int) -> int:  # SQLite integers are signed 64-bit
    return value - (1 << 64) if value >= 1 << 63 else value


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        with open(folder / MANIFEST, "rb") as source:
            manifest = json.load(source)
    except FileNotFoundError:
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != 1:
        raise ValueError(f"{folder / MANIFEST}: not a precompute manifest (format 1)")
    return manifest


def start_folder(folder: Path) -> dict[str, Any]:
    """The folder's manifest, made (with a new dataset id) if there is none yet; temporary
    files a killed writer left behind are removed (only the one writer runs here)."""
    (folder / PARTS).mkdir(parents=True, exist_ok=True)
    (folder / INDEXES).mkdir(parents=True, exist_ok=True)
    for sub in (folder, folder / INDEXES):
        for leftover in sub.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    manifest = read_manifest(folder)
    if manifest is None:
        manifest = {"format": 1, "dataset": uuid.uuid4().hex, "index": None, "parts": []}
        _write_manifest(folder, manifest)
    return manifest


def clear_part_temporaries(folder: Path) -> None:
    """Temporary part files of killed workers (call only when no task of this folder runs)."""
    for leftover in (folder / PARTS).glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    data = json.dumps(manifest, indent=1).encode()
    atomic_write(folder / MANIFEST, lambda out: out.write(data))


def unmerged_parts(folder: Path, manifest: dict[str, Any]) -> list[str]:
    merged = set(manifest["parts"])
    names = sorted(p.name for p in (folder / PARTS).glob(f"*{PART_SUFFIX}"))
    return [name for name in names if name not in merged]


def merge(folder: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Fold every finished part not yet in the index into a new index generation and
    publish it; returns how many parts were merged. Only the folder's one writer calls it."""
    manifest = start_folder(folder)
    new = unmerged_parts(folder, manifest)
    if not new:
        return 0
    generation = int(manifest.get("generation", 0)) + 1
    name = f"index-{generation:06d}.sqlite"
    with tempfile.TemporaryDirectory(prefix="synset-merge-") as local:
        # Built on a local disk: SQLite's locks are not to be trusted on the shared one.
        work = Path(local) / name
        if manifest["index"]:
            shutil.copyfile(folder / INDEXES / manifest["index"], work)
        with closing(sqlite3.connect(work)) as db:
            # A private copy, thrown away if anything fails: no rollback journal to write,
            # and a page cache that holds the B-trees' upper levels at 14M images.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA cache_size = -131072")
            db.executescript(INDEX_SCHEMA)
            for done, part in enumerate(new):
                _merge_part(db, folder / PARTS / part, part, manifest["dataset"])
                if progress is not None:
                    progress(done + 1, len(new))
            db.commit()
        staged = folder / INDEXES / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
        shutil.copyfile(work, staged)
        with open(staged, "rb") as flushed:
            os.fsync(flushed.fileno())
        os.replace(staged, folder / INDEXES / name)
    manifest.update(generation=generation, index=name, parts=[*manifest["parts"], *new])
    _write_manifest(folder, manifest)
    _drop_old_indexes(folder, name)
    return len(new)


def _merge_part(db: sqlite3.Connection, path: Path, name: str, dataset: str) -> None:
    header, base = read_part_header(path)
    part = db.execute("INSERT INTO parts (name) VALUES (?) RETURNING id", (name,)).fetchone()[0]
    rows: list[tuple[bytes, int, int, int, int | None, int, int | None, int | None]] = []
    thumbs: list[tuple[bytes, int, int, int, str | None]] = []
    for record in header["entries"]:
        entry = _entry(record)
        dims = entry.dims
        rows.append(  # in the order of the images table's columns
            (
                os.fsencode(entry.relpath),
                entry.size,
                entry.mtime,
                int(entry.has_hash),
                None if entry.hash is None else _signed(entry.hash),
                int(dims is not None),
                None if dims is None else dims[0],
                None if dims is None else dims[1],
            )
        )
        for bucket, value in record.get("thumbs", {}).items():
            key = thumb_key(dataset, entry.relpath, entry.size, entry.mtime, int(bucket))
            if isinstance(value, list):
                thumbs.append((key, part, base + int(value[0]), int(value[1]), None))
            else:
                thumbs.append((key, part, 0, 0, str(value)))
    db.executemany(_UPSERT, rows)
    db.executemany("INSERT OR REPLACE INTO thumbs VALUES (?, ?, ?, ?, ?)", thumbs)


def _drop_old_indexes(folder: Path, current: str) -> None:
    names = sorted(p.name for p in (folder / INDEXES).glob("index-*.sqlite"))
    for old in names[: max(0, len(names) - KEEP_INDEXES)]:
        if old != current:
            with contextlib.suppress(OSError):
                (folder / INDEXES / old).unlink()
