"""The worker side of :mod:`browser.qt.thumbs`: the jobs its pool runs and the relay that
wakes the GUI thread. Workers hold the loader weakly and reach it only through
:meth:`ThumbnailLoader.deliver` and :meth:`ThumbnailLoader.store_later`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal
from PySide6.QtGui import QImage, QPixmap

from browser.core.images.thumbnails import ThumbnailCache
from browser.qt.decodequeue import Work, yield_cpu_to_gui
from browser.qt.thumbdecode import ThumbRequest, produce_thumbnail, store_thumbnail

if TYPE_CHECKING:
    from browser.qt.thumbs import ThumbnailLoader

# Logged under the loader's name, as before the jobs had a module of their own.
log = logging.getLogger("browser.qt.thumbs")


class Relay(QObject):
    """Lives in the GUI thread; workers wake it through a queued signal."""

    wake = Signal()


class PrepareJob(QRunnable):
    """For files the stat pass has not reached: stat the whole batch, look every key up in
    one query, deliver remembered failures, and queue the rest for decoding.

    Measured: workers that each stat and queried alone held the loader at 0.6–0.7 of the
    decode limit (GIL hand-offs around every SQLite call).
    """

    def __init__(self, batch: Sequence[tuple[ThumbRequest, int]], loader: ThumbnailLoader) -> None:
        super().__init__()
        self.batch = batch  # (request, priority of its decode job)
        self.cache = loader.cache
        self.loader = weakref.ref(loader)

    def run(self) -> None:
        yield_cpu_to_gui()
        loader = self.loader()
        if loader is None:
            return
        keyed = []
        for request, priority in self.batch:
            if request.ticket.cancelled:
                continue
            try:
                st = os.stat(request.path)
            except OSError as exc:
                loader.deliver(request, None, f"cannot be read: {exc.strerror or exc}")
                continue
            key = self.cache.key(request.path, st.st_size, st.st_mtime_ns, request.bucket)
            keyed.append((request, priority, key))
        try:
            found, failed = self.cache.get_many([key for _, _, key in keyed])
        except (OSError, sqlite3.Error):
            log.warning("cannot read the thumbnail cache %s", self.cache.path, exc_info=True)
            found, failed = {}, {}
        queued = []
        for request, priority, key in keyed:
            if key in failed:
                loader.deliver(request, None, failed[key])
            else:
                queued.append((priority, (request, key, found.get(key, b""))))
        loader.queue.put(queued)


@dataclass
class Entry:
    image: QImage
    side: int = -1
    pixmap: QPixmap | None = None


class StoreJob(QRunnable):
    """Encodes and stores a batch of thumbnails, below every decode in priority."""

    def __init__(self, cache: ThumbnailCache, batch: list[tuple[bytes, QImage]]) -> None:
        super().__init__()
        self.cache = cache
        self.batch = batch

    def run(self) -> None:
        yield_cpu_to_gui()
        for key, image in self.batch:
            store_thumbnail(self.cache, key, image)


def decoder(loader: ThumbnailLoader) -> Callable[[Work], None]:
    """The worker-side handler of the loader's queue. It holds the loader weakly: a worker
    must never hold the last reference to a QObject, or it would be destroyed there."""
    loader_ref = weakref.ref(loader)
    cache = loader.cache

    def decode(work: Work) -> None:
        request, key, cached = work
        owner = loader_ref()
        if owner is None:
            return
        try:
            image, reason = produce_thumbnail(
                request, cache, owner.store_later, key=key, cached=cached
            )
        except Exception as exc:  # never let a worker die silently
            log.exception("thumbnail of %s failed", request.path)
            image, reason = None, f"cannot be decoded: {exc}"
        owner.deliver(request, image, reason)

    return decode
