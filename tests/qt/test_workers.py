"""Dataset tasks off the GUI thread say when they are done."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from browser.core.dataset.index import DatasetIndex
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.search import SynsetSearch
from browser.qt import workers
from browser.qt.workers import DatasetTasks


def test_search_warm_up_runs_in_the_background_and_reports_when_done(
    qtbot: QtBot, hierarchy: Hierarchy, tmp_path: Path
) -> None:
    tasks = DatasetTasks(hierarchy, tmp_path / "cache")
    search = SynsetSearch(hierarchy)
    with qtbot.waitSignal(tasks.searchWarmed, timeout=30_000):
        tasks.warm_search(search)
    assert search.search("tench")[0].node == hierarchy.index("n01440764")
    tasks.shutdown()


def test_an_open_replaced_by_a_later_one_is_never_shown(
    qtbot: QtBot,
    hierarchy: Hierarchy,
    tmp_path: Path,
    small_dataset: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first open finished scanning just as the user opened another dataset: the window
    must get only the dataset asked for last."""
    tasks = DatasetTasks(hierarchy, tmp_path / "cache")
    replaced = threading.Event()
    scan = workers.open_dataset

    def scan_then_replaced(*args: Any, **kwargs: Any) -> DatasetIndex:
        index = scan(*args, **kwargs)
        replaced.set()  # what open() does to the job before it, when a new one starts
        return index

    monkeypatch.setattr(workers, "open_dataset", scan_then_replaced)
    with qtbot.assertNotEmitted(tasks.opened), qtbot.assertNotEmitted(tasks.cancelled):
        tasks._open(str(small_dataset), False, ("auto", "wordnet"), replaced)
    monkeypatch.setattr(workers, "open_dataset", scan)
    with qtbot.waitSignal(tasks.opened, timeout=30_000):
        tasks.open(str(small_dataset))
    tasks.shutdown()
