"""Garbage collection stays on the GUI thread (a collection in a worker crashed Qt)."""

from __future__ import annotations

import gc
import threading

from browser.qt.gcpin import GarbageCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_collection_runs_on_the_timer_thread_not_where_garbage_is_made() -> None:
    collector = GarbageCollector()
    try:
        assert not gc.isenabled()
        made_in_worker = threading.Thread(target=lambda: [Cycle() for _ in range(5000)])
        made_in_worker.start()
        made_in_worker.join()
        assert gc.get_count()[0] > collector.thresholds[0]  # nothing collected in the worker
        collector.check()  # what the GUI thread's timer calls
        assert gc.get_count()[0] < collector.thresholds[0]
    finally:
        collector.stop()
        gc.disable()  # the test session itself collects on the main thread only
