"""The folders of a stored column index, as a sequence of records made on first access.

An ImageNet-21k index has 21,843 folders; making a FolderRecord for each on open cost about
half a second of Python, while opening needs only the folder table's columns (labels, image
counts, splits, paths), which this sequence answers in numpy. A record is made when one is
asked for (a folder shown, its files stat'ed) and then kept, so the same folder is always
the same object (the index compares records by identity and the stat pass writes into them).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any, overload

import numpy as np

from browser.core.dataset.layouts import UNMAPPED_NOT_SYNSET
from browser.core.dataset.scanner import FolderRecord


class StoredFolders(Sequence[FolderRecord]):
    """Folder records of a stored generation (stored order), made on demand.

    ``labels`` are the folders' synsets in the hierarchy the index was opened with (-1 for
    none); ``counts`` their images; ``relpaths`` and ``splits`` come from the folder table.
    """

    def __init__(
        self, table: dict[str, Any], columns: dict[str, np.ndarray], labels: np.ndarray
    ) -> None:
        self._table = table
        self._columns = columns
        self.labels = labels
        self.relpaths: list[str] = table["relpath"]
        self.splits: list[str] = table["split"]
        self._rows = columns["folder_rows"]
        self.counts = np.diff(self._rows)
        self._name_bytes = columns["folder_name_bytes"]
        self._shards = set(table["shard"])
        self._made: list[FolderRecord | None] = [None] * len(self.relpaths)
        self._length = len(self.relpaths)
        self._making = threading.Lock()

    def prefix(self, length: int) -> StoredFolders:
        """The first ``length`` folders, sharing this sequence's records (made or not)."""
        view = object.__new__(StoredFolders)
        view.__dict__.update(self.__dict__)
        view._length = min(length, self._length)
        view.labels = self.labels[: view._length]
        view.relpaths = self.relpaths[: view._length]
        view.splits = self.splits[: view._length]
        view.counts = self.counts[: view._length]
        return view

    def as_stored(self) -> bool:
        """Whether every folder has the label it was stored with (the hierarchy did not
        change the mapping of any)."""
        stored = self._columns["folder_labels"][: self._length]
        return bool(np.array_equal(self.labels, stored))

    def unlabelled_images(self) -> bool:
        """Whether a folder with images has no synset (a label file may name them)."""
        return bool(np.any((self.labels < 0) & (self.counts > 0)))

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, i: int) -> FolderRecord: ...

    @overload
    def __getitem__(self, i: slice) -> list[FolderRecord]: ...

    def __getitem__(self, i: int | slice) -> FolderRecord | list[FolderRecord]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        made = self._made[i]
        if made is None:
            # The stat pass's thread and the GUI may ask for the same folder at once: one
            # record for it, always.
            with self._making:
                made = self._made[i]
                if made is None:
                    made = self._made[i] = self._make(i)
        return made

    def __iter__(self) -> Iterator[FolderRecord]:
        return (self[i] for i in range(len(self)))

    def is_path_sorted(self) -> bool:
        """Whether stored order is path order (it is unless labelled and unlabelled folders
        interleave in path order)."""
        paths = self.relpaths
        return all(a < b for a, b in zip(paths, paths[1:], strict=False))

    def names(self, i: int) -> bytes | memoryview:
        """Folder ``i``'s names as its record has them (NUL-joined), from the mapped file:
        its record's if made (a refresh may have replaced them), without making it."""
        made = self._made[i]
        if made is not None:
            return made.names
        if not self.counts[i]:
            return b""
        begin, end = int(self._name_bytes[i]), int(self._name_bytes[i + 1]) - 1
        return self._names_view[begin:end]

    @cached_property
    def _names_view(self) -> memoryview:
        names = self._columns["names"]
        return memoryview(names.data) if len(names) else memoryview(b"")

    def unlabelled(self) -> list[int]:
        """The folders without a synset (those ``unmapped`` reports), by position."""
        return np.flatnonzero(self.labels < 0).tolist()

    def with_skipped(self) -> list[int]:
        """The folders that skipped entries, by position."""
        return sorted(i for i in map(int, self._table["skipped"]) if i < self._length)

    def _make(self, i: int) -> FolderRecord:
        table, columns, key = self._table, self._columns, str(i)
        start, stop = int(self._rows[i]), int(self._rows[i + 1])
        count = stop - start
        label, reason = int(self.labels[i]), table["reason"].get(key, "")
        if table["wnid"][i] is not None and label < 0:
            reason = UNMAPPED_NOT_SYNSET
        names = self.names(i)
        offsets = columns.get("offsets")
        return FolderRecord(
            self.relpaths[i],
            table["top"].get(key, self.relpaths[i]),
            label,
            self.splits[i],
            table["mtime_ns"][i],
            names,
            count,
            list(table["subdirs"].get(key, [])),
            [(str(a), str(b)) for a, b in table["skipped"].get(key, ())],
            reason,
            columns["sizes"][start:stop],
            columns["mtimes"][start:stop],
            offsets=offsets[start:stop] if offsets is not None and i in self._shards else None,
        )
