"""Keep Python's garbage collector on the GUI thread.

The cyclic collector runs in whichever thread happens to cross its allocation threshold: in
this app often a thumbnail worker. A collection there destroys garbage QObjects (widgets and
models caught in reference cycles) from the wrong thread, which crashed the test suite in
QImageReader's constructor. Automatic collection is therefore switched off and a GUI-thread
timer collects instead, the pattern calibre and pyqtgraph use.

A full collection with WordNet and its search index loaded took 184 ms, a visible freeze
each time it ran. What survives a full collection is frozen (``gc.freeze``): later full
collections look only at younger objects. Reference counting still frees frozen objects;
only cycles among them wait for :meth:`GarbageCollector.full`, which the window calls when
it opens a dataset, a moment that stalls anyway.
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
        if generation == 2:
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
