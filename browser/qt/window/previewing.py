"""The full-size preview of the grid's current image: at most one, following the grid, and
closed whenever the grid's rows change (it would otherwise step through positions that now
hold other images)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from browser.qt.models.grid_model import ImageGridModel
from browser.qt.widgets.grid_view import ThumbnailGrid
from browser.qt.widgets.preview import PreviewDialog


class PreviewControl:
    def __init__(
        self,
        grid: ThumbnailGrid,
        model: ImageGridModel,
        parent: QWidget,
        caption_of: Callable[[int], str],
        review_key: Callable[[QKeyEvent], bool],
    ) -> None:
        self.grid = grid
        self.model = model
        self.parent = parent
        self.caption_of = caption_of
        self.review_key = review_key
        self.dialog: PreviewDialog | None = None
        grid.currentImageChanged.connect(self._follow)

    def open(self) -> None:
        """Preview the grid's current image (nothing when there is none)."""
        position = self.grid.current_position()
        if position < 0 or self.model.index_ is None:
            return
        self.close()
        model = self.model
        self.dialog = PreviewDialog(
            model.count(),
            lambda p: model.index_.path(model.image_row(p)),  # type: ignore[union-attr]
            position,
            self.parent,
            caption_of=self.caption_of,
            review_key=self.review_key,
        )
        self.dialog.positionChanged.connect(self.grid.set_current_position)
        self.dialog.show()
        self.dialog.activateWindow()

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None

    def refresh_caption(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.refresh_caption()

    def _follow(self, _row: int) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.follow(self.grid.current_position())
