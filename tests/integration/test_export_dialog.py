"""The Export dialog: the dry-run summary follows the options; export with progress; cancel."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.records import Verdict
from browser.qt.widgets.export_dialog import ExportDialog
from tests.conftest import DOG, GOLDEN, MakeFiles

CHIHUAHUA = "n02085620"


def make_view(tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy) -> DatasetView:
    root = make_files(
        tmp_path / "ds",
        [f"train/{GOLDEN}/g{i}.JPEG" for i in range(4)]
        + [f"train/{CHIHUAHUA}/c{i}.JPEG" for i in range(3)],
    )
    return DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))


def wait_for_plan(qtbot: QtBot, dialog: ExportDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.summary.text().startswith("Planning"))


def test_the_summary_follows_the_options_and_the_export_runs(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    view = make_view(tmp_path, make_files, hierarchy)
    wrong = f"train/{GOLDEN}/g0.JPEG"
    verdicts = {wrong: Verdict(wrong, GOLDEN, "wrong_label")}
    dialog = ExportDialog(view, [hierarchy.index(DOG)], [], verdicts)
    qtbot.addWidget(dialog)
    wait_for_plan(qtbot, dialog)
    assert dialog.summary.text().startswith("7 images")
    assert "2 classes" in dialog.summary.text()
    dialog.exclusions["wrong_label"].setChecked(True)
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("6 images"))
    assert "1 images left out by their verdict" in dialog.summary.text()
    dialog.labels.setCurrentText("One class per selected synset")
    qtbot.waitUntil(lambda: "in 1 classes" in dialog.summary.text())
    dialog.per_class.setValue(2)
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("2 images"))
    assert not dialog.start.isEnabled()  # no folder yet
    out = tmp_path / "out"
    dialog.out.setText(str(out))
    assert dialog.start.isEnabled()
    with qtbot.waitSignal(dialog._signals.finished, timeout=20000):
        dialog.start.click()
    assert dialog.outcome == {"copy": 2}
    with open(out / "manifest.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["wnid"] for row in rows} == {DOG}
    assert wrong not in {row["source"].split("/ds/")[1] for row in rows}
    dialog.close()


def test_cancel_stops_and_the_export_can_be_resumed(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    view = make_view(tmp_path, make_files, hierarchy)
    dialog = ExportDialog(view, [hierarchy.index(DOG)], [], {})
    qtbot.addWidget(dialog)
    wait_for_plan(qtbot, dialog)
    out = tmp_path / "out"
    dialog.out.setText(str(out))
    dialog._cancel = CancelledFromTheStart()
    dialog._cancel.set()
    with qtbot.waitSignal(dialog._signals.finished, timeout=20000):
        dialog.run()
    assert isinstance(dialog.outcome, str)
    assert "cancelled" in dialog.outcome
    assert "Stopped" in dialog.summary.text()
    dialog._cancel = threading.Event()
    dialog.resume.setChecked(True)
    with qtbot.waitSignal(dialog._signals.finished, timeout=20000):
        dialog.start.click()
    assert dialog.outcome == {"copy": 7}
    dialog.close()


class CancelledFromTheStart(threading.Event):
    """Cancel pressed before the worker copies its first file. run() clears the flag as it
    starts; setting it again after run() raced the worker, which under load had copied all
    7 files first. Here the clearing is ignored, so the worker sees the cancel at once."""

    def clear(self) -> None:
        pass


def test_the_window_exports_what_is_selected_in_the_tree_or_the_grid(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    from tests.integration.windows import make_window

    root = make_files(
        tmp_path / "ds", [f"{GOLDEN}/g{i}.JPEG" for i in range(3)] + [f"{CHIHUAHUA}/c.JPEG"]
    )
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), select=hierarchy.index(GOLDEN))
    assert window.tree_model is not None
    golden = window.tree.currentIndex()
    chihuahua = window.tree_model.index_for_path(
        hierarchy.hypernym_paths(hierarchy.index(CHIHUAHUA))[0]
    )
    window.tree.selectionModel().select(
        chihuahua,
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert golden.isValid()
    dialog = window.open_export()
    assert dialog is not None
    assert sorted(dialog.synsets) == sorted([hierarchy.index(GOLDEN), hierarchy.index(CHIHUAHUA)])
    wait_for_plan(qtbot, dialog)
    assert dialog.summary.text().startswith("4 images")
    dialog.close()
    window.select_synset(hierarchy.index(GOLDEN))
    window.grid.selectAll()
    dialog = window.open_export()
    assert dialog is not None
    assert sorted(dialog.images) == [f"{GOLDEN}/g{i}.JPEG" for i in range(3)]
    dialog.close()
    window.close()


def test_the_dialog_says_what_it_exports_and_lets_the_user_choose(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    view = make_view(tmp_path, make_files, hierarchy)
    selected = [f"train/{GOLDEN}/g{i}.JPEG" for i in range(2)]
    dialog = ExportDialog(view, [hierarchy.index(DOG)], selected, {})
    qtbot.addWidget(dialog)
    assert dialog.what_synsets.text() == "dog: 2 classes, 7 images"
    assert dialog.what_images.text() == "2 images selected in the grid"
    assert dialog.what_images.isChecked()  # what the user just pointed at
    wait_for_plan(qtbot, dialog)
    assert dialog.summary.text().startswith("2 images")
    dialog.what_synsets.setChecked(True)
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("7 images"))
    assert dialog.options().images == ()
    words = [dialog.mode.itemText(i) for i in range(dialog.mode.count())]
    assert words == ["Copy", "Hard links", "Symbolic links", "List only"]
    dialog.mode.setCurrentText("List only")
    dialog.labels.setCurrentText("Keep each image's class")
    assert (dialog.options().mode, dialog.options().labels) == ("none", "leaf")
    dialog.labels.setCurrentText("One class per selected synset")
    assert dialog.options().labels == "selected"
    dialog.close()


def test_only_the_synset_when_nothing_is_selected(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    view = make_view(tmp_path, make_files, hierarchy)
    dialog = ExportDialog(view, [hierarchy.index(GOLDEN)], [], {})
    qtbot.addWidget(dialog)
    assert dialog.what_synsets.text() == "golden retriever: 1 class, 4 images"
    assert dialog.what_synsets.isChecked()
    assert not dialog.what_images.isVisibleTo(dialog)
    dialog.close()


def test_messages_never_ask_for_a_command_line_flag(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    view = make_view(tmp_path, make_files, hierarchy)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("a user's file")
    dialog = ExportDialog(view, [hierarchy.index(DOG)], [], {})
    qtbot.addWidget(dialog)
    wait_for_plan(qtbot, dialog)
    dialog.out.setText(str(out))
    with qtbot.waitSignal(dialog._signals.finished, timeout=20000):
        dialog.start.click()
    text = dialog.summary.text()
    assert text.startswith("Stopped:")
    assert "--" not in text
    assert "Resume an interrupted export" in text
    assert (out / "mine.txt").read_text() == "a user's file"
    dialog.close()


def test_the_dialog_warns_of_split_numbering_and_says_what_failed(
    qtbot: QtBot, tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"train/{GOLDEN}/g{i}.JPEG" for i in range(2)]
        + [f"train/{CHIHUAHUA}/c.JPEG", f"val/{GOLDEN}/v.JPEG"],
    )
    view = DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))
    dialog = ExportDialog(view, [hierarchy.index(DOG)], [], {})
    qtbot.addWidget(dialog)
    wait_for_plan(qtbot, dialog)
    # val lacks the chihuahua (class 0): ImageFolder would number the golden retriever 0.
    assert "Note: " in dialog.summary.text()
    assert "val" in dialog.summary.text()
    (root / "train" / GOLDEN / "g1.JPEG").unlink()  # vanishes after planning
    dialog.out.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog._signals.finished, timeout=20000):
        dialog.start.click()
    assert dialog.outcome == {"copy": 3, "failed": 1}
    assert "1 could not be exported" in dialog.summary.text()
    assert "g1.JPEG" in dialog.summary.text()
    dialog.close()
