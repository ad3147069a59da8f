"""The Duplicates dialog (issue 17): a group's images side by side with label, split and file
name; one action marks a group as duplicates keeping the chosen image, one undo takes it
back; verdicts already given are never replaced without asking; keys move between groups."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.records import Verdict
from browser.core.review.verdicts import VerdictStore
from browser.qt.widgets import duplicate_group
from browser.qt.widgets.duplicates_dialog import CANCEL, SKIP, DuplicatesDialog
from browser.qt.window.main_window import MainWindow
from tests.conftest import DOG, GOLDEN
from tests.integration.windows import make_window

CHIHUAHUA = "n02085620"
SAME_A = (f"train/{GOLDEN}/a.JPEG", f"train/{GOLDEN}/a2.JPEG", f"val/{CHIHUAHUA}/copy.JPEG")
SAME_B = (f"train/{GOLDEN}/b.JPEG", f"train/{GOLDEN}/b2.JPEG")


def _picture(kind: str) -> Image.Image:
    if kind == "a":
        picture = Image.new("RGB", (120, 90), (200, 30, 30))
        picture.paste((20, 20, 200), (0, 0, 60, 45))
    else:
        picture = Image.new("RGB", (120, 90), (30, 160, 30))
        picture.paste((250, 250, 250), (60, 45, 120, 90))
    return picture


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "ds"
    for kind, relpaths in (("a", SAME_A), ("b", SAME_B)):
        for relpath in relpaths:
            (root / relpath).parent.mkdir(parents=True, exist_ok=True)
            _picture(kind).save(root / relpath)
    return root


def _open(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> tuple[MainWindow, DuplicatesDialog]:
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(dataset), select=hierarchy.index(DOG))
    dialog = window.open_duplicates()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=20000)
    return window, dialog


def _relpaths(window: MainWindow, dialog: DuplicatesDialog) -> list[str]:
    assert window.view is not None
    return [window.view.index.relpath(row) for row in dialog.group_view.rows]


def _verdicts(window: MainWindow, relpaths: list[str]) -> list[str | None]:
    found = [window.review.verdict_of(window.dataset, r) for r in relpaths]
    return [v.verdict if v is not None else None for v in found]


def test_a_group_shows_its_thumbnails_side_by_side_with_label_split_and_file(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    window, dialog = _open(qtbot, tmp_path, hierarchy, dataset)
    view = dialog.group_view
    assert len(view.cards) == 3  # the first group (different labels) is shown at once
    qtbot.waitUntil(lambda: view.thumbnails_shown() == 3, timeout=20000)
    captions = [card.caption.text() for card in view.cards]
    assert "golden retriever\na.JPEG\ntrain · not reviewed" in captions
    assert "Chihuahua\ncopy.JPEG\nval · not reviewed" in captions
    assert len({card.y() for card in view.cards}) == 1  # side by side, one row
    assert [card.x() for card in view.cards] == sorted(card.x() for card in view.cards)
    assert view.cards[0].keep.isChecked()  # the first is kept unless the user chooses
    dialog.close()
    window.close()


def test_one_action_marks_the_group_keeping_the_chosen_image_and_one_undo_takes_it_back(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    window, dialog = _open(qtbot, tmp_path, hierarchy, dataset)
    relpaths = _relpaths(window, dialog)
    dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_2)  # keep the second
    assert dialog.group_view.kept() == 1
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert _verdicts(window, relpaths) == ["duplicate", None, "duplicate"]
    assert dialog.group_view.cards[0].caption.text().endswith("duplicate")
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _verdicts(window, relpaths) == [None, None, None]  # both, in one undo
    dialog.close()
    window.close()


def test_choosing_another_copy_to_keep_clears_its_mark(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    window, dialog = _open(qtbot, tmp_path, hierarchy, dataset)
    relpaths = _relpaths(window, dialog)
    assert dialog.mark_group()
    dialog.group_view.choose_keep(2)
    assert dialog.mark_group()
    assert _verdicts(window, relpaths) == ["duplicate", "duplicate", None]
    dialog.close()
    window.close()


def test_verdicts_already_given_are_not_replaced_without_asking(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    window, dialog = _open(qtbot, tmp_path, hierarchy, dataset)
    relpaths = _relpaths(window, dialog)
    assert window.review.give(window.dataset, relpaths[1], "wrong_label", note="a chihuahua?")
    asked: list[dict[str, Verdict]] = []

    def cancel(given: dict[str, Verdict]) -> str:
        asked.append(given)
        return CANCEL

    dialog.ask_about_verdicts = cancel
    assert not dialog.mark_group()
    assert list(asked[0]) == [relpaths[1]]
    assert _verdicts(window, relpaths) == [None, "wrong_label", None]
    dialog.ask_about_verdicts = lambda given: SKIP
    assert dialog.mark_group()
    assert _verdicts(window, relpaths) == [None, "wrong_label", "duplicate"]
    kept_note = window.review.verdict_of(window.dataset, relpaths[1])
    assert kept_note is not None
    assert kept_note.note == "a chihuahua?"
    dialog.close()
    window.close()


def test_keys_move_to_the_next_and_previous_group(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    window, dialog = _open(qtbot, tmp_path, hierarchy, dataset)
    assert dialog.list.currentRow() == 0
    qtbot.keyClick(dialog, Qt.Key.Key_PageDown)
    assert dialog.list.currentRow() == 1
    assert len(dialog.group_view.cards) == 2
    assert window.grid_model.count() == 2  # the grid shows the chosen group too
    assert not dialog.next_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert dialog.list.currentRow() == 0
    dialog.close()
    window.close()


def test_undoing_a_group_keeps_a_newer_verdict_imported_meanwhile(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    window, dialog = _open(qtbot, tmp_path, hierarchy, dataset)
    relpaths = _relpaths(window, dialog)
    assert dialog.mark_group()
    given = window.review.by_relpath[relpaths[1]]
    newer = Verdict(relpaths[1], given.wnid, "correct", "", "", "ann", given.time + 60)
    with VerdictStore(tmp_path / "data") as other:  # another process, say an import
        other.identify(str(dataset))
        assert other.merge(str(dataset), [newer]).replaced == 1
    with qtbot.waitSignal(window.review.failed, timeout=5000) as told:
        dialog.undo()
    assert "newer" in told.args[0]
    assert _verdicts(window, relpaths) == [None, "correct", None]  # the rest undone
    dialog.close()
    window.close()


def test_a_group_larger_than_the_cards_shown_is_marked_whole(
    qtbot: QtBot,
    tmp_path: Path,
    hierarchy: Hierarchy,
    dataset: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(duplicate_group, "MAX_CARDS", 2)
    window, dialog = _open(qtbot, tmp_path, hierarchy, dataset)
    assert len(dialog.group_view.cards) == 2  # of 3: a note says one more is in the grid
    assert window.view is not None
    relpaths = [window.view.index.relpath(row) for row in dialog.groups[0].rows]
    dialog.group_view.choose_keep(1)
    assert dialog.mark_group()
    assert _verdicts(window, relpaths) == ["duplicate", None, "duplicate"]
    dialog.close()
    window.close()
