"""Keep Python's garbage collector on the GUI thread.

The cyclic collector runs in whichever thread happens to cross its allocation threshold: in
this app often a thumbnail worker. A collection there destroys garbage QObjects (widgets and
models caught in reference cycles) from the wrong thread, which crashed the test suite in
QImageReader's constructor. Automatic collection is therefore switched off and a GUI-thread
timer collects instead, the pattern calibre and pyqtgraph use.

Collections must also be short. With WordNet and its search index resident a full collection
took 184 ms, and even young generations took 90–240 ms after bursts (the search index, a
jump through a million rows). So whatever survives a collection is frozen (``gc.freeze``):
each collection looks only at objects made since the previous one. Reference counting still
frees frozen objects; only cycles among them wait for :meth:`GarbageCollector.full`, which
runs when a dataset opens, a moment that stalls anyway.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

_INTERVAL_MS = 500


class GarbageCollector(QObject):
    """Collects on a timer in the thread it lives in (the GUI thread)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self, interval=_INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        # Collect the generations whose counts passed their thresholds, as gc itself would.
        counts = gc.get_count()
        if counts[0] <= self.thresholds[0]:
            return
        generation = 0
        if counts[1] > self.thresholds[1]:
            generation = 2 if counts[2] > self.thresholds[2] else 1
        gc.collect(generation)
        gc.freeze()

    def settle(self) -> None:
        """Freeze everything alive now, without collecting (instant).

        For right after a burst of long-lived objects: the search index is built in a worker
        with collection off, and the first timer collections after it walked all of it
        (143 ms, then 241 ms). Garbage frozen with it waits for :meth:`full`.
        """
        gc.freeze()

    def full(self) -> None:
        """Collect everything, frozen objects included, then freeze the survivors again."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        self._timer.stop()
        gc.unfreeze()
        gc.enable()
