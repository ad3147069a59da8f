"""The persistent index, as memory-mapped columns: opening costs O(folders), not O(images).

An index is a folder in the user's cache (``indexes/<digest>.columns``) holding generations.
Each generation (``gen-<n>``) is written once and never changed: fixed-width numpy columns
with one value per image (``labels``, ``splits``, ``folder_ids``, ``name_start``, ``sizes``,
``mtimes``, ``offsets`` for tar shards) and the NUL-separated file names (``names.bin``), all
memory-mapped on open, plus a small table of folders (``folders.json``) and ``header.json``
with the schema version, every file's length and byte size, and a checksum of the folder
table. ``CURRENT`` names the generation in use; it is switched with ``os.replace``, so a
reader sees the old generation or the new one, never half of one, and a window that mapped
columns keeps reading them unchanged while a stat pass writes the next generation (files
that did not change are hard links to the previous generation's).

Validation on open is O(1) in the images: header, schema, file sizes, array shapes.
Rows are stored labelled folders first (in path order), so a dataset index over them is a
prefix of every column.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from browser.core.dataset.generations import current, finish, writing_folder
from browser.core.dataset.index import UNKNOWN, split_order
from browser.core.dataset.layouts import Skipped
from browser.core.dataset.scanner import FolderRecord
from browser.core.dataset.sizes import SizeSummary, summarize_sizes
from browser.core.dataset.store import IndexStoreError, NewerIndexError, index_file
from browser.core.dataset.storedfolders import StoredFolders
from browser.core.hierarchy.dag import Hierarchy

FORMAT = "synset-browser-columns"
SCHEMA_VERSION = 1

# Per image: (file stem, dtype). Per folder: row and name-byte boundaries, stored labels.
_IMAGE_COLUMNS = {
    "labels": "<i4",
    "splits": "<i1",
    "folder_ids": "<i4",
    "sizes": "<i8",
    "mtimes": "<i8",
    "offsets": "<i8",
}
_FOLDER_COLUMNS = {"folder_rows": "<i8", "folder_name_bytes": "<i8", "folder_labels": "<i4"}
_FACTS = ("sizes", "mtimes")


def columns_dir(cache_dir: Path, root: str, variant: str = "") -> Path:
    """Where the column index of the dataset at ``root`` is kept (beside the legacy SQLite
    file of :mod:`browser.core.dataset.store`, by the same digest)."""
    return index_file(cache_dir, root, variant).with_suffix(".columns")


@dataclass
class StoredColumns:
    """An opened generation: folders in stored order and the mapped columns."""

    root: str
    layout: str
    folders: StoredFolders  # stored order: labelled folders first; records made on access
    problems: list[Skipped]
    splits: list[str]  # names of the values of the ``splits`` column
    labelled_rows: int  # rows [0, labelled_rows) belong to labelled folders
    labelled_folders: int
    columns: dict[str, np.ndarray]  # image columns, names (uint8) and name_start
    generation: str  # the folder name, for writing the next generation from this one
    size_summary: SizeSummary | None  # of the labelled rows' sizes
    maps: tuple[mmap.mmap, ...] = ()  # the mappings under the columns


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def node_numbering(hierarchy: Hierarchy) -> str:
    """A digest of which node number each id has in ``hierarchy``: when it is the one an
    index was written with, the stored folder labels are still right and 21,843 wnids need
    not be looked up again on open."""
    if hierarchy.ids is not None:
        return _digest("\0".join(hierarchy.ids).encode("utf-8", "surrogateescape"))
    return _digest(np.ascontiguousarray(hierarchy.offsets, dtype="<i8").tobytes())


def facts_of(record: FolderRecord, attr: str) -> np.ndarray:
    known = getattr(record, attr)
    if known is None or len(known) != record.count:
        return np.full(record.count, UNKNOWN, dtype=np.int64)
    return np.asarray(known, dtype=np.int64)


def _concat(parts: list[np.ndarray], dtype: str) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def stored_order(folders: Sequence[FolderRecord]) -> list[FolderRecord]:
    """Labelled folders first, each group in the order given (path order)."""
    return [f for f in folders if f.label >= 0] + [f for f in folders if f.label < 0]


def _file_name(stem: str) -> str:
    """The file of a column (or of the names, or of the folder table) in a generation."""
    return {"names": "names.bin", "folders": "folders.json"}.get(stem, f"{stem}.npy")


def _write_npy(folder: Path, stem: str, values: np.ndarray) -> dict[str, Any]:
    path = folder / f"{stem}.npy"
    np.save(path, np.ascontiguousarray(values), allow_pickle=False)
    return {"length": int(len(values)), "dtype": values.dtype.str, "bytes": path.stat().st_size}


def save(
    directory: Path,
    *,
    root: str,
    layout: str,
    hierarchy: Hierarchy,
    folders: Sequence[FolderRecord],
    problems: Sequence[Skipped],
) -> str:
    """Write a complete index as a new generation and make it current; returns its name."""
    directory.mkdir(parents=True, exist_ok=True)
    ordered = stored_order(folders)
    labelled = [f for f in ordered if f.label >= 0]
    counts = np.array([f.count for f in ordered], dtype=np.int64)
    names_parts = [bytes(f.names) for f in ordered if f.count]
    folder_rows = np.zeros(len(ordered) + 1, dtype=np.int64)
    np.cumsum(counts, out=folder_rows[1:])
    # A folder's names take its names' bytes plus one NUL separator after each but the last.
    name_lengths = np.array([len(f.names) + 1 if f.count else 0 for f in ordered], np.int64)
    folder_name_bytes = np.zeros(len(ordered) + 1, dtype=np.int64)
    np.cumsum(name_lengths, out=folder_name_bytes[1:])
    blob = b"\0".join(names_parts)
    nul = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) == 0)
    name_start = np.concatenate(([0], nul + 1, [len(blob) + 1])).astype(np.int64)
    if not len(counts) or not counts.sum():
        name_start = np.zeros(1, dtype=np.int64)
    splits = sorted({f.split for f in labelled}, key=split_order)
    splits += sorted({f.split for f in ordered} - set(splits))
    split_of = {name: i for i, name in enumerate(splits)}
    folder_labels = np.array([f.label for f in ordered], dtype=np.int32)
    with_offsets = any(f.offsets is not None for f in ordered)
    image_columns: dict[str, np.ndarray] = {
        "labels": np.repeat(folder_labels, counts),
        "splits": np.repeat(np.array([split_of[f.split] for f in ordered], np.int8), counts),
        "folder_ids": np.repeat(np.arange(len(ordered), dtype=np.int32), counts),
        "sizes": _concat([facts_of(f, "sizes") for f in ordered], "<i8"),
        "mtimes": _concat([facts_of(f, "mtimes") for f in ordered], "<i8"),
    }
    if with_offsets:
        image_columns["offsets"] = _concat([facts_of(f, "offsets") for f in ordered], "<i8")
    table = {
        "relpath": [f.relpath for f in ordered],
        # Mostly the same as relpath, or empty: only what differs is written, so the table
        # of 21,843 ImageNet-21k folders parses in milliseconds.
        "top": {str(i): f.top for i, f in enumerate(ordered) if f.top != f.relpath},
        "wnid": [hierarchy.wnid(f.label) if f.label >= 0 else None for f in ordered],
        "split": [f.split for f in ordered],
        "mtime_ns": [f.mtime_ns for f in ordered],
        "subdirs": {str(i): f.subdirs for i, f in enumerate(ordered) if f.subdirs},
        "skipped": {str(i): f.skipped for i, f in enumerate(ordered) if f.skipped},
        "reason": {str(i): f.reason for i, f in enumerate(ordered) if f.reason},
        "shard": [i for i, f in enumerate(ordered) if f.offsets is not None],
        "problems": [[p.path, p.reason] for p in problems],
    }
    # ASCII-escaped JSON: non-UTF-8 names (lone surrogates) round-trip exactly.
    table_bytes = json.dumps(table, separators=(",", ":")).encode("ascii")
    tmp = writing_folder(directory)
    try:
        files: dict[str, Any] = {}
        for stem, values in image_columns.items():
            files[stem] = _write_npy(tmp, stem, values.astype(_IMAGE_COLUMNS[stem], copy=False))
        files["name_start"] = _write_npy(tmp, "name_start", name_start)
        for stem, values in (
            ("folder_rows", folder_rows),
            ("folder_name_bytes", folder_name_bytes),
            ("folder_labels", folder_labels),
        ):
            files[stem] = _write_npy(tmp, stem, values.astype(_FOLDER_COLUMNS[stem]))
        (tmp / "names.bin").write_bytes(blob)
        files["names"] = {"length": len(blob), "dtype": "|u1", "bytes": len(blob)}
        (tmp / "folders.json").write_bytes(table_bytes)
        files["folders"] = {"length": len(table_bytes), "dtype": "json", "bytes": len(table_bytes)}
        header = {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "root": root,
            "layout": layout,
            "hierarchy": hierarchy.source,
            "node_numbering": node_numbering(hierarchy),
            "written": time.time(),
            "rows": int(counts.sum()),
            "folders": len(ordered),
            "labelled_rows": int(folder_rows[len(labelled)]),
            "labelled_folders": len(labelled),
            "splits": splits,
            "folders_sha256": _digest(table_bytes),
            "files": files,
            "size_summary": _size_summary(image_columns["sizes"], int(folder_rows[len(labelled)])),
        }
        return finish(directory, tmp, header)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def save_facts(directory: Path, generation: str, sizes: np.ndarray, mtimes: np.ndarray) -> str:
    """A new generation like ``generation`` with these sizes and mtimes (stored order),
    made current. Every other file is a hard link to the old generation's: the files a
    window has mapped are never written."""
    old = directory / generation
    header = _read_header(old)
    if len(sizes) != header["rows"] or len(mtimes) != header["rows"]:
        raise IndexStoreError(f"{old}: the file facts do not match the stored rows")
    tmp = writing_folder(directory)
    try:
        for stem, values in (("sizes", sizes), ("mtimes", mtimes)):
            header["files"][stem] = _write_npy(tmp, stem, values.astype("<i8", copy=False))
        # Only the files the header lists: what else lies beside them (a kept fingerprint,
        # which the new sizes make stale) is not carried over.
        for stem in header["files"]:
            if stem in _FACTS:
                continue
            entry = old / _file_name(stem)
            try:
                os.link(entry, tmp / entry.name)
            except OSError:  # a file system without hard links
                shutil.copyfile(entry, tmp / entry.name)
        header["written"] = time.time()
        header["size_summary"] = _size_summary(sizes, int(header["labelled_rows"]))
        return finish(directory, tmp, header)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _size_summary(sizes: np.ndarray, labelled_rows: int) -> dict[str, object]:
    """The summary of the labelled rows' sizes, as the header keeps it."""
    return summarize_sizes(np.asarray(sizes[:labelled_rows])).as_json()


def _read_header(folder: Path) -> dict[str, Any]:
    try:
        header = json.loads((folder / "header.json").read_text(encoding="ascii"))
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"{folder} has no readable header: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise IndexStoreError(f"{folder} is not a Synset Browser column index")
    version = header.get("schema_version")
    if not isinstance(version, int):
        raise IndexStoreError(f"{folder} has no schema version")
    if version > SCHEMA_VERSION:
        raise NewerIndexError(
            f"{folder} was written by a newer Synset Browser (index schema {version})"
        )
    if version != SCHEMA_VERSION:
        raise IndexStoreError(f"{folder} has an older index schema ({version})")
    return header


def _open_column(folder: Path, stem: str, spec: dict[str, Any]) -> np.ndarray:
    path = folder / _file_name(stem)
    size = path.stat().st_size
    if size != spec["bytes"]:
        raise IndexStoreError(f"{path} has {size} bytes, the header says {spec['bytes']}")
    if stem == "names":
        if not size:
            return np.zeros(0, dtype=np.uint8)
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
    else:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
        if mapped.ndim != 1 or len(mapped) != spec["length"] or mapped.dtype.str != spec["dtype"]:
            raise IndexStoreError(f"{path} does not hold what the header says")
    # A plain ndarray over the same mapping: np.memmap's Python-level __getitem__ made the
    # 44k per-folder slices of an ImageNet-21k open cost a second.
    return mapped.view(np.ndarray)


def _mapping_of(column: np.ndarray) -> mmap.mmap | None:
    """The mmap under a column opened by :func:`_open_column` (None for an empty one)."""
    base: object = column
    while base is not None:
        found = getattr(base, "_mmap", None)
        if isinstance(found, mmap.mmap):
            return found
        base = getattr(base, "base", None)
    return None


def _folder_labels(hierarchy: Hierarchy, wnids: list[str | None]) -> np.ndarray:
    """Each folder's node in ``hierarchy`` (-1 for none), looked up in bulk."""
    labels = np.full(len(wnids), -1, dtype=np.int32)
    if hierarchy.ids is not None:
        for i, wnid in enumerate(wnids):
            node = None if wnid is None else hierarchy.find(wnid)
            labels[i] = -1 if node is None else node
        return labels
    shaped = [i for i, w in enumerate(wnids) if w is not None and len(w) == 9 and w[0] == "n"]
    digits = [wnids[i][1:] for i in shaped]  # type: ignore[index]
    ok = [i for i, d in zip(shaped, digits, strict=True) if d.isdigit()]
    if not ok:
        return labels
    offsets = np.array([int(wnids[i][1:]) for i in ok], dtype=np.int64)  # type: ignore[index]
    known = np.asarray(hierarchy.offsets, dtype=np.int64)
    pos = np.minimum(np.searchsorted(known, offsets), max(len(known) - 1, 0))
    found = known[pos] == offsets if len(known) else np.zeros(len(ok), bool)
    labels[np.array(ok)[found]] = pos[found]
    return labels


def _check_table(table: dict[str, Any]) -> None:
    """The folder table's per-folder entries have the types records are made from (they are
    read when a folder's record is first made, long after open); raises TypeError."""
    for key in ("top", "subdirs", "skipped", "reason"):
        if not isinstance(table[key], dict):
            raise TypeError(f"{key} is not a mapping")
    if not isinstance(table["shard"], list) or not isinstance(table["problems"], list):
        raise TypeError("shard and problems are not lists")


def _parse_summary(value: object) -> SizeSummary | None:
    if not isinstance(value, dict):
        return None
    try:
        return SizeSummary.from_json(value)
    except (KeyError, TypeError, ValueError):
        return None


def load(directory: Path, hierarchy: Hierarchy) -> StoredColumns:
    """Open the current generation. Raises IndexStoreError (NewerIndexError) if unusable."""
    generation = current(directory)
    folder = directory / generation
    header = _read_header(folder)
    try:
        spec = header["files"]
        columns = {s: _open_column(folder, s, spec[s]) for s in spec if s != "folders"}
        table_bytes = (folder / "folders.json").read_bytes()
        if _digest(table_bytes) != header["folders_sha256"]:
            raise IndexStoreError(f"{folder}/folders.json does not match its checksum")
        table = json.loads(table_bytes)
        rows, n_folders = int(header["rows"]), int(header["folders"])
        for stem in _IMAGE_COLUMNS:
            if stem in columns and len(columns[stem]) != rows:
                raise IndexStoreError(f"{folder}/{stem}.npy has the wrong length")
        if len(columns["name_start"]) != (rows + 1 if rows else 1):
            raise IndexStoreError(f"{folder}/name_start.npy has the wrong length")
        for stem in _FOLDER_COLUMNS:
            if len(columns[stem]) != n_folders + (stem != "folder_labels"):
                raise IndexStoreError(f"{folder}/{stem}.npy has the wrong length")
        if any(len(table[k]) != n_folders for k in ("relpath", "wnid", "split", "mtime_ns")):
            raise IndexStoreError(f"{folder}/folders.json has the wrong length")
    except OSError as exc:
        raise IndexStoreError(f"{folder} is not a readable index: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexStoreError(f"{folder} is not a readable index: {exc}") from exc
    stored_labels = columns["folder_labels"]
    try:
        _check_table(table)
        if header.get("node_numbering") == node_numbering(hierarchy):
            labels = np.asarray(stored_labels)
        else:  # another hierarchy, or an index written before the digest was kept
            labels = _folder_labels(hierarchy, table["wnid"])
        folders = StoredFolders(table, columns, labels)
        problems = [Skipped(path, reason) for path, reason in table["problems"]]
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        raise IndexStoreError(
            f"{folder}/folders.json is not a readable folder table: {exc}"
        ) from exc
    if not np.array_equal(labels, stored_labels):
        # The hierarchy changed since the index was written: relabel (in numpy) and let the
        # caller rebuild the row order from the folders.
        counts = np.diff(columns["folder_rows"])
        columns["labels"] = np.repeat(labels, counts)
    return StoredColumns(
        header["root"],
        header["layout"],
        folders,
        problems,
        list(header["splits"]),
        int(header["labelled_rows"]),
        int(header["labelled_folders"]),
        columns,
        generation,
        _parse_summary(header.get("size_summary")),
        tuple(m for m in map(_mapping_of, columns.values()) if m is not None),
    )
