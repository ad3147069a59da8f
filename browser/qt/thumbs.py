"""Thumbnails on a private thread pool: requests out, QImages back, stale ones dropped.

Workers decode with ``QImageReader.setScaledSize`` (libjpeg's scaled DCT decode, and it
releases the GIL), fall back to Pillow for what Qt cannot read, and keep results in the
disk cache. They return ``QImage``; pixmaps are made here, in the GUI thread, and kept in a
memory LRU bounded in bytes.

Thumbnails are keyed by the image's identity (an :data:`ImageKey` given by the caller:
the window's open generation and the relative path), never by a grid position or an index
row. :meth:`ThumbnailLoader.set_dataset` (another dataset opened, or this one refreshed)
drops every thumbnail, failure and pending request of the previous one, so nothing of it is
reachable. Every request also carries the loader's request generation;
:meth:`ThumbnailLoader.reset` (a new selection, a new sort) bumps it, cancels work not yet
started and makes late results from the old generation be dropped on arrival. See
``docs/window-state.md``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QObject,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QPixmap

from browser.core.images.thumbnails import ThumbnailCache
from browser.qt.decodequeue import DecodeQueue
from browser.qt.thumbdecode import ThumbRequest, Ticket, read_cached, store_thumbnail
from browser.qt.thumbjobs import Entry, PrepareJob, Relay, StoreJob, decoder

log = logging.getLogger(__name__)

_MAX_FAILURES = 50_000
_COALESCE_MS = 12
_INLINE_BUDGET_S = 0.025  # GUI-thread time per request for decoding cached thumbnails
_MAX_DEFERRED_STORES = 2_000  # about 100 MB of 128 px images waiting to be encoded
_STORE_PRIORITY = -1  # below every decode request (those have priority >= 1)
_STORE_CHECK_MS = 200
_QUIET_S = 0.4  # cache writes start once the grid has asked for nothing this long
_STORE_BATCH = 16

# Every pool made here, so tests can check that none is left with work running.
LIVE_POOLS: weakref.WeakSet[QThreadPool] = weakref.WeakSet()

# An image's identity, as the caller names it; the window uses (open generation, relpath).
ImageKey = Hashable


@dataclass(frozen=True)
class KeyedRequest(ThumbRequest):
    """A decode request that also carries the identity of the image it is for, and the
    dataset generation it was asked in (a result from another one is dropped)."""

    image: ImageKey = None
    dataset: int = 0


class ThumbnailLoader(QObject):
    """Loads thumbnails off the GUI thread and keeps recent ones as pixmaps.

    Results reach the GUI thread in batches: a worker wakes the loader only when its inbox
    was empty, and the loader takes all that has arrived a few milliseconds later. Measured with 2
    workers on 2 cores, one queued signal and one pixmap per thumbnail cost a third of the
    decode throughput; pixmaps are therefore also made only when a cell is painted.

    Signals:
        thumbnailsReady(list[int]): thumbnails (or failures) for these grid positions, asked
            for in the current generation, are now available.
    """

    thumbnailsReady = Signal(list)

    def __init__(
        self,
        cache: ThumbnailCache,
        *,
        threads: int | None = None,
        memory_bytes: int = 256 * 1024 * 1024,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = cache
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads or os.cpu_count() or 2)
        # Threads live as long as the loader: the cache keeps a connection per thread id,
        # and expiring threads would come back under new ids with new connections.
        self.pool.setExpiryTimeout(-1)
        LIVE_POOLS.add(self.pool)
        self.queue = DecodeQueue(self.pool, decoder(self))
        self.memory_bytes = memory_bytes
        self._shut_down = False
        self.generation = 0  # of requests: bumped by every reset
        self.dataset = 0  # of datasets: set by set_dataset, once per open or refresh
        self._relay = Relay(self)
        # A wake-up arms a short timer rather than draining at once, so the thumbnails of
        # about one frame arrive, and are painted, together (measured: one repaint per
        # worker result doubled the time to a full first screen).
        self._drain_timer = QTimer(self, singleShot=True, interval=_COALESCE_MS)
        self._drain_timer.timeout.connect(self._drain)
        self._relay.wake.connect(self._drain_timer.start)
        self._inbox: list[tuple[ThumbRequest, QImage | None, str]] = []
        self._inbox_lock = threading.Lock()
        # The decoded image, and the pixmap last made from it for a given cell size: made
        # when a cell is first painted at that size, so repaints never rescale.
        self._pixmaps: OrderedDict[tuple[ImageKey, int], Entry] = OrderedDict()
        self._bytes = 0
        # Bounded too: scrolling through a million undecodable files must not grow forever.
        self._failures: OrderedDict[tuple[ImageKey, int], str] = OrderedDict()
        self._pending: dict[tuple[ImageKey, int], KeyedRequest] = {}
        # Writing to the disk cache (a JPEG encode) waits until no decode is queued, so what
        # the user is looking at arrives first; past this backlog, workers store at once.
        # They also wait for a pause in the user's requests: encoding holds the GIL for part
        # of its time, and while the grid is dragged through 1.28M rows it showed up in the
        # GUI thread's stalls.
        self._stores_lock = threading.Lock()
        self._stores: list[tuple[bytes, QImage]] = []
        self._last_request = 0.0
        self._store_timer = QTimer(self, interval=_STORE_CHECK_MS)
        self._store_timer.timeout.connect(self._flush_stores)
        self._store_timer.start()

    def store_later(self, key: bytes, image: QImage) -> None:
        """Called in worker threads."""
        with self._stores_lock:
            defer = len(self._stores) < _MAX_DEFERRED_STORES
            if defer:
                self._stores.append((key, image))
        if not defer:
            store_thumbnail(self.cache, key, image)

    def _flush_stores(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_request < _QUIET_S:
            return
        with self._stores_lock:
            waiting, self._stores = self._stores, []
        for start in range(0, len(waiting), _STORE_BATCH):
            job = StoreJob(self.cache, waiting[start : start + _STORE_BATCH])
            self.pool.start(job, _STORE_PRIORITY)

    # -- asking -------------------------------------------------------------------------

    def pixmap(self, image: ImageKey, bucket: int, side: int = 0) -> QPixmap | None:
        """The thumbnail as a pixmap fitting ``side``×``side`` (0: as decoded), or None."""
        key = (image, bucket)
        entry = self._pixmaps.get(key)
        if entry is None:
            return None
        self._pixmaps.move_to_end(key)
        if entry.pixmap is None or entry.side != side:
            image = entry.image
            if side and max(image.width(), image.height()) > side:
                image = image.scaled(
                    side,
                    side,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            entry.pixmap, entry.side = QPixmap.fromImage(image), side
        return entry.pixmap

    def has_thumbnail(self, image: ImageKey, bucket: int) -> bool:
        return (image, bucket) in self._pixmaps

    def failure(self, image: ImageKey, bucket: int) -> str | None:
        return self._failures.get((image, bucket))

    def set_dataset(self, generation: int) -> None:
        """Another dataset (or this one refreshed) is shown: forget every thumbnail, failure
        and request of the previous one, so none of it can be shown again, and drop its
        results still on their way when they arrive."""
        if generation == self.dataset:
            return
        self.dataset = generation
        self.reset()
        self._pixmaps.clear()
        self._bytes = 0
        self._failures.clear()

    def request(self, wanted: Sequence[tuple[int, ImageKey, str, int, int]], bucket: int) -> int:
        """Ask for (position, image key, path, size, mtime_ns) items, most urgent first.

        Queued work for items no longer wanted is cancelled. Returns how many were queued.
        After shutdown nothing is queued (a closed window's timers may still ask).
        """
        if self._shut_down:
            return 0
        self._last_request = time.monotonic()
        keep = {(image, bucket) for _, image, _, _, _ in wanted}
        dropped = [slot for slot in self._pending if slot not in keep]
        for slot in dropped:
            self._pending.pop(slot).ticket.cancelled = True
        if dropped:
            self.queue.purge()
        decodes = []
        fresh = [
            item
            for item in wanted
            if (item[1], bucket) not in self._pixmaps
            and (item[1], bucket) not in self._failures
            and (item[1], bucket) not in self._pending
        ]
        # Keys can be made here only for files whose size and mtime the stat pass knows.
        keys = [
            self.cache.key(path, size, mtime, bucket) if size >= 0 and mtime >= 0 else None
            for _, _, path, size, mtime in fresh
        ]
        found, failed = self._look_up([k for k in keys if k is not None])
        ready = []
        unknown: list[tuple[KeyedRequest, int]] = []
        count = len(fresh)
        deadline = time.perf_counter() + _INLINE_BUDGET_S
        for rank, ((position, image_key, path, size, mtime), key) in enumerate(
            zip(fresh, keys, strict=True)
        ):
            if key is not None and key in failed:
                self._failures[(image_key, bucket)] = failed[key]
                ready.append(position)
                continue
            cached = None if key is None or found is None else found.get(key, b"")
            if cached and time.perf_counter() < deadline:
                # A cached thumbnail decodes in ~0.1 ms: cheaper here than the hand-off to a
                # worker, which costs GIL round trips on both sides (measured: 120 cached
                # thumbnails took 57 ms through the pool).
                image = read_cached(cached)
                if not image.isNull():
                    self._keep(image_key, bucket, image)
                    ready.append(position)
                    continue
            request = KeyedRequest(
                -1,
                position,
                path,
                size,
                mtime,
                bucket,
                self.generation,
                Ticket(),
                key,
                cached,
                image=image_key,
                dataset=self.dataset,
            )
            self._pending[(image_key, bucket)] = request
            if key is None:
                unknown.append((request, count - rank))
            else:
                decodes.append((count - rank, (request, key, cached)))
        self.queue.put(decodes)
        if unknown:
            # Ahead of every decode of this batch: it is what queues the unknown ones.
            self.pool.start(PrepareJob(unknown, self), count + 1)
        if ready:
            self.thumbnailsReady.emit(ready)
        return count - len(ready)

    def _look_up(self, keys: list[bytes]) -> tuple[dict[bytes, bytes] | None, dict[bytes, str]]:
        """One query for the whole batch instead of one per worker job.

        Measured: lookups done by the workers, one by one, cost ~0.8 ms each in GIL hand-offs
        and held the loader at 0.6 of the decode limit; batched, it reaches ~0.97.
        """
        if not keys:
            return None, {}
        try:
            return self.cache.get_many(keys)
        except (OSError, sqlite3.Error):
            log.warning("cannot read the thumbnail cache %s", self.cache.path, exc_info=True)
            return None, {}

    def reset(self) -> None:
        """A new selection or order: drop queued work; results still running are ignored."""
        self.generation += 1
        for request in self._pending.values():
            request.ticket.cancelled = True
        self._pending.clear()
        self.queue.clear()

    def shutdown(self) -> None:
        """Cancel queued decodes and wait for running jobs (before the window goes away).

        Deferred cache writes still queued are done first: they are cheap and save decoding
        those images again next time.
        """
        self._shut_down = True
        self.reset()
        self._store_timer.stop()
        self._flush_stores(force=True)
        self.pool.waitForDone()

    # -- results ------------------------------------------------------------------------

    def deliver(self, request: ThumbRequest, image: QImage | None, reason: str) -> None:
        """Called in worker threads."""
        with self._inbox_lock:
            self._inbox.append((request, image, reason))
            first = len(self._inbox) == 1
        if first:
            self._relay.wake.emit()  # queued to the GUI thread, where it arms the timer

    def _drain(self) -> None:
        with self._inbox_lock:
            batch, self._inbox = self._inbox, []
        positions = [p for p in (self._finished(*item) for item in batch) if p is not None]
        if positions:
            self.thumbnailsReady.emit(positions)

    def _finished(self, request: ThumbRequest, image: QImage | None, reason: str) -> int | None:
        assert isinstance(request, KeyedRequest)
        key = (request.image, request.bucket)
        if self._pending.get(key) is request:
            del self._pending[key]
        if (
            request.ticket.cancelled
            or request.generation != self.generation
            or request.dataset != self.dataset
        ):
            return None  # stale: asked for by a selection or a dataset that is gone
        if image is None:
            self._failures[key] = reason or "cannot be decoded"
            if len(self._failures) > _MAX_FAILURES:
                self._failures.popitem(last=False)
        else:
            self._keep(request.image, request.bucket, image)
        return request.position

    def _keep(self, image_key: ImageKey, bucket: int, image: QImage) -> None:
        self._pixmaps[(image_key, bucket)] = Entry(image)
        # Counted twice: the image and a pixmap of at most its size.
        self._bytes += 2 * image.width() * image.height() * 4
        while self._bytes > self.memory_bytes and len(self._pixmaps) > 1:
            _, dropped = self._pixmaps.popitem(last=False)
            self._bytes -= 2 * dropped.image.width() * dropped.image.height() * 4

    @property
    def memory_used(self) -> int:
        return self._bytes

    @property
    def pending(self) -> int:
        return len(self._pending)
