"""The thumbnail grid: a table model over numpy rows that behaves like a list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QRegion, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from browser.core.dataset.view import DatasetView, SortKey
from browser.core.images.thumbnails import ThumbnailCache
from browser.qt.identity import new_dataset_key
from browser.qt.models.grid_model import (
    CLASS_ROLE,
    FAILURE_ROLE,
    RELEASE_PAGES_EVERY,
    ROW_ROLE,
    ImageGridModel,
)
from browser.qt.thumbs import ThumbnailLoader
from browser.qt.widgets.grid_view import ThumbnailGrid
from tests.conftest import DOG, TENCH


@pytest.fixture
def loader(tmp_path: Path) -> Iterator[ThumbnailLoader]:
    loader = ThumbnailLoader(ThumbnailCache(tmp_path / "thumbs"), threads=2)
    yield loader
    loader.shutdown()


def test_grid_model_passes_qt_model_checks(
    qtmodeltester: ModelTester, loader: ThumbnailLoader, small_view: DatasetView
) -> None:
    model = ImageGridModel(loader)
    model.set_rows(
        new_dataset_key(small_view.index.root),
        small_view.index,
        small_view.rows(small_view.hierarchy.root),
        show_class=True,
    )
    model.set_columns(4)
    qtmodeltester.check(model)


def test_selecting_a_synset_gives_exactly_its_images(small_view: DatasetView) -> None:
    hierarchy, index = small_view.hierarchy, small_view.index
    dog = hierarchy.index(DOG)
    below = {index.relpath(r) for r in small_view.rows(dog)}
    assert below == {f"train/n02099601/g{i}.JPEG" for i in range(3)} | {
        f"train/{DOG}/d{i}.JPEG" for i in range(2)
    }
    exact = {index.relpath(r) for r in small_view.rows(dog, exact=True)}
    assert exact == {f"train/{DOG}/d0.JPEG", f"train/{DOG}/d1.JPEG"}
    assert len(small_view.rows(hierarchy.root)) == len(index)


def test_sort_orders(small_view: DatasetView) -> None:
    index, root = small_view.index, small_view.hierarchy.root
    by_path = [index.relpath(r) for r in small_view.rows(root)]
    assert by_path == sorted(by_path)
    by_class = small_view.rows(root, sort=SortKey.CLASS)
    labels = index.labels[by_class]
    assert list(labels) == sorted(labels)
    sizes = np.arange(len(index)) * 10
    sizes[0] = -1  # not known yet: last
    index.sizes = sizes  # as a stat pass does: stored columns are mapped read-only
    by_size = small_view.rows(root, sort=SortKey.SIZE)
    assert list(index.sizes[by_size]) == sorted(index.sizes[1:], reverse=True) + [-1]


def test_cells_map_to_rows_in_reading_order(
    loader: ThumbnailLoader, small_view: DatasetView
) -> None:
    model = ImageGridModel(loader)
    rows = small_view.rows(small_view.hierarchy.root)
    model.set_rows(new_dataset_key(small_view.index.root), small_view.index, rows, show_class=True)
    model.set_columns(4)
    assert (model.rowCount(), model.columnCount()) == (3, 4)
    assert model.index(1, 2).data(ROW_ROLE) == rows[6]
    assert model.index(2, 1).data() is None  # past the last image
    assert not model.flags(model.index(2, 1)) & Qt.ItemFlag.ItemIsSelectable
    assert model.index(0, 0).data(CLASS_ROLE)  # captions name the class above a leaf


@pytest.fixture
def grid(qtbot: QtBot, loader: ThumbnailLoader, small_view: DatasetView) -> ThumbnailGrid:
    model = ImageGridModel(loader)
    view = ThumbnailGrid(model)
    qtbot.addWidget(view)
    view.resize(4 * 136 + view.frameWidth() * 2 + view.verticalScrollBar().sizeHint().width(), 500)
    view.show()
    qtbot.waitExposed(view)
    model.set_rows(
        new_dataset_key(small_view.index.root),
        small_view.index,
        small_view.rows(small_view.hierarchy.root),
        show_class=True,
    )
    return view


def test_columns_follow_the_width_and_zoom(grid: ThumbnailGrid) -> None:
    assert grid.grid_model.columns == 4
    grid.set_zoom(256)
    assert grid.grid_model.columns == 2
    assert grid.grid_model.bucket == 256
    event = QWheelEvent(
        QPointF(10, 10),
        QPointF(10, 10),
        QPoint(),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    grid.wheelEvent(event)
    assert grid.zoom == 240


def test_arrow_keys_wrap_across_rows(qtbot: QtBot, grid: ThumbnailGrid) -> None:
    grid.setFocus()
    grid.set_current_position(3)  # the end of the first row
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert grid.current_position() == 4
    qtbot.keyClick(grid, Qt.Key.Key_Left)
    assert grid.current_position() == 3
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.current_position() == 7
    qtbot.keyClick(grid, Qt.Key.Key_End)
    assert grid.current_position() == 8
    qtbot.keyClick(grid, Qt.Key.Key_Down)  # nowhere further: stays on the last image
    assert grid.current_position() == 8


def test_shift_selects_a_run_in_reading_order(qtbot: QtBot, grid: ThumbnailGrid) -> None:
    grid.setFocus()
    grid.set_current_position(2)
    qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier)  # anchor at 2
    for _ in range(4):
        qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert grid.selected_positions() == [(2, 6)]  # 2,3 | 4,5,6 — not a rectangle
    assert grid.selected_count() == 5
    position = grid.visualRect(grid.grid_model.index_at(8)).center()
    qtbot.mouseClick(
        grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, position
    )
    assert grid.selected_positions() == [(2, 8)]


def test_selection_survives_a_change_of_columns(qtbot: QtBot, grid: ThumbnailGrid) -> None:
    grid.setFocus()
    grid.set_current_position(1)
    for _ in range(3):
        qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    grid.set_zoom(200)
    assert grid.selected_positions() == [(1, 4)]
    assert grid.current_position() == 4


def test_thumbnails_arrive_and_a_broken_file_gets_an_error_tile(
    qtbot: QtBot, grid: ThumbnailGrid, small_view: DatasetView
) -> None:
    model = grid.grid_model
    broken = next(
        p
        for p in range(model.count())
        if small_view.index.name(model.image_row(p)) == "broken.JPEG"
    )
    qtbot.waitUntil(
        lambda: all(
            model.index_at(p).data(Qt.ItemDataRole.DecorationRole) is not None
            or model.index_at(p).data(FAILURE_ROLE)
            for p in range(model.count())
        )
    )
    assert model.index_at(broken).data(FAILURE_ROLE).startswith("cannot be decoded")
    assert model.index_at(broken).data(Qt.ItemDataRole.DecorationRole) is None
    fish = next(
        p
        for p in range(model.count())
        if small_view.index.relpath(model.image_row(p)).startswith(f"train/{TENCH}/f")
    )
    assert model.index_at(fish).data(Qt.ItemDataRole.DecorationRole) is not None
    grid.grab()  # paints placeholders, thumbnails and the error tile without complaint


def test_ctrl_click_adds_single_images(qtbot: QtBot, grid: ThumbnailGrid) -> None:
    def click(position: int, modifier: Qt.KeyboardModifier) -> None:
        centre = grid.visualRect(grid.grid_model.index_at(position)).center()
        qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, modifier, centre)

    click(1, Qt.KeyboardModifier.NoModifier)
    click(6, Qt.KeyboardModifier.ControlModifier)
    click(3, Qt.KeyboardModifier.ControlModifier)
    assert grid.selected_positions() == [(1, 1), (3, 3), (6, 6)]
    click(6, Qt.KeyboardModifier.ControlModifier)  # a second Ctrl-click deselects
    assert grid.selected_positions() == [(1, 1), (3, 3)]


class _PaintSpy(QObject):
    """Records the region of every paint event of the widget it filters."""

    def __init__(self) -> None:
        super().__init__()
        self.regions: list[QRegion] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.regions.append(QRegion(event.region()))  # type: ignore[attr-defined]
        return False


def test_an_arriving_thumbnail_repaints_only_its_cell(qtbot: QtBot, grid: ThumbnailGrid) -> None:
    # Repainting the whole screen for each batch of arrivals stalled scrolling.
    model = grid.grid_model
    qtbot.waitUntil(lambda: grid.grid_model.loader.pending == 0)
    spy = _PaintSpy()
    grid.viewport().installEventFilter(spy)
    QApplication.processEvents()  # repaints already posted happen before listening
    spy.regions.clear()
    model.thumbnailsArrived.emit([5])
    qtbot.waitUntil(lambda: bool(spy.regions))
    assert spy.regions[-1].boundingRect() == grid.visualRect(model.index_at(5))
    grid.viewport().removeEventFilter(spy)


def test_scrolling_gives_back_the_index_pages_now_and_then(
    loader: ThumbnailLoader, small_view: DatasetView, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[int] = []
    monkeypatch.setattr(small_view.index, "release_mapped_pages", lambda: released.append(1))
    model = ImageGridModel(loader)
    model.set_rows(
        new_dataset_key(small_view.index.root),
        small_view.index,
        small_view.rows(small_view.hierarchy.root),
        show_class=False,
    )
    for _ in range(2 * RELEASE_PAGES_EVERY + 1):  # one request per screen scrolled to
        model.request_thumbnails([0, 1])
    assert len(released) == 2
