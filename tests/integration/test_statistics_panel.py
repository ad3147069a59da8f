"""The statistics tab: charts get the right numbers, render, and a bar selects its class."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from browser.core.hierarchy import Hierarchy
from tests.conftest import DOG, GOLDEN, MakeFiles
from tests.integration.test_review import make_window

CHIHUAHUA = "n02085620"


def test_the_statistics_tab_charts_and_selects(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"{GOLDEN}/g{i}.JPEG" for i in range(5)] + [f"{CHIHUAHUA}/c{i}.JPEG" for i in range(2)],
    )
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), select=hierarchy.index(DOG))
    window.side_tabs.setCurrentWidget(window.statistics)
    stats = window.statistics.statistics
    assert stats is not None
    assert stats.per_class == [2, 5]
    assert window.statistics.classes_caption.text().startswith("2 classes hold 2–5 images")
    chart = window.statistics.children_chart
    assert [value for _, value, _ in chart.bars] == sorted(
        (value for _, value, _ in chart.bars), reverse=True
    )
    window.statistics.grab()  # every chart paints offscreen
    largest = chart.bars[0][2]
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.width() // 2, 10))
    assert window.synset == largest
    window.close()


def test_the_map_tab_descends_on_click_and_goes_back_up(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "ds", [f"{GOLDEN}/g{i}.JPEG" for i in range(3)] + [f"{CHIHUAHUA}/c.JPEG"]
    )
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), select=hierarchy.index(DOG))
    window.side_tabs.setCurrentWidget(window.treemap)
    treemap = window.treemap
    qtbot.waitUntil(lambda: bool(treemap.tiles))
    treemap.grab()
    first = treemap.tiles[0]
    centre = QPoint(int(first.x + first.width / 2), int(first.y + first.height / 2))
    qtbot.mouseClick(treemap, Qt.MouseButton.LeftButton, pos=centre)
    assert window.synset == first.node
    assert treemap.node == first.node  # the map follows the selection
    qtbot.mouseClick(treemap, Qt.MouseButton.RightButton, pos=centre)
    assert window.synset == hierarchy.index(DOG)  # back up to where it came from
    window.close()


def test_the_statistics_tab_counts_verdicts_once_reviews_exist(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "ds", [f"{GOLDEN}/g{i}.JPEG" for i in range(4)])
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), select=hierarchy.index(GOLDEN))
    window.side_tabs.setCurrentWidget(window.statistics)
    assert window.statistics.review_caption.text() == ""
    window.review.give(window.grid.current_image_row(), "wrong_label")
    caption = window.statistics.review_caption.text()
    assert caption.startswith("Reviewed 1 of 4 images: wrong label 1.")
    assert "Estimated label errors 100.0%" in caption
    window.close()
