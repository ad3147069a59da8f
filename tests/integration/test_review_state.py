"""Reviewing sees what it records: the panel, the preview, the keys, and failures to save."""

from __future__ import annotations

import os
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.records import Verdict
from browser.core.review.verdicts import VerdictStore
from browser.qt.window.main_window import MainWindow
from tests.conftest import GOLDEN
from tests.integration.painted import build_datasets
from tests.integration.windows import make_window


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return build_datasets(tmp_path / "sets", 1)[0]


@pytest.fixture
def window(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> Iterator[MainWindow]:
    win = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(win.tasks.opened, timeout=20000):
        win.open_dataset(str(dataset), select=hierarchy.index(GOLDEN))
    win.review_bar.review_button.setChecked(True)
    yield win
    win.close()


def current_relpath(window: MainWindow) -> str:
    relpath = window.grid_model.relpath_at(window.grid.current_position())
    assert relpath is not None
    return relpath


def saved(tmp_path: Path, dataset: Path) -> dict[str, str | None]:
    with VerdictStore(tmp_path / "data") as store:
        return {v.relpath: v.verdict for v in store.all(str(dataset))}


def test_undo_leaves_one_image_selected(qtbot: QtBot, window: MainWindow) -> None:
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_2)
    assert window.grid.current_position() == 1
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.grid.current_position() == 0
    assert window.grid.selected_positions() == [(0, 0)]


def test_undo_never_takes_back_a_newer_verdict_imported_meanwhile(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dataset: Path
) -> None:
    first = current_relpath(window)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_2)
    given = window.review.by_relpath[first]
    newer = Verdict(first, given.wnid, "correct", "seen by ann", "", "ann", given.time + 60)
    with VerdictStore(tmp_path / "data") as other:  # another process, say an import
        other.identify(str(dataset))
        assert other.merge(str(dataset), [newer]).replaced == 1
    with qtbot.waitSignal(window.review.failed, timeout=5000) as told:
        qtbot.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "newer" in told.args[0]
    assert saved(tmp_path, dataset) == {first: "correct"}
    assert window.review.by_relpath[first].verdict == "correct"


def test_verdict_keys_work_in_the_tree_but_not_in_the_search_field(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dataset: Path
) -> None:
    first = current_relpath(window)
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_1)
    assert saved(tmp_path, dataset) == {first: "correct"}
    window.focus_search()
    qtbot.keyClick(window.search_box, Qt.Key.Key_3)
    assert window.search_box.text() == "3"  # typing is typing
    assert saved(tmp_path, dataset) == {first: "correct"}


def test_the_panel_shows_the_verdict_note_and_reviewer(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_2)  # wrong label, and on to the next
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("a hare, not a dog", True))
    window.grid.set_current_position(0)
    qtbot.keyClick(window.grid, Qt.Key.Key_N)
    text = window.metadata.toPlainText()
    assert "Verdict\nwrong label" in text
    assert "Note\na hare, not a dog" in text
    assert "Reviewed by" in text
    window.grid.set_current_position(1)
    assert "Verdict\nnot reviewed" in window.metadata.toPlainText()


def test_the_preview_shows_label_and_verdict_takes_keys_and_steps(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dataset: Path
) -> None:
    window.grid.set_current_position(0)
    window.open_preview()
    preview = window.preview
    assert preview is not None
    first = current_relpath(window)
    assert "Label: golden retriever" in preview.caption.text()
    assert "Verdict: not reviewed" in preview.caption.text()
    # The arrows step from wherever focus is in the preview (the scroll area took them).
    qtbot.keyClick(preview.area, Qt.Key.Key_Right)
    assert preview.position == 1
    assert window.grid.current_position() == 1
    qtbot.keyClick(preview.area, Qt.Key.Key_Left)
    assert preview.position == 0
    qtbot.keyClick(preview.area, Qt.Key.Key_2)  # a verdict, and on to the next
    assert saved(tmp_path, dataset) == {first: "wrong_label"}
    assert preview.position == window.grid.current_position() == 1
    qtbot.keyClick(preview.area, Qt.Key.Key_Left)
    assert "Verdict: wrong label" in preview.caption.text()
    preview.close()


def bomb_png(path: Path) -> None:
    """A small PNG whose header declares 30000 × 30000 pixels (a decompression bomb)."""
    Image.new("RGB", (8, 8), (1, 2, 3)).save(path, "PNG")
    data = bytearray(path.read_bytes())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", 30000, 30000)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    path.write_bytes(bytes(data))


def test_an_unreadable_image_shows_its_own_path_and_reason(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    bomb_png(dataset / "train" / GOLDEN / "bomb.png")
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(dataset), select=hierarchy.index(GOLDEN))
    model = window.grid_model
    bomb = next(p for p in range(model.count()) if model.relpath_at(p).endswith("bomb.png"))  # type: ignore[union-attr]
    other = 0 if bomb else 1
    window.grid.set_current_position(other)
    assert "96 × 96" in window.metadata.toPlainText()
    window.grid.set_current_position(bomb)
    text = window.metadata.toPlainText()
    assert f"train/{GOLDEN}/bomb.png" in text
    assert "cannot be read" in text
    assert "96 × 96" not in text  # nothing left of the image before
    window.close()


def test_a_verdict_on_a_non_utf8_name_is_saved_and_shown(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path
) -> None:
    odd = os.fsdecode(b"caf\xe9.png")  # not UTF-8
    Image.new("RGB", (96, 96), (5, 5, 5)).save(
        os.path.join(os.fsencode(dataset / "train" / GOLDEN), os.fsencode(odd)), "PNG"
    )
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(dataset), select=hierarchy.index(GOLDEN))
    window.review_bar.review_button.setChecked(True)
    model = window.grid_model
    position = next(p for p in range(model.count()) if model.relpath_at(p).endswith(odd))  # type: ignore[union-attr]
    window.grid.set_current_position(position)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_1)
    relpath = f"train/{GOLDEN}/{odd}"
    recorded = window.review.verdict_of(window.dataset, relpath)
    assert recorded is not None
    assert recorded.verdict == "correct"
    assert not window.review_bar.problem.isVisible()
    assert saved(tmp_path, dataset)[relpath] == "correct"  # stored under the name's bytes
    window.close()


def test_a_store_that_fails_to_write_is_shown_at_once(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(window.review.store, "give", full_disk)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_1)
    assert window.grid.current_position() == 0  # it did not move on as if saved
    assert "database or disk is full" in window.review_bar.problem.text()
    assert window.review_bar.problem.isVisible()
    assert "not saved" in window.statusBar().currentMessage()


def test_a_note_is_limited_to_one_mebibyte(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    relpath = current_relpath(window)
    huge = "x" * ((1 << 20) + 1)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (huge, True))
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_N)
    assert window.review.verdict_of(window.dataset, relpath) is None
    assert "longer than 1 MiB" in window.review_bar.problem.text()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("x" * (1 << 20), True))
    qtbot.keyClick(window.grid, Qt.Key.Key_N)
    saved = window.review.verdict_of(window.dataset, relpath)
    assert saved is not None
    assert len(saved.note) == 1 << 20
    assert not window.review_bar.problem.isVisibleTo(window)


def test_a_preview_closes_when_the_grid_shows_other_rows(
    qtbot: QtBot, window: MainWindow, hierarchy: Hierarchy
) -> None:
    window.open_preview()
    preview = window.preview
    assert preview is not None
    assert preview.isVisible()
    window.sort_box.setCurrentIndex(1)  # other rows at the positions it steps through
    assert not preview.isVisible()
