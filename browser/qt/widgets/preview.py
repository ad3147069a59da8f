"""PreviewDialog: one image at full size. Fit to window or 100 %; arrows step; Esc closes.

Its footer names the image, its label and its verdict (``caption_of``), so a reviewer can
audit at full size; keys the window's review handles (``review_key``: verdicts, note,
undo) are passed to it first, and the preview follows the grid when a verdict moves it on.

Signals:
    positionChanged(int): the grid position now shown (so the grid can follow).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from browser.qt.thumbdecode import decode_full


def load_full(path: str) -> tuple[QImage | None, str]:
    """The whole image, upright, within the decode budget; (None, reason) if it cannot be
    decoded (browser.qt.thumbdecode.decode_full)."""
    return decode_full(path)


class PreviewDialog(QDialog):
    positionChanged = Signal(int)

    def __init__(
        self,
        count: int,
        path_of: Callable[[int], str],
        position: int,
        parent: QWidget | None = None,
        *,
        caption_of: Callable[[int], str] | None = None,
        review_key: Callable[[QKeyEvent], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.count = count
        self.path_of = path_of
        self.caption_of = caption_of
        self.review_key = review_key
        self.position = position
        self.fit = True
        self.pixmap: QPixmap | None = None
        self.label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.area = QScrollArea()
        self.area.setWidget(self.label)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setStyleSheet("background: #202020; color: #e0e0e0;")
        # The arrows step through images. They went to the focused scroll area, which took
        # them to scroll; the dialog sees its keys first.
        self.area.installEventFilter(self)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self.status)
        self.resize(1000, 760)
        self.show_position(position)

    def show_position(self, position: int) -> None:
        self.position = max(0, min(self.count - 1, position))
        path = str(self.path_of(self.position))
        image, reason = load_full(path)
        self.pixmap = QPixmap.fromImage(image) if image is not None else None
        name = path.rsplit("/", 1)[-1]
        self.setWindowTitle(f"{name} — {self.position + 1:,} of {self.count:,}")
        if self.pixmap is None:
            self.label.setText(f"This image cannot be decoded.\n{reason}")
            self.status.setText(path)
        else:
            self.status.setText(
                f"  {path}   {self.pixmap.width()} × {self.pixmap.height()}   "
                "F: fit / 100 %   ←/→: previous / next   Esc: close"
            )
        self.refresh_caption()
        self._render()
        self.positionChanged.emit(self.position)

    def refresh_caption(self) -> None:
        """The label and verdict of the image shown, as they are now."""
        self.caption.setText(self.caption_of(self.position) if self.caption_of else "")

    def follow(self, position: int) -> None:
        """The grid's current image changed (a verdict moved it on): show that one."""
        if position != self.position and 0 <= position < self.count:
            self.show_position(position)
        else:
            self.refresh_caption()

    def _render(self) -> None:
        if self.pixmap is None:
            self.label.adjustSize()
            return
        if self.fit:
            area = self.area.viewport().size()
            shown = self.pixmap.scaled(
                area, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            self.area.setWidgetResizable(True)
        else:
            shown = self.pixmap
            self.area.setWidgetResizable(False)
        self.label.setPixmap(shown)
        self.label.resize(shown.size())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            self.keyPressEvent(event)
            return event.isAccepted()
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        event.accept()
        if self.review_key is not None and self.review_key(event):
            return
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space):
            self.show_position(self.position + 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace):
            self.show_position(self.position - 1)
        elif key in (Qt.Key.Key_F, Qt.Key.Key_1, Qt.Key.Key_0):
            self.fit = not self.fit if key == Qt.Key.Key_F else key == Qt.Key.Key_0
            self._render()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._render()
