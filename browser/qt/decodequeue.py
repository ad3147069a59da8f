"""DecodeQueue: the thumbnails waiting to be decoded, most urgent first, and the few pool
jobs that work through them.

One QRunnable per thumbnail looked natural, but a fast scroll cancels almost all of them:
measured while jumping through 1.28M rows, 37,905 cancelled jobs ran for 400 decodes. Each
one took the GIL from the GUI thread just to find out it had nothing to do. Here cancelled
requests are dropped from a Python heap by the GUI thread, and only as many jobs run as
there are threads; each takes the next request until the heap is empty.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
from collections.abc import Callable, Iterable

from PySide6.QtCore import QRunnable, QThreadPool

from browser.qt.thumbdecode import ThumbRequest

log = logging.getLogger(__name__)

_WORKER_NICENESS = 10
_niced_threads: set[int] = set()

# (request, disk-cache key, cached thumbnail or b"" / None), as produce_thumbnail takes them
Work = tuple[ThumbRequest, bytes | None, bytes | None]


def yield_cpu_to_gui() -> None:
    """Lower this worker thread's scheduling priority, once per thread.

    One decode thread per core leaves no core for the GUI thread; at niceness 10 the kernel
    gives the GUI thread the CPU whenever it wants it, and idle cores still go to the workers.
    (Qt's thread priorities have no effect under Linux's default scheduler.)
    """
    thread_id = threading.get_native_id()
    if thread_id in _niced_threads:
        return
    _niced_threads.add(thread_id)
    if hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, thread_id, _WORKER_NICENESS)
        except OSError:
            log.debug("cannot lower the priority of worker thread %d", thread_id)


class DecodeQueue:
    """A priority queue of decode work shared by at most ``pool.maxThreadCount()`` jobs.

    ``handle(work)`` runs on a worker thread for every request that is still wanted when its
    turn comes. Called from the GUI thread: put, purge, clear. Thread-safe throughout.
    """

    def __init__(self, pool: QThreadPool, handle: Callable[[Work], None]) -> None:
        self.pool = pool
        self.handle = handle
        self._heap: list[tuple[int, int, Work]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._running = 0

    def put(self, items: Iterable[tuple[int, Work]]) -> None:
        """Queue (priority, work) items; higher priority goes first."""
        with self._lock:
            for priority, work in items:
                heapq.heappush(self._heap, (-priority, next(self._order), work))
            wanted = min(len(self._heap), self.pool.maxThreadCount()) - self._running
            self._running += max(0, wanted)
        for _ in range(wanted):
            self.pool.start(_Drainer(self))

    def purge(self) -> None:
        """Forget cancelled requests (cheaper here, once, than in a worker per request)."""
        with self._lock:
            self._heap = [entry for entry in self._heap if not entry[2][0].ticket.cancelled]
            heapq.heapify(self._heap)

    def clear(self) -> None:
        with self._lock:
            self._heap.clear()

    def __len__(self) -> int:
        return len(self._heap)

    def take(self) -> Work | None:
        """The most urgent request still wanted, or None (and this drainer stops)."""
        with self._lock:
            while self._heap:
                work = heapq.heappop(self._heap)[2]
                if not work[0].ticket.cancelled:
                    return work
            self._running -= 1
            return None


class _Drainer(QRunnable):
    def __init__(self, queue: DecodeQueue) -> None:
        super().__init__()
        self.queue = queue

    def run(self) -> None:
        yield_cpu_to_gui()
        while (work := self.queue.take()) is not None:
            try:
                self.queue.handle(work)
            except Exception:  # a drainer that dies would leave its share of the queue
                log.exception("thumbnail work for %s failed", work[0].path)
