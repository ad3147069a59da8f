"""The browsing page's widgets and their layout: search and tree on the left; breadcrumb,
controls and thumbnail grid in the centre; Facts, Statistics and Map tabs on the right.

Only how the widgets sit and talk to each other is decided here (the zoom slider and the
grid follow each other); what they do for the window is wired by the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from browser.core.dataset.view import SortKey
from browser.qt.models.grid_model import ImageGridModel
from browser.qt.review import ReviewController
from browser.qt.thumbs import ThumbnailLoader
from browser.qt.widgets.breadcrumb import Breadcrumb
from browser.qt.widgets.charts import StatisticsPanel
from browser.qt.widgets.grid_view import MAX_ZOOM, MIN_ZOOM, ThumbnailGrid
from browser.qt.widgets.metadata import MetadataPanel
from browser.qt.widgets.predictions_panel import PredictionsPanel
from browser.qt.widgets.review_bar import ReviewBar
from browser.qt.widgets.search_box import SearchBox
from browser.qt.widgets.synset_tree import SynsetTree
from browser.qt.widgets.treemap_view import TreemapView


class BrowserPanes:
    """Every widget of the browsing page; ``splitter`` holds them all."""

    def __init__(
        self,
        loader: ThumbnailLoader,
        model_parent: QObject,
        data_dir: Path,
        review: ReviewController,
    ) -> None:
        self.search_box = SearchBox()
        self.tree = SynsetTree()
        self.breadcrumb = Breadcrumb()
        self.exact_box = QCheckBox("Only this synset")
        self.exact_box.setToolTip("Show only images labelled exactly this synset, not below it")
        self.real_box = QCheckBox("Only where ReaL disagrees")
        self.real_box.setToolTip(
            "Show only validation images whose label is not among their ImageNet ReaL labels"
        )
        self.real_box.hide()  # until a dataset with a real.json is open
        self.sort_box = QComboBox()
        for key in SortKey:
            self.sort_box.addItem(f"Sort by {key.value}", key)
        self.zoom_slider = QSlider(Qt.Orientation.Horizontal)
        self.zoom_slider.setRange(MIN_ZOOM, MAX_ZOOM)
        self.zoom_slider.setValue(128)
        self.zoom_slider.setFixedWidth(160)
        self.zoom_slider.setToolTip("Thumbnail size (Ctrl+wheel, Ctrl++ / Ctrl+-)")
        self.review_bar = ReviewBar()
        # The model's suspects: its tab, the grid's order and filter (issue 16).
        self.predictions = PredictionsPanel(data_dir, review)
        self.grid_model = ImageGridModel(loader, model_parent)
        self.grid = ThumbnailGrid(self.grid_model)
        self.zoom_slider.valueChanged.connect(self.grid.set_zoom)
        self.grid.zoomChanged.connect(self._zoom_changed)
        self.empty_label = QLabel("No images here.", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        self.metadata = MetadataPanel()
        self.statistics = StatisticsPanel()
        self.treemap = TreemapView()
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.metadata, "Facts")
        self.side_tabs.addTab(self.statistics, "Statistics")
        self.side_tabs.addTab(self.treemap, "Map")
        self.side_tabs.addTab(self.predictions, "Model")
        self.splitter = QSplitter()
        self.splitter.addWidget(self._left())
        self.splitter.addWidget(self._centre())
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setSizes([400, 760, 340])
        self.splitter.setStretchFactor(1, 1)

    def _left(self) -> QWidget:
        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(4, 4, 0, 4)
        layout.addWidget(self.search_box)
        layout.addWidget(self.tree, 1)
        return left

    def _centre(self) -> QWidget:
        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        controls.addWidget(self.exact_box)
        controls.addWidget(self.real_box)
        controls.addWidget(self.sort_box)
        controls.addWidget(self.review_bar)
        controls.addWidget(self.predictions.grid_mode)
        controls.addStretch(1)
        controls.addWidget(QLabel("Zoom"))
        controls.addWidget(self.zoom_slider)
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.breadcrumb)
        layout.addLayout(controls)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.empty_label)
        return centre

    def _zoom_changed(self, pixels: int) -> None:
        if self.zoom_slider.value() != pixels:
            self.zoom_slider.setValue(pixels)
