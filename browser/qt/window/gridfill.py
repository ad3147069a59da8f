"""What fills the grid: a synset's rows as the controls above the grid choose them, the
images without a label, or rows chosen elsewhere (a duplicate group, a confusion cell, the
suspects, an audit sample); then the grid, the empty-page label, the current image's facts
and the counts in the status bar follow.

Built from the panes it acts on; it sees the window's shared state (the open view, its
identity, the synset shown) through a small :class:`GridHost`, never by importing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtWidgets import QWidget

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.view import DatasetView, SortKey
from browser.qt.identity import DatasetKey
from browser.qt.models.grid_model import FAILURE_ROLE
from browser.qt.review import ReviewController
from browser.qt.widgets.duplicates_dialog import DuplicatesDialog
from browser.qt.window.gridrows import GridFilter, grid_rows
from browser.qt.window.panes import BrowserPanes
from browser.qt.window.previewing import PreviewControl
from browser.qt.window.reviewing import ReviewMode
from browser.qt.window.status import StatusArea


class GridHost(Protocol):
    """The window's state the grid is filled from."""

    view: DatasetView | None
    dataset: DatasetKey | None
    synset: int | None
    unlabelled_view: DatasetView | None  # set while showing the images without a label
    previews: PreviewControl
    review_mode: ReviewMode


class GridFill:
    def __init__(
        self,
        host: GridHost,
        panes: BrowserPanes,
        status: StatusArea,
        review: ReviewController,
    ) -> None:
        self.host = host
        self.panes = panes
        self.status = status
        self.review = review

    def refill(self) -> None:
        """The synset's rows again, as the controls and the review filter now choose."""
        host, panes = self.host, self.panes
        if host.unlabelled_view is not None:  # a new sort while showing them
            self.show_unlabelled()
            return
        view, synset = host.view, host.synset
        if view is None or synset is None:
            return
        exact = panes.exact_box.isChecked()
        rows = grid_rows(
            view,
            synset,
            GridFilter(exact, panes.sort_box.currentData(), panes.real_box.isChecked()),
            panes.review_bar.filter_kind(),
            self.review.rows_with,
        )
        rows = panes.predictions.apply(rows)
        leaf = not view.has_children(synset)
        self.show(view.index, rows, show_class=not (exact or leaf))
        self.after_refill(len(rows))

    def show(self, index: DatasetIndex, rows: np.ndarray, *, show_class: bool) -> None:
        """The one way rows reach the grid: always with the open dataset's identity. A
        preview of the rows before would step through positions that now hold others."""
        assert self.host.dataset is not None
        self.host.previews.close()
        self.panes.grid_model.set_rows(self.host.dataset, index, rows, show_class=show_class)

    def after_refill(self, count: int) -> None:
        grid = self.panes.grid
        grid.scrollToTop()
        self.panes.empty_label.setVisible(count == 0)
        grid.setVisible(count > 0)
        if count:
            grid.set_current_position(0)
        else:
            self.panes.metadata.clear_image()
        self.update_status()

    def current_image(self, row: int) -> None:
        """Show the facts of the current image (row -1: none): a row of the index the grid
        shows, described from that same index, with the verdict on that image."""
        view = self.host.unlabelled_view or self.host.view
        metadata = self.panes.metadata
        if view is None or row < 0 or self.panes.grid_model.index_ is not view.index:
            metadata.clear_image()
            return
        failure = self.panes.grid.currentIndex().data(FAILURE_ROLE)
        verdict = self.review.verdict_of(self.host.dataset, view.index.relpath(row))
        metadata.show_image(view, row, failure, verdict)
        self.panes.predictions.show_image(row)

    def show_unlabelled(self) -> None:
        """Fill the grid with the images that have no synset (they are in no tree node)."""
        host = self.host
        unlabelled = host.view.index.unlabelled if host.view is not None else None
        if unlabelled is None:
            return
        if host.unlabelled_view is None or host.unlabelled_view.index is not unlabelled:
            host.unlabelled_view = DatasetView(unlabelled)
        self.panes.tree.clearSelection()
        self.panes.breadcrumb.show_text("Images without a label")
        self.panes.metadata.show_unlabelled(unlabelled)
        rows = host.unlabelled_view.rows(
            unlabelled.hierarchy.root, sort=self.panes.sort_box.currentData()
        )
        self.show(unlabelled, rows, show_class=False)
        self.after_refill(len(rows))

    def facts_filled(self) -> None:
        """The stat pass is done: sizes can be sorted by, and shown for the current image."""
        if self.panes.sort_box.currentData() is SortKey.SIZE:
            self.refill()
        else:  # file sizes in the panel are known now
            self.current_image(self.panes.grid.current_image_row())

    def predictions_changed(self) -> None:
        """Other predictions (or none): the tree's model columns, the grid's rows and marks."""
        self.panes.tree.viewport().update()
        self.refill()
        self.panes.grid.viewport().update()

    def show_audit_rows(self, rows: np.ndarray, description: str) -> None:
        """Fill the grid with an audit sample and switch review on."""
        view, synset = self.host.view, self.host.synset
        if view is None or synset is None:
            return
        self.show(view.index, rows, show_class=view.has_children(synset))
        self.after_refill(len(rows))
        classes = len(np.unique(view.index.labels[rows]))
        self.host.review_mode.audit_started(len(rows), classes, description)

    def open_duplicates(self, cache_dir: Path, parent: QWidget) -> DuplicatesDialog | None:
        """Near-duplicate groups under the selected synset; a chosen group fills the grid."""
        view, synset = self.host.view, self.host.synset
        if view is None or synset is None:
            return None
        dialog = DuplicatesDialog(
            view,
            synset,
            cache_dir,
            parent,
            review=self.review,
            dataset=self.host.dataset,
            thumbnails=self.panes.grid_model.loader.cache,
        )
        dialog.groupChosen.connect(self.show_group)
        dialog.show()
        return dialog

    def show_chosen(self, rows: np.ndarray, title: str) -> bool:
        """Show rows chosen elsewhere under ``title`` in the breadcrumb; False without a
        dataset."""
        view = self.host.view
        if view is None:
            return False
        self.host.unlabelled_view = None
        self.panes.breadcrumb.show_text(title)
        self.show(view.index, rows, show_class=True)
        self.after_refill(len(rows))
        return True

    def show_chosen_rows(self, rows: np.ndarray, title: str, review: bool) -> None:
        """Show these rows (a confusion cell, the suspects in order), reviewing them if asked."""
        if self.show_chosen(np.asarray(rows, dtype=np.int64), title) and review:
            self.panes.review_bar.review_button.setChecked(True)

    def show_group(self, rows: list[int]) -> None:
        """A group of near-duplicates chosen in the Duplicates dialog."""
        self.show_chosen(np.array(rows, dtype=np.int64), "Duplicate group")

    def update_status(self) -> None:
        self.status.show_counts(self.panes.grid_model.count(), self.panes.grid.selected_count())
