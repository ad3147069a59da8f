"""SynsetTree: the synset tree view, readable at 21,843 classes and 13+ levels deep.

The name column takes the spare width and the count columns only what their compact text needs
(see :mod:`browser.core.hierarchy.synset_labels`). Opened branches no longer pile up: "Collapse
all but this" closes everything off the current synset's path, and "Keep only the current path
open" does so after every jump. A jump always ends with the selected row in view, even when it
happened while the tree was hidden or not yet laid out (then the scroll waits for the show).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QWidget


class SynsetTree(QTreeView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUniformRowHeights(True)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setIndentation(10)  # 13 levels deep, the indent is what is left of a name
        # Extended: Ctrl+click selects several synsets to export together.
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.collapse_others_action = QAction("Collapse all but this", self)
        self.collapse_others_action.setToolTip("Close every branch off the selected synset's path")
        self.collapse_others_action.triggered.connect(
            lambda _=False: self.collapse_all_but_current()
        )
        self.keep_path_action = QAction("Keep only the current path open", self)
        self.keep_path_action.setCheckable(True)
        self.keep_path_action.setToolTip("After every jump, close the branches off the new path")
        self.keep_path_action.toggled.connect(
            lambda on: self.collapse_all_but_current() if on else None
        )
        self._scroll_pending = False

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802
        super().setModel(model)
        header = self.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        if model is None or model.columnCount() == 0:
            return
        # The name takes what the counts (short: 1.2M, 14k) leave.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    # -- jumps ------------------------------------------------------------------------------

    def reveal(self, index: QModelIndex) -> None:
        """Open the branches down to ``index``, make it current and scroll it into view."""
        if not index.isValid():
            return
        if self.keep_path_action.isChecked():
            self._collapse_off_path(index)
        parent = index.parent()
        while parent.isValid():
            self.expand(parent)
            parent = parent.parent()
        selection = self.selectionModel()
        if self.currentIndex() != index and selection is not None:
            selection.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.scroll_to_current()

    def scroll_to_current(self) -> None:
        current = self.currentIndex()
        if not current.isValid():
            return
        if not self.isVisible() or self.viewport().height() <= 1:
            self._scroll_pending = True  # scrollTo needs a laid-out, visible viewport
            return
        self._scroll_pending = False
        self.scrollTo(current, QAbstractItemView.ScrollHint.EnsureVisible)

    def collapse_all_but_current(self) -> None:
        current = self.currentIndex()
        if current.isValid():
            self._collapse_off_path(current)
            self.scroll_to_current()

    def _collapse_off_path(self, index: QModelIndex) -> None:
        """Close every branch, at every depth, except those down to ``index``."""
        self.collapseAll()
        parent = index.parent()
        while parent.isValid():
            self.expand(parent)
            parent = parent.parent()

    # -- events -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._scroll_pending:
            self.scroll_to_current()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._scroll_pending:
            self.scroll_to_current()

    def _context_menu(self, position: QPoint) -> None:
        menu = self.context_menu()
        menu.exec(self.viewport().mapToGlobal(position))
        menu.deleteLater()

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction(self.collapse_others_action)
        menu.addAction(self.keep_path_action)
        return menu
