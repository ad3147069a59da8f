"""The main window as the integration tests build it: real tasks and loader, offscreen."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.core.images.thumbnails import ThumbnailCache
from browser.core.recent import RecentDatasets
from browser.qt.thumbs import ThumbnailLoader
from browser.qt.window.main_window import MainWindow
from browser.qt.workers import DatasetTasks
from tests.core.predictions_data import Planted, plant, write_images


def make_window(qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy) -> MainWindow:
    """A shown window whose caches and data live under ``tmp_path``."""
    cache = tmp_path / "cache"
    tasks = DatasetTasks(hierarchy, cache)
    loader = ThumbnailLoader(ThumbnailCache(cache / "thumbs"), threads=2)
    window = MainWindow(hierarchy, tasks, loader, RecentDatasets(tmp_path / "data"))
    tasks.setParent(window)
    loader.setParent(window)
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    return window


def open_planted(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, jpeg: bytes
) -> tuple[MainWindow, Planted]:
    """A window showing a generated dataset with planted label errors; no model yet."""
    planted = plant(hierarchy, per_group=2, per_class=10)
    root = write_images(tmp_path / "ds", planted.relpaths, jpeg)
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened):
        window.open_dataset(str(root))
    return window, planted


def import_model(qtbot: QtBot, window: MainWindow, planted: Planted, tmp_path: Path) -> None:
    """Import the planted model's predictions as File › Import predictions… does."""
    source = planted.write_model(tmp_path / "model.npz")
    with qtbot.waitSignal(window.predictions.stateChanged):
        window.predictions.import_file(str(source))
    assert window.predictions.state is not None
