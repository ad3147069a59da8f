"""Fitting the main window on a small screen (1024×640) without losing a pane.

The window used to need 1,106 px: the centre's controls row (fixed 160-px zoom slider, combo
boxes sized to their longest item, a "Zoom" label) set the centre's minimum, and the splitter
then squeezed the tree to ~50 px or swallowed it into a 1-px handle. Here the controls shrink,
every pane keeps a usable minimum the splitter cannot collapse below, and View menu toggles
hide or bring back the tree and the side panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QWidget

if TYPE_CHECKING:
    from browser.qt.widgets.main_window import MainWindow

TREE_MIN_WIDTH = 200
CENTRE_MIN_WIDTH = 360
PANEL_MIN_WIDTH = 200


def panes(window: MainWindow) -> tuple[QWidget, QWidget, QWidget]:
    """The splitter's three panes: tree (with search), centre (grid), side panel."""
    found = [window.splitter.widget(i) for i in range(3)]
    assert all(found), "the window's splitter lost a pane"
    return found[0], found[1], found[2]  # type: ignore[return-value]


def fit_small_screens(window: MainWindow) -> None:
    """Make the window fit 1024×640 and keep every pane recoverable."""
    window.zoom_slider.setMinimumWidth(60)
    window.zoom_slider.setMaximumWidth(160)
    for label in window.findChildren(QLabel):
        if label.text() == "Zoom":  # the slider's tooltip says what it is
            label.hide()
    for combo in (window.sort_box, window.review_bar.filter_box):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
    window.path_label.setMinimumWidth(1)  # a long path is elided by the status bar, not grown
    window.metadata.setMinimumWidth(PANEL_MIN_WIDTH - 10)
    splitter = window.splitter
    splitter.setChildrenCollapsible(False)
    for pane, width in zip(
        panes(window),
        (TREE_MIN_WIDTH, CENTRE_MIN_WIDTH, PANEL_MIN_WIDTH),
        strict=True,
    ):
        pane.setMinimumWidth(width)


def add_pane_toggles(window: MainWindow, menu: QMenu) -> tuple[QAction, QAction]:
    """View ▸ "Synset tree" and "Side panel": checkable, with shortcuts, always recoverable."""
    toggles = []
    tree, _, panel = panes(window)
    for text, shortcut, pane in (
        ("Synset &tree", "Ctrl+Shift+T", tree),
        ("Side &panel", "Ctrl+Shift+P", panel),
    ):
        action = QAction(text, window)
        action.setCheckable(True)
        action.setChecked(True)
        action.setShortcut(QKeySequence(shortcut))
        action.toggled.connect(lambda on, p=pane: _show_pane(p, on))
        menu.addAction(action)
        toggles.append(action)
    return toggles[0], toggles[1]


def _show_pane(pane: QWidget, on: bool) -> None:
    pane.setVisible(on)
