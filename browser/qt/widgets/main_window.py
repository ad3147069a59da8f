"""MainWindow: search + synset tree | breadcrumb + thumbnail grid | metadata panel.

The window receives its services (hierarchy, dataset tasks, thumbnail loader, recent list)
in ``__init__``, so tests build it with small real ones and no global state.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from browser.core.browse import DatasetView, SortKey
from browser.core.filenames import display
from browser.core.hierarchy import Hierarchy
from browser.core.hierarchychoice import WORDNET
from browser.core.index import DatasetIndex
from browser.core.recent import RecentDatasets
from browser.core.sampling import DEFAULT_SEED, audit_sample
from browser.core.scanner import ScanProgress
from browser.core.search import SynsetSearch
from browser.qt.identity import DatasetKey, new_dataset_key
from browser.qt.models.grid_model import FAILURE_ROLE, ImageGridModel
from browser.qt.models.tree_model import (
    ERRORS_COLUMN,
    MODEL_COLUMNS,
    SYNSET_ROLE,
    SynsetTreeModel,
)
from browser.qt.review import NOT_REVIEWED, ReviewController
from browser.qt.thumbs import ThumbnailLoader
from browser.qt.widgets.breadcrumb import Breadcrumb
from browser.qt.widgets.charts import StatisticsPanel
from browser.qt.widgets.duplicates_dialog import DuplicatesDialog
from browser.qt.widgets.export_dialog import ExportDialog
from browser.qt.widgets.grid_view import MAX_ZOOM, MIN_ZOOM, ThumbnailGrid
from browser.qt.widgets.menus import WindowMenus
from browser.qt.widgets.metadata import MetadataPanel, verdict_words
from browser.qt.widgets.predictions_panel import PredictionsPanel
from browser.qt.widgets.preview import PreviewDialog
from browser.qt.widgets.review_bar import KEYS_HELP, ReviewBar
from browser.qt.widgets.review_keys import ReviewKeys
from browser.qt.widgets.search_box import SearchBox
from browser.qt.widgets.treemap_view import TreemapView
from browser.qt.widgets.welcome import WelcomePage
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
        self.paths: list[list[int]] = []
        self.path_choice = 0
        self.history: list[int] = []
        self.history_at = -1
        self.pending_select: int | None = None
        self.layout_choice = "auto"  # how the open dataset was asked to be read (for Refresh)
        self.hierarchy_choice = WORDNET
        self.unlabelled_view: DatasetView | None = None  # set while showing them
        self.preview: PreviewDialog | None = None
        self.setWindowTitle("Synset Browser")
        self.resize(1500, 900)
        self._build()
        self.menus = WindowMenus(self)
        # The menus' shortcuts work wherever focus is: a text field must not keep one for
        # itself (with X11 key bindings a line edit takes Ctrl+E as "end of line").
        self.app_shortcuts = {
            action.shortcut().toString()
            for action in self.findChildren(QAction)
            if not action.shortcut().isEmpty()
            and action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
            and action.shortcut()[0].keyboardModifiers()  # type: ignore[index]
            & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        }
        self.review_keys = ReviewKeys(self)
        self.review.verdictsChanged.connect(self._verdicts_changed)
        self.review.failed.connect(self._review_failed)
        self.grid_model.verdict_lookup = self.review.verdict_of
        self.grid_model.prediction_lookup = self.predictions.predicted_name
        if self.review.store.problem:
            self.statusBar().showMessage(
                f"Verdicts are read-only: {self.review.store.problem}", 60000
            )
        tasks.progress.connect(self._progress)
        tasks.opened.connect(self._opened)
        tasks.failed.connect(self._failed)
        tasks.cancelled.connect(self._scan_cancelled)
        tasks.factsFilled.connect(self._facts_filled)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- building -----------------------------------------------------------------------

    def _build(self) -> None:
        self.search_box = SearchBox()
        self.search_box.synsetChosen.connect(self.select_synset)
        self.tree = QTreeView()
        self.tree.setUniformRowHeights(True)
        self.tree.setSortingEnabled(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setIndentation(12)
        # Extended: Ctrl+click selects several synsets to export together.
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 0, 4)
        left_layout.addWidget(self.search_box)
        left_layout.addWidget(self.tree, 1)

        self.breadcrumb = Breadcrumb()
        self.breadcrumb.synsetClicked.connect(self.select_synset)
        self.breadcrumb.pathChosen.connect(self._choose_path)
        self.exact_box = QCheckBox("Only this synset")
        self.exact_box.setToolTip("Show only images labelled exactly this synset, not below it")
        self.exact_box.toggled.connect(lambda _: self._refill_grid())
        self.real_box = QCheckBox("Only where ReaL disagrees")
        self.real_box.setToolTip(
            "Show only validation images whose label is not among their ImageNet ReaL labels"
        )
        self.real_box.toggled.connect(lambda _: self._refill_grid())
        self.real_box.hide()  # until a dataset with a real.json is open
        self.sort_box = QComboBox()
        for key in SortKey:
            self.sort_box.addItem(f"Sort by {key.value}", key)
        self.sort_box.currentIndexChanged.connect(lambda _: self._refill_grid())
        self.zoom_slider = QSlider(Qt.Orientation.Horizontal)
        self.zoom_slider.setRange(MIN_ZOOM, MAX_ZOOM)
        self.zoom_slider.setValue(128)
        self.zoom_slider.setFixedWidth(160)
        self.zoom_slider.setToolTip("Thumbnail size (Ctrl+wheel, Ctrl++ / Ctrl+-)")
        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        controls.addWidget(self.exact_box)
        controls.addWidget(self.real_box)
        controls.addWidget(self.sort_box)
        self.review_bar = ReviewBar()
        self.review_bar.reviewToggled.connect(self._review_toggled)
        self.review_bar.filterChanged.connect(self._refill_grid)
        self.review_bar.auditRequested.connect(self.audit_sample)
        controls.addWidget(self.review_bar)
        # The model's suspects: its tab, the grid's order/filter, images it picks (issue 16).
        self.predictions = PredictionsPanel(self.recent.file.parent, self.review)
        self.predictions.stateChanged.connect(self._predictions_changed)
        self.predictions.rowsChosen.connect(self.show_chosen_rows)
        self.predictions.message.connect(lambda text: self.statusBar().showMessage(text, 30000))
        self.predictions.grid_mode.currentIndexChanged.connect(lambda _: self._refill_grid())
        controls.addWidget(self.predictions.grid_mode)
        controls.addStretch(1)
        controls.addWidget(QLabel("Zoom"))
        controls.addWidget(self.zoom_slider)

        self.grid_model = ImageGridModel(self.loader, self)
        self.grid = ThumbnailGrid(self.grid_model)
        self.zoom_slider.valueChanged.connect(self.grid.set_zoom)
        self.grid.zoomChanged.connect(self._zoom_changed)
        self.grid.currentImageChanged.connect(self._current_image)
        self.grid.currentImageChanged.connect(self._follow_in_preview)
        self.grid.doubleClicked.connect(lambda _: self.open_preview())
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._update_status())
        self.empty_label = QLabel("No images here.", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 4, 0, 4)
        centre_layout.addWidget(self.breadcrumb)
        centre_layout.addLayout(controls)
        centre_layout.addWidget(self.grid, 1)
        centre_layout.addWidget(self.empty_label)

        self.metadata = MetadataPanel()
        self.metadata.synsetClicked.connect(self.select_synset)
        self.metadata.unlabelledRequested.connect(self.show_unlabelled)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(centre)
        self.statistics = StatisticsPanel()
        self.statistics.cache_dir = self.tasks.cache_dir
        self.statistics.synsetClicked.connect(self.select_synset)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.metadata, "Facts")
        self.side_tabs.addTab(self.statistics, "Statistics")
        self.treemap = TreemapView()
        self.treemap.synsetClicked.connect(self.select_synset)
        self.side_tabs.addTab(self.treemap, "Map")
        self.side_tabs.addTab(self.predictions, "Model")
        self.side_tabs.currentChanged.connect(lambda _: self._show_statistics())
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setSizes([400, 760, 340])
        self.splitter.setStretchFactor(1, 1)

        self.welcome = WelcomePage(self.recent.load(), has_demo=self.demo is not None)
        self.welcome.openRequested.connect(self.choose_dataset)
        self.welcome.datasetChosen.connect(self.open_dataset)
        self.welcome.demoRequested.connect(self.open_demo)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.splitter)
        self.setCentralWidget(self.stack)

        status = self.statusBar()
        self.path_label = QLabel()
        self.shown_label = QLabel()
        self.selection_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(260)
        self.progress_bar.setFormat("%v / %m")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.tasks.cancel)
        self.progress_label = QLabel()
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            widget.hide()
        status.addWidget(self.path_label, 1)
        status.addPermanentWidget(self.progress_label)
        status.addPermanentWidget(self.progress_bar)
        status.addPermanentWidget(self.cancel_button)
        status.addPermanentWidget(self.shown_label)
        status.addPermanentWidget(self.selection_label)

    # -- datasets -----------------------------------------------------------------------

    def choose_dataset(self, layout: str = "auto", hierarchy: str = WORDNET) -> None:
        title = "Open dataset folder" if layout == "auto" else f"Open dataset folder as {layout}"
        folder = QFileDialog.getExistingDirectory(self, title)
        if folder:
            self.open_dataset(folder, layout=layout, hierarchy=hierarchy)

    def open_demo(self) -> None:
        if self.demo is not None:
            self.open_dataset(self.demo())

    def open_dataset(
        self,
        path: str,
        *,
        select: int | None = None,
        layout: str = "auto",
        hierarchy: str = WORDNET,
    ) -> None:
        """Open (scanning if needed) off the GUI thread; the window stays usable."""
        self.pending_select = select
        self.layout_choice = layout
        self.hierarchy_choice = hierarchy
        self.path_label.setText(f"Opening {path}…")
        self._show_progress("Scanning", 0, 0)
        self.tasks.open(path, layout=layout, hierarchy=hierarchy)

    def refresh(self) -> None:
        if self.view is not None:
            self.pending_select = self.synset
            self._show_progress("Refreshing", 0, 0)
            self.tasks.open(
                self.view.index.root,
                refresh=True,
                layout=self.layout_choice,
                hierarchy=self.hierarchy_choice,
            )

    def _show_progress(self, label: str, done: int, total: int) -> None:
        self.progress_label.setText(label)
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            widget.show()

    def _hide_progress(self) -> None:
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            widget.hide()

    def _progress(self, progress: ScanProgress) -> None:
        label = "Scanning folders" if progress.phase == "listing" else "Reading file sizes"
        self._show_progress(label, progress.done, progress.total)
        if progress.done >= progress.total:
            self._hide_progress()

    def _opened(self, view: DatasetView) -> None:
        self._hide_progress()
        self.view = view
        self.dataset = new_dataset_key(view.index.root)
        self.unlabelled_view = None
        self.review.set_view(view, self.dataset)
        self.predictions.set_view(view)
        index = view.index
        self.recent.add(index.root)
        self.metadata.show_dataset(view, self.review.store.problem)
        self.real_box.setVisible(index.real is not None)
        if index.real is None:
            self.real_box.setChecked(False)
        previous = self.tree_model
        self.tree_model = SynsetTreeModel(view, self)
        self.tree_model.error_rate = self._error_rate
        self.tree.setModel(self.tree_model)
        self.tree.setColumnHidden(ERRORS_COLUMN, not self.menus.errors_column.isChecked())
        self.tree_model.model_metric = self.predictions.synset_metric
        self.show_model_columns(self.menus.model_columns.isChecked())
        if previous is not None:
            # Parented to the window, it would otherwise keep the last dataset alive.
            previous.deleteLater()
        self.tree.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column in (1, 2, ERRORS_COLUMN, *MODEL_COLUMNS):
            header.setSectionResizeMode(column, header.ResizeMode.ResizeToContents)
        self.tree.selectionModel().currentChanged.connect(self._tree_current)
        self.tree.expand(self.tree_model.index(0, 0))  # show the first level under entity
        self.search_box.set_source(self.search, view.counts.images)
        self.stack.setCurrentWidget(self.splitter)
        self.setWindowTitle(f"{os.path.basename(index.root)} — Synset Browser")
        self.path_label.setText(
            f"{index.root}  ·  {len(index):,} images in {len(index.class_nodes):,} classes"
        )
        self.history, self.history_at = [], -1
        notes = [*index.notes, *self.review.notices]  # e.g. an unsaved index, carried verdicts
        if notes:
            self.statusBar().showMessage("  ·  ".join(notes), 30000)
        target = self.pending_select
        if view.hierarchy is not self.hierarchy:
            # Another hierarchy (ImageNet's files, the folder tree, a taxonomy file), or the
            # same kind rebuilt by a refresh: search it, and find the pending node by its id.
            if target is not None:
                target = view.hierarchy.find(self.hierarchy.wnid(target))
            self.hierarchy = view.hierarchy
            self.search = SynsetSearch(view.hierarchy)
            self.search_box.set_source(self.search, view.counts.images)
        if target is None or view.counts.images[target] == 0:
            target = view.hierarchy.root
        self.pending_select = None
        if view.counts.images[target] > 0:
            self.select_synset(target)
        else:
            self._show_rows(index, view.rows(target)[:0], show_class=False)
            self._update_status()
        self.tasks.fill_facts(index)
        self.tasks.warm_search(self.search)

    def _failed(self, message: str) -> None:
        self._hide_progress()
        self.path_label.setText("")
        QMessageBox.warning(self, "Cannot open dataset", message)

    def _scan_cancelled(self) -> None:
        self._hide_progress()
        self.statusBar().showMessage("Scan cancelled", 5000)

    def _facts_filled(self) -> None:
        self._hide_progress()
        if self.sort_box.currentData() is SortKey.SIZE:
            self._refill_grid()
        else:  # file sizes in the panel are known now
            self._current_image(self.grid.current_image_row())

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
        if record and (not self.history or self.history[self.history_at] != synset):
            del self.history[self.history_at + 1 :]
            self.history.append(synset)
            self.history_at = len(self.history) - 1
        self.synset = synset
        self.paths = [
            p
            for p in view.hierarchy.hypernym_paths(synset)
            if all(view.counts.images[s] > 0 for s in p)
        ]
        self.path_choice = self.paths.index(path) if path in self.paths else 0
        self._show_breadcrumb()
        self._show_synset_facts()
        self._show_statistics()
        self._refill_grid()
        self._reveal(self.paths[self.path_choice])

    def _show_breadcrumb(self) -> None:
        self.breadcrumb.show_path(self.hierarchy, self.paths, self.path_choice)

    def _choose_path(self, number: int) -> None:
        self.path_choice = number
        self._show_breadcrumb()
        self._reveal(self.paths[number])

    def _reveal(self, path: list[int]) -> None:
        if self.tree_model is None:
            return
        index = self.tree_model.index_for_path(path)
        if not index.isValid():
            return
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        if self.tree.currentIndex() != index:
            self.tree.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.tree.scrollTo(index)

    def _tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.tree_model is None or not current.isValid():
            return
        synset = self.tree_model.synset(current)
        if synset is None:
            return
        path = []
        walk = current.siblingAtColumn(0)
        while walk.isValid():
            path.append(self.tree_model.synset(walk))
            walk = walk.parent()
        path.reverse()
        if synset != self.synset or path != self.paths[self.path_choice]:
            self.select_synset(synset, path=path)  # type: ignore[arg-type]

    def go_back(self) -> None:
        if self.history_at > 0:
            self.history_at -= 1
            self.select_synset(self.history[self.history_at], record=False)

    def go_forward(self) -> None:
        if self.history_at + 1 < len(self.history):
            self.history_at += 1
            self.select_synset(self.history[self.history_at], record=False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QWidget)
            and watched.window() is self
            and QKeySequence(event.keyCombination()).toString() in self.app_shortcuts
        ):
            event.ignore()  # not the focus widget's: the window's shortcut fires
            return True
        # The mouse's back/forward buttons work wherever the pointer is in this window; the
        # child widgets that would receive the click do not know about history.
        if (
            event.type() == QEvent.Type.MouseButtonPress
            and isinstance(watched, QWidget)
            and watched.window() is self
            and isinstance(event, QMouseEvent)
        ):
            if event.button() == Qt.MouseButton.BackButton:
                self.go_back()
                return True
            if event.button() == Qt.MouseButton.ForwardButton:
                self.go_forward()
                return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # -- grid ---------------------------------------------------------------------------

    def _refill_grid(self) -> None:
        if self.unlabelled_view is not None:  # a new sort while showing them
            self.show_unlabelled()
            return
        view, synset = self.view, self.synset
        if view is None or synset is None:
            return
        exact = self.exact_box.isChecked()
        rows = view.rows(synset, exact=exact, sort=self.sort_box.currentData())
        real = view.index.real
        if real is not None and self.real_box.isChecked():
            rows = rows[real.disagree[rows]]
        kind = self.review_bar.filter_kind()
        if kind is not None:
            reviewed = self.review.rows_with("" if kind == NOT_REVIEWED else kind)
            rows = rows[np.isin(rows, reviewed, invert=kind == NOT_REVIEWED)]
        rows = self.predictions.apply(rows)
        leaf = not view.has_children(synset)
        self._show_rows(view.index, rows, show_class=not (exact or leaf))
        self._after_refill(len(rows))

    def _show_rows(self, index: DatasetIndex, rows: np.ndarray, *, show_class: bool) -> None:
        """The one way rows reach the grid: always with the open dataset's identity. A
        preview of the rows before would step through positions that now hold others."""
        assert self.dataset is not None
        if self.preview is not None:
            self.preview.close()
            self.preview = None
        self.grid_model.set_rows(self.dataset, index, rows, show_class=show_class)

    # -- review -------------------------------------------------------------------------

    def _show_statistics(self) -> None:
        """Fill the Statistics or Map tab, whichever is shown (only then: the charts of
        entity cost a pass over every image)."""
        view, synset, shown = self.view, self.synset, self.side_tabs.currentWidget()
        if view is None or synset is None:
            return
        if shown is self.statistics:
            summary = self.review.summary()
            estimate = summary.node(synset) if summary is not None else None
            self.statistics.show_synset(view, synset, estimate)
        elif shown is self.treemap:
            self.treemap.show_synset(view, synset)

    def _show_synset_facts(self) -> None:
        if self.view is None or self.synset is None or self.unlabelled_view is not None:
            return
        summary = self.review.summary()
        estimate = summary.node(self.synset) if summary is not None else None
        self.metadata.show_synset(self.view, self.synset, self.paths, estimate)
        self.predictions.show_synset(self.synset)

    def _error_rate(self, synset: int) -> float | None:
        summary = self.review.summary()
        return summary.error_rate(synset) if summary is not None else None

    def show_errors_column(self, on: bool) -> None:
        self.tree.setColumnHidden(ERRORS_COLUMN, not on)

    def show_model_columns(self, on: bool) -> None:
        for column in MODEL_COLUMNS:
            self.tree.setColumnHidden(column, not on)

    def _review_failed(self, message: str) -> None:
        """Shown at once, where the reviewer looks: beside the review switch and below."""
        self.review_bar.show_problem(message)
        self.statusBar().showMessage(message, 30000)

    def _verdicts_changed(self) -> None:
        self.review_bar.show_problem("")
        self.grid.viewport().update()
        if self.side_tabs.currentWidget() is self.statistics:
            self._show_statistics()
        self.tree.viewport().update()
        self._show_synset_facts()
        self._current_image(self.grid.current_image_row())
        if self.preview is not None and self.preview.isVisible():
            self.preview.refresh_caption()

    def _review_toggled(self, on: bool) -> None:
        if on:
            self._zoom_before_review = self.grid.zoom
            self.grid.set_zoom(max(self.grid.zoom, 256))
            self.statusBar().showMessage(KEYS_HELP, 20000)
            self.grid.setFocus()
        else:
            self.grid.set_zoom(getattr(self, "_zoom_before_review", self.grid.zoom))

    def audit_sample(self, per_class: int | None = None) -> None:
        """Review a reproducible random sample of ``per_class`` images per class."""
        view, synset = self.view, self.synset
        if view is None or synset is None:
            return
        if per_class is None:
            per_class, ok = QInputDialog.getInt(
                self, "Audit sample", "Images per class:", 10, 1, 100_000
            )
            if not ok:
                return
        rows = audit_sample(view, synset, per_class)
        self._show_rows(view.index, rows, show_class=view.has_children(synset))
        self._after_refill(len(rows))
        self.review_bar.review_button.setChecked(True)
        classes = len(np.unique(view.index.labels[rows]))
        self.statusBar().showMessage(
            f"Audit sample: {len(rows):,} images, up to {per_class} from each of {classes:,} "
            f"classes (seed {DEFAULT_SEED}: the same sample every time)",
            20000,
        )

    def _after_refill(self, count: int) -> None:
        self.grid.scrollToTop()
        self.empty_label.setVisible(count == 0)
        self.grid.setVisible(count > 0)
        if count:
            self.grid.set_current_position(0)
        else:
            self.metadata.clear_image()
        self._update_status()

    def _current_image(self, row: int) -> None:
        """Show the facts of the current image (row -1: none): a row of the index the grid
        shows, described from that same index, with the verdict on that image."""
        view = self.unlabelled_view or self.view
        if view is None or row < 0 or self.grid_model.index_ is not view.index:
            self.metadata.clear_image()
            return
        failure = self.grid.currentIndex().data(FAILURE_ROLE)
        verdict = self.review.verdict_of(self.dataset, view.index.relpath(row))
        self.metadata.show_image(view, row, failure, verdict)
        self.predictions.show_image(row)

    def show_unlabelled(self) -> None:
        """Fill the grid with the images that have no synset (they are in no tree node)."""
        unlabelled = self.view.index.unlabelled if self.view is not None else None
        if unlabelled is None:
            return
        if self.unlabelled_view is None or self.unlabelled_view.index is not unlabelled:
            self.unlabelled_view = DatasetView(unlabelled)
        self.tree.clearSelection()
        self.breadcrumb.show_text("Images without a label")
        self.metadata.show_unlabelled(unlabelled)
        rows = self.unlabelled_view.rows(
            unlabelled.hierarchy.root, sort=self.sort_box.currentData()
        )
        self._show_rows(unlabelled, rows, show_class=False)
        self._after_refill(len(rows))

    def _zoom_changed(self, pixels: int) -> None:
        if self.zoom_slider.value() != pixels:
            self.zoom_slider.setValue(pixels)

    def _update_status(self) -> None:
        self.shown_label.setText(f"{self.grid_model.count():,} images shown")
        selected = self.grid.selected_count()
        self.selection_label.setText(f"{selected:,} selected" if selected else "")

    def open_export(self) -> ExportDialog | None:
        """The Export dialog for the selected synset, or the images selected in the grid."""
        view, synset = self.view, self.synset
        if view is None or synset is None or self.unlabelled_view is not None:
            return None
        model = self.grid_model
        images = []
        if self.grid.selected_count() > 1:
            images = [
                view.index.relpath(model.image_row(position))
                for first, last in self.grid.selected_positions()
                for position in range(first, last + 1)
            ]
        # Several synsets selected in the tree (Ctrl+click): all of them.
        chosen = self.tree.selectionModel().selectedRows(0)
        synsets = (
            sorted({int(i.data(SYNSET_ROLE)) for i in chosen}) if len(chosen) > 1 else [synset]
        )
        dialog = ExportDialog(view, synsets, images, dict(self.review.by_relpath), self)
        dialog.show()
        return dialog

    def open_duplicates(self) -> DuplicatesDialog | None:
        """Near-duplicate groups under the selected synset; a chosen group fills the grid."""
        view, synset = self.view, self.synset
        if view is None or synset is None:
            return None
        dialog = DuplicatesDialog(view, synset, self.tasks.cache_dir, self)
        dialog.groupChosen.connect(self._show_group)
        dialog.show()
        return dialog

    def _predictions_changed(self) -> None:
        self.tree.viewport().update()
        self._refill_grid()
        self.grid.viewport().update()

    def show_chosen_rows(self, rows: np.ndarray, title: str, review: bool) -> None:
        """Show these rows (a confusion cell, the suspects in order), reviewing them if asked."""
        if self.view is None:
            return
        self.unlabelled_view = None
        self.breadcrumb.show_text(title)
        self._show_rows(self.view.index, np.asarray(rows, dtype=np.int64), show_class=True)
        self._after_refill(len(rows))
        if review:
            self.review_bar.review_button.setChecked(True)

    def _show_group(self, rows: list[int]) -> None:
        if self.view is None:
            return
        self.unlabelled_view = None
        self.breadcrumb.show_text("Duplicate group")
        self._show_rows(self.view.index, np.array(rows, dtype=np.int64), show_class=True)
        self._after_refill(len(rows))

    def open_preview(self) -> None:
        position = self.grid.current_position()
        if self.view is None or position < 0:
            return
        model = self.grid_model
        if self.preview is not None:
            self.preview.close()
        self.preview = PreviewDialog(
            model.count(),
            lambda p: model.index_.path(model.image_row(p)),  # type: ignore[union-attr]
            position,
            self,
            caption_of=self._preview_caption,
            review_key=self.review_keys.handle,
        )
        self.preview.positionChanged.connect(self.grid.set_current_position)
        self.preview.show()
        self.preview.activateWindow()

    def _preview_caption(self, position: int) -> str:
        """What the preview says under the image: its label, then its verdict."""
        model, view = self.grid_model, self.unlabelled_view or self.view
        relpath = model.relpath_at(position)
        if view is None or relpath is None or model.index_ is not view.index:
            return ""
        row = model.image_row(position)
        index = view.index
        if index.is_unlabelled:
            return f"  {display(relpath)} — no label"
        label = view.hierarchy.name(int(index.labels[row]))
        verdict = self.review.verdict_of(self.dataset, relpath)
        said = "not reviewed" if verdict is None else verdict_words(verdict.verdict)
        if verdict is not None and verdict.note:
            said += " · note: " + display(verdict.note.splitlines()[0])[:80]
        keys = "   (1–5, 0: verdict · N note · Ctrl+Z undo)" if self.review_bar.reviewing else ""
        return f"  Label: {label}    Verdict: {said}{keys}"

    def _follow_in_preview(self, _row: int) -> None:
        if self.preview is not None and self.preview.isVisible():
            self.preview.follow(self.grid.current_position())

    # -- closing ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.tasks.shutdown()
        self.loader.shutdown()
        self.statistics.stop()
        self.predictions.stop()
        super().closeEvent(event)
