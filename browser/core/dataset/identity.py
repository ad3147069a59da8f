"""What a dataset and an image *are*, for everything that outlives one view.

- **Dataset key**: a random key (``uuid4`` hex) that the registry (table ``datasets`` in the
  data folder's ``verdicts.sqlite``) gives a dataset's real root path the first time it is
  seen. Two different datasets never share one, however their folders are named (``train``,
  ``imagenet``). A *moved* or re-mounted dataset keeps its key: when an unknown root opens and
  exactly one registered dataset has the same :class:`Fingerprint` and its old root no longer
  exists, the new root adopts that key (and says so); ``synset-browser verdicts DATASET
  --same-as OLD_ROOT`` adopts it in any case.
- **Image key**: ``(dataset key, relative path as bytes)`` (``os.fsencode``, ``/``-separated).
  A value *derived* from the file (thumbnail, hash, pixel size, prediction) also records the
  file's size and mtime, so that a changed file is computed again.
- A row number is a position in one view: nothing that outlives the view is keyed by it.

The fingerprint is sha256 over the sorted relative paths (bytes) of the dataset's labelled
images, and a second one over that and their sizes once the stat pass knows them all;
two fingerprints match when the paths agree and the sizes agree wherever both are known.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from browser.core.dataset import storedfingerprint
from browser.core.dataset.storedfolders import StoredFolders

if TYPE_CHECKING:
    from browser.core.dataset.index import DatasetIndex
    from browser.core.dataset.scanner import FolderRecord

REGISTRY_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    key TEXT PRIMARY KEY,
    root BLOB NOT NULL UNIQUE,
    name TEXT NOT NULL,
    paths_fingerprint TEXT NOT NULL DEFAULT '',
    files_fingerprint TEXT NOT NULL DEFAULT '',
    images INTEGER NOT NULL DEFAULT -1,
    created REAL NOT NULL,
    history TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class Fingerprint:
    """What a dataset holds, independent of where it is mounted."""

    paths: str  # sha256 of the sorted relative paths
    files: str  # sha256 of the sorted relative paths and sizes; "" while a size is unknown

    def matches(self, paths: str, files: str) -> bool:
        return (
            bool(self.paths)
            and self.paths == paths
            and (not self.files or not files or self.files == files)
        )


def fingerprint(index: DatasetIndex) -> Fingerprint:
    """The dataset's fingerprint, kept with a stored index's generation once computed."""
    kept = storedfingerprint.read(index)
    if kept is not None:
        return Fingerprint(*kept)
    found = _compute_fingerprint(index)
    storedfingerprint.keep(index, found.paths, found.files)
    return found


def _compute_fingerprint(index: DatasetIndex) -> Fingerprint:
    """O(folders) in Python, the names and sizes hashed in bulk (each name once: the sizes'
    digest starts from the paths' one)."""
    paths = hashlib.sha256()
    relpaths, names_of = _paths_and_names(index.image_folders)
    order = sorted(range(len(relpaths)), key=relpaths.__getitem__)
    if len(set(relpaths)) != len(relpaths):  # one folder split by a label file: by names too
        order.sort(key=lambda i: (relpaths[i], bytes(names_of(i))))
    sizes = []
    for folder_id in order:
        rows = index.folder_rows(folder_id)
        if not len(rows):
            continue
        folder, names = relpaths[folder_id], names_of(folder_id)
        # Lengths first, so that no two different listings hash the same bytes; the names
        # hashed where they are (a mapped index's file), not copied.
        paths.update(len(folder).to_bytes(8, "little") + folder)
        paths.update(len(names).to_bytes(8, "little"))
        paths.update(names)
        sizes.append(index.sizes[rows.start : rows.stop])
    if not sizes:  # every empty dataset looks alike: no fingerprint, never adopted
        return Fingerprint("", "")
    every = np.concatenate(sizes).astype("<i8")
    if (every < 0).any():
        return Fingerprint(paths.hexdigest(), "")
    files = hashlib.sha256(paths.digest() + every.tobytes())
    return Fingerprint(paths.hexdigest(), files.hexdigest())


def _paths_and_names(
    folders: Sequence[FolderRecord],
) -> tuple[list[bytes], Callable[[int], bytes | memoryview]]:
    """The folders' relative paths (bytes) and a way to their names, without making a
    stored index's records (21,843 at ImageNet-21k)."""
    if isinstance(folders, StoredFolders):
        return [os.fsencode(p) for p in folders.relpaths], folders.names
    return [os.fsencode(f.relpath) for f in folders], lambda i: folders[i].names


def image_key(dataset: str, relpath: str) -> tuple[str, bytes]:
    """An image's identity: its dataset's key and its relative path's exact bytes."""
    return dataset, os.fsencode(relpath)


def base_name(root: str) -> str:
    """The name the first verdict databases keyed datasets by (the root folder's name)."""
    return os.path.basename(os.path.normpath(root)) or root


@dataclass
class DatasetIdentity:
    """A dataset's key, its root, and what the user should know about how it was found."""

    key: str
    root: str
    notices: list[str] = field(default_factory=list)


def lookup(db: sqlite3.Connection, root: str) -> str | None:
    """The key registered for this root, or None."""
    row = db.execute("SELECT key FROM datasets WHERE root = ?", (os.fsencode(root),)).fetchone()
    return None if row is None else str(row[0])


def register(
    db: sqlite3.Connection,
    root: str,
    index: DatasetIndex | None,
    exists: Callable[[str], bool] = os.path.exists,
) -> DatasetIdentity:
    """The identity of ``root``: its registered key, a moved dataset's key (exactly one
    registered dataset with this fingerprint whose root is gone), or a new key. With the
    dataset's index, the fingerprint is kept current. Call it inside a write transaction."""
    key = lookup(db, root)
    if key is not None:
        if index is not None and _stale(db, key, index):
            _remember(db, key, fingerprint(index), len(index))
        return DatasetIdentity(key, root)
    found = None if index is None else fingerprint(index)
    identity = _moved_here(db, root, found, exists)
    if identity is not None:
        return identity
    key = _insert(db, root)
    if index is not None and found is not None:
        _remember(db, key, found, len(index))
    return DatasetIdentity(key, root)


def _insert(db: sqlite3.Connection, root: str) -> str:
    key = uuid.uuid4().hex
    db.execute(
        "INSERT INTO datasets (key, root, name, created) VALUES (?, ?, ?, ?)",
        (key, os.fsencode(root), base_name(root), time.time()),
    )
    return key


def _stale(db: sqlite3.Connection, key: str, index: DatasetIndex) -> bool:
    """Whether the stored fingerprint may no longer describe the dataset: hashing every name
    on each open would cost a second at ImageNet-21k's size, so it is redone only when the
    number of images changed or all sizes became known."""
    images, files = db.execute(
        "SELECT images, files_fingerprint FROM datasets WHERE key = ?", (key,)
    ).fetchone()
    return bool(images != len(index) or (not files and (index.sizes >= 0).all()))


def _remember(db: sqlite3.Connection, key: str, found: Fingerprint, images: int) -> None:
    db.execute(
        "UPDATE datasets SET paths_fingerprint = ?, images = ?, "
        "files_fingerprint = CASE WHEN ? = '' THEN files_fingerprint ELSE ? END WHERE key = ?",
        (found.paths, images, found.files, found.files, key),
    )


def _moved_here(
    db: sqlite3.Connection, root: str, found: Fingerprint | None, exists: Callable[[str], bool]
) -> DatasetIdentity | None:
    if found is None:
        return None
    candidates = [
        (str(key), os.fsdecode(old))
        for key, old, paths, files in db.execute(
            "SELECT key, root, paths_fingerprint, files_fingerprint FROM datasets "
            "WHERE paths_fingerprint = ?",
            (found.paths,),
        )
        if found.matches(paths, files)
    ]
    gone = [(key, old) for key, old in candidates if not exists(old)]
    if len(gone) == 1 and len(candidates) == 1:  # else it could be a copy: never guess
        key, old = gone[0]
        adopt(db, root, key, f"moved from {old}")
        return DatasetIdentity(key, root, [f"verdicts of {old} carried over (the same images)"])
    if gone:
        olds = ", ".join(old for _, old in gone)
        return _fresh_with_notice(
            db,
            root,
            found,
            f"datasets that hold the same images vanished ({olds}); their verdicts were not "
            "carried over, as more than one dataset could claim them: "
            f"say which with `synset-browser verdicts {root} --same-as OLD_ROOT`",
        )
    return None


def _fresh_with_notice(
    db: sqlite3.Connection, root: str, found: Fingerprint, notice: str
) -> DatasetIdentity:
    key = _insert(db, root)
    _remember(db, key, found, -1)
    return DatasetIdentity(key, root, [notice])


def adopt(db: sqlite3.Connection, root: str, key: str, why: str) -> None:
    """Make ``key`` (with everything keyed by it) the identity of ``root``. A key that ``root``
    had before is kept under a name no path can have, so nothing keyed by it is lost."""
    raw = os.fsencode(root)
    previous = lookup(db, root)
    if previous == key:
        return
    if previous is not None:
        db.execute(
            "UPDATE datasets SET root = ?, history = history || ? WHERE key = ?",
            (b"\0replaced:" + raw + b":" + previous.encode(), f"{why}: superseded; ", previous),
        )
    db.execute(
        "UPDATE datasets SET root = ?, name = ?, history = history || ? WHERE key = ?",
        (raw, base_name(root), f"{why} at {time.strftime('%Y-%m-%d %H:%M:%S')}; ", key),
    )
