"""Reviewing labels in the window: keys, undo, notes, proposals, badges, filter, persistence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.verdicts import VerdictStore
from browser.qt.widgets.synset_picker import SynsetPicker
from browser.qt.window.main_window import MainWindow
from tests.conftest import GOLDEN, TENCH, MakeFiles
from tests.integration.windows import make_window


@pytest.fixture
def dataset(tmp_path: Path, make_files: MakeFiles) -> Path:
    return make_files(
        tmp_path / "ds", [f"{TENCH}/t{i}.JPEG" for i in range(4)] + [f"{GOLDEN}/g.JPEG"]
    )


@pytest.fixture
def window(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> Iterator[MainWindow]:
    win = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(win.tasks.opened, timeout=20000):
        win.open_dataset(str(dataset), select=hierarchy.index(TENCH))
    yield win
    win.close()


def current_relpath(window: MainWindow) -> str:
    assert window.view is not None
    return window.view.index.relpath(window.grid.current_image_row())


def press(
    qtbot: QtBot,
    window: MainWindow,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    qtbot.keyClick(window.grid, key, modifier)


def test_keys_give_verdicts_move_on_and_undo(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dataset: Path
) -> None:
    window.grid.setFocus()
    press(qtbot, window, Qt.Key.Key_2)
    assert window.review.by_relpath == {}  # not in review mode: keys do nothing
    window.review_bar.review_button.setChecked(True)
    assert window.grid.zoom >= 256
    first = current_relpath(window)
    press(qtbot, window, Qt.Key.Key_2)  # wrong label, and on to the next
    second = current_relpath(window)
    assert second != first
    press(qtbot, window, Qt.Key.Key_1)
    store = VerdictStore(tmp_path / "data")
    saved = {v.relpath: v.verdict for v in store.all(str(dataset))}
    assert saved == {first: "wrong_label", second: "correct"}
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo
    assert current_relpath(window) == second
    assert {v.relpath for v in store.all(str(dataset))} == {first}
    assert "Reviewed\n1 of 4" in window.metadata.toPlainText()
    assert "Label errors\n100.0%" in window.metadata.toPlainText()


def test_a_note_and_a_proposal_are_kept(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    dataset: Path,
    monkeypatch: pytest.MonkeyPatch,
    hierarchy: Hierarchy,
) -> None:
    window.review_bar.review_button.setChecked(True)
    window.grid.setFocus()
    relpath = current_relpath(window)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("two fish, one is a carp", True))
    press(qtbot, window, Qt.Key.Key_N)
    goldfish = hierarchy.index("n01443537")
    monkeypatch.setattr(SynsetPicker, "exec", lambda self: True)
    monkeypatch.setattr(SynsetPicker, "chosen", lambda self: goldfish)
    press(qtbot, window, Qt.Key.Key_R)
    verdict = VerdictStore(tmp_path / "data").all(str(dataset))[0]
    assert (verdict.relpath, verdict.note, verdict.proposed) == (
        relpath,
        "two fish, one is a carp",
        "n01443537",
    )
    assert verdict.verdict == "wrong_label"  # proposing another synset says the label is wrong


def test_verdicts_survive_a_restart_and_show_as_badges_and_filter(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dataset: Path, hierarchy: Hierarchy
) -> None:
    window.review_bar.review_button.setChecked(True)
    window.grid.setFocus()
    wrong = current_relpath(window)
    press(qtbot, window, Qt.Key.Key_2)
    window.close()
    again = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(again.tasks.opened, timeout=20000):
        again.open_dataset(str(dataset), select=hierarchy.index(TENCH))
    model = again.grid_model
    assert again.view is not None
    index = again.view.index
    badges = {}
    for position in range(model.count()):
        cell = model.cell(position)
        assert cell is not None
        badges[index.relpath(model.image_row(position))] = cell.verdict
    assert badges[wrong] == "wrong_label"
    assert sum(v is not None for v in badges.values()) == 1
    again.grid.grab()  # paints the badge without complaint
    box = again.review_bar.filter_box
    box.setCurrentIndex(box.findData("wrong_label"))
    assert model.count() == 1
    box.setCurrentIndex(box.findData("not reviewed"))
    assert model.count() == 3
    again.close()


def test_an_audit_sample_is_stratified_and_reproducible(
    qtbot: QtBot, window: MainWindow, hierarchy: Hierarchy
) -> None:
    window.select_synset(hierarchy.root)
    window.audit_sample(per_class=2)
    model = window.grid_model
    assert window.view is not None
    labels = [int(window.view.index.labels[model.image_row(p)]) for p in range(model.count())]
    assert sorted(labels) == sorted([hierarchy.index(TENCH)] * 2 + [hierarchy.index(GOLDEN)])
    first = [model.image_row(p) for p in range(model.count())]
    window.audit_sample(per_class=2)
    assert [model.image_row(p) for p in range(model.count())] == first
    assert window.review_bar.reviewing


def test_the_tree_can_show_estimated_error_rates(
    qtbot: QtBot, window: MainWindow, hierarchy: Hierarchy
) -> None:
    assert window.tree.isColumnHidden(3)
    window.menus.errors_column.setChecked(True)
    assert not window.tree.isColumnHidden(3)
    window.review_bar.review_button.setChecked(True)
    window.grid.setFocus()
    press(qtbot, window, Qt.Key.Key_2)
    press(qtbot, window, Qt.Key.Key_1)
    current = window.tree.currentIndex()
    assert current.data(Qt.ItemDataRole.DisplayRole) == "tench"
    assert current.siblingAtColumn(3).data() == "50% of 2"  # the sample the rate rests on
    assert window.tree_model is not None
    golden = window.tree_model.index_for_path(hierarchy.hypernym_paths(hierarchy.index(GOLDEN))[0])
    assert golden.siblingAtColumn(3).data() == ""  # nothing reviewed there


def test_a_damaged_verdict_database_is_reported_and_left_alone(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    damaged = b"not a database" * 64
    (data / "verdicts.sqlite").write_bytes(damaged)
    win = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(win.tasks.opened, timeout=20000):
        win.open_dataset(str(dataset), select=hierarchy.index(TENCH))
    assert "Verdicts\nread-only" in win.metadata.toPlainText()
    assert str(data / "verdicts.sqlite") in win.metadata.toPlainText()
    win.review_bar.review_button.setChecked(True)
    win.grid.setFocus()
    with qtbot.waitSignal(win.review.failed):
        press(qtbot, win, Qt.Key.Key_1)
    assert (data / "verdicts.sqlite").read_bytes() == damaged
    win.close()


def test_5_marks_an_image_as_a_duplicate(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dataset: Path
) -> None:
    window.review_bar.review_button.setChecked(True)
    window.grid.setFocus()
    relpath = current_relpath(window)
    press(qtbot, window, Qt.Key.Key_5)
    (saved,) = VerdictStore(tmp_path / "data").all(str(dataset))
    assert (saved.relpath, saved.verdict) == (relpath, "duplicate")
    assert "no verdicts on labels yet" in window.metadata.toPlainText()  # not about labels
