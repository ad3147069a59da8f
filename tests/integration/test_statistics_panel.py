"""The statistics tab: charts get the right numbers, render, and a bar selects its class."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import DOG, GOLDEN, MakeFiles
from tests.integration.windows import make_window

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
    assert not window.statistics.splits_chart.isVisibleTo(window)  # one split: no chart
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
    window.review.give(
        window.dataset,
        window.grid_model.relpath_at(window.grid.current_position()) or "",
        "wrong_label",
    )
    caption = window.statistics.review_caption.text()
    assert caption.startswith("Reviewed 1 of 4 images: wrong label 1.")
    assert "Estimated label errors 100.0%" in caption
    window.close()


def test_the_duplicates_dialog_lists_groups_and_shows_one_in_the_grid(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    from PIL import Image

    root = tmp_path / "ds"
    for relpath in (f"train/{GOLDEN}/a.JPEG", f"val/{CHIHUAHUA}/copy.JPEG"):
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        picture = Image.new("RGB", (120, 90), (200, 30, 30))
        picture.paste((20, 20, 200), (0, 0, 60, 45))
        picture.save(root / relpath)
    other = Image.new("RGB", (120, 90), (30, 160, 30))
    other.paste((250, 250, 250), (60, 45, 120, 90))
    other.save(root / f"train/{GOLDEN}/other.JPEG")
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), select=hierarchy.index(DOG))
    dialog = window.open_duplicates()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=20000)
    assert dialog.list.item(0).text().startswith("same image, different labels: 2 images")
    dialog.list.setCurrentRow(0)
    assert window.grid_model.count() == 2
    dialog.close()
    window.close()


def test_measuring_pixel_sizes_adds_the_charts(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    from PIL import Image

    root = tmp_path / "ds"
    (root / GOLDEN).mkdir(parents=True)
    for number in range(3):
        Image.new("RGB", (300 + number, 200)).save(root / GOLDEN / f"{number}.JPEG")
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), select=hierarchy.index(GOLDEN))
    window.side_tabs.setCurrentWidget(window.statistics)
    panel = window.statistics
    assert panel.pixels_caption.text() == ""
    with qtbot.waitSignal(panel._signals.done, timeout=20000):
        panel.measure_button.click()
    assert panel.pixels_caption.text().startswith("Median size 301 × 200 px")
    assert panel.pixels_chart.grid is not None
    panel.grab()
    window.close()
