"""What review mode changes in the window besides the keys (:mod:`.review_keys`): bigger
thumbnails while reviewing, the keys' help, problems shown where the reviewer looks, and
audit samples."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStatusBar, QWidget

from browser.core.dataset.view import DatasetView
from browser.core.predictions.modelstate import ModelState
from browser.core.review.estimates import ReviewSummary
from browser.qt.widgets.audit_dialog import AuditDialog
from browser.qt.widgets.grid_view import ThumbnailGrid
from browser.qt.widgets.review_bar import KEYS_HELP, ReviewBar

REVIEW_ZOOM = 256  # pixels: a wrong label is seen at this size, not at the browsing default


class ReviewMode(QObject):
    def __init__(
        self, grid: ThumbnailGrid, bar: ReviewBar, status: QStatusBar, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.grid = grid
        self.bar = bar
        self.status = status
        self.zoom_before: int | None = None
        bar.reviewToggled.connect(self.toggled)

    def toggled(self, on: bool) -> None:
        if on:
            self.zoom_before = self.grid.zoom
            self.grid.set_zoom(max(self.grid.zoom, REVIEW_ZOOM))
            self.status.showMessage(KEYS_HELP, 20000)
            self.grid.setFocus()
        elif self.zoom_before is not None:
            self.grid.set_zoom(self.zoom_before)

    def failed(self, message: str) -> None:
        """Shown at once, where the reviewer looks: beside the review switch and below."""
        self.bar.show_problem(message)
        self.status.showMessage(message, 30000)

    def audit_started(self, images: int, classes: int, description: str) -> None:
        self.bar.review_button.setChecked(True)
        self.status.showMessage(
            f"Audit sample: {images:,} images from {classes:,} classes ({description}: "
            "the same sample every time)",
            20000,
        )

    def ask_for_sample(
        self,
        view: DatasetView,
        synset: int,
        summary: ReviewSummary | None,
        show: Callable[[np.ndarray, str], None],
        model: ModelState | None = None,
    ) -> AuditDialog:
        """The Audit sample dialog for ``synset``; accepting it calls ``show(rows, how)``."""
        reviewed: set[int] = set()
        if summary is not None:
            judged = sum(summary.direct.values())
            reviewed = set(np.flatnonzero(judged).tolist())
        dialog = AuditDialog(view, synset, reviewed, self.grid.window(), model)
        dialog.accepted.connect(lambda: show(dialog.rows(), dialog.describe()))
        dialog.open()
        return dialog
