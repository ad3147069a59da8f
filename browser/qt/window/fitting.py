"""Fitting the main window on a small screen (1024×640) without losing a pane.

The window used to need 1,106 px: the centre's controls row (fixed 160-px zoom slider, combo
boxes sized to their longest item, a "Zoom" label) set the centre's minimum, and the splitter
then squeezed the tree to ~50 px or swallowed it into a 1-px handle. Here the controls shrink,
every pane keeps a usable minimum the splitter cannot collapse below, and View menu toggles
hide or bring back the tree and the side panel.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QSplitter,
    QWidget,
)

from browser.qt.widgets.metadata import MetadataPanel
from browser.qt.widgets.review_bar import ReviewBar


class HasPanes(Protocol):
    splitter: QSplitter


class FitHost(HasPanes, Protocol):
    """The parts fitting acts on (:class:`.panes.BrowserPanes` has them, as does the window)."""

    zoom_slider: QSlider
    sort_box: QComboBox
    review_bar: ReviewBar
    metadata: MetadataPanel


TREE_MIN_WIDTH = 200
CENTRE_MIN_WIDTH = 360
PANEL_MIN_WIDTH = 200


def panes(window: HasPanes) -> tuple[QWidget, QWidget, QWidget]:
    """The splitter's three panes: tree (with search), centre (grid), side panel."""
    found = [window.splitter.widget(i) for i in range(3)]
    assert all(found), "the window's splitter lost a pane"
    return found[0], found[1], found[2]  # type: ignore[return-value]


def fit_small_screens(window: FitHost, path_label: QLabel, parent: QObject) -> ControlsWrap:
    """Make the window fit 1024×640 and keep every pane recoverable."""
    window.zoom_slider.setMinimumWidth(60)
    window.zoom_slider.setMaximumWidth(160)
    for label in window.splitter.findChildren(QLabel):
        if label.text() == "Zoom":  # the slider's tooltip says what it is
            label.hide()
    for combo in (window.sort_box, window.review_bar.filter_box):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
    path_label.setMinimumWidth(1)  # a long path is elided by the status bar, not grown
    window.metadata.setMinimumWidth(PANEL_MIN_WIDTH - 10)
    splitter = window.splitter
    splitter.setChildrenCollapsible(False)
    splitter.setSizes([440, 720, 340])  # the tree is wide: names 13 levels deep need room
    for pane, width in zip(
        panes(window),
        (TREE_MIN_WIDTH, CENTRE_MIN_WIDTH, PANEL_MIN_WIDTH),
        strict=True,
    ):
        pane.setMinimumWidth(width)
    return ControlsWrap(window, parent)


def add_pane_toggles(parent: QObject, window: HasPanes, menu: QMenu) -> tuple[QAction, QAction]:
    """View ▸ "Synset tree" and "Side panel": checkable, with shortcuts, always recoverable."""
    toggles = []
    tree, _, panel = panes(window)
    for text, shortcut, pane in (
        ("Synset &tree", "Ctrl+Shift+T", tree),
        ("Side &panel", "Ctrl+Shift+P", panel),
    ):
        action = QAction(text, parent)
        action.setCheckable(True)
        action.setChecked(True)
        action.setShortcut(QKeySequence(shortcut))
        action.toggled.connect(lambda on, p=pane: _show_pane(p, on))
        menu.addAction(action)
        toggles.append(action)
    return toggles[0], toggles[1]


def _show_pane(pane: QWidget, on: bool) -> None:
    pane.setVisible(on)


class ControlsWrap(QObject):
    """Moves the review controls to a row of their own when the centre is too narrow for one
    row of controls (at 1024 px the buttons were squeezed to "evie"), and back when it is not.

    "Too narrow" is measured against what one row needs at its widgets' *minimum* widths
    (the combo boxes and the slider shrink; the review buttons do not), measured again each
    time: the preferred width, taken once at start, wrapped the row even at 1,500 px, and a
    control shown later (the model's grid menu) was never counted.
    """

    def __init__(self, window: FitHost, parent: QObject) -> None:
        super().__init__(parent)
        self.bar = window.review_bar
        self.centre = panes(window)[1]
        outer = self.centre.layout()
        assert isinstance(outer, QBoxLayout)
        self.row: QBoxLayout | None = None
        for i in range(outer.count()):
            item = outer.itemAt(i)
            inner = item.layout() if item is not None else None
            if isinstance(inner, QBoxLayout) and inner.indexOf(self.bar) >= 0:
                self.row, self.at = inner, inner.indexOf(self.bar)
                self.second = QHBoxLayout()
                self.second.setContentsMargins(4, 0, 4, 0)
                outer.insertLayout(i + 1, self.second)
                break
        if self.row is None:
            return
        self.outer = outer
        self.centre.installEventFilter(self)

    @property
    def wrapped(self) -> bool:
        return self.row is not None and self.row.indexOf(self.bar) < 0

    def one_row_minimum(self) -> int:
        """The centre's width below which the controls and the review bar do not fit in one
        row without squeezing a widget under its minimum."""
        if self.row is None:
            return 0
        needed = self.row.minimumSize().width()  # the bar counted in it while it is there
        if self.wrapped:
            needed += self.row.spacing() + self.bar.minimumSizeHint().width()
        margins = self.outer.contentsMargins()
        return needed + margins.left() + margins.right()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # LayoutRequest: a control was shown or hidden, so what one row needs changed.
        if watched is self.centre and event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.LayoutRequest,
        ):
            self.arrange()
        return False

    def arrange(self) -> None:
        if self.row is None:
            return
        narrow = self.centre.width() < self.one_row_minimum()
        if narrow and not self.wrapped:
            self.row.removeWidget(self.bar)
            self.second.addWidget(self.bar)
            self.second.addStretch(1)
        elif not narrow and self.wrapped:
            self.second.removeWidget(self.bar)
            while self.second.count():
                self.second.takeAt(0)
            self.row.insertWidget(self.at, self.bar)
