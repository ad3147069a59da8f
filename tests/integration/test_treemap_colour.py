"""The Map tab coloured by a measure (issue 17): the numbers are the app's own estimates,
grey is "no data" and the legend says so; accuracy is offered once a model is loaded."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from browser.core.analysis.treemap_measures import ACCURACY, COVERAGE, ERROR, NONE
from browser.core.hierarchy.dag import Hierarchy
from browser.qt.widgets.treemap_legend import NO_DATA
from browser.qt.widgets.treemap_view import NO_MODEL, TreemapView
from browser.qt.window.main_window import MainWindow
from tests.conftest import DOG, GOLDEN, MakeFiles
from tests.integration.windows import import_model, make_window, open_planted

CHIHUAHUA = "n02085620"


def _map(qtbot: QtBot, window: MainWindow) -> TreemapView:
    window.side_tabs.setCurrentWidget(window.treemap)
    treemap = window.treemap
    qtbot.waitUntil(lambda: bool(treemap.tiles))
    return treemap


def _tile(treemap: TreemapView, node: int) -> tuple[int, int]:
    """A point inside the tile of ``node``, away from its label."""
    (tile,) = [t for t in treemap.laid if t.node == node]
    return int(tile.x + tile.width - 5), int(tile.y + tile.height - 5)


def test_colour_by_label_errors_uses_the_estimates_and_greys_what_has_no_verdict(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"{GOLDEN}/g{i}.JPEG" for i in range(4)] + [f"{CHIHUAHUA}/c{i}.JPEG" for i in range(2)],
    )
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), select=hierarchy.index(DOG))
    treemap = _map(qtbot, window)
    golden, chihuahua = hierarchy.index(GOLDEN), hierarchy.index(CHIHUAHUA)
    assert {golden, chihuahua} <= {t.node for t in treemap.laid}  # named by the class held
    for name, verdict in (("g0.JPEG", "wrong_label"), ("g1.JPEG", "correct")):
        assert window.review.give(window.dataset, f"{GOLDEN}/{name}", verdict)
    assert treemap.map_rect().bottom() == treemap.height()  # no legend while uncoloured
    treemap.colour_by(ERROR)
    summary = window.review.summary()
    assert summary is not None
    assert treemap.value_of(golden) == summary.error_rate(golden) == 0.5
    assert treemap.value_of(chihuahua) is None
    assert treemap.map_rect().bottom() < treemap.height()  # room for the legend
    picture = treemap.grab().toImage()
    assert picture.pixelColor(*_tile(treemap, chihuahua)) == NO_DATA
    assert picture.pixelColor(*_tile(treemap, golden)) != NO_DATA
    (tile,) = [t for t in treemap.laid if t.node == chihuahua]
    assert "Label-error estimate: no data (no verdict on a label yet)" in treemap.tooltip(tile)
    treemap.colour_by(COVERAGE)
    assert treemap.value_of(golden) == 2 / 4
    assert treemap.value_of(chihuahua) == 0.0  # measured: nobody looked yet
    treemap.colour_by(NONE)
    assert treemap.value_of(golden) is None
    window.close()


def test_accuracy_is_offered_once_a_model_is_loaded(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, jpeg_bytes: bytes
) -> None:
    window, planted = open_planted(qtbot, tmp_path, hierarchy, jpeg_bytes)
    treemap = _map(qtbot, window)
    box = treemap.colour_box
    entry = box.findData(ACCURACY)
    assert not box.model().index(entry, 0).flags() & Qt.ItemFlag.ItemIsEnabled
    assert box.itemData(entry, Qt.ItemDataRole.ToolTipRole) == NO_MODEL
    import_model(qtbot, window, planted, tmp_path)
    state = window.predictions.state
    assert state is not None
    assert box.model().index(entry, 0).flags() & Qt.ItemFlag.ItemIsEnabled
    treemap.colour_by(ACCURACY)
    assert treemap.colour_key == ACCURACY
    for tile in treemap.laid:
        expected = state.summary.node(tile.node)["top1"]
        assert treemap.value_of(tile.node) == expected
    treemap.grab()  # the legend paints
    window.close()
