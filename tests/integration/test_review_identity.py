"""The window knows a dataset by its identity: a moved dataset keeps its verdicts (and says
so); another dataset whose folder has the same name starts with none."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.qt.window.main_window import MainWindow
from tests.conftest import TENCH, MakeFiles
from tests.integration.windows import make_window


def opened(qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, root: Path) -> MainWindow:
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), select=hierarchy.index(TENCH))
    return window


def test_a_moved_dataset_keeps_its_verdicts_in_the_window_and_a_namesake_does_not(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    names = [f"{TENCH}/t{i}.JPEG" for i in range(3)]
    root = make_files(tmp_path / "disk1" / "val", names)
    window = opened(qtbot, tmp_path, hierarchy, root)
    model = window.grid_model
    window.review.give(model.dataset, model.relpath_at(0) or "", "wrong_label")
    window.close()
    moved = tmp_path / "disk2" / "val"
    moved.parent.mkdir()
    root.rename(moved)
    again = opened(qtbot, tmp_path, hierarchy, moved)
    assert [v.verdict for v in again.review.by_relpath.values()] == ["wrong_label"]
    assert again.review.notices == [f"verdicts of {root} carried over (the same images)"]
    again.close()
    namesake = opened(qtbot, tmp_path, hierarchy, make_files(tmp_path / "disk3" / "val", names))
    assert namesake.review.by_relpath == {}
    namesake.close()
