"""Breadcrumb: the hypernym path of the selected synset, each crumb clickable.

Signals:
    synsetClicked(int): a crumb (or a path picked from the menu) was chosen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from browser.core.hierarchy.dag import Hierarchy


class Breadcrumb(QScrollArea):
    """Scrolls sideways when the path is wider than the window (a 17-synset path of a fish
    once squeezed the synset tree to a sliver), keeping the selected synset in view."""

    synsetClicked = Signal(int)
    pathChosen = Signal(int)  # index into the synset's hypernym paths

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # No scroll bar (it took a second row of space): the wheel scrolls sideways instead.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._content = QWidget()
        self._layout = QHBoxLayout(self._content)
        self._layout.setContentsMargins(4, 2, 4, 2)
        self._layout.setSpacing(0)
        self.setWidget(self._content)
        self.crumbs: list[QToolButton] = []
        self.horizontalScrollBar().rangeChanged.connect(self._keep_end_in_view)

    def _keep_end_in_view(self, _minimum: int, maximum: int) -> None:
        self.horizontalScrollBar().setValue(maximum)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self._content.sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(50, self._content.sizeHint().height())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta()
        steps = delta.y() or delta.x()
        bar = self.horizontalScrollBar()
        bar.setValue(bar.value() - steps)
        event.accept()

    def _clear(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.crumbs = []

    def show_text(self, text: str) -> None:
        """A plain title instead of a path (for images that have no synset)."""
        self._clear()
        label = QLabel(f"<b>{text}</b>")
        label.setContentsMargins(6, 4, 6, 4)
        self._layout.addWidget(label)
        self._layout.addStretch(1)

    def show_path(self, hierarchy: Hierarchy, paths: list[list[int]], chosen: int) -> None:
        self._clear()
        if not paths:
            self._layout.addStretch(1)
            return
        path = paths[chosen]
        for position, synset in enumerate(path):
            if position:
                separator = QLabel("›")
                separator.setContentsMargins(3, 0, 3, 0)
                self._layout.addWidget(separator)
            crumb = QToolButton()
            crumb.setText(hierarchy.name(synset))
            crumb.setToolTip(hierarchy.wnid(synset))
            crumb.setAutoRaise(True)
            crumb.clicked.connect(lambda _=False, s=synset: self.synsetClicked.emit(s))
            if position == len(path) - 1:
                font = crumb.font()
                font.setBold(True)
                crumb.setFont(font)
            self._layout.addWidget(crumb)
            self.crumbs.append(crumb)
        if len(paths) > 1:
            menu_button = QToolButton()
            menu_button.setText(f"{len(paths)} paths ▾")
            menu_button.setToolTip("This synset has several hypernym paths; pick one")
            menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(menu_button)
            for number, other in enumerate(paths):
                names = " › ".join(hierarchy.name(s) for s in other[1:-1]) or "(direct)"
                action = menu.addAction(names)
                action.setCheckable(True)
                action.setChecked(number == chosen)
                action.triggered.connect(lambda _=False, n=number: self.pathChosen.emit(n))
            menu_button.setMenu(menu)
            self._layout.addSpacing(8)
            self._layout.addWidget(menu_button)
            self.paths_button = menu_button
        self._layout.addStretch(1)
        # As tall as a row of crumbs (a QScrollArea's own minimum is taller).
        margins = self._layout.contentsMargins()
        row = max(crumb.sizeHint().height() for crumb in self.crumbs)
        self.setFixedHeight(row + margins.top() + margins.bottom())
