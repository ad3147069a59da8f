"""ImageGridModel: a numpy array of image rows laid out as a table for a fixed-size grid.

Position ``p`` of the list is cell (p // columns, p % columns). The model never builds a
Python object per image; data() computes what one visible cell needs.

Everything a cell shows is looked up by the image's identity, :class:`ImageKey` (the open
generation of the dataset and the relative path), never by its position or index row: the
same position shows another image after a sort, and the same row another image in another
dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPixmap

from browser.core.dataset.index import DatasetIndex
from browser.core.review.records import Verdict
from browser.qt.identity import DatasetKey, ImageKey
from browser.qt.thumbs import ThumbnailLoader

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the image's row in the dataset index
FAILURE_ROLE = Qt.ItemDataRole.UserRole + 2  # why the thumbnail could not be made, if so
CLASS_ROLE = Qt.ItemDataRole.UserRole + 3  # the class name, when captions show it

AnyIndex = QModelIndex | QPersistentModelIndex


# Thumbnail requests (screens scrolled to) between releases of the index's mapped pages.
RELEASE_PAGES_EVERY = 16


class Cell(NamedTuple):
    row: int
    relpath: str
    name: str
    class_name: str
    pixmap: QPixmap | None
    failure: str | None
    verdict: str | None = None  # a reviewer's verdict on the label, if any
    noted: bool = False  # the reviewer left a note or proposed another synset
    predicted: str = ""  # a model's top-1 where it is not the label


class ImageGridModel(QAbstractTableModel):
    """The images of the selected synset, in reading order over ``columns`` columns.

    Signals:
        thumbnailsArrived(list): positions whose thumbnail (or failure) just arrived.
    """

    thumbnailsArrived = Signal(list)

    def __init__(self, loader: ThumbnailLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.index_: DatasetIndex | None = None
        self.dataset: DatasetKey | None = None
        self.rows = np.zeros(0, dtype=np.int64)
        self.columns = 1
        self.bucket = 128
        self.side = 128  # the thumbnail box of a cell, in pixels
        self.show_class = False
        self._requests = 0  # thumbnail requests since the index's mapped pages were released
        # Set by the window when verdicts are kept: the verdict of (dataset, relpath), or None.
        self.verdict_lookup: Callable[[DatasetKey, str], Verdict | None] | None = None
        self.prediction_lookup: Callable[[DatasetIndex, int], str] | None = None
        loader.thumbnailsReady.connect(self._thumbnails_ready)

    # -- content ------------------------------------------------------------------------

    def set_rows(
        self,
        dataset: DatasetKey,
        index: DatasetIndex | None,
        rows: np.ndarray,
        *,
        show_class: bool,
    ) -> None:
        """Show ``rows`` of ``index``, an index of the dataset ``dataset`` (the dataset's
        own index or one derived from it, e.g. its images without a label)."""
        self.beginResetModel()
        self.loader.set_dataset(dataset.generation)  # a new dataset: drop the old one's
        self.loader.reset()
        self.dataset = dataset
        self.index_ = index
        self.rows = rows
        self.show_class = show_class
        self.endResetModel()

    def set_columns(self, columns: int) -> None:
        columns = max(1, columns)
        if columns != self.columns:
            self.beginResetModel()
            self.columns = columns
            self.endResetModel()

    def set_sizes(self, bucket: int, side: int) -> None:
        """Thumbnails are decoded at ``bucket`` and shown in a ``side`` box."""
        self.side = side
        if bucket != self.bucket:
            self.bucket = bucket
            self.loader.reset()
            if self.rowCount():
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self.rowCount() - 1, self.columns - 1)
                )

    def count(self) -> int:
        return len(self.rows)

    def position(self, index: AnyIndex) -> int:
        return index.row() * self.columns + index.column()

    def index_at(self, position: int) -> QModelIndex:
        if not 0 <= position < len(self.rows):
            return QModelIndex()
        return self.index(position // self.columns, position % self.columns)

    def image_row(self, position: int) -> int:
        return int(self.rows[position])

    def image_key(self, row: int) -> ImageKey:
        """The identity of the image at index row ``row`` of the shown index."""
        assert self.index_ is not None
        assert self.dataset is not None
        return (self.dataset.generation, self.index_.relpath(row))

    def relpath_at(self, position: int) -> str | None:
        if self.index_ is None or not 0 <= position < len(self.rows):
            return None
        return self.index_.relpath(int(self.rows[position]))

    def cell(self, position: int) -> Cell | None:
        """Everything the delegate paints for one cell, in one call.

        A delegate asking through ``QModelIndex.data`` pays a Python→C++→Python round trip
        per role; at 64 px that was most of a repaint's cost.
        """
        if self.index_ is None or self.dataset is None or not 0 <= position < len(self.rows):
            return None
        row = int(self.rows[position])
        index = self.index_
        relpath = index.relpath(row)
        key = (self.dataset.generation, relpath)
        class_name = index.hierarchy.name(int(index.labels[row])) if self.show_class else ""
        lookup = self.verdict_lookup
        verdict = lookup(self.dataset, relpath) if lookup is not None else None
        return Cell(
            row,
            relpath,
            index.name(row),
            class_name,
            self.loader.pixmap(key, self.bucket, self.side),
            self.loader.failure(key, self.bucket),
            verdict.verdict if verdict is not None else None,
            verdict is not None and bool(verdict.note or verdict.proposed),
            self.prediction_lookup(index, row) if self.prediction_lookup is not None else "",
        )

    # -- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid():
            return 0
        return -(-len(self.rows) // self.columns)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.columns

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or self.position(index) >= len(self.rows):
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self.index_ is None or self.dataset is None:
            return None
        position = self.position(index)
        if position >= len(self.rows):
            return None
        row = int(self.rows[position])
        if role == Qt.ItemDataRole.DisplayRole:
            return self.index_.name(row)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.loader.pixmap(self.image_key(row), self.bucket, self.side)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.index_.relpath(row)
        if role == ROW_ROLE:
            return row
        if role == FAILURE_ROLE:
            return self.loader.failure(self.image_key(row), self.bucket)
        if role == CLASS_ROLE and self.show_class:
            return self.index_.hierarchy.name(int(self.index_.labels[row]))
        return None

    # -- thumbnails ---------------------------------------------------------------------

    def request_thumbnails(self, positions: list[int]) -> int:
        """Ask for the thumbnails of these positions, most urgent first."""
        if self.index_ is None or self.dataset is None:
            return 0
        index, loader, bucket = self.index_, self.loader, self.bucket
        self._requests += 1
        if self._requests >= RELEASE_PAGES_EVERY:
            # Each screen of a 14M-image grid maps megabytes of every column (see
            # DatasetIndex.release_mapped_pages): give them back now and then, not at the end.
            self._requests = 0
            index.release_mapped_pages()
        generation = self.dataset.generation
        wanted: list[tuple[int, ImageKey, str, int, int]] = []
        for position in positions:
            if 0 <= position < len(self.rows):
                row = int(self.rows[position])
                key = (generation, index.relpath(row))
                # Building a path costs more than the check; most of a screen is loaded already.
                if loader.has_thumbnail(key, bucket) or loader.failure(key, bucket) is not None:
                    continue
                size, mtime = int(index.sizes[row]), int(index.mtimes[row])
                wanted.append((position, key, index.path(row), size, mtime))
        return loader.request(wanted, bucket)

    def _thumbnails_ready(self, positions: list[int]) -> None:
        # One dataChanged for the batch (the rows spanned by the positions that arrived), and
        # the positions themselves for a view that repaints only those cells.
        valid = [p for p in positions if 0 <= p < len(self.rows)]
        if valid:
            self.thumbnailsArrived.emit(valid)
            first, last = min(valid) // self.columns, max(valid) // self.columns
            self.dataChanged.emit(
                self.index(first, 0),
                self.index(last, self.columns - 1),
                [Qt.ItemDataRole.DecorationRole],
            )
