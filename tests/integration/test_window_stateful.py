"""A randomized walk through the real main window, checking what is painted after every step.

Hypothesis drives the window (tests/integration/windows.py) through sequences of: open or
switch among three datasets built to collide (the same relative paths and row counts,
different pixels: see painted.py), select synsets, sort, filter, scroll, zoom, move and
select with keys and clicks, review with keys, undo, preview and search. After every step,
and again once the thumbnails have arrived, it checks on the painted pixels that every cell
shows a placeholder or its own image; that the panel describes the current image; that the
counts shown are the core's; and, in the review rules, that a verdict lands on the image
that was current.

The budget is fixed for CI (profile "window-ci": seeded, reproducible). For a long run by
hand (profile "window-long"):

    SB_STATEFUL_EXAMPLES=2000 SB_STATEFUL_STEPS=40 SB_STATEFUL_RANDOM=1 \\
        QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q -p no:cacheprovider \\
        tests/integration/test_window_stateful.py

A failing sequence is printed as Python steps, with a blob to replay it (``print_blob``).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from browser.core.dataset.view import SortKey
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.verdicts import VerdictStore
from tests.conftest import DOG, GOLDEN, TABBY, TENCH
from tests.integration.painted import (
    all_codes,
    build_datasets,
    identify,
    painted_cells,
    placeholder_colour,
)
from tests.integration.windows import make_window

# Two profiles: "window-ci" (a fixed, derandomized budget of about a minute) and
# "window-long", chosen when SB_STATEFUL_EXAMPLES is set (a long run by hand).
_COMMON = settings(
    deadline=None,
    database=None,  # nothing written beside the tests
    print_blob=True,  # a failing sequence can be replayed with @reproduce_failure
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "window-ci", _COMMON, max_examples=4, stateful_step_count=20, derandomize=True
)
settings.register_profile(
    "window-long",
    _COMMON,
    max_examples=int(os.environ.get("SB_STATEFUL_EXAMPLES", "200")),
    stateful_step_count=int(os.environ.get("SB_STATEFUL_STEPS", "40")),
    derandomize=not os.environ.get("SB_STATEFUL_RANDOM"),
)
SETTINGS = settings.get_profile(
    "window-long" if os.environ.get("SB_STATEFUL_EXAMPLES") else "window-ci"
)

SYNSETS = ["n00001740", DOG, GOLDEN, TABBY, TENCH, "n02121808", "n01905661"]  # + cat, animal
VERDICT_KEYS = {Qt.Key.Key_1: "correct", Qt.Key.Key_2: "wrong_label", Qt.Key.Key_4: "unusable"}
MOVES = [
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageDown,
]
MODIFIERS = [
    Qt.KeyboardModifier.NoModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.ControlModifier,
]


def run_machine(qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy) -> None:
    roots = build_datasets(tmp_path / "sets")
    codes = all_codes(roots)
    window = make_window(qtbot, tmp_path, hierarchy)
    store = VerdictStore(tmp_path / "data")  # read beside the window's own, as the CLI would

    def relpath_at(position: int) -> str:
        assert window.view is not None
        return window.view.index.relpath(window.grid_model.image_row(position))

    # A verdict under a verdict filter leaves the image in view until the grid is refilled
    # (it does not vanish under the reviewer); then the count is the filter's at that time.
    filtered = {"stale": False}

    def activate() -> None:
        """What the window manager does when a preview or popup closes."""
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    def open_number() -> int:
        assert window.view is not None
        return [str(r.resolve()) for r in roots].index(os.path.realpath(window.view.index.root))

    class WindowMachine(RuleBasedStateMachine):
        """One walk; the window (and the verdicts given) carry over between walks."""

        @initialize(number=st.integers(0, 2))
        def open_first(self, number: int) -> None:
            """Every walk starts from the same window, so a failing one replays alike."""
            if window.preview is not None:
                window.preview.close()
            for root in roots:
                for verdict in store.all(str(root)):
                    store.forget(str(root), verdict.relpath)
            window.review_bar.review_button.setChecked(False)
            window.review_bar.filter_box.setCurrentIndex(0)
            window.exact_box.setChecked(False)
            window.sort_box.setCurrentIndex(0)
            window.zoom_slider.setValue(128)
            window.resize(1300, 800)
            activate()
            self.open(number)

        # -- datasets -------------------------------------------------------------------

        @rule(number=st.integers(0, 2))
        def open(self, number: int) -> None:
            with qtbot.waitSignal(window.tasks.opened, timeout=30000):
                window.open_dataset(str(roots[number]))
            filtered["stale"] = False

        @rule()
        def refresh(self) -> None:
            with qtbot.waitSignal(window.tasks.opened, timeout=30000):
                window.refresh()
            filtered["stale"] = False

        # -- what the grid shows -------------------------------------------------------

        @rule(wnid=st.sampled_from(SYNSETS), via_tree=st.booleans())
        def select_synset(self, wnid: str, via_tree: bool) -> None:
            assert window.view is not None
            node = window.view.hierarchy.find(wnid)
            assert node is not None
            filtered["stale"] = False
            if via_tree and window.tree_model is not None:
                path = window.view.hierarchy.hypernym_paths(node)[0]
                index = window.tree_model.index_for_path(path)
                if index.isValid():
                    window.tree.setCurrentIndex(index)
                    return
            window.select_synset(node)

        @rule(choice=st.integers(0, len(SortKey) - 1))
        def sort(self, choice: int) -> None:
            window.sort_box.setCurrentIndex(choice)
            filtered["stale"] = False

        @rule()
        def toggle_exact(self) -> None:
            window.exact_box.toggle()
            filtered["stale"] = False

        @rule(choice=st.integers(0, 3))
        def verdict_filter(self, choice: int) -> None:
            if window.review_bar.filter_box.currentIndex() != choice:  # else no refill
                filtered["stale"] = False
            window.review_bar.filter_box.setCurrentIndex(choice)  # all, not reviewed, …

        @rule(fraction=st.floats(0, 1))
        def scroll(self, fraction: float) -> None:
            bar = window.grid.verticalScrollBar()
            bar.setValue(round(bar.maximum() * fraction))

        @rule(pixels=st.sampled_from([64, 100, 128, 200, 256, 384]))
        def zoom(self, pixels: int) -> None:
            window.zoom_slider.setValue(pixels)

        @rule(width=st.integers(700, 1500))
        def resize(self, width: int) -> None:
            window.resize(width, 800)

        # -- moving and selecting ------------------------------------------------------

        @rule(key=st.sampled_from(MOVES), modifier=st.sampled_from(MODIFIERS))
        def key(self, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
            window.grid.setFocus()
            before = window.grid.selected_count()
            qtbot.keyClick(window.grid, key, modifier)
            if window.grid_model.count() and modifier == Qt.KeyboardModifier.NoModifier:
                current = window.grid.current_position()
                assert window.grid.selected_positions() == [(current, current)]
            if modifier == Qt.KeyboardModifier.ControlModifier:
                assert window.grid.selected_count() == before  # Ctrl moves alone

        @rule(cell=st.integers(0, 40), modifier=st.sampled_from(MODIFIERS))
        def click(self, cell: int, modifier: Qt.KeyboardModifier) -> None:
            visible = window.grid.visible_positions()
            if not visible:
                return
            position = visible[cell % len(visible)]
            rect = window.grid.visualRect(window.grid_model.index_at(position))
            qtbot.mouseClick(
                window.grid.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center()
            )
            assert window.grid.current_position() == position

        # -- reviewing -----------------------------------------------------------------

        @rule(on=st.booleans())
        def review_mode(self, on: bool) -> None:
            window.review_bar.review_button.setChecked(on)

        @precondition(lambda self: window.review_bar.reviewing)
        @rule(key=st.sampled_from(list(VERDICT_KEYS)), in_tree=st.booleans())
        def give_verdict(self, key: Qt.Key, in_tree: bool) -> None:
            position = window.grid.current_position()
            if position < 0:
                return
            relpath = relpath_at(position)
            assert window.view is not None
            root = window.view.index.root
            before = {v.relpath: v for v in store.all(root)}
            target = window.tree if in_tree else window.grid
            target.setFocus()
            qtbot.keyClick(target, key)
            filtered["stale"] = True
            after = {v.relpath: v for v in store.all(root)}
            assert after[relpath].verdict == VERDICT_KEYS[key]  # on the image that was current
            assert {k: v for k, v in after.items() if k != relpath} == {
                k: v for k, v in before.items() if k != relpath
            }

        @precondition(lambda self: window.review_bar.reviewing)
        @rule()
        def undo(self) -> None:
            assert window.view is not None
            root = window.view.index.root
            before = store.all(root)
            window.grid.setFocus()
            qtbot.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
            filtered["stale"] = True
            undone = {v.relpath for v in set(before) ^ set(store.all(root))}
            shown = {relpath_at(p) for p in range(window.grid_model.count())}
            if undone & shown:  # the image undone is made current, and alone selected
                current = window.grid.current_position()
                assert relpath_at(current) in undone
                assert window.grid.selected_positions() == [(current, current)]

        # -- preview and search --------------------------------------------------------

        @rule(steps=st.lists(st.sampled_from([Qt.Key.Key_Left, Qt.Key.Key_Right]), max_size=4))
        def preview(self, steps: list[Qt.Key]) -> None:
            if window.grid.current_position() < 0:
                return
            window.open_preview()
            preview = window.preview
            assert preview is not None
            for key in steps:
                qtbot.keyClick(preview.area, key)
                assert preview.position == window.grid.current_position()
                check_panel()
            assert window.view is not None
            label = window.view.index.labels[window.grid_model.image_row(preview.position)]
            assert f"Label: {window.view.hierarchy.name(int(label))}" in preview.caption.text()
            preview.close()
            activate()

        @rule(text=st.sampled_from(["dog", "tabby", "tench", "retriever", "cat", "zzz"]))
        def search(self, text: str) -> None:
            window.focus_search()
            window.search_box.clear()
            qtbot.keyClicks(window.search_box, text)
            qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
            window.search_box.completer().popup().hide()  # type: ignore[union-attr]
            filtered["stale"] = False
            activate()

        # -- invariants ----------------------------------------------------------------

        @invariant()
        def painted_now_and_after_thumbnails_arrive(self) -> None:
            check_cells(loaded=False)
            qtbot.waitUntil(window.grid.thumbnails_settled, timeout=30000)
            check_cells(loaded=True)
            check_panel()
            check_counts()

    def check_cells(*, loaded: bool) -> None:
        if window.view is None or not window.grid.isVisible():
            return
        number = open_number()
        blank = placeholder_colour(window)
        for position, colour in painted_cells(window).items():
            relpath = relpath_at(position)
            if colour == blank and not loaded:
                continue
            seen = identify(colour, codes)
            assert seen == (number, relpath), (
                f"cell {position} ({relpath} of set{number}) shows {seen}"
                + (" after thumbnails arrived" if loaded else "")
            )

    def check_panel() -> None:
        position = window.grid.current_position()
        if window.view is None or position < 0:
            return
        text = window.metadata.toPlainText()
        assert relpath_at(position) in text, f"the panel does not describe {relpath_at(position)}"

    def check_counts() -> None:
        view, synset = window.view, window.synset
        if view is None or synset is None:
            return
        rows = [int(r) for r in view.rows(synset, exact=window.exact_box.isChecked())]
        kind = window.review_bar.filter_kind()
        if kind is not None and filtered["stale"]:
            assert window.shown_label.text() == f"{window.grid_model.count():,} images shown"
            return
        if kind is not None:
            verdicts = {v.relpath: v.verdict for v in store.all(view.index.root)}
            relpaths = [view.index.relpath(r) for r in rows]
            if kind == "not reviewed":
                rows = [r for r, p in zip(rows, relpaths, strict=True) if verdicts.get(p) is None]
            else:
                rows = [r for r, p in zip(rows, relpaths, strict=True) if verdicts.get(p) == kind]
        assert window.grid_model.count() == len(rows)
        assert window.shown_label.text() == f"{len(rows):,} images shown"

    try:
        run_state_machine_as_test(WindowMachine, settings=SETTINGS)
    finally:
        window.close()


def test_the_window_shows_what_it_records(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    run_machine(qtbot, tmp_path, hierarchy)
