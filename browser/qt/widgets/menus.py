"""The main window's menus: File (open, open with a layout or hierarchy, recent, demo,
refresh, quit) and Go (back, forward, find, preview).

Kept apart from the window so the window holds what it shows; the menus only call its
public methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from browser.core.hierarchychoice import FOLDERS, IMAGENET_FILES
from browser.core.layouts import LAYOUT_CHOICES

if TYPE_CHECKING:
    from browser.qt.widgets.main_window import MainWindow


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
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        add_action(
            file_menu,
            window,
            "&Open dataset…",
            QKeySequence.StandardKey.Open,
            window.choose_dataset,
        )
        layouts = file_menu.addMenu("Open with &layout")
        for name, what in LAYOUT_CHOICES.items():
            if name != "auto":
                action = layouts.addAction(f"{name}: {what}…")
                action.triggered.connect(lambda _=False, n=name: window.choose_dataset(layout=n))
        hierarchies = file_menu.addMenu("Open with &hierarchy")
        for choice, label in (
            (IMAGENET_FILES, "ImageNet's hierarchy files (wordnet.is_a.txt, words.txt)…"),
            (FOLDERS, "The dataset's folder tree…"),
        ):
            action = hierarchies.addAction(label)
            action.triggered.connect(lambda _=False, c=choice: window.choose_dataset(hierarchy=c))
        hierarchies.addAction("A taxonomy file (CSV or JSON)…").triggered.connect(
            lambda _=False: self.choose_taxonomy()
        )
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        if window.demo is not None:
            add_action(file_menu, window, "Open the &demo dataset", None, window.open_demo)
        add_action(file_menu, window, "&Export…", QKeySequence("Ctrl+E"), window.open_export)
        add_action(file_menu, window, "Import &predictions…", None, window.predictions.choose_file)
        add_action(file_menu, window, "&Refresh", QKeySequence.StandardKey.Refresh, window.refresh)
        file_menu.addSeparator()
        add_action(file_menu, window, "&Quit", QKeySequence.StandardKey.Quit, window.close)
        view_menu = bar.addMenu("&View")
        self.errors_column = QAction("Label-&error estimates in the tree", window)
        self.errors_column.setCheckable(True)
        self.errors_column.toggled.connect(window.show_errors_column)
        view_menu.addAction(self.errors_column)
        self.model_columns = QAction("&Model accuracy and mistake severity in the tree", window)
        self.model_columns.setCheckable(True)
        self.model_columns.toggled.connect(window.show_model_columns)
        view_menu.addAction(self.model_columns)
        add_action(view_menu, window, "&Duplicates in this synset…", None, window.open_duplicates)
        add_action(
            view_menu,
            window,
            "&Confusion view of this synset…",
            None,
            window.predictions.open_confusion,
        )
        go_menu = bar.addMenu("&Go")
        add_action(go_menu, window, "&Back", QKeySequence.StandardKey.Back, window.go_back)
        add_action(go_menu, window, "&Forward", QKeySequence.StandardKey.Forward, window.go_forward)
        add_action(
            go_menu, window, "&Find synset", QKeySequence.StandardKey.Find, window.focus_search
        )
        add_action(
            go_menu,
            window,
            "&Preview image",
            QKeySequence(Qt.Key.Key_Space),
            window.open_preview,
            widget=window.grid,
        )

    def choose_taxonomy(self) -> None:
        taxonomy, _ = QFileDialog.getOpenFileName(
            self.window, "Choose a taxonomy file", "", "Taxonomies (*.csv *.json)"
        )
        if taxonomy:
            self.window.choose_dataset(hierarchy=taxonomy)

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.window.recent.load():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.window.open_dataset(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)
