"""ImageGridModel: a numpy array of image rows laid out as a table for a fixed-size grid.

Position ``p`` of the list is cell (p // columns, p % columns). The model never builds a
Python object per image; data() computes what one visible cell needs.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QPixmap

from browser.core.index import DatasetIndex
from browser.qt.thumbs import ThumbnailLoader

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the image's row in the dataset index
FAILURE_ROLE = Qt.ItemDataRole.UserRole + 2  # why the thumbnail could not be made, if so
CLASS_ROLE = Qt.ItemDataRole.UserRole + 3  # the class name, when captions show it

AnyIndex = QModelIndex | QPersistentModelIndex


class ImageGridModel(QAbstractTableModel):
    """The images of the selected synset, in reading order over ``columns`` columns."""

    def __init__(self, loader: ThumbnailLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.index_: DatasetIndex | None = None
        self.rows = np.zeros(0, dtype=np.int64)
        self.columns = 1
        self.bucket = 128
        self.show_class = False
        loader.thumbnailReady.connect(self._thumbnail_ready)

    # -- content ------------------------------------------------------------------------

    def set_rows(self, index: DatasetIndex | None, rows: np.ndarray, *, show_class: bool) -> None:
        self.beginResetModel()
        self.loader.reset()
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

    def set_bucket(self, bucket: int) -> None:
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
        if not index.isValid() or self.index_ is None:
            return None
        position = self.position(index)
        if position >= len(self.rows):
            return None
        row = int(self.rows[position])
        if role == Qt.ItemDataRole.DisplayRole:
            return self.index_.name(row)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.loader.pixmap(row, self.bucket)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.index_.relpath(row)
        if role == ROW_ROLE:
            return row
        if role == FAILURE_ROLE:
            return self.loader.failure(row, self.bucket)
        if role == CLASS_ROLE and self.show_class:
            return self.index_.hierarchy.name(int(self.index_.labels[row]))
        return None

    # -- thumbnails ---------------------------------------------------------------------

    def request_thumbnails(self, positions: list[int]) -> int:
        """Ask for the thumbnails of these positions, most urgent first."""
        if self.index_ is None:
            return 0
        index = self.index_
        wanted = []
        for position in positions:
            if 0 <= position < len(self.rows):
                row = int(self.rows[position])
                wanted.append(
                    (position, row, index.path(row), int(index.sizes[row]), int(index.mtimes[row]))
                )
        return self.loader.request(wanted, self.bucket)

    def _thumbnail_ready(self, position: int) -> None:
        cell = self.index_at(position)
        if cell.isValid():
            self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DecorationRole])


def pixmap_of(index: AnyIndex) -> QPixmap | None:
    value = index.data(Qt.ItemDataRole.DecorationRole)
    return value if isinstance(value, QPixmap) else None
