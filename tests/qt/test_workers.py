"""Dataset tasks off the GUI thread say when they are done."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from browser.core.hierarchy import Hierarchy
from browser.core.search import SynsetSearch
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
