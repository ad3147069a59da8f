"""Keys and mouse buttons that belong to the window wherever focus or the pointer is."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QWidget


def window_shortcuts(window: QWidget) -> set[str]:
    """The window's Ctrl/Alt shortcuts: a text field must not keep one of them for itself
    (with X11 key bindings a line edit takes Ctrl+E as "end of line")."""
    return {
        action.shortcut().toString()
        for action in window.findChildren(QAction)
        if not action.shortcut().isEmpty()
        and action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
        and action.shortcut()[0].keyboardModifiers()  # type: ignore[index]
        & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    }


class WindowInputFilter(QObject):
    """An application-wide event filter for one window: its shortcuts win over the focus
    widget's own key bindings, and the mouse's back/forward buttons go through history
    wherever the pointer is (the child widget under it knows nothing of history)."""

    def __init__(
        self, window: QWidget, back: Callable[[], None], forward: Callable[[], None]
    ) -> None:
        super().__init__(window)
        self.window = window
        self.back = back
        self.forward = forward
        self.shortcuts = window_shortcuts(window)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if not isinstance(watched, QWidget) or watched.window() is not self.window:
            return False
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and QKeySequence(event.keyCombination()).toString() in self.shortcuts
        ):
            event.ignore()  # not the focus widget's: the window's shortcut fires
            return True
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            if event.button() == Qt.MouseButton.BackButton:
                self.back()
                return True
            if event.button() == Qt.MouseButton.ForwardButton:
                self.forward()
                return True
        return False
