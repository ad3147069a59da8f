"""The window at 1024×640 (issue 17): every pane usable, none swallowed, View toggles."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.qt.window.fitting import CENTRE_MIN_WIDTH, PANEL_MIN_WIDTH, TREE_MIN_WIDTH, panes
from tests.conftest import TENCH
from tests.integration.windows import make_window


def test_the_window_fits_1024_by_640_with_every_pane_usable(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, small_dataset: Path
) -> None:
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(small_dataset), select=hierarchy.index(TENCH))
    assert window.minimumSizeHint().width() <= 1024  # was 1,106
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    tree, centre, panel = panes(window)
    qtbot.waitUntil(lambda: tree.width() >= TREE_MIN_WIDTH)
    assert centre.width() >= CENTRE_MIN_WIDTH
    assert panel.width() >= PANEL_MIN_WIDTH
    # Dragging a handle all the way cannot swallow a pane.
    window.splitter.moveSplitter(0, 1)
    assert tree.width() >= TREE_MIN_WIDTH
    assert not window.splitter.childrenCollapsible()


def test_view_toggles_hide_and_bring_back_the_tree_and_panel(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, small_dataset: Path
) -> None:
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(small_dataset), select=hierarchy.index(TENCH))
    tree, _, panel = panes(window)
    window.menus.tree_toggle.setChecked(False)
    window.menus.panel_toggle.setChecked(False)
    assert not tree.isVisible()
    assert not panel.isVisible()
    assert window.minimumSizeHint().width() <= 1024
    window.menus.tree_toggle.trigger()
    window.menus.panel_toggle.trigger()
    qtbot.waitUntil(lambda: tree.isVisible() and panel.isVisible())
    assert tree.width() >= TREE_MIN_WIDTH


def test_review_controls_take_a_row_of_their_own_when_narrow(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, small_dataset: Path
) -> None:
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(small_dataset), select=hierarchy.index(TENCH))
    wrap = window.controls_wrap
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: wrap.wrapped)
    button = window.review_bar.review_button
    qtbot.waitUntil(lambda: button.width() >= button.sizeHint().width())  # not squeezed
    window.menus.tree_toggle.setChecked(False)  # the centre takes the whole width
    window.menus.panel_toggle.setChecked(False)
    qtbot.waitUntil(lambda: not wrap.wrapped)


@pytest.mark.parametrize(("width", "wrapped"), [(1500, False), (1024, True)])
def test_review_controls_wrap_only_when_one_row_does_not_fit(
    qtbot: QtBot,
    tmp_path: Path,
    hierarchy: Hierarchy,
    small_dataset: Path,
    width: int,
    wrapped: bool,
) -> None:
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(small_dataset), select=hierarchy.index(TENCH))
    window.resize(width, 900)
    qtbot.waitUntil(lambda: window.width() == width)
    wrap = window.controls_wrap
    qtbot.waitUntil(lambda: wrap.wrapped == wrapped)
    _, centre, _ = panes(window)
    row = wrap.row
    assert row is not None
    if not wrapped:  # one row, and nothing in it squeezed below its minimum
        assert row.minimumSize().width() <= centre.width()
        for position in range(row.count()):
            item = row.itemAt(position)
            shown = item.widget() if item is not None else None
            if shown is not None and shown.isVisible():
                assert shown.width() >= shown.minimumSizeHint().width()
    else:  # wrapped because one row would not fit
        assert wrap.one_row_minimum() > centre.width()
