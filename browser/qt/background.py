"""Running a Python callable on a private, single-thread pool (one job at a time, in order).

Every pool is registered in LIVE_POOLS, so the tests can check none is left busy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QWidget

from browser.qt.thumbs import LIVE_POOLS


class CallableTask(QRunnable):
    def __init__(self, action: Callable[[], object]) -> None:
        super().__init__()
        self.action = action

    def run(self) -> None:
        self.action()


def serial_pool(owner: QObject) -> QThreadPool:
    """A pool owned by ``owner`` that runs one job at a time, in the order given."""
    pool = QThreadPool(owner)
    pool.setMaxThreadCount(1)
    LIVE_POOLS.add(pool)
    return pool


class ProgressSignals(QObject):
    """What a background pass tells the GUI thread: progress, then its result (None when
    the user cancelled it)."""

    progress = Signal(int, int)
    done = Signal(object)


class WorkerDialog(QDialog):
    """A dialog with one background worker that stops and is waited for when the dialog
    closes, by any route.

    Both routes matter: ``done()`` (Close, Esc, accept/reject) and ``closeEvent`` (the window
    manager, or ``close()`` on a dialog that was never shown, where Qt skips ``done()``). A
    job that has emitted its result is still running until it returns, so without the wait a
    closed dialog could leave its pool busy for a moment; under load that moment is long.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._pool = serial_pool(self)

    def stop_worker(self) -> None:
        self._cancel.set()
        self._pool.waitForDone()

    def done(self, code: int) -> None:
        self.stop_worker()
        super().done(code)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.stop_worker()
        super().closeEvent(event)
