"""SearchBox: type a lemma, wnid or gloss words; ranked suggestions appear as you type.

Signals:
    synsetChosen(int): a suggestion was picked (or Enter pressed on the best one).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QModelIndex, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from browser.core.hierarchy.search import SynsetSearch
from browser.core.hierarchy.synset_labels import DistinctNames

_SUGGESTIONS = 20


class SearchBox(QLineEdit):
    synsetChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Search synsets: name, wnid or gloss words (Ctrl+F)")
        self.setClearButtonEnabled(True)
        self.search: SynsetSearch | None = None
        self.images: np.ndarray | None = None
        self.names: DistinctNames | None = None
        self.hits: list[int] = []
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        # The list is already ranked and filtered by the search; the completer must not refilter.
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setMaxVisibleItems(14)
        self._completer.activated[QModelIndex].connect(self._picked)  # type: ignore[index]
        self.setCompleter(self._completer)
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self.update_suggestions)
        self.textEdited.connect(lambda _: self._timer.start())
        self.returnPressed.connect(self._enter)

    def set_source(self, search: SynsetSearch, images: np.ndarray) -> None:
        self.search = search
        self.images = images
        # Same-named synsets get what sets them apart, as in the tree ("crane (wading bird)").
        self.names = DistinctNames(search.hierarchy, np.flatnonzero(images > 0).tolist())

    def update_suggestions(self) -> list[int]:
        if self.search is None or self.images is None:
            return []
        hits = self.search.search(
            self.text(), limit=_SUGGESTIONS, images=self.images, only=self.images > 0
        )
        hierarchy = self.search.hierarchy
        self.hits = [h.node for h in hits]
        label = self.names.label if self.names is not None else hierarchy.name
        self._model.setStringList(
            [
                f"{h.lemma}  —  {label(h.node)} · {hierarchy.wnid(h.node)} · "
                f"{int(self.images[h.node]):,} images"
                if h.lemma.lower() != hierarchy.name(h.node).lower()
                else f"{label(h.node)}  ·  {hierarchy.wnid(h.node)} · "
                f"{int(self.images[h.node]):,} images"
                for h in hits
            ]
        )
        if self.hits and self.hasFocus():
            self._completer.complete()
        return self.hits

    def _picked(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.hits):
            self.synsetChosen.emit(self.hits[index.row()])

    def _enter(self) -> None:
        popup = self._completer.popup()
        if popup is not None and popup.isVisible() and popup.currentIndex().isValid():
            return  # the completer's own activation handles it
        hits = self.update_suggestions() if not self.hits else self.hits
        if hits:
            self.synsetChosen.emit(hits[0])
            if popup is not None:
                popup.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
        super().keyPressEvent(event)
