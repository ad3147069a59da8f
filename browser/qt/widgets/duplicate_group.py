"""DuplicateGroupView: one group of near-duplicates side by side, to choose the copy to keep.

Each image is a card: its thumbnail, its label (synset name), split and file name, what a
reviewer already said about it, and a "Keep" choice (the first by default). Thumbnails come
from a private :class:`ThumbnailLoader` on the window's disk cache: decoded on its worker
thread, made into pixmaps here in the GUI thread, never blocking it. The loader is private so
that the dialog's requests never cancel the grid's, or the grid's the dialog's.

Signals:
    keepChanged(int): the card chosen to keep (its number in the group).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from browser.core.dataset.index import DatasetIndex
from browser.core.filenames import display
from browser.core.images.thumbnails import ThumbnailCache
from browser.core.review.records import Verdict
from browser.qt.thumbs import ThumbnailLoader

CARD_SIDE = 176  # pixels of a card's thumbnail box
MAX_CARDS = 24  # a group can hold thousands of copies; the rest are in the grid
_BUCKET = 256  # decoded at this size, shown scaled into the card
VERDICT_TEXT = {
    "correct": "correct",
    "wrong_label": "wrong label",
    "ambiguous": "ambiguous",
    "unusable": "not usable",
    "duplicate": "duplicate",
}

VerdictOf = Callable[[str], Verdict | None]


class ImageCard(QFrame):
    def __init__(self, number: int, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        self.picture = QLabel("…")
        self.picture.setFixedSize(CARD_SIDE, CARD_SIDE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.caption.setFixedWidth(CARD_SIDE)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.keep = QRadioButton(f"&{number + 1} Keep" if number < 9 else "Keep")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.picture)
        layout.addWidget(self.caption)
        layout.addWidget(self.keep)


class DuplicateGroupView(QScrollArea):
    keepChanged = Signal(int)

    def __init__(self, cache: ThumbnailCache | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.loader = (
            ThumbnailLoader(cache, threads=1, memory_bytes=32 << 20, parent=self)
            if cache is not None
            else None
        )
        if self.loader is not None:
            self.loader.thumbnailsReady.connect(self._thumbnails_ready)
        self.index: DatasetIndex | None = None
        self.generation = 0
        self.rows: list[int] = []
        self.cards: list[ImageCard] = []
        self._keep_group = QButtonGroup(self)
        self._keep_group.idClicked.connect(self.keepChanged)
        self.setWidget(QWidget())

    def show_group(
        self, index: DatasetIndex, generation: int, rows: list[int], verdict_of: VerdictOf
    ) -> None:
        """Show these dataset rows of ``index`` (opened as ``generation``), the first kept;
        past ``MAX_CARDS``, a note says how many more there are (the grid shows them all)."""
        self.index, self.generation, self.rows = index, generation, list(rows[:MAX_CARDS])
        for button in self._keep_group.buttons():
            self._keep_group.removeButton(button)
        strip = QWidget()
        layout = QHBoxLayout(strip)
        layout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        hierarchy = index.hierarchy
        self.cards = []
        for number, row in enumerate(self.rows):
            relpath = index.relpath(row)
            card = ImageCard(number, self._caption(index, row, verdict_of(relpath)))
            card.setToolTip(f"{display(relpath)}\n{hierarchy.wnid(int(index.labels[row]))}")
            self._keep_group.addButton(card.keep, number)
            layout.addWidget(card)
            self.cards.append(card)
        if len(rows) > MAX_CARDS:
            more = QLabel(f"… and {len(rows) - MAX_CARDS:,} more\n(all are in the grid)")
            more.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(more)
        if self.cards:
            self.cards[0].keep.setChecked(True)
        self.setWidget(strip)  # the old strip and its cards are deleted
        self._request()

    def refresh_captions(self, verdict_of: VerdictOf) -> None:
        """After verdicts changed: each card says what its image's verdict is now."""
        if self.index is None:
            return
        for card, row in zip(self.cards, self.rows, strict=True):
            relpath = self.index.relpath(row)
            card.caption.setText(self._caption(self.index, row, verdict_of(relpath)))

    @staticmethod
    def _caption(index: DatasetIndex, row: int, verdict: Verdict | None) -> str:
        name = index.hierarchy.name(int(index.labels[row]))
        split = index.splits[index.split_ids[row]] if index.splits else ""
        filename = os.path.basename(display(index.relpath(row)))
        said = VERDICT_TEXT[verdict.verdict] if verdict and verdict.verdict else "not reviewed"
        return "\n".join((name, filename, f"{split} · {said}" if split else said))

    def kept(self) -> int:
        """The number (in the group) of the card chosen to keep."""
        return max(0, self._keep_group.checkedId())

    def choose_keep(self, number: int) -> None:
        if 0 <= number < len(self.cards):
            self.cards[number].keep.setChecked(True)
            self.keepChanged.emit(number)

    # -- thumbnails ---------------------------------------------------------------------

    def _request(self) -> None:
        loader, index = self.loader, self.index
        if loader is None or index is None:
            return
        loader.set_dataset(self.generation)
        loader.reset()
        wanted = [
            (
                number,
                (self.generation, index.relpath(row)),
                index.path(row),
                int(index.sizes[row]),
                int(index.mtimes[row]),
            )
            for number, row in enumerate(self.rows)
        ]
        loader.request(wanted, _BUCKET)

    def _thumbnails_ready(self, numbers: list[int]) -> None:
        loader, index = self.loader, self.index
        if loader is None or index is None:
            return
        for number in numbers:
            if not 0 <= number < len(self.cards):
                continue
            key = (self.generation, index.relpath(self.rows[number]))
            pixmap = loader.pixmap(key, _BUCKET, CARD_SIDE)
            picture = self.cards[number].picture
            if pixmap is not None:
                picture.setPixmap(pixmap)
            else:
                picture.setText(loader.failure(key, _BUCKET) or "cannot be shown")

    def thumbnails_shown(self) -> int:
        """How many cards show their thumbnail (not a placeholder or a failure)."""
        return sum(not card.picture.pixmap().isNull() for card in self.cards)

    def shutdown(self) -> None:
        """Stop the decodes and wait for the worker (before the dialog goes away)."""
        if self.loader is not None:
            self.loader.shutdown()
