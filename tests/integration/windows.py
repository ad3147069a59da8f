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
