"""The synset tree: a pruned DAG shown as a tree, lazily, with rolled-up counts."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from browser.core.dataset.view import DatasetView
from browser.qt.models.tree_model import SYNSET_ROLE, SynsetTreeModel
from tests.conftest import DOG, GOLDEN


def child_names(model: SynsetTreeModel, parent: QModelIndex) -> list[str]:
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def test_the_tree_model_passes_qt_model_checks(
    qtmodeltester: ModelTester, small_view: DatasetView
) -> None:
    model = SynsetTreeModel(small_view)
    qtmodeltester.check(model)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)


def test_root_is_entity_with_every_image(small_view: DatasetView) -> None:
    model = SynsetTreeModel(small_view)
    assert model.rowCount() == 1
    entity = model.index(0, 0)
    assert entity.data() == "entity"
    assert model.index(0, 1).data() == "9"  # the broken file is still an image of the dataset
    assert model.index(0, 2).data() == "4"


def test_a_multi_parent_synset_appears_under_each_parent_with_the_same_counts(
    small_view: DatasetView,
) -> None:
    model = SynsetTreeModel(small_view)
    hierarchy = small_view.hierarchy
    dog = hierarchy.index(DOG)
    paths = hierarchy.hypernym_paths(dog)
    assert len(paths) == 2
    rows = [model.index_for_path(path) for path in paths]
    assert all(r.isValid() for r in rows)
    assert rows[0].internalPointer() is not rows[1].internalPointer()
    for row in rows:
        assert row.data(SYNSET_ROLE) == dog
        assert model.index(row.row(), 1, row.parent()).data() == "5"  # 3 golden + 2 dogs
        assert model.index(row.row(), 2, row.parent()).data() == "2"
        assert child_names(model, row) == ["hunting dog"]  # on the way to golden retriever
    assert {hierarchy.name(p[-2]) for p in paths} == {"canine", "domestic animal"}


def test_synsets_without_images_are_pruned(small_view: DatasetView) -> None:
    model = SynsetTreeModel(small_view)
    golden = small_view.hierarchy.index(GOLDEN)
    path = small_view.hierarchy.hypernym_paths(golden)[0]
    leaf = model.index_for_path(path)
    assert leaf.isValid()
    assert not model.hasChildren(leaf)
    animal_path = path[: path.index(small_view.hierarchy.index("n00015388")) + 1]
    animal = model.index_for_path(animal_path)
    names = child_names(model, animal)
    assert "chordate" in names
    assert "invertebrate" not in names


def test_sorting_by_name_and_by_count(small_view: DatasetView) -> None:
    model = SynsetTreeModel(small_view)
    hierarchy = small_view.hierarchy
    animal = model.index_for_path(hierarchy.hypernym_paths(hierarchy.index("n00015388"))[0])
    model.sort(1, Qt.SortOrder.DescendingOrder)
    by_count = [int(model.index(r, 1, animal).data()) for r in range(model.rowCount(animal))]
    assert by_count == sorted(by_count, reverse=True)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    names = child_names(model, animal)
    assert names == sorted(names, key=str.lower)
