"""The GUI's start: QApplication, Qt's messages into logging, services, the window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from browser.core.dataset.demo import build_demo
from browser.core.hierarchy.dag import Hierarchy
from browser.core.images.thumbnails import ThumbnailCache
from browser.core.recent import RecentDatasets
from browser.qt.gcpin import GarbageCollector
from browser.qt.thumbs import ThumbnailLoader
from browser.qt.window.main_window import MainWindow
from browser.qt.workers import DatasetTasks

qt_log = logging.getLogger("qt")
_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _LEVELS.get(kind, logging.WARNING)
    category = context.category or "default"
    if category == "qt.gui.icc":
        level = logging.DEBUG  # some ImageNet JPEGs carry ICC profiles Qt grumbles about
    logging.getLogger(f"qt.{category}").log(level, "%s", message)


def build_window(hierarchy: Hierarchy, cache_dir: Path, data_dir: Path) -> MainWindow:
    tasks = DatasetTasks(hierarchy, cache_dir)
    loader = ThumbnailLoader(ThumbnailCache(cache_dir / "thumbnails"))
    window = MainWindow(
        hierarchy, tasks, loader, RecentDatasets(data_dir), demo=lambda: str(build_demo(cache_dir))
    )
    tasks.setParent(window)
    loader.setParent(window)
    return window


def run_gui(
    hierarchy: Hierarchy,
    dataset: str | None,
    select: int | None,
    *,
    cache_dir: Path,
    data_dir: Path,
    exit_after: float | None = None,
    layout: str = "auto",
    hierarchy_choice: str = "wordnet",
) -> int:
    """Show the window (opening ``dataset``, else the last one, else the welcome page)."""
    qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Synset Browser")
    collector = GarbageCollector(app)
    window = build_window(hierarchy, cache_dir, data_dir)
    # Opening a dataset stalls anyway: the moment to collect what the last one left in cycles.
    window.tasks.opened.connect(lambda _view: collector.full())
    window.tasks.searchWarmed.connect(collector.settle)
    window.show()
    if dataset is None:
        recent = window.recent.load()
        dataset = recent[0] if recent and Path(recent[0]).is_dir() else None
    if dataset is not None:
        window.open_dataset(dataset, select=select, layout=layout, hierarchy=hierarchy_choice)
    if exit_after is not None:
        quit_later = lambda *_: QTimer.singleShot(int(exit_after * 1000), window.close)  # noqa: E731
        window.tasks.opened.connect(quit_later)
        window.tasks.failed.connect(quit_later)
        if dataset is None:
            quit_later()
    status = app.exec()
    collector.stop()
    return status
