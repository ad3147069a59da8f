"""DatasetIndex: every labelled image of a dataset as parallel numpy arrays.

An image is a row number. Per row: its synset (``labels``), split (``split_ids``), folder
(``folder_ids``), and file size and mtime once the stat pass has filled them (-1 until then,
-2 for a file that vanished). File names live in one bytes blob with row offsets, so 1.28M
images cost tens of megabytes and selecting ``entity`` creates no per-image Python objects.
"""

from __future__ import annotations

import dataclasses
import mmap
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from browser.core.dataset.labelfiles import stem
from browser.core.dataset.layouts import KNOWN_SPLITS, Skipped, join
from browser.core.dataset.scanner import FolderRecord
from browser.core.dataset.storedfolders import StoredFolders
from browser.core.dataset.tarshards import MemberPath
from browser.core.hierarchy.dag import Hierarchy

if TYPE_CHECKING:
    from browser.core.dataset.labelling import LabelSource
    from browser.core.dataset.reallabels import RealLabels
    from browser.core.dataset.sizes import SizeSummary

# Values of ``sizes``/``mtimes`` that are not facts about a file.
UNKNOWN = -1  # not stat'ed yet
VANISHED = -2  # listed, but gone when the stat pass came
UNREADABLE = -3  # stat failed for another reason


@dataclass(frozen=True)
class MappedColumns:
    """Per-image columns of the labelled folders, as mapped from a stored index (see
    browser.core.dataset.columnstore): ``names`` is a uint8 array of NUL-separated names."""

    labels: np.ndarray
    split_ids: np.ndarray
    folder_ids: np.ndarray
    names: np.ndarray
    name_start: np.ndarray
    sizes: np.ndarray
    mtimes: np.ndarray
    offsets: np.ndarray | None
    splits: list[str]  # names of the values of ``split_ids``
    # The labelled folders these rows belong to (stored order), made into records on access.
    folders: Sequence[FolderRecord]
    maps: tuple[mmap.mmap, ...] = ()  # the mappings under the columns


@dataclass(frozen=True)
class Unmapped:
    """A folder whose images have no synset, with how many images it holds."""

    folder: str
    images: int
    reason: str


def _image_labels(record: FolderRecord) -> np.ndarray:
    if record.image_labels is not None:
        return record.image_labels.astype(np.int32, copy=False)
    return np.full(record.count, record.label, dtype=np.int32)


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique`` for a 1-d integer array, without importing ``numpy.ma`` (which
    np.unique does, at a tenth of a second of every command's start-up)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _per_folder(
    folders: Sequence[FolderRecord],
) -> tuple[np.ndarray, list[str], np.ndarray, bool]:
    """Each folder's label, split and image count, and whether any folder carries labels
    per image: from a stored index's columns (no record made), or from the records."""
    if isinstance(folders, StoredFolders):
        return folders.labels, folders.splits, folders.counts, False
    n = len(folders)
    return (
        np.fromiter((f.label for f in folders), dtype=np.int32, count=n),
        [f.split for f in folders],
        np.fromiter((f.count for f in folders), dtype=np.int64, count=n),
        any(f.image_labels is not None for f in folders),
    )


def split_order(name: str) -> tuple[int, str]:
    preferred = ["train", "val", "valid", "validation", "test"]
    if name in preferred:
        return (preferred.index(name), name)
    return (len(preferred) + (0 if name in KNOWN_SPLITS else 1), name)


class DatasetIndex:
    """The images of one dataset root. Build with
    :func:`browser.core.dataset.opening.open_dataset`."""

    def __init__(
        self,
        root: str,
        hierarchy: Hierarchy,
        layout: str,
        folders: Sequence[FolderRecord],
        problems: list[Skipped],
        columns: MappedColumns | None = None,
    ) -> None:
        self.root = root
        self.hierarchy = hierarchy
        # Set by open_dataset: where the index is stored, messages for the user, whether the
        # folders were walked to make it.
        self.store_path: Path | None = None
        # The stored generation this index was read from or written as, and its folders
        # in stored order, for writing the stat pass's results.
        self.store_generation: str | None = None
        self.stored_folders: Sequence[FolderRecord] = []
        # The summary of ``sizes`` kept in the stored index, while ``sizes`` are as stored.
        self.size_summary: SizeSummary | None = None
        self.notes: list[str] = []
        self.scanned = False
        self.layout = layout
        self.folders = folders
        self.problems = problems
        self.label_sources: list[LabelSource] = []  # set by open_dataset
        self._maps: tuple[mmap.mmap, ...] = ()  # under the columns of a stored index
        self.real: RealLabels | None = None  # ImageNet ReaL labels, when a real.json is near
        self.is_unlabelled = False  # True for the index made by ``unlabelled``
        labelled: Sequence[FolderRecord] = (
            columns.folders
            if columns is not None
            else [f for f in folders if f.label >= 0 or f.image_labels is not None]
        )
        self.image_folders = labelled
        # Per labelled folder, in numpy: what counts and classes need, without a record.
        self.folder_labels, split_names, counts, self.per_image_labels = _per_folder(labelled)
        self.splits = sorted(set(split_names), key=split_order)
        split_of = {name: i for i, name in enumerate(self.splits)}
        self.folder_split_ids = np.array([split_of[n] for n in split_names], dtype=np.int64)
        self.folder_start = np.zeros(len(labelled) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.folder_start[1:])
        if columns is not None:
            self._use_columns(columns)
            return
        self.labels = (
            np.concatenate([_image_labels(f) for f in labelled])
            if labelled
            else np.zeros(0, dtype=np.int32)
        )
        self.split_ids = np.repeat(self.folder_split_ids.astype(np.int8), counts)
        self.folder_ids = np.repeat(np.arange(len(labelled), dtype=np.int32), counts)
        self._names: bytes | np.ndarray = b"\0".join(bytes(f.names) for f in labelled if f.count)
        nul = np.flatnonzero(np.frombuffer(self._names, dtype=np.uint8) == 0)
        self._name_start = np.concatenate(([0], nul + 1, [len(self._names) + 1])).astype(np.int64)
        self.sizes = self._facts(labelled, counts, "sizes")
        self.mtimes = self._facts(labelled, counts, "mtimes")
        # Where a tar shard member's bytes start; -1 for ordinary files.
        self.offsets = self._facts(labelled, counts, "offsets")

    def _use_columns(self, columns: MappedColumns) -> None:
        """Take the mapped columns as they are: nothing here is O(images) in Python."""
        rows = int(self.folder_start[-1])
        if len(columns.labels) != rows:
            raise ValueError("the mapped columns do not match the folders")
        self.labels = columns.labels
        self.split_ids = columns.split_ids
        if columns.splits[: len(self.splits)] != self.splits:
            table = [self.splits.index(s) if s in self.splits else -1 for s in columns.splits]
            self.split_ids = np.array(table, dtype=np.int8)[columns.split_ids]
        self.folder_ids = columns.folder_ids
        self._maps = columns.maps
        self._names = columns.names
        self._name_start = columns.name_start
        self.sizes = columns.sizes
        self.mtimes = columns.mtimes
        # No tar shards: every offset is -1, without an array of them.
        self.offsets = (
            columns.offsets
            if columns.offsets is not None
            else np.broadcast_to(np.int64(UNKNOWN), (rows,))
        )

    @staticmethod
    def _facts(labelled: Sequence[FolderRecord], counts: np.ndarray, attr: str) -> np.ndarray:
        parts = []
        for record, count in zip(labelled, counts.tolist(), strict=True):
            known = getattr(record, attr)
            if known is None or len(known) != count:
                known = np.full(count, UNKNOWN, dtype=np.int64)
            parts.append(known)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def release_mapped_pages(self) -> None:
        """Unmap the pages of the stored columns read so far; they stay in the OS's page cache
        and come back with a minor fault when read again. A window calls this now and then:
        the kernel maps a whole page-cache folio (up to megabytes) for each row read, so a
        pass through a 14M-image grid would otherwise leave every column in its RSS."""
        advice = getattr(mmap, "MADV_DONTNEED", None)
        if advice is None:
            return
        for mapping in self._maps:
            try:
                mapping.madvise(advice)
            except (OSError, ValueError):  # closed, or a platform without it
                continue

    def __len__(self) -> int:
        return len(self.labels)

    # -- one image ------------------------------------------------------------------------

    def name(self, row: int) -> str:
        start, end = int(self._name_start[row]), int(self._name_start[row + 1]) - 1
        raw = self._names[start:end]
        return os.fsdecode(raw if isinstance(raw, bytes) else raw.tobytes())

    def relpath(self, row: int) -> str:
        """Path relative to the dataset root, ``/``-separated; non-UTF-8 bytes kept exactly."""
        return join(self.image_folders[self.folder_ids[row]].relpath, self.name(row))

    def path(self, row: int) -> str:
        """The image's path; for a tar shard member, a MemberPath that says where its bytes
        are (everything that opens images accepts one)."""
        record = self.image_folders[self.folder_ids[row]]
        if record.offsets is not None:
            return MemberPath(
                os.path.join(self.root, record.relpath),
                self.name(row),
                int(self.offsets[row]),
                int(self.sizes[row]),
            )
        return os.path.join(self.root, self.relpath(row))

    @cached_property
    def unlabelled(self) -> DatasetIndex | None:
        """The images held without a synset (in unmapped folders, or not named by their
        folder's label file), as an index of their own for showing them; None if there are
        none. Each is filed under the root there, and ``reason`` says why it has no label."""
        records = [
            dataclasses.replace(record, label=self.hierarchy.root)
            for record in self._unlabelled_folders()
            if record.count
        ]
        if not records:
            return None
        index = DatasetIndex(self.root, self.hierarchy, self.layout, records, [])
        index.is_unlabelled = True
        return index

    def _unlabelled_folders(self) -> list[FolderRecord]:
        """Folders whose images have no synset, neither by folder nor from a label file;
        of a stored index's folders, only these are made into records."""
        folders = self.folders
        if isinstance(folders, StoredFolders):
            return [folders[i] for i in folders.unlabelled()]
        return [r for r in folders if r.label < 0 and r.image_labels is None]

    def reason(self, row: int) -> str:
        """Why an image of an ``unlabelled`` index has no synset."""
        return self.image_folders[self.folder_ids[row]].reason

    def label_source(self, row: int) -> tuple[LabelSource, int] | None:
        """The label file that labelled this image, and its line there; None when the
        image's folder named its class."""
        record = self.image_folders[self.folder_ids[row]]
        if record.image_labels is None:
            return None
        for source in self.label_sources:
            if source.folder == record.relpath:
                name = self.name(row)
                return source, source.file.lines.get(stem(name), 0)
        return None

    def find_rows(self, relpaths: Iterable[str]) -> dict[str, int]:
        """The rows of these images (relative paths), for those the index holds."""
        by_folder: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for relpath in relpaths:
            folder, _, name = relpath.rpartition("/")
            by_folder[folder].append((relpath, name))
        folder_ids = self._folder_ids_by_relpath
        found: dict[str, int] = {}
        for folder, wanted in by_folder.items():
            folder_id = folder_ids.get(folder)
            if folder_id is None:
                continue
            rows = self.folder_rows(folder_id)
            position = dict(zip(self._folder_names(rows), rows, strict=True))
            for relpath, name in wanted:
                row = position.get(name)
                if row is not None:
                    found[relpath] = row
        return found

    def _folder_names(self, rows: range) -> list[str]:
        """The names of a folder's rows, decoded in one call (a name per call was most of
        matching 1.28M predictions to their images); the same as :meth:`name` of each, since
        NUL separates them and no encoded character holds a NUL byte."""
        if not len(rows):
            return []
        start, end = int(self._name_start[rows.start]), int(self._name_start[rows.stop]) - 1
        raw = self._names[start:end]
        return os.fsdecode(raw if isinstance(raw, bytes) else raw.tobytes()).split("\0")

    @cached_property
    def _folder_ids_by_relpath(self) -> dict[str, int]:
        folders = self.image_folders
        relpaths = (
            folders.relpaths  # no record made
            if isinstance(folders, StoredFolders)
            else [record.relpath for record in folders]
        )
        return {relpath: i for i, relpath in enumerate(relpaths)}

    def folder_rows(self, folder_id: int) -> range:
        return range(int(self.folder_start[folder_id]), int(self.folder_start[folder_id + 1]))

    # -- the dataset as a whole -----------------------------------------------------------

    @cached_property
    def class_nodes(self) -> np.ndarray:
        """Synsets that label a class folder, including empty ones, sorted by wnid."""
        if not self.per_image_labels:
            return unique_sorted(self.folder_labels)
        folder_labels = np.array(
            [f.label for f in self.image_folders if f.image_labels is None], dtype=np.int32
        )
        per_image = [f.image_labels for f in self.image_folders if f.image_labels is not None]
        return unique_sorted(np.concatenate([folder_labels, *per_image]))

    def split_sizes(self) -> dict[str, int]:
        counts = np.bincount(self.split_ids, minlength=len(self.splits))
        return {name: int(n) for name, n in zip(self.splits, counts.tolist(), strict=True)}

    def unmapped(self) -> list[Unmapped]:
        """Folders whose images have no synset, one entry per unmapped top folder."""
        images: dict[tuple[str, str], int] = defaultdict(int)
        for record in self._unlabelled_folders():
            images[(record.top, record.reason)] += record.count
        # An empty folder above images labelled from a file (Tiny ImageNet's val/, holding
        # its label file and images/) is not unmapped in any sense a user cares about.
        from_files = (
            set()  # a stored index's folders are as listed: none labelled from a file
            if isinstance(self.folders, StoredFolders)
            else {r.top for r in self.folders if r.image_labels is not None}
        )
        return [
            Unmapped(top or ".", n, reason)
            for (top, reason), n in sorted(images.items())
            if n or top not in from_files
        ]

    def skipped(self) -> list[Skipped]:
        """Everything not indexed, with its reason: folder problems and skipped entries."""
        found = list(self.problems)
        folders = self.folders
        with_skipped = (
            [folders[i] for i in folders.with_skipped()]
            if isinstance(folders, StoredFolders)
            else folders
        )
        for record in with_skipped:
            found.extend(Skipped(join(record.relpath, n), why) for n, why in record.skipped)
        for row in np.flatnonzero(self.sizes == VANISHED).tolist():
            found.append(Skipped(self.relpath(row), "vanished during scan"))
        for row in np.flatnonzero(self.sizes == UNREADABLE).tolist():
            found.append(Skipped(self.relpath(row), "cannot be read"))
        return sorted(found, key=lambda s: s.path)

    def record_with_facts(self, folder_id: int) -> FolderRecord:
        """The folder's record carrying this index's current sizes and mtimes."""
        record = self.image_folders[folder_id]
        rows = self.folder_rows(folder_id)
        record.sizes = self.sizes[rows.start : rows.stop]
        record.mtimes = self.mtimes[rows.start : rows.stop]
        if record.listed_as is None:
            return record
        # Labels from a file split this folder's record; its facts live on the listed one.
        listed, chosen = record.listed_as
        for attr in ("sizes", "mtimes"):
            known = getattr(listed, attr)
            if known is None or len(known) != listed.count:
                known = np.full(listed.count, UNKNOWN, dtype=np.int64)
            elif not known.flags.writeable:  # as loaded from the store
                known = known.copy()
            setattr(listed, attr, known)
            known[chosen] = getattr(record, attr)
        return listed

    def records_by_path(self) -> dict[str, FolderRecord]:
        """Folder records with this index's file facts, for a refresh to reuse."""
        for folder_id in range(len(self.image_folders)):
            self.record_with_facts(folder_id)
        return {
            record.relpath: record if record.listed_as is None else record.listed_as[0]
            for record in self.folders
        }
