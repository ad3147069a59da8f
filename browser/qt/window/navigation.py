"""Where the window is in the hierarchy: the synset shown, the hypernym path it was reached
by (breadcrumb and tree agree on it), and back/forward history."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, Qt

from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.qt.models.tree_model import ERRORS_COLUMN, MODEL_COLUMNS, SynsetTreeModel
from browser.qt.widgets.breadcrumb import Breadcrumb
from browser.qt.widgets.synset_tree import SynsetTree
from browser.qt.window.history import History

# Show ``synset`` reached by ``path`` (None: its first path); record it in history or not.
SelectSynset = Callable[[int, list[int] | None, bool], None]


def tree_path(model: SynsetTreeModel, index: QModelIndex) -> list[int]:
    """The synsets from the root down to the tree row ``index``: the path it was reached by."""
    path = []
    walk = index.siblingAtColumn(0)
    while walk.isValid():
        path.append(model.synset(walk))
        walk = walk.parent()
    path.reverse()
    return path  # type: ignore[return-value]


class Navigator(QObject):
    """Keeps the breadcrumb, the tree's current row and history on one synset and path.

    ``select`` is the window's way to show a synset; the navigator calls it when the user
    picks a tree row, a breadcrumb path, or goes back or forward."""

    def __init__(
        self, tree: SynsetTree, breadcrumb: Breadcrumb, select: SelectSynset, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.tree = tree
        self.breadcrumb = breadcrumb
        self.select = select
        self.history = History()
        self.model: SynsetTreeModel | None = None
        self.hierarchy: Hierarchy | None = None
        self.synset: int | None = None
        self.paths: list[list[int]] = []
        self.choice = 0
        breadcrumb.pathChosen.connect(self.choose_path)

    def set_model(
        self, model: SynsetTreeModel, *, errors_shown: bool, model_columns_shown: bool
    ) -> None:
        """A new dataset's tree: sorted by images, the first level under the root open."""
        self.model = model
        self.synset, self.paths, self.choice = None, [], 0
        self.history.clear()
        tree = self.tree
        tree.setModel(model)
        tree.setColumnHidden(ERRORS_COLUMN, not errors_shown)
        for column in MODEL_COLUMNS:
            tree.setColumnHidden(column, not model_columns_shown)
        tree.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        tree.selectionModel().currentChanged.connect(self._tree_current)
        tree.expand(model.index(0, 0))

    def go_to(self, view: DatasetView, synset: int, path: list[int] | None, record: bool) -> None:
        """``synset`` is shown now: its paths with images, the breadcrumb, history."""
        if record:
            self.history.record(synset)
        self.synset = synset
        self.hierarchy = view.hierarchy
        self.paths = [
            p
            for p in view.hierarchy.hypernym_paths(synset)
            if all(view.counts.images[s] > 0 for s in p)
        ]
        self.choice = self.paths.index(path) if path in self.paths else 0
        self.breadcrumb.show_path(view.hierarchy, self.paths, self.choice)

    def choose_path(self, number: int) -> None:
        if self.hierarchy is None:
            return
        self.choice = number
        self.breadcrumb.show_path(self.hierarchy, self.paths, number)
        self.reveal()

    def reveal(self) -> None:
        """Open the tree down the current path and make its row current and visible."""
        if self.model is None or not self.paths:
            return
        self.tree.reveal(self.model.index_for_path(self.paths[self.choice]))

    def _tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.model is None or not current.isValid():
            return
        synset = self.model.synset(current)
        if synset is None:
            return
        path = tree_path(self.model, current)
        if synset != self.synset or not self.paths or path != self.paths[self.choice]:
            self.select(synset, path, True)

    def back(self) -> None:
        synset = self.history.back()
        if synset is not None:
            self.select(synset, None, False)

    def forward(self) -> None:
        synset = self.history.forward()
        if synset is not None:
            self.select(synset, None, False)
