"""Garbage collection stays on the GUI thread (a collection in a worker crashed Qt)."""

from __future__ import annotations

import gc
import threading
import weakref

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


def test_full_collections_freeze_survivors_until_a_dataset_opens() -> None:
    # Survivors of a full collection are frozen, so later full collections skip them (184 ms
    # with WordNet and its search index loaded); cycles among them wait for full().
    collector = GarbageCollector()
    try:
        survivor = Cycle()
        alive = weakref.ref(survivor)
        collector.thresholds = (-1, -1, -1)  # every generation is due: a full collection
        collector.check()
        assert gc.get_freeze_count() > 0
        del survivor  # now cyclic garbage, but frozen
        collector.check()
        assert alive() is not None
        collector.full()  # what opening a dataset calls
        assert alive() is None
    finally:
        collector.stop()
        gc.disable()
    assert gc.get_freeze_count() == 0
