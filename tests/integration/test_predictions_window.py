"""The window with a model's predictions: imported in the background, the grid sorted and
filtered by suspects, the predicted class on thumbnails, the Model tab's top-k with relations,
the confusion view's cells, and suspects reviewed in order with their precision."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.qt.widgets.predictions_panel import SUSPECTED_ONLY, SUSPICIOUS_FIRST
from browser.qt.window.main_window import MainWindow
from tests.core.predictions_data import Planted, plant, write_images
from tests.integration.windows import make_window


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy) -> Iterator[MainWindow]:
    win = make_window(qtbot, tmp_path, hierarchy)
    yield win
    win.close()


@pytest.fixture
def planted(hierarchy: Hierarchy) -> Planted:
    return plant(hierarchy, per_group=2, per_class=10)


def _open_with_model(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, planted: Planted, jpeg_bytes: bytes
) -> None:
    root = write_images(tmp_path / "ds", planted.relpaths, jpeg_bytes)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root))
    source = planted.write_model(tmp_path / "model.npz")
    with qtbot.waitSignal(window.predictions.stateChanged, timeout=20000):
        window.predictions.import_file(str(source))
    assert window.predictions.state is not None


def test_import_then_sort_and_filter_the_grid_by_suspects(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, planted: Planted, jpeg_bytes: bytes
) -> None:
    _open_with_model(qtbot, window, tmp_path, planted, jpeg_bytes)
    state = window.predictions.state
    assert state is not None
    assert "Model model" in window.predictions.model_label.text()
    window.predictions.grid_mode.setCurrentIndex(
        window.predictions.grid_mode.findData(SUSPICIOUS_FIRST)
    )
    model = window.grid_model
    first = model.image_row(0)
    assert first == int(state.ranking.rows[0])  # the most suspicious image leads
    assert model.count() == len(planted.relpaths)
    window.predictions.grid_mode.setCurrentIndex(
        window.predictions.grid_mode.findData(SUSPECTED_ONLY)
    )
    shown = [model.image_row(p) for p in range(model.count())]
    assert shown
    assert all(state.suspected_row[r] for r in shown)
    assert model.count() == int(state.suspected_row.sum())


def test_thumbnails_and_the_panel_show_what_the_model_predicted(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, planted: Planted, jpeg_bytes: bytes
) -> None:
    _open_with_model(qtbot, window, tmp_path, planted, jpeg_bytes)
    state = window.predictions.state
    assert state is not None
    model = window.grid_model
    differs = next(
        p for p in range(model.count()) if state.predicted_if_different(model.image_row(p))
    )
    same = next(
        p for p in range(model.count()) if not state.predicted_if_different(model.image_row(p))
    )
    cell, plain = model.cell(differs), model.cell(same)
    assert cell is not None
    assert plain is not None
    predicted = state.predicted_if_different(model.image_row(differs))
    assert predicted is not None
    assert cell.predicted == window.hierarchy.name(predicted)
    assert plain.predicted == ""
    window.grid.set_current_position(differs)
    text = window.predictions.image_label.text()
    assert window.hierarchy.name(predicted) in text
    assert any(word in text for word in ("sibling under", "different:", "related under"))


def test_a_confusion_cell_shows_its_images(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, planted: Planted, jpeg_bytes: bytes
) -> None:
    _open_with_model(qtbot, window, tmp_path, planted, jpeg_bytes)
    dog = window.hierarchy.index("n02084071")
    window.select_synset(dog)
    assert "errors under dog" in window.predictions.synset_label.text()
    dialog = window.predictions.open_confusion()
    assert dialog is not None
    matrix = dialog.matrix
    i, j = np.argwhere(matrix.counts > 0)[0].tolist()
    item = dialog.table.item(i, j)
    assert item is not None
    assert item.text() == f"{matrix.counts[i, j]:,}"
    dialog.table.cellClicked.emit(i, j)
    assert window.grid_model.count() == matrix.counts[i, j]
    dialog.close()


def test_reviewing_suspects_in_order_shows_their_precision(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, planted: Planted, jpeg_bytes: bytes
) -> None:
    _open_with_model(qtbot, window, tmp_path, planted, jpeg_bytes)
    state = window.predictions.state
    assert state is not None
    assert window.view is not None
    window.select_synset(window.hierarchy.root)
    assert "No suspect reviewed yet" in window.predictions.precision_label.text()
    window.predictions.review_suspects()
    assert window.review_bar.reviewing
    model = window.grid_model
    rows = [model.image_row(p) for p in range(model.count())]
    assert rows == [r for r in state.ranking.rows.tolist() if state.suspected_row[r]]
    index = window.view.index
    for row, verdict in zip(rows[:2], ("wrong_label", "correct"), strict=True):
        assert window.review.give(window.dataset, index.relpath(row), verdict)
    qtbot.waitUntil(lambda: "Suspects reviewed: 2" in window.predictions.precision_label.text())
    assert "confirmed wrong label: 1 (precision 50%)" in window.predictions.precision_label.text()


def test_the_tree_shows_the_models_accuracy_and_severity_when_asked(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, planted: Planted, jpeg_bytes: bytes
) -> None:
    from browser.qt.models.tree_model import SEVERITY_COLUMN, TOP1_COLUMN

    _open_with_model(qtbot, window, tmp_path, planted, jpeg_bytes)
    state = window.predictions.state
    assert state is not None
    assert window.tree.isColumnHidden(TOP1_COLUMN)
    window.menus.model_columns.setChecked(True)
    assert not window.tree.isColumnHidden(TOP1_COLUMN)
    model = window.tree_model
    assert model is not None
    root = model.index(0, 0)
    entry = state.summary.node(window.hierarchy.root)
    assert model.index(0, TOP1_COLUMN).data() == f"{entry['top1']:.1%}"
    assert model.index(0, SEVERITY_COLUMN).data() == f"{entry['mistake_severity']:.2f}"
    assert root.data() == "entity"
