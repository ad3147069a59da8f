"""The main window on a small real dataset: open, navigate, search, preview, refresh."""

from __future__ import annotations

import gc
import json
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from browser.core.dataset.demo import build_demo
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.ilsvrc import ilsvrc_class_index
from browser.core.images.thumbnails import ThumbnailCache
from browser.core.recent import RecentDatasets
from browser.qt import workers
from browser.qt.models.grid_model import FAILURE_ROLE
from browser.qt.thumbs import ThumbnailLoader
from browser.qt.window.main_window import MainWindow
from browser.qt.workers import DatasetTasks
from tests.conftest import DOG, GOLDEN, TABBY, MakeFiles
from tests.integration.windows import make_window


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy) -> Iterator[MainWindow]:
    win = make_window(qtbot, tmp_path, hierarchy)
    yield win
    win.close()


def open_and_wait(qtbot: QtBot, window: MainWindow, path: Path, **kwargs: Any) -> None:
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(path), **kwargs)


def shown_paths(window: MainWindow) -> set[str]:
    model = window.grid_model
    assert window.view is not None
    return {window.view.index.relpath(model.image_row(p)) for p in range(model.count())}


def test_welcome_page_until_a_dataset_is_opened(window: MainWindow) -> None:
    assert window.stack.currentWidget() is window.welcome
    assert window.welcome.recent_list.count() == 0


def test_opening_shows_entity_with_every_image(
    qtbot: QtBot, window: MainWindow, small_dataset: Path
) -> None:
    open_and_wait(qtbot, window, small_dataset)
    assert window.stack.currentWidget() is window.splitter
    assert window.tree.currentIndex().data() == "entity"
    assert window.grid_model.count() == 9
    assert window.shown_label.text() == "9 images shown"
    assert str(small_dataset) in window.path_label.text()
    assert window.recent.load() == [str(small_dataset.resolve())]


def test_selecting_in_the_tree_fills_grid_breadcrumb_and_panel(
    qtbot: QtBot, window: MainWindow, small_dataset: Path, hierarchy: Hierarchy
) -> None:
    open_and_wait(qtbot, window, small_dataset)
    assert window.tree_model is not None
    dog = hierarchy.index(DOG)
    path = hierarchy.hypernym_paths(dog)[1]
    window.tree.setCurrentIndex(window.tree_model.index_for_path(path))
    assert window.synset == dog
    assert shown_paths(window) == {f"train/{GOLDEN}/g{i}.JPEG" for i in range(3)} | {
        f"train/{DOG}/d{i}.JPEG" for i in range(2)
    }
    assert [c.text() for c in window.breadcrumb.crumbs] == [hierarchy.name(s) for s in path]
    text = window.metadata.toPlainText()
    assert "n02084071" in text
    assert "Hypernym paths (2)" in text
    window.exact_box.setChecked(True)
    assert shown_paths(window) == {f"train/{DOG}/d0.JPEG", f"train/{DOG}/d1.JPEG"}


def test_the_path_menu_reveals_the_other_occurrence(
    qtbot: QtBot, window: MainWindow, small_dataset: Path, hierarchy: Hierarchy
) -> None:
    dog = hierarchy.index(DOG)
    open_and_wait(qtbot, window, small_dataset, select=dog)
    first_parent = window.tree.currentIndex().parent().data()
    window.breadcrumb.pathChosen.emit(1 - window.path_choice)
    assert window.tree.currentIndex().parent().data() != first_parent
    assert {first_parent, window.tree.currentIndex().parent().data()} == {
        "canine",
        "domestic animal",
    }
    assert window.synset == dog


def test_search_selects_and_reveals(
    qtbot: QtBot, window: MainWindow, small_dataset: Path, hierarchy: Hierarchy
) -> None:
    open_and_wait(qtbot, window, small_dataset)
    window.search_box.setText("tabby")
    hits = window.search_box.update_suggestions()
    tabby = hierarchy.index(TABBY)
    assert hits[0] == tabby
    assert all(window.view is not None and window.view.counts.images[h] > 0 for h in hits)
    window.search_box.synsetChosen.emit(hits[0])
    assert window.synset == tabby
    assert window.tree.currentIndex().data() == hierarchy.name(tabby)
    assert window.grid_model.count() == 2


def test_back_and_forward(
    qtbot: QtBot, window: MainWindow, small_dataset: Path, hierarchy: Hierarchy
) -> None:
    open_and_wait(qtbot, window, small_dataset)
    dog, tabby = hierarchy.index(DOG), hierarchy.index(TABBY)
    window.select_synset(dog)
    window.select_synset(tabby)
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.synset == dog
    window.go_back()
    assert window.synset == hierarchy.root
    qtbot.mouseClick(window.grid.viewport(), Qt.MouseButton.ForwardButton)  # the mouse's button
    assert window.synset == dog
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.ForwardButton)
    assert window.synset == tabby
    qtbot.mouseClick(window.metadata.viewport(), Qt.MouseButton.BackButton)
    assert window.synset == dog


def test_a_broken_image_is_explained_in_the_panel(
    qtbot: QtBot, window: MainWindow, small_dataset: Path
) -> None:
    open_and_wait(qtbot, window, small_dataset)
    model = window.grid_model
    broken = next(
        p
        for p in range(model.count())
        if p >= 0
        and window.view is not None
        and window.view.index.name(model.image_row(p)) == "broken.JPEG"
    )
    qtbot.waitUntil(lambda: model.index_at(broken).data(FAILURE_ROLE) is not None)
    window.grid.set_current_position(broken)
    assert "This image cannot be decoded" in window.metadata.toPlainText()
    window.grid.set_current_position(broken + 1)
    assert "Pixels" in window.metadata.toPlainText()
    assert "cannot be decoded" not in window.metadata.toPlainText()


def test_space_opens_a_preview_that_steps_and_closes(
    qtbot: QtBot, window: MainWindow, small_dataset: Path
) -> None:
    open_and_wait(qtbot, window, small_dataset)
    window.grid.setFocus()
    window.grid.set_current_position(1)
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    preview = window.preview
    assert preview is not None
    assert preview.isVisible()
    assert preview.pixmap is not None
    assert (preview.pixmap.width(), preview.pixmap.height()) == (300, 200)  # the fish, full size
    qtbot.keyClick(preview, Qt.Key.Key_Left)  # position 0 is the broken file
    assert preview.position == 0
    assert window.grid.current_position() == 0
    assert preview.pixmap is None
    assert "cannot be decoded" in preview.label.text()
    qtbot.keyClick(preview, Qt.Key.Key_Escape)
    assert not preview.isVisible()


def test_refresh_picks_up_new_images(qtbot: QtBot, window: MainWindow, small_dataset: Path) -> None:
    open_and_wait(qtbot, window, small_dataset)
    Image.new("RGB", (50, 50)).save(small_dataset / "train" / DOG / "new.JPEG")
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.refresh()
    assert window.grid_model.count() == 10


def test_reopening_does_not_keep_the_previous_dataset(
    qtbot: QtBot, window: MainWindow, small_dataset: Path
) -> None:
    open_and_wait(qtbot, window, small_dataset)
    first = weakref.ref(window.view)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.refresh()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    assert first() is None


def test_a_scan_can_be_cancelled(
    qtbot: QtBot, window: MainWindow, small_dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_open = workers.open_dataset

    def slow_open(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(workers, "open_dataset", slow_open)
    window.open_dataset(str(small_dataset))
    assert window.cancel_button.isVisibleTo(window)
    with qtbot.waitSignal(window.tasks.cancelled, timeout=10000):
        window.cancel_button.click()
        release.set()
    assert not window.cancel_button.isVisibleTo(window)
    assert window.stack.currentWidget() is window.welcome


def test_a_failing_open_is_reported_and_the_window_goes_on(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages: list[str] = []
    monkeypatch.setattr(
        "browser.qt.window.opening.QMessageBox.warning",
        lambda _parent, _title, text: messages.append(text),
    )
    with qtbot.waitSignal(window.tasks.failed, timeout=10000):
        window.open_dataset(str(tmp_path / "no-such-folder"))
    assert "no such folder" in messages[0]
    assert window.stack.currentWidget() is window.welcome


def test_the_demo_is_made_only_when_asked_for(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    cache = tmp_path / "cache"
    tasks = DatasetTasks(hierarchy, cache)
    loader = ThumbnailLoader(ThumbnailCache(cache / "thumbs"), threads=2)
    win = MainWindow(
        hierarchy,
        tasks,
        loader,
        RecentDatasets(tmp_path / "data"),
        demo=lambda: str(build_demo(cache)),
    )
    tasks.setParent(win)
    loader.setParent(win)
    qtbot.addWidget(win)
    assert not (cache / "demo-dataset-v1").exists()  # nothing generated at start-up
    with qtbot.waitSignal(tasks.opened, timeout=30000):
        win.welcome.demoRequested.emit()
    assert win.grid_model.count() == 495
    win.close()


def test_the_panel_says_where_labels_came_from(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, jpeg_bytes: bytes
) -> None:
    top = tmp_path / "kaggle"  # Kaggle's top folder, holding the CSV and ILSVRC/
    val = top / "ILSVRC/Data/CLS-LOC/val"
    val.mkdir(parents=True)
    for n in (1, 2):
        (val / f"ILSVRC2012_val_{n:08d}.JPEG").write_bytes(jpeg_bytes)
    (top / "LOC_val_solution.csv").write_text(
        f"ImageId,PredictionString\nILSVRC2012_val_00000002,{GOLDEN} 1 2 3 4\n"
        f"ILSVRC2012_val_00000001,{DOG} 1 2 3 4\nILSVRC2012_val_00000005,{DOG} 1 2 3 4\n"
    )
    open_and_wait(qtbot, window, top)
    assert window.grid_model.count() == 2
    text = window.metadata.toPlainText()
    assert "Layout" in text
    assert "2 images labelled by Kaggle LOC_val_solution.csv" in text
    assert "ILSVRC2012_val_00000005: no such image" in text
    assert window.view is not None
    index = window.view.index
    first = next(r for r in range(len(index)) if index.name(r) == "ILSVRC2012_val_00000001.JPEG")
    window.metadata.show_image(window.view, first)
    assert "Kaggle LOC_val_solution.csv, line 3" in window.metadata.toPlainText()
    window.select_synset(window.view.hierarchy.index(GOLDEN))
    text = window.metadata.toPlainText()
    assert "Class index in dataset\n1\nILSVRC-1k index\n207" in text  # dog is class 0


def test_the_real_filter_shows_only_images_real_disagrees_with(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "imagenet",
        [
            f"val/{GOLDEN}/ILSVRC2012_val_00000001.JPEG",
            f"val/{GOLDEN}/ILSVRC2012_val_00000002.JPEG",
            f"val/{TABBY}/ILSVRC2012_val_00000003.JPEG",
        ],
    )
    golden, tabby = ilsvrc_class_index()[GOLDEN], ilsvrc_class_index()[TABBY]
    (root / "real.json").write_text(json.dumps([[golden], [tabby], [tabby, golden]]))
    open_and_wait(qtbot, window, root)
    assert window.real_box.isVisibleTo(window)
    assert window.grid_model.count() == 3
    window.real_box.setChecked(True)
    assert shown_paths(window) == {f"val/{GOLDEN}/ILSVRC2012_val_00000002.JPEG"}
    window.grid.set_current_position(0)
    assert "ReaL labels" in window.metadata.toPlainText()
    assert "label not among them" in window.metadata.toPlainText()


def test_a_chosen_layout_is_kept_on_refresh(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "numbered", ["0/a.JPEG", "1/b.JPEG"])
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), layout="wnid-folders")
    assert window.view is not None
    assert window.view.index.layout == "class-folders"
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.refresh()
    assert window.view.index.layout == "class-folders"


def test_the_window_browses_a_folder_tree_hierarchy(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "taxa", ["Animalia/Aves/a.JPEG", "Plantae/b.JPEG"])
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root), hierarchy="folders")
    assert window.view is not None
    tree = window.view.hierarchy
    assert window.tree.currentIndex().data() == "taxa"
    assert window.grid_model.count() == 2
    assert window.search.hierarchy is tree
    window.select_synset(tree.index("Animalia/Aves"))
    assert shown_paths(window) == {"Animalia/Aves/a.JPEG"}
    assert [c.text() for c in window.breadcrumb.crumbs] == ["taxa", "Animalia", "Aves"]
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.refresh()
    assert window.synset is not None
    assert window.view.hierarchy.wnid(window.synset) == "Animalia/Aves"  # kept by its id


def test_images_without_a_label_can_be_shown(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", [f"train/{GOLDEN}/a.JPEG", "train/misc/b.JPEG", "c.JPEG"])
    open_and_wait(qtbot, window, root)
    assert "Without a label" in window.metadata.toPlainText()
    window.metadata.unlabelledRequested.emit()  # the panel's "show them" link
    assert shown_paths_of_grid(window) == {"train/misc/b.JPEG", "c.JPEG"}
    assert [w.text() for w in window.breadcrumb.findChildren(QLabel)] == [
        "<b>Images without a label</b>"
    ]
    window.grid.set_current_position(0)
    text = window.metadata.toPlainText()
    assert "Images without a label" in text
    assert "none —" in text
    window.select_synset(window.hierarchy.index(GOLDEN))
    assert shown_paths_of_grid(window) == {f"train/{GOLDEN}/a.JPEG"}


def shown_paths_of_grid(window: MainWindow) -> set[str]:
    """What the grid shows, whichever index it shows it from."""
    model = window.grid_model
    assert model.index_ is not None
    return {model.index_.relpath(model.image_row(p)) for p in range(model.count())}
