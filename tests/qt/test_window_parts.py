"""The main window's parts, each built and tested alone (no MainWindow)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QStatusBar
from pytestqt.qtbot import QtBot

from browser.core.dataset.scanner import ScanProgress
from browser.qt.window.history import History
from browser.qt.window.status import StatusArea

# A walk through history: visit a synset, or go back, or go forward.
steps = st.lists(st.one_of(st.integers(0, 5), st.just("back"), st.just("forward")), max_size=30)


@given(steps)
def test_history_behaves_as_a_browser(walk: list[object]) -> None:
    history = History()
    model: list[int] = []  # what a browser would hold, with ``at`` as its cursor
    at = -1
    for step in walk:
        if step == "back":
            expected = model[at - 1] if at > 0 else None
            at = at - 1 if at > 0 else at
            assert history.back() == expected
        elif step == "forward":
            expected = model[at + 1] if at + 1 < len(model) else None
            at = at + 1 if at + 1 < len(model) else at
            assert history.forward() == expected
        else:
            assert isinstance(step, int)
            history.record(step)
            if not model or model[at] != step:
                model = [*model[: at + 1], step]
                at = len(model) - 1
        assert history.synsets == model
        assert history.at == at


def test_going_somewhere_new_after_back_drops_what_lay_ahead() -> None:
    history = History()
    for synset in (1, 2, 3):
        history.record(synset)
    assert history.back() == 2
    history.record(7)
    assert history.forward() is None
    assert history.back() == 2
    assert history.back() == 1
    assert history.back() is None


def test_status_area_shows_and_hides_progress(qtbot: QtBot) -> None:
    cancelled = []
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = StatusArea(bar, lambda: cancelled.append(True))
    bar.show()
    status.scan_progress(ScanProgress("listing", 3, 10, 120))
    assert status.progress_bar.isVisible()
    assert status.progress_label.text() == "Scanning folders"
    assert (status.progress_bar.value(), status.progress_bar.maximum()) == (3, 10)
    status.cancel_button.click()
    assert cancelled == [True]
    status.scan_progress(ScanProgress("stat", 10, 10, 120))
    assert not status.progress_bar.isVisible()
    status.show_counts(2_500, 1)
    assert (status.shown_label.text(), status.selection_label.text()) == (
        "2,500 images shown",
        "1 selected",
    )
    status.show_counts(0, 0)
    assert status.selection_label.text() == ""
