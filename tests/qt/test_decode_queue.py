"""The decode queue: most urgent first, cancelled work never decoded, workers stop when done."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool

from browser.qt.decodequeue import DecodeQueue, Work
from browser.qt.thumbdecode import ThumbRequest, Ticket


def work(row: int) -> Work:
    return (ThumbRequest(row, row, f"/x/{row}.jpg", 1, 1, 128, 0, Ticket()), None, None)


def test_urgent_work_goes_first_and_cancelled_work_is_never_handled() -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    handled: list[int] = []
    gate = threading.Event()

    def handle(item: Work) -> None:
        gate.wait(5)  # hold the one worker until every item is queued
        handled.append(item[0].row)

    queue = DecodeQueue(pool, handle)
    items = [work(row) for row in range(6)]
    queue.put([(10, items[0])])  # the worker takes this one and waits at the gate
    queue.put([(priority, item) for priority, item in zip([1, 5, 3, 4, 2], items[1:], strict=True)])
    items[4][0].ticket.cancelled = True  # the user scrolled past row 4
    queue.purge()
    items[3][0].ticket.cancelled = True  # ... and row 3, after the purge
    gate.set()
    assert pool.waitForDone(5000)
    assert handled == [0, 2, 5, 1]
    assert len(queue) == 0


def test_no_more_workers_than_threads_however_much_is_queued() -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    busy, most = [0], [0]
    lock = threading.Lock()

    def handle(item: Work) -> None:
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        with lock:
            busy[0] -= 1

    queue = DecodeQueue(pool, handle)
    for start in range(0, 400, 40):
        queue.put([(1, work(row)) for row in range(start, start + 40)])
        assert pool.activeThreadCount() <= 2
    assert pool.waitForDone(5000)
    assert most[0] <= 2
    assert len(queue) == 0


def test_clear_drops_everything_queued() -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    started, gate = threading.Event(), threading.Event()
    handled: list[int] = []

    def handle(item: Work) -> None:
        started.set()
        gate.wait(5)
        handled.append(item[0].row)

    queue = DecodeQueue(pool, handle)
    queue.put([(2, work(0))])
    assert started.wait(5)
    queue.put([(1, work(row)) for row in range(1, 20)])
    queue.clear()  # a new selection
    gate.set()
    assert pool.waitForDone(5000)
    assert handled == [0]  # only what was already running
