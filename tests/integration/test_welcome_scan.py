"""During a first scan the welcome page shows how far it is and what it lists (issue 17),
not "No recent datasets yet"."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from browser.core.dataset.scanner import ScanProgress
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import GOLDEN, TENCH, MakeFiles
from tests.integration.windows import make_window


def test_the_welcome_page_shows_the_first_scan(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{GOLDEN}/b.JPEG"])
    window = make_window(qtbot, tmp_path, hierarchy)
    welcome = window.welcome
    assert welcome.recent_title.text() == "No recent datasets yet."
    seen: list[tuple[str, bool, bool]] = []

    def look(progress: ScanProgress) -> None:  # runs after the window's own slot
        if progress.phase == "listing":
            seen.append(
                (
                    welcome.scan_label.text(),
                    welcome.scan_bar.isVisible(),
                    welcome.recent_title.isVisible(),
                )
            )

    window.tasks.progress.connect(look)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root))
    assert seen
    text, bar_shown, recent_shown = seen[-1]
    assert text.startswith(f"Listing the folders of {root}: 2 of 2")
    assert text.split("\n")[1] in (TENCH, GOLDEN)  # the folder just listed
    assert bar_shown
    assert not recent_shown
    assert not welcome.scan_label.isVisible()  # over once the dataset is open
