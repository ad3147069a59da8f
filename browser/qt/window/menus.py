"""The main window's menus: File (open, open with a layout or hierarchy, recent, demo,
refresh, quit) and Go (back, forward, find, preview).

Kept apart from the window so the window holds what it shows; the menus only call its
public methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QSplitter, QWidget

from browser.core.dataset.hierarchychoice import FOLDERS, IMAGENET_FILES
from browser.core.dataset.layouts import LAYOUT_CHOICES
from browser.qt.window.fitting import add_pane_toggles

if TYPE_CHECKING:
    from browser.core.recent import RecentDatasets
    from browser.qt.widgets.grid_view import ThumbnailGrid
    from browser.qt.widgets.predictions_panel import PredictionsPanel
    from browser.qt.widgets.synset_tree import SynsetTree


class MenuHost(Protocol):
    """What the menus call: the window implements it (menus never import the window)."""

    demo: Callable[[], str] | None
    splitter: QSplitter
    tree: SynsetTree
    predictions: PredictionsPanel
    recent: RecentDatasets
    grid: ThumbnailGrid

    def close(self) -> bool: ...
    def choose_dataset(self, layout: str = ..., hierarchy: str = ...) -> None: ...
    def open_dataset(self, path: str) -> None: ...
    def open_demo(self) -> None: ...
    def open_export(self) -> object: ...
    def open_duplicates(self) -> object: ...
    def open_preview(self) -> None: ...
    def refresh(self) -> None: ...
    def show_errors_column(self, on: bool) -> None: ...
    def show_model_columns(self, on: bool) -> None: ...
    def go_back(self) -> None: ...
    def go_forward(self) -> None: ...
    def focus_search(self) -> None: ...


def add_action(
    menu: QMenu,
    owner: QWidget,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | None,
    slot: Callable[[], object],
    widget: QWidget | None = None,
) -> QAction:
    """An action in ``menu``; with ``widget``, its shortcut works only while that has focus."""
    action = QAction(text, widget or owner)
    if shortcut is not None:
        action.setShortcut(shortcut)
    # Not connect(slot): triggered(bool) would hand "checked" to a slot's first parameter.
    action.triggered.connect(lambda _checked=False: slot())
    if widget is not None:
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        widget.addAction(action)
    menu.addAction(action)
    return action


class WindowMenus(QObject):
    def __init__(self, window: QMainWindow, host: MenuHost) -> None:
        """``window``: where the menus and their shortcuts live; ``host``: what they call
        (the same window, seen through :class:`MenuHost`)."""
        super().__init__(window)
        self.window = window
        self.host = host
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        add_action(
            file_menu,
            window,
            "&Open dataset…",
            QKeySequence.StandardKey.Open,
            host.choose_dataset,
        )
        layouts = file_menu.addMenu("Open with &layout")
        for name, what in LAYOUT_CHOICES.items():
            if name != "auto":
                action = layouts.addAction(f"{name}: {what}…")
                action.triggered.connect(lambda _=False, n=name: host.choose_dataset(layout=n))
        hierarchies = file_menu.addMenu("Open with &hierarchy")
        for choice, label in (
            (IMAGENET_FILES, "ImageNet's hierarchy files (wordnet.is_a.txt, words.txt)…"),
            (FOLDERS, "The dataset's folder tree…"),
        ):
            action = hierarchies.addAction(label)
            action.triggered.connect(lambda _=False, c=choice: host.choose_dataset(hierarchy=c))
        hierarchies.addAction("A taxonomy file (CSV or JSON)…").triggered.connect(
            lambda _=False: self.choose_taxonomy()
        )
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        if host.demo is not None:
            add_action(file_menu, window, "Open the &demo dataset", None, host.open_demo)
        add_action(file_menu, window, "&Export…", QKeySequence("Ctrl+E"), host.open_export)
        add_action(file_menu, window, "Import &predictions…", None, host.predictions.choose_file)
        add_action(file_menu, window, "&Refresh", QKeySequence.StandardKey.Refresh, host.refresh)
        file_menu.addSeparator()
        add_action(file_menu, window, "&Quit", QKeySequence.StandardKey.Quit, host.close)
        view_menu = bar.addMenu("&View")
        self.errors_column = QAction("Label-&error estimates in the tree", window)
        self.errors_column.setCheckable(True)
        self.errors_column.toggled.connect(host.show_errors_column)
        view_menu.addAction(self.errors_column)
        self.model_columns = QAction("&Model accuracy and mistake severity in the tree", window)
        self.model_columns.setCheckable(True)
        self.model_columns.toggled.connect(host.show_model_columns)
        view_menu.addAction(self.model_columns)
        view_menu.addSeparator()
        self.tree_toggle, self.panel_toggle = add_pane_toggles(window, host, view_menu)
        view_menu.addAction(host.tree.collapse_others_action)
        view_menu.addAction(host.tree.keep_path_action)
        view_menu.addSeparator()
        add_action(view_menu, window, "&Duplicates in this synset…", None, host.open_duplicates)
        add_action(
            view_menu,
            window,
            "&Confusion view of this synset…",
            None,
            host.predictions.open_confusion,
        )
        go_menu = bar.addMenu("&Go")
        add_action(go_menu, window, "&Back", QKeySequence.StandardKey.Back, host.go_back)
        add_action(go_menu, window, "&Forward", QKeySequence.StandardKey.Forward, host.go_forward)
        add_action(
            go_menu, window, "&Find synset", QKeySequence.StandardKey.Find, host.focus_search
        )
        add_action(
            go_menu,
            window,
            "&Preview image",
            QKeySequence(Qt.Key.Key_Space),
            host.open_preview,
            widget=host.grid,
        )

    def choose_taxonomy(self) -> None:
        taxonomy, _ = QFileDialog.getOpenFileName(
            self.window, "Choose a taxonomy file", "", "Taxonomies (*.csv *.json)"
        )
        if taxonomy:
            self.host.choose_dataset(hierarchy=taxonomy)

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.host.recent.load():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.host.open_dataset(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)
