"""The audit loop (issue 17): the Audit sample dialog and the note / proposal grid filters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.qt.widgets.audit_dialog import AuditDialog
from browser.qt.window.main_window import MainWindow
from tests.conftest import GOLDEN, TENCH, MakeFiles
from tests.integration.windows import make_window


@pytest.fixture
def dataset(tmp_path: Path, make_files: MakeFiles) -> Path:
    return make_files(
        tmp_path / "ds",
        [f"{TENCH}/t{i}.JPEG" for i in range(7)] + [f"{GOLDEN}/g{i}.JPEG" for i in range(3)],
    )


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, dataset: Path) -> MainWindow:
    win = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(win.tasks.opened, timeout=20000):
        win.open_dataset(str(dataset), select=hierarchy.index(TENCH))
    return win


def open_dialog(window: MainWindow, hierarchy: Hierarchy) -> AuditDialog:
    window.select_synset(hierarchy.root)
    window.review_bar.audit_button.click()
    dialog = window.audit_dialog
    assert isinstance(dialog, AuditDialog)
    assert dialog.isVisible()
    return dialog


def test_the_audit_dialog_says_how_many_images_before_drawing(
    qtbot: QtBot, window: MainWindow, hierarchy: Hierarchy
) -> None:
    dialog = open_dialog(window, hierarchy)
    dialog.per_class.setValue(2)
    assert dialog.total.text() == "That makes 4 images from 2 classes."
    dialog.per_class.setValue(5)
    assert dialog.total.text() == "That makes 8 images from 2 classes."  # golden has only 3
    assert str(dialog.seed.value()) in dialog.describe()
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    assert window.grid_model.count() == 8
    assert window.review_bar.reviewing
    shown = [window.grid_model.image_row(p) for p in range(8)]
    assert shown == dialog.rows().tolist()  # the same seed, the same order


def test_shuffled_with_a_seed_mixes_classes_and_repeats(
    window: MainWindow, hierarchy: Hierarchy
) -> None:
    dialog = open_dialog(window, hierarchy)
    dialog.per_class.setValue(3)
    dialog.grouped.setChecked(True)
    grouped = dialog.rows()
    assert window.view is not None
    labels = window.view.index.labels[grouped]
    assert (np.diff(labels) != 0).sum() == 1  # one class after the other
    dialog.shuffle.setChecked(True)
    first = dialog.rows()
    assert sorted(first.tolist()) == sorted(grouped.tolist())
    assert first.tolist() == dialog.rows().tolist()
    dialog.seed.setValue(dialog.seed.value() + 1)
    assert dialog.rows().tolist() != first.tolist() or len(first) < 3
    dialog.reject()


def test_only_unreviewed_classes(qtbot: QtBot, window: MainWindow, hierarchy: Hierarchy) -> None:
    window.review_bar.review_button.setChecked(True)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_1)  # a verdict on a tench: that class is reviewed
    dialog = open_dialog(window, hierarchy)
    dialog.per_class.setValue(10)
    dialog.unreviewed.setChecked(True)
    assert dialog.total.text() == "That makes 3 images from 1 class."
    assert window.view is not None
    assert set(window.view.index.labels[dialog.rows()].tolist()) == {hierarchy.index(GOLDEN)}
    dialog.reject()


def test_grid_filters_for_notes_and_proposals(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.review_bar.review_button.setChecked(True)
    window.grid.setFocus()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("blurry", True))
    qtbot.keyClick(window.grid, Qt.Key.Key_N)  # a note, no verdict
    box = window.review_bar.filter_box
    box.setCurrentIndex(box.findData("has a note"))
    assert window.grid_model.count() == 1
    box.setCurrentIndex(box.findData("has a proposed synset"))
    assert window.grid_model.count() == 0
    box.setCurrentIndex(box.findData("not reviewed"))
    assert window.grid_model.count() == 7  # a note alone is not a verdict
