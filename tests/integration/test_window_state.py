"""What the window shows is what it records: regressions for wrong or stale state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.qt.widgets.export_dialog import ExportDialog
from browser.qt.window.main_window import MainWindow
from tests.integration.painted import (
    all_codes,
    build_datasets,
    identify,
    painted_cells,
    placeholder_colour,
)
from tests.integration.windows import make_window


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy) -> Iterator[MainWindow]:
    win = make_window(qtbot, tmp_path, hierarchy)
    yield win
    win.close()


def open_and_wait(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(path))


def wait_for_thumbnails(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(window.grid.thumbnails_settled, timeout=20000)


def wrong_cells(window: MainWindow, roots: list[Path], current: int) -> dict[int, object]:
    """Visible cells that show something other than a placeholder or their own image."""
    assert window.view is not None
    codes = all_codes(roots)
    blank = placeholder_colour(window)
    wrong: dict[int, object] = {}
    for position, colour in painted_cells(window).items():
        if colour == blank:
            continue
        relpath = window.view.index.relpath(window.grid_model.image_row(position))
        seen = identify(colour, codes)
        if seen != (current, relpath):
            wrong[position] = (relpath, seen)
    return wrong


def test_switching_datasets_never_shows_the_previous_ones_thumbnails(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    roots = build_datasets(tmp_path / "sets")
    for number in (0, 1, 2, 0):
        open_and_wait(qtbot, window, roots[number])
        assert wrong_cells(window, roots, number) == {}  # at once, before anything arrives
        wait_for_thumbnails(qtbot, window)
        painted = painted_cells(window)
        assert painted, "no cell is visible"
        assert wrong_cells(window, roots, number) == {}
        # and the thumbnails did arrive: not every cell is a placeholder
        assert any(c != placeholder_colour(window) for c in painted.values())


class ClaimsKeys(QObject):
    """Accepts the ShortcutOverride of Ctrl+``key``, as a widget that wants the key does."""

    def __init__(self, key: Qt.Key) -> None:
        super().__init__()
        self.key = key

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == self.key
        ):
            event.accept()
            return True
        return False


def small(tmp_path: Path) -> Path:
    return build_datasets(tmp_path / "sets", 1)[0]


def click(qtbot: QtBot, window: MainWindow, position: int) -> None:
    rect = window.grid.visualRect(window.grid_model.index_at(position))
    qtbot.mouseClick(window.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.mark.parametrize(
    ("key", "moved_to"),
    [(Qt.Key.Key_Down, "down"), (Qt.Key.Key_Right, 2), (Qt.Key.Key_End, "end")],
)
def test_a_plain_arrow_key_moves_without_selecting(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, key: Qt.Key, moved_to: object
) -> None:
    open_and_wait(qtbot, window, small(tmp_path))
    click(qtbot, window, 1)
    assert window.grid.selected_positions() == [(1, 1)]
    qtbot.keyClick(window.grid, key)
    target = {"down": 1 + window.grid_model.columns, "end": window.grid_model.count() - 1}
    position = target.get(moved_to, moved_to)  # type: ignore[call-overload]
    assert window.grid.current_position() == position
    assert window.grid.selected_positions() == [(position, position)]
    # Shift extends; Ctrl moves alone and Ctrl+Space toggles
    qtbot.keyClick(window.grid, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert window.grid.selected_count() == 2
    qtbot.keyClick(window.grid, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert window.grid.selected_count() == 2
    qtbot.keyClick(window.grid, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert window.grid.selected_count() == 3


def test_ctrl_e_exports_the_synset_after_an_arrow_key(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    open_and_wait(qtbot, window, small(tmp_path))
    click(qtbot, window, 0)
    qtbot.keyClick(window.grid, Qt.Key.Key_Down)
    qtbot.keyClick(window.grid, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialogs = window.findChildren(ExportDialog)
    assert len(dialogs) == 1, "Ctrl+E did nothing"
    assert dialogs[0].images == []  # the synset, not "6 images selected in the grid"
    dialogs[0].close()


def test_ctrl_e_works_while_the_search_field_has_focus(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    open_and_wait(qtbot, window, small(tmp_path))
    window.focus_search()
    qtbot.keyClicks(window.search_box, "dog")
    popup = window.search_box.completer().popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)  # the suggestions, as a user sees them while typing
    # With X11 key bindings (the desktop, not the offscreen test platform) a line edit
    # claims Ctrl+E as "end of line" before any shortcut sees it; do as it does there.
    claims = ClaimsKeys(Qt.Key.Key_E)
    window.search_box.installEventFilter(claims)
    popup.installEventFilter(claims)
    qtbot.keyClick(window.search_box, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialogs = window.findChildren(ExportDialog)
    assert len(dialogs) == 1, "Ctrl+E did nothing"
    dialogs[0].close()
    assert window.search_box.text() == "dog"  # and typing is still typing
