"""MainWindow: search + synset tree | breadcrumb + thumbnail grid | metadata panel.

The window receives its services (hierarchy, dataset tasks, thumbnail loader, recent list)
in ``__init__``, so tests build it with small real ones and no global state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QStackedWidget,
)

from browser.core.dataset.hierarchychoice import WORDNET
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.search import SynsetSearch
from browser.core.recent import RecentDatasets
from browser.core.review.sampling import DEFAULT_SEED, audit_sample
from browser.qt.identity import DatasetKey, new_dataset_key
from browser.qt.models.tree_model import ERRORS_COLUMN, MODEL_COLUMNS, SynsetTreeModel
from browser.qt.review import ReviewController
from browser.qt.thumbs import ThumbnailLoader
from browser.qt.widgets.duplicates_dialog import DuplicatesDialog
from browser.qt.widgets.export_dialog import ExportDialog
from browser.qt.widgets.preview import PreviewDialog
from browser.qt.widgets.welcome import WelcomePage
from browser.qt.window.dialogs import export_dialog, preview_caption
from browser.qt.window.fitting import fit_small_screens
from browser.qt.window.gridfill import GridFill
from browser.qt.window.input_filter import WindowInputFilter
from browser.qt.window.menus import WindowMenus
from browser.qt.window.navigation import Navigator
from browser.qt.window.opening import (
    DatasetOpener,
    dataset_caption,
    landing_synset,
    window_title,
)
from browser.qt.window.panes import BrowserPanes
from browser.qt.window.previewing import PreviewControl
from browser.qt.window.review_keys import ReviewKeys
from browser.qt.window.reviewing import ReviewMode
from browser.qt.window.side_panels import SidePanels
from browser.qt.window.status import StatusArea
from browser.qt.workers import DatasetTasks

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The browser window. ``view`` is the open dataset (None on the welcome page)."""

    def __init__(
        self,
        hierarchy: Hierarchy,
        tasks: DatasetTasks,
        loader: ThumbnailLoader,
        recent: RecentDatasets,
        *,
        demo: Callable[[], str] | None = None,
        review: ReviewController | None = None,
    ) -> None:
        super().__init__()
        # Verdicts are kept beside the recent-datasets list, in the user's data folder.
        self.review = review or ReviewController(recent.file.parent, self)
        self.hierarchy = hierarchy
        self.tasks = tasks
        self.loader = loader
        self.recent = recent
        self.demo = demo  # makes the demo dataset (once) and returns its folder
        self.search = SynsetSearch(hierarchy)
        self.view: DatasetView | None = None
        self.dataset: DatasetKey | None = None  # the open dataset's identity (see identity.py)
        self.tree_model: SynsetTreeModel | None = None
        self.synset: int | None = None
        self.unlabelled_view: DatasetView | None = None  # set while showing them
        self.setWindowTitle("Synset Browser")
        self.resize(1500, 900)
        self._build()
        self.review_mode: ReviewMode = ReviewMode(
            self.grid, self.review_bar, self.statusBar(), self
        )
        self.navigator = Navigator(self.tree, self.breadcrumb, self._navigate, self)
        self.menus = WindowMenus(self, self)
        self.controls_wrap = fit_small_screens(self, self.path_label, self)
        # The menus' shortcuts (not the review keys': a text field keeps Ctrl+Z) work
        # wherever focus is; so do the mouse's back and forward buttons.
        self.input_filter = WindowInputFilter(self, self.go_back, self.go_forward)
        self.review_keys = ReviewKeys(self, self)
        self.previews: PreviewControl = PreviewControl(
            self.grid, self.grid_model, self, self._preview_caption, self.review_keys.handle
        )
        self.review.verdictsChanged.connect(self._verdicts_changed)
        self.review.failed.connect(self.review_mode.failed)
        self.grid_model.verdict_lookup = self.review.verdict_of
        self.grid_model.prediction_lookup = self.predictions.predicted_name
        if self.review.store.problem:
            self.statusBar().showMessage(
                f"Verdicts are read-only: {self.review.store.problem}", 60000
            )
        tasks.progress.connect(self.status.scan_progress)
        tasks.progress.connect(self.welcome.show_progress)
        tasks.opened.connect(self._opened)
        tasks.failed.connect(self.opener.failed)
        tasks.cancelled.connect(self.opener.cancelled)
        tasks.factsFilled.connect(self.status.hide_progress)
        tasks.factsFilled.connect(self.grid_fill.facts_filled)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.input_filter)

    # -- building -----------------------------------------------------------------------

    def _build(self) -> None:
        panes = BrowserPanes(self.loader, self, self.recent.file.parent, self.review)
        # The parts, by name: the window's code and its tests reach them here.
        self.search_box, self.tree, self.breadcrumb = panes.search_box, panes.tree, panes.breadcrumb
        self.exact_box, self.real_box, self.sort_box = (
            panes.exact_box,
            panes.real_box,
            panes.sort_box,
        )
        self.zoom_slider, self.review_bar = panes.zoom_slider, panes.review_bar
        self.grid_model, self.grid, self.empty_label = (
            panes.grid_model,
            panes.grid,
            panes.empty_label,
        )
        self.metadata, self.statistics, self.treemap = (
            panes.metadata,
            panes.statistics,
            panes.treemap,
        )
        self.side_tabs, self.splitter = panes.side_tabs, panes.splitter
        self.predictions = panes.predictions
        self.predictions.stateChanged.connect(lambda *_: self.grid_fill.predictions_changed())
        self.predictions.rowsChosen.connect(self.show_chosen_rows)
        self.predictions.message.connect(lambda text: self.statusBar().showMessage(text, 30000))
        self.predictions.grid_mode.currentIndexChanged.connect(lambda _: self.grid_fill.refill())
        self.statistics.cache_dir = self.tasks.cache_dir
        self.side_panels = SidePanels(
            self.side_tabs, self.metadata, self.statistics, self.treemap, self.review
        )

        self.search_box.synsetChosen.connect(self.select_synset)
        self.breadcrumb.synsetClicked.connect(self.select_synset)
        self.exact_box.toggled.connect(lambda _: self.grid_fill.refill())
        self.real_box.toggled.connect(lambda _: self.grid_fill.refill())
        self.sort_box.currentIndexChanged.connect(lambda _: self.grid_fill.refill())
        self.review_bar.filterChanged.connect(lambda *_: self.grid_fill.refill())
        self.review_bar.auditRequested.connect(self.audit_sample)
        self.grid.currentImageChanged.connect(lambda row: self.grid_fill.current_image(row))
        self.grid.doubleClicked.connect(lambda _: self.open_preview())
        self.grid.selectionModel().selectionChanged.connect(
            lambda *_: self.grid_fill.update_status()
        )
        self.metadata.synsetClicked.connect(self.select_synset)
        self.metadata.unlabelledRequested.connect(self.show_unlabelled)
        self.statistics.synsetClicked.connect(self.select_synset)
        self.treemap.synsetClicked.connect(self.select_synset)
        self.treemap.review_summary = self.review.summary  # what "Colour by" reads
        self.treemap.model_state = lambda: self.predictions.state
        self.review.verdictsChanged.connect(self.treemap.data_changed)
        self.predictions.stateChanged.connect(self.treemap.data_changed)
        self.side_tabs.currentChanged.connect(lambda _: self._show_statistics())

        self.welcome = WelcomePage(self.recent.load(), has_demo=self.demo is not None)
        self.welcome.openRequested.connect(self.choose_dataset)
        self.welcome.datasetChosen.connect(self.open_dataset)
        self.welcome.demoRequested.connect(self.open_demo)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.splitter)
        self.setCentralWidget(self.stack)

        self.status = StatusArea(self.statusBar(), self.tasks.cancel)
        self.path_label, self.shown_label = self.status.path_label, self.status.shown_label
        self.progress_bar, self.cancel_button = self.status.progress_bar, self.status.cancel_button
        self.grid_fill: GridFill = GridFill(self, panes, self.status, self.review)
        self.opener: DatasetOpener = DatasetOpener(
            self.tasks, self.welcome, self.status, self, self.demo
        )

    # -- datasets -----------------------------------------------------------------------

    def choose_dataset(self, layout: str = "auto", hierarchy: str = WORDNET) -> None:
        self.opener.choose(layout, hierarchy)

    def open_demo(self) -> None:
        self.opener.open_demo()

    def open_dataset(
        self,
        path: str,
        *,
        select: int | None = None,
        layout: str = "auto",
        hierarchy: str = WORDNET,
    ) -> None:
        """Open (scanning if needed) off the GUI thread; the window stays usable."""
        self.opener.open(path, select=select, layout=layout, hierarchy=hierarchy)

    def refresh(self) -> None:
        self.opener.refresh(self.view, self.synset)

    def _opened(self, view: DatasetView) -> None:
        self.status.hide_progress()
        self.welcome.end_scan()
        self.view = view
        self.dataset = new_dataset_key(view.index.root)
        self.unlabelled_view = None
        self.review.set_view(view, self.dataset)
        self.predictions.set_view(view)
        index = view.index
        self.recent.add(index.root)
        self.loader.cache.use_precomputed(self.tasks.cache_dir, index.root)  # issue 18
        self.metadata.show_dataset(view, self.review.store.problem)
        self.real_box.setVisible(index.real is not None)
        if index.real is None:
            self.real_box.setChecked(False)
        previous = self.tree_model
        self.tree_model = SynsetTreeModel(view, self)
        self.tree_model.error_rate = self.side_panels.error_rate
        self.tree_model.error_sample = self.side_panels.error_sample
        self.tree_model.model_metric = self.predictions.synset_metric
        self.navigator.set_model(
            self.tree_model,
            errors_shown=self.menus.errors_column.isChecked(),
            model_columns_shown=self.menus.model_columns.isChecked(),
        )
        if previous is not None:
            # Parented to the window, it would otherwise keep the last dataset alive.
            previous.deleteLater()
        self.search_box.set_source(self.search, view.counts.images)
        self.stack.setCurrentWidget(self.splitter)
        self.setWindowTitle(window_title(view))
        self.path_label.setText(dataset_caption(view))
        notes = [*index.notes, *self.review.notices]  # e.g. an unsaved index, carried verdicts
        if notes:
            self.statusBar().showMessage("  ·  ".join(notes), 30000)
        target = landing_synset(view, self.opener.request.select, self.hierarchy)
        self.opener.request.select = None
        if view.hierarchy is not self.hierarchy:  # search the dataset's own hierarchy
            self.hierarchy = view.hierarchy
            self.search = SynsetSearch(view.hierarchy)
            self.search_box.set_source(self.search, view.counts.images)
        if view.counts.images[target] > 0:
            self.select_synset(target)
        else:
            self.grid_fill.show(index, view.rows(target)[:0], show_class=False)
            self.grid_fill.update_status()
        self.tasks.fill_facts(index)
        self.tasks.warm_search(self.search)

    # -- navigation ---------------------------------------------------------------------

    def select_synset(
        self, synset: int, *, record: bool = True, path: list[int] | None = None
    ) -> None:
        """Show ``synset``: grid, breadcrumb, panel, and its row in the tree."""
        self.unlabelled_view = None
        view = self.view
        if view is None or view.counts.images[synset] == 0:
            self.statusBar().showMessage("No images at or below that synset", 4000)
            return
        self.synset = synset
        self.navigator.go_to(view, synset, path, record)
        self._show_synset_facts()
        self._show_statistics()
        self.grid_fill.refill()
        self.navigator.reveal()

    def _navigate(self, synset: int, path: list[int] | None, record: bool) -> None:
        self.select_synset(synset, record=record, path=path)

    @property
    def paths(self) -> list[list[int]]:
        """The hypernym paths (with images) of the synset shown; see :class:`Navigator`."""
        return self.navigator.paths

    @property
    def path_choice(self) -> int:
        return self.navigator.choice

    def go_back(self) -> None:
        self.navigator.back()

    def go_forward(self) -> None:
        self.navigator.forward()

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # -- grid ---------------------------------------------------------------------------

    # -- review -------------------------------------------------------------------------

    def _show_statistics(self) -> None:
        if self.view is not None and self.synset is not None:
            self.side_panels.show_charts(self.view, self.synset)

    def _show_synset_facts(self) -> None:
        if self.view is None or self.synset is None or self.unlabelled_view is not None:
            return
        self.side_panels.show_facts(self.view, self.synset, self.paths)
        self.predictions.show_synset(self.synset)

    def show_errors_column(self, on: bool) -> None:
        self.tree.setColumnHidden(ERRORS_COLUMN, not on)

    def show_model_columns(self, on: bool) -> None:
        for column in MODEL_COLUMNS:
            self.tree.setColumnHidden(column, not on)

    def _verdicts_changed(self) -> None:
        self.review_bar.show_problem("")
        self.grid.viewport().update()
        if self.side_panels.statistics_shown():
            self._show_statistics()
        self.tree.viewport().update()
        self._show_synset_facts()
        self.grid_fill.current_image(self.grid.current_image_row())
        self.previews.refresh_caption()

    def audit_sample(self, per_class: int | None = None) -> None:
        """Review a reproducible sample of the synset's images: ``per_class`` per class at
        once, or as chosen in the Audit sample dialog."""
        view, synset = self.view, self.synset
        if view is None or synset is None:
            return
        if per_class is None:
            summary = self.review.summary()
            self.audit_dialog = self.review_mode.ask_for_sample(
                view, synset, summary, self.show_audit_rows, self.predictions.state
            )
            return
        rows = audit_sample(view, synset, per_class)
        self.show_audit_rows(rows, f"up to {per_class} per class, seed {DEFAULT_SEED}")

    def show_audit_rows(self, rows: np.ndarray, description: str) -> None:
        """Fill the grid with an audit sample and switch review on."""
        self.grid_fill.show_audit_rows(rows, description)

    def show_unlabelled(self) -> None:
        """Fill the grid with the images that have no synset (they are in no tree node)."""
        self.grid_fill.show_unlabelled()

    def show_chosen_rows(self, rows: np.ndarray, title: str, review: bool) -> None:
        """Show these rows (a confusion cell, the suspects in order), reviewing them if asked."""
        self.grid_fill.show_chosen_rows(rows, title, review)

    def open_export(self) -> ExportDialog | None:
        """The Export dialog for the selected synset, or the images selected in the grid."""
        view, synset = self.view, self.synset
        if view is None or synset is None or self.unlabelled_view is not None:
            return None
        dialog = export_dialog(
            view, synset, self.grid, self.grid_model, self.tree, self.review, self
        )
        dialog.show()
        return dialog

    def open_duplicates(self) -> DuplicatesDialog | None:
        """Near-duplicate groups under the selected synset; a chosen group fills the grid."""
        return self.grid_fill.open_duplicates(self.tasks.cache_dir, self)

    def open_preview(self) -> None:
        if self.view is not None:
            self.previews.open()

    @property
    def preview(self) -> PreviewDialog | None:
        return self.previews.dialog

    def _preview_caption(self, position: int) -> str:
        return preview_caption(
            self.grid_model,
            self.unlabelled_view or self.view,
            self.review,
            self.dataset,
            position,
            reviewing=self.review_bar.reviewing,
        )

    # -- closing ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.input_filter)
        self.tasks.shutdown()
        self.loader.shutdown()
        self.statistics.stop()
        self.predictions.stop()
        super().closeEvent(event)
