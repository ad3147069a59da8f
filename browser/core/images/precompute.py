"""Precomputing thumbnails, perceptual hashes and pixel sizes in tasks that any process, on
any machine that sees the dataset and the cache folder, can run: what ``synset-browser
precompute`` ships to Dask workers (or to local processes).

The client writes a *plan* into the cache folder: for every image still missing something,
its key (relative path bytes, size, mtime), where its bytes are (a file, or a member of a tar
shard at an offset) and what it needs. A task is then only ``(plan, start, stop)`` — a few
thousand plan rows by position — so the task list is tiny to ship; a worker reads its slice
of the plan, computes with the very functions the desktop and the CLI use (identical values),
and writes one immutable part file (:mod:`browser.core.images.sharedcache`), keyed by image key.
A task whose part exists already (a retry after its worker died) does nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.tarshards import MemberPath
from browser.core.images.decodebudget import TooLargeToDecode
from browser.core.images.dimensions import header_size
from browser.core.images.filecache import file_facts
from browser.core.images.phash import file_hash
from browser.core.images.sharedcache import (
    PART_SUFFIX,
    PARTS,
    TEMP_PREFIX,
    PartEntry,
    atomic_write,
    thumb_key,
    write_part,
)
from browser.core.images.sharedcachereader import SharedCache
from browser.core.images.thumbnails import decode_with_pillow, encode_jpeg

KINDS = ("thumbnails", "hashes", "sizes")
DEFAULT_BUCKETS = (128,)
DEFAULT_TASK_ROWS = 2_000
PLAN_CHUNK = 65_536  # rows looked up in the cache at once while planning
PLANS = "plans"
_PLAN_MAGIC = b"SBPLAN01"
_ROW = struct.Struct("<qqqqII")  # size, mtime, member offset, member length, needs, path length
_NEED_HASH = 1
_NEED_SIZE = 2
_NEED_THUMB = 4  # << bucket's position in the plan's buckets


@dataclass(frozen=True)
class Task:
    """One unit of work, small enough to ship by the thousand: rows [start, stop) of a plan."""

    folder: str  # the cache folder, as the workers see it
    plan: str  # file name in the folder's plans/
    start: int
    stop: int
    root: str  # the dataset root, as the workers see it

    @property
    def name(self) -> str:
        return f"{self.plan.removesuffix('.plan')}-{self.start:012d}"


@dataclass(frozen=True)
class TaskResult:
    name: str
    images: int
    computed: int  # decodes and header reads made (0 for a task already done)
    seconds: float


@dataclass(frozen=True)
class PlanRow:
    relpath: str
    size: int
    mtime: int
    member_offset: int  # -1: an ordinary file
    member_length: int
    container: str  # the shard's relative path ("" for an ordinary file)
    needs: int


# -- the client: what is missing, as a plan ---------------------------------------------------


def _needs(
    shared: SharedCache | None,
    kinds: tuple[str, ...],
    buckets: tuple[int, ...],
    rows: list[tuple[str, int, int]],
) -> list[int]:
    """What each (relpath, size, mtime) still needs, given what the cache holds: looked up
    for these rows only (a key range of the cache's images, the thumbnails by key), so that
    planning 14M rows never loads the cache whole."""
    hashes: dict[str, tuple[object, ...]] = {}
    sizes: dict[str, tuple[object, ...]] = {}
    if shared is not None and rows and ("hashes" in kinds or "sizes" in kinds):
        encoded = [os.fsencode(relpath) for relpath, _, _ in rows]
        low, high = min(encoded), max(encoded)
        if "hashes" in kinds:
            hashes = shared.values("hashes", between=(low, high))
        if "sizes" in kinds:
            sizes = shared.values("dimensions", between=(low, high))
    every_thumb = sum(_NEED_THUMB << position for position in range(len(buckets)))
    keys: list[bytes] = []
    thumbs: set[bytes] = set()
    if shared is not None and "thumbnails" in kinds and shared.current():
        keys = [
            thumb_key(shared.dataset_id, relpath, size, mtime, bucket)
            for relpath, size, mtime in rows
            for bucket in buckets
        ]
        thumbs = shared.known_thumbnails(keys)
    needs = []
    for i, (relpath, size, mtime) in enumerate(rows):
        need = 0
        if "hashes" in kinds and hashes.get(relpath, (None, None))[:2] != (size, mtime):
            need |= _NEED_HASH
        if "sizes" in kinds and sizes.get(relpath, (None, None))[:2] != (size, mtime):
            need |= _NEED_SIZE
        if "thumbnails" in kinds:
            if not thumbs:  # an empty cache, or none of these: no key to look at
                need |= every_thumb
            else:
                first = i * len(buckets)
                for position in range(len(buckets)):
                    if keys[first + position] not in thumbs:
                        need |= _NEED_THUMB << position
        needs.append(need)
    return needs


def iter_plan(
    index: DatasetIndex,
    rows: np.ndarray,
    shared: SharedCache | None,
    kinds: tuple[str, ...],
    buckets: tuple[int, ...],
    chunk: int = PLAN_CHUNK,
) -> Iterator[PlanRow]:
    """The rows of ``rows`` that still need something, with what they need, a chunk of rows
    at a time (the memory of planning does not grow with the dataset)."""
    for start in range(0, len(rows), chunk):
        some = rows[start : start + chunk]
        sizes, mtimes = index.sizes[some].tolist(), index.mtimes[some].tolist()
        members = (index.offsets[some] >= 0).tolist()
        facts = []
        for row, size, mtime in zip(some.tolist(), sizes, mtimes, strict=True):
            if size < 0:  # not stat'ed yet: the cache needs the file's facts
                size, mtime = file_facts(index, row)
            facts.append((index.relpath(row), size, mtime))
        needs = _needs(shared, kinds, buckets, facts)
        for row, member, (relpath, size, mtime), need in zip(
            some.tolist(), members, facts, needs, strict=True
        ):
            if not need or size < 0:  # size < 0: the file cannot be read at all
                continue
            if member:
                path = index.path(row)
                assert isinstance(path, MemberPath)
                container = index.image_folders[index.folder_ids[row]].relpath
                yield PlanRow(relpath, size, mtime, path.offset, path.length, container, need)
            else:
                yield PlanRow(relpath, size, mtime, -1, 0, "", need)


def plan_rows(
    index: DatasetIndex,
    rows: np.ndarray,
    shared: SharedCache | None,
    kinds: tuple[str, ...],
    buckets: tuple[int, ...],
) -> list[PlanRow]:
    """Every row :func:`iter_plan` gives, as a list (tests, small selections)."""
    return list(iter_plan(index, rows, shared, kinds, buckets))


@dataclass(frozen=True)
class WrittenPlan:
    name: str  # file name in the folder's plans/
    rows: int


def write_plan(folder: Path, planned: Iterable[PlanRow], buckets: tuple[int, ...]) -> WrittenPlan:
    """Write the plan (immutable, like everything in the folder); none if nothing is planned.
    The records are spooled to a temporary file as they come (the offsets, 8 bytes a row,
    are kept in memory), then written after the header and the offsets, which need their
    count."""
    lengths: list[int] = []
    (folder / PLANS).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder / PLANS, prefix=TEMP_PREFIX) as spool:
        for row in planned:
            relpath, container = os.fsencode(row.relpath), os.fsencode(row.container)
            head = _ROW.pack(
                row.size, row.mtime, row.member_offset, row.member_length, row.needs, len(relpath)
            )
            record = head + relpath + struct.pack("<I", len(container)) + container
            spool.write(record)
            lengths.append(len(record))
        offsets = np.zeros(len(lengths) + 1, dtype="<u8")
        np.cumsum(np.array(lengths, dtype="<u8"), out=offsets[1:])
        del lengths
        bucket_bytes = np.array(buckets, dtype="<u4").tobytes()
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.plan"

        def write(out: BinaryIO) -> None:
            out.write(_PLAN_MAGIC + struct.pack("<QQ", len(offsets) - 1, len(buckets)))
            out.write(bucket_bytes)
            out.write(offsets.tobytes())
            spool.seek(0)
            shutil.copyfileobj(spool, out, 1 << 20)

        if len(offsets) == 1:
            return WrittenPlan("", 0)  # nothing to do: no plan file
        atomic_write(folder / PLANS / name, write)
    return WrittenPlan(name, len(offsets) - 1)


def remove_plans(folder: Path) -> int:
    """Remove every plan in the folder; how many. Only the folder's one writer calls it, and
    only while no task of its own runs: a run plans afresh from what the cache holds, so an
    earlier run's plan is never read again, and for 14M images one is about a gigabyte."""
    removed = 0
    for plan in (folder / PLANS).glob("*"):
        if plan.name.endswith(".plan") or plan.name.startswith(TEMP_PREFIX):
            with contextlib.suppress(FileNotFoundError):
                plan.unlink()
                removed += 1
    return removed


def split_tasks(
    folder: str, plan: str, count: int, root: str, task_rows: int = DEFAULT_TASK_ROWS
) -> list[Task]:
    return [
        Task(folder, plan, start, min(count, start + task_rows), root)
        for start in range(0, count, task_rows)
    ]


# -- the worker ------------------------------------------------------------------------------


def read_plan(path: Path, start: int, stop: int) -> tuple[tuple[int, ...], list[PlanRow]]:
    """(buckets, rows [start, stop)) of a plan, reading only that slice of it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        head = os.pread(fd, 24, 0)
        if head[:8] != _PLAN_MAGIC:
            raise ValueError(f"{path}: not a precompute plan")
        count, bucket_count = struct.unpack("<QQ", head[8:])
        buckets = tuple(np.frombuffer(os.pread(fd, 4 * bucket_count, 24), dtype="<u4").tolist())
        offsets_at = 24 + 4 * bucket_count
        stop = min(stop, count)
        offsets = np.frombuffer(
            os.pread(fd, 8 * (stop - start + 1), offsets_at + 8 * start), dtype="<u8"
        )
        records_at = offsets_at + 8 * (count + 1)
        first, last = int(offsets[0]), int(offsets[-1])
        data = os.pread(fd, last - first, records_at + first)
    finally:
        os.close(fd)
    return buckets, list(_parse_rows(data, offsets - first))


def _parse_rows(data: bytes, offsets: np.ndarray) -> Iterator[PlanRow]:
    for at in offsets[:-1].tolist():
        size, mtime, member_offset, member_length, needs, length = _ROW.unpack_from(data, at)
        at += _ROW.size
        relpath = os.fsdecode(data[at : at + length])
        at += length
        (container_length,) = struct.unpack_from("<I", data, at)
        container = os.fsdecode(data[at + 4 : at + 4 + container_length])
        yield PlanRow(relpath, size, mtime, member_offset, member_length, container, needs)


def image_path(root: str, row: PlanRow) -> str:
    """Where the worker reads the image: under its own view of the dataset root."""
    if row.member_offset < 0:
        return os.path.join(root, row.relpath)
    member = row.relpath[len(row.container) + 1 :] if row.container else row.relpath
    return MemberPath(
        os.path.join(root, row.container), member, row.member_offset, row.member_length
    )


def thumbnail_or_reason(path: str, bucket: int) -> bytes | str:
    """The cached form of a thumbnail (JPEG bytes), or why there is none — worded as the
    window words it (browser.qt.thumbdecode)."""
    try:
        return encode_jpeg(decode_with_pillow(path, bucket))
    except Exception as exc:  # any decoder failure is a fact about the file
        if isinstance(exc, TooLargeToDecode):
            return str(exc)
        return f"cannot be decoded: {exc}" if str(exc) else "cannot be decoded"


def hash_or_none(path: str) -> int | None:
    """The perceptual hash (unsigned), None if undecodable — as ``duplicates`` computes it."""
    try:
        return file_hash(path)
    except Exception:  # an undecodable image has no hash; remembered as such
        return None


def compute_entry(root: str, row: PlanRow, buckets: tuple[int, ...]) -> tuple[PartEntry, int]:
    """One image's results and how many decodes or header reads they took."""
    path = image_path(root, row)
    entry = PartEntry(row.relpath, row.size, row.mtime)
    work = 0
    if row.needs & _NEED_HASH:
        entry.hash, entry.has_hash = hash_or_none(path), True
        work += 1
    if row.needs & _NEED_SIZE:
        entry.dims = header_size(path)
        work += 1
    for position, bucket in enumerate(buckets):
        if row.needs & (_NEED_THUMB << position):
            entry.thumbs[bucket] = thumbnail_or_reason(path, bucket)
            work += 1
    return entry, work


def run_task(task: Task) -> TaskResult:
    """Compute one task's images and write its part; nothing if the part exists (a retry)."""
    began = time.perf_counter()
    folder = Path(task.folder)
    part = folder / PARTS / f"{task.name}{PART_SUFFIX}"
    if part.exists():
        return TaskResult(task.name, 0, 0, 0.0)
    buckets, rows = read_plan(folder / PLANS / task.plan, task.start, task.stop)
    entries = []
    computed = 0
    for row in rows:
        entry, work = compute_entry(task.root, row, buckets)
        entries.append(entry)
        computed += work
    write_part(part, task.name, entries)
    return TaskResult(task.name, len(rows), computed, time.perf_counter() - began)
