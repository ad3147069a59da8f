"""SynsetTreeModel: the WordNet DAG pruned to synsets with images, shown as a tree.

A synset with several parents appears under each of them, with the same counts. Tree nodes
are small Python objects created only when their parent is first expanded, and kept alive
by their parent's child list, because ``internalPointer`` must point at something that lives.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.synset_labels import DistinctNames, compact_count

SYNSET_ROLE = Qt.ItemDataRole.UserRole + 1
# Short headers: at depth 13+ every pixel the count columns take is a letter of a name.
COLUMNS = ("Synset", "Img.", "Cls.", "Err.", "Top-1", "Sev.")
HEADER_TIPS = (
    "Synset (hover a row for its full name and path)",
    "Images at or below",
    "Classes at or below",
    "Estimated label-error rate, of how many reviewed images",
    "The model's top-1 accuracy on the images at or below",
    "The model's mean mistake severity (height of the lowest common ancestor)",
)
ERRORS_COLUMN = 3  # estimated label-error rate from verdicts (hidden unless asked for)
# A model's top-1 accuracy and mean mistake severity (issue 16; hidden unless asked for).
TOP1_COLUMN, SEVERITY_COLUMN = 4, 5
MODEL_COLUMNS = (TOP1_COLUMN, SEVERITY_COLUMN)

AnyIndex = QModelIndex | QPersistentModelIndex


class _Node:
    __slots__ = ("children", "parent", "row", "synset")

    def __init__(self, synset: int, parent: _Node | None, row: int) -> None:
        self.synset = synset
        self.parent = parent
        self.row = row
        self.children: list[_Node] | None = None


class SynsetTreeModel(QAbstractItemModel):
    """Rows: name, rolled-up images, classes, estimated label errors. Sortable by any column."""

    def __init__(self, view: DatasetView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        # Set by the window when verdicts are kept: a synset's estimated label-error rate.
        self.error_rate: Callable[[int], float | None] | None = None
        # And how many images that estimate rests on (shown as "29 % of 7").
        self.error_sample: Callable[[int], int | None] | None = None
        # Set by the window when a model is loaded: (synset, column) -> its value there.
        self.model_metric: Callable[[int, int], float | None] | None = None
        self._root = _Node(-1, None, 0)
        self._sort_column = 1
        self._sort_order = Qt.SortOrder.DescendingOrder

    # -- tree structure -----------------------------------------------------------------

    def _node(self, index: AnyIndex) -> _Node:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, _Node)
            return node
        return self._root

    def _children(self, node: _Node) -> list[_Node]:
        if node.children is None:
            if node.synset < 0:
                root = self.view.hierarchy.root
                synsets = [root] if self.view.counts.images[root] > 0 else []
            else:
                synsets = self.view.children(node.synset)
            synsets.sort(key=self._sort_key(), reverse=self._reverse())
            node.children = [_Node(s, node, row) for row, s in enumerate(synsets)]
        return node.children

    def _sort_key(self) -> Callable[[int], Any]:
        counts, hierarchy = self.view.counts, self.view.hierarchy
        if self._sort_column == 0:
            return lambda s: hierarchy.name(s).lower()
        if self._sort_column == ERRORS_COLUMN:
            rate = self.error_rate or (lambda s: None)
            return lambda s: (-1.0 if (r := rate(s)) is None else r, hierarchy.name(s).lower())
        if self._sort_column in MODEL_COLUMNS:
            metric, column = self.model_metric or (lambda s, c: None), self._sort_column
            return lambda s: (
                -1.0 if (v := metric(s, column)) is None else v,
                hierarchy.name(s).lower(),
            )
        array = counts.images if self._sort_column == 1 else counts.classes
        return lambda s: (int(array[s]), hierarchy.name(s).lower())

    def _reverse(self) -> bool:
        return self._sort_order == Qt.SortOrder.DescendingOrder

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        children = self._children(self._node(parent))
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(self._node(parent)))

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return len(COLUMNS)

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        node = self._node(parent)
        if node.synset < 0:
            return True
        if parent.column() != 0:
            return False
        return self.view.has_children(node.synset)

    # -- contents -----------------------------------------------------------------------

    @cached_property
    def names(self) -> DistinctNames:
        """Names told apart among the synsets the tree can show (those with images)."""
        shown = np.flatnonzero(self.view.counts.images > 0).tolist()
        return DistinctNames(self.view.hierarchy, shown)

    def _error_text(self, synset: int) -> str:
        rate = self.error_rate(synset) if self.error_rate is not None else None
        if rate is None:
            return ""
        sample = self.error_sample(synset) if self.error_sample is not None else None
        return f"{rate:.0%}" if sample is None else f"{rate:.0%} of {sample:,}"

    def _tooltip(self, index: AnyIndex) -> str:
        node = self._node(index)
        hierarchy = self.view.hierarchy
        above = []
        walk = node.parent
        while walk is not None and walk.synset >= 0:
            above.append(hierarchy.name(walk.synset))
            walk = walk.parent
        column = index.column()
        lines = [self.names.label(node.synset)]
        if column in (1, 2):
            array = self.view.counts.images if column == 1 else self.view.counts.classes
            what = "images" if column == 1 else "classes"
            lines = [f"{int(array[node.synset]):,} {what} at or below {lines[0]}"]
        if above:
            lines.append(" › ".join(reversed(above)))
        lines.append(f"{hierarchy.wnid(node.synset)} — {hierarchy.gloss(node.synset)}")
        return "\n".join(lines)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        synset = self._node(index).synset
        column = index.column()
        counts = self.view.counts
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self.names.label(synset)
            if column == ERRORS_COLUMN:
                return self._error_text(synset)
            if column in MODEL_COLUMNS:
                value = self.model_metric(synset, column) if self.model_metric else None
                if value is None:
                    return ""
                return f"{value:.1%}" if column == TOP1_COLUMN else f"{value:.2f}"
            array = counts.images if column == 1 else counts.classes
            return compact_count(int(array[synset]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index)
        if role == SYNSET_ROLE:
            return synset
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_nodes = [(self._node(i), i.column()) for i in old]
        self._sort_column, self._sort_order = column, order
        key, reverse = self._sort_key(), self._reverse()
        stack = [self._root]
        while stack:
            node = stack.pop()
            if node.children is None:
                continue
            node.children.sort(key=lambda n: key(n.synset), reverse=reverse)
            for row, child in enumerate(node.children):
                child.row = row
            stack.extend(node.children)
        new = [self.createIndex(n.row, c, n) for n, c in old_nodes]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # -- finding synsets ----------------------------------------------------------------

    def index_for_path(self, path: list[int]) -> QModelIndex:
        """The tree row reached by following a hypernym path (root first), or invalid."""
        node = self._root
        index = QModelIndex()
        for synset in path:
            match = next((c for c in self._children(node) if c.synset == synset), None)
            if match is None:
                return QModelIndex()
            node = match
            index = self.createIndex(node.row, 0, node)
        return index

    def synset(self, index: AnyIndex) -> int | None:
        return self._node(index).synset if index.isValid() else None
