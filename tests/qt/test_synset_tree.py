"""The synset tree deep and crowded (issue 17): name column, compact counts, tooltips,
same-named synsets, "Collapse all but this", and the selection kept in view after a jump."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.qt.models.tree_model import ERRORS_COLUMN, MODEL_COLUMNS, SynsetTreeModel
from browser.qt.widgets.synset_tree import SynsetTree
from tests.conftest import DOG, MakeFiles

CRANES = ("n02012849", "n03126707")  # the wading bird and the lifting device


@pytest.fixture
def dog_view(tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles) -> DatasetView:
    """Every breed below dog (one image each, 12 in one of them) and both cranes."""
    dog = hierarchy.index(DOG)
    leaves = sorted(n for n in hierarchy.descendants(dog) if hierarchy.child_count(n) == 0)
    wnids = [hierarchy.wnid(n) for n in leaves] + list(CRANES)
    files = [f"{wnid}/a.jpg" for wnid in wnids] + [f"{wnids[0]}/{i}.jpg" for i in range(1200)]
    root = make_files(tmp_path / "dogs", files)
    return DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))


def deepest(model: SynsetTreeModel, view: DatasetView) -> QModelIndex:
    hierarchy = view.hierarchy
    node = max(
        (n for n in range(len(hierarchy)) if view.counts.images[n] and not view.has_children(n)),
        key=lambda n: (len(max(hierarchy.hypernym_paths(n), key=len)), -n),
    )
    return model.index_for_path(max(hierarchy.hypernym_paths(node), key=len))


def make_tree(qtbot: QtBot, view: DatasetView) -> tuple[SynsetTree, SynsetTreeModel]:
    tree = SynsetTree()
    qtbot.addWidget(tree)
    model = SynsetTreeModel(view, tree)
    tree.setModel(model)
    # The error and model columns, hidden unless asked for (as in the window).
    for column in (ERRORS_COLUMN, *MODEL_COLUMNS):
        tree.setColumnHidden(column, True)
    tree.resize(320, 220)
    return tree, model


def test_counts_are_compact_and_the_name_takes_the_spare_width(
    qtbot: QtBot, dog_view: DatasetView
) -> None:
    tree, model = make_tree(qtbot, dog_view)
    tree.show()
    qtbot.waitExposed(tree)
    entity = model.index(0, 0)
    assert model.index(0, 1).data() == "1.3k"  # 1,200 + one per class
    assert "1,3" in model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)  # exact on hover
    header = tree.header()
    assert header.sectionSize(0) >= tree.viewport().width() // 2
    assert entity.data() == "entity"


def test_tooltip_starts_with_the_full_name_and_path(qtbot: QtBot, dog_view: DatasetView) -> None:
    _, model = make_tree(qtbot, dog_view)
    index = deepest(model, dog_view)
    lines = index.data(Qt.ItemDataRole.ToolTipRole).split("\n")
    assert lines[0] == index.data()
    assert lines[1].startswith("entity › physical entity › ")
    assert lines[1].endswith(index.parent().data())
    assert lines[2].startswith(dog_view.hierarchy.wnid(model.synset(index) or 0))


def test_same_named_synsets_are_told_apart(qtbot: QtBot, dog_view: DatasetView) -> None:
    _, model = make_tree(qtbot, dog_view)
    hierarchy = dog_view.hierarchy
    shown = {
        model.index_for_path(hierarchy.hypernym_paths(hierarchy.index(w))[0]).data() for w in CRANES
    }
    assert shown == {"crane (wading bird)", "crane (lifting device)"}


def test_a_jump_while_hidden_scrolls_once_shown(qtbot: QtBot, dog_view: DatasetView) -> None:
    tree, model = make_tree(qtbot, dog_view)
    target = deepest(model, dog_view)
    tree.reveal(target)  # the tree is not shown yet (as while the welcome page is)
    tree.show()
    qtbot.waitExposed(tree)
    qtbot.waitUntil(lambda: tree.viewport().rect().intersects(tree.visualRect(target)))
    assert tree.currentIndex() == target


def test_collapse_all_but_this_keeps_only_the_path(qtbot: QtBot, dog_view: DatasetView) -> None:
    tree, model = make_tree(qtbot, dog_view)
    tree.show()
    qtbot.waitExposed(tree)
    tree.expandAll()
    target = deepest(model, dog_view)
    tree.reveal(target)
    tree.collapse_others_action.trigger()
    path = set()
    walk = target.parent()  # the parents of the target stay open, nothing else
    while walk.isValid():
        path.add((walk.row(), walk.internalPointer()))
        walk = walk.parent()
    expanded = []
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(model.rowCount(parent)):
            child = model.index(row, 0, parent)
            if tree.isExpanded(child) and model.hasChildren(child):
                expanded.append((child.row(), child.internalPointer()))
                stack.append(child)
    assert set(expanded) == path
    assert tree.viewport().rect().intersects(tree.visualRect(target))


def test_keep_only_the_current_path_open_after_every_jump(
    qtbot: QtBot, dog_view: DatasetView
) -> None:
    tree, model = make_tree(qtbot, dog_view)
    tree.show()
    qtbot.waitExposed(tree)
    hierarchy = dog_view.hierarchy
    crane = model.index_for_path(hierarchy.hypernym_paths(hierarchy.index(CRANES[0]))[0])
    tree.reveal(crane)
    tree.keep_path_action.setChecked(True)
    target = deepest(model, dog_view)
    tree.reveal(target)
    assert not tree.isExpanded(crane.parent())  # the crane's branch was closed
    assert tree.isExpanded(target.parent())


def test_search_suggestions_tell_same_named_synsets_apart(
    qtbot: QtBot, dog_view: DatasetView
) -> None:
    from browser.core.hierarchy.search import SynsetSearch
    from browser.qt.widgets.search_box import SearchBox

    box = SearchBox()
    qtbot.addWidget(box)
    box.set_source(SynsetSearch(dog_view.hierarchy), dog_view.counts.images)
    box.setText("crane")
    assert len(box.update_suggestions()) == 2
    shown = box.completer().model().stringList()  # type: ignore[attr-defined]
    assert {s.split("  ")[0] for s in shown} == {"crane (wading bird)", "crane (lifting device)"}
