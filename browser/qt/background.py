"""Running a Python callable on a private, single-thread pool (one job at a time, in order).

Every pool is registered in LIVE_POOLS, so the tests can check none is left busy.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

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
