"""Thumbnails on a private thread pool: requests out, QImages back, stale ones dropped.

Workers decode with ``QImageReader.setScaledSize`` (libjpeg's scaled DCT decode, and it
releases the GIL), fall back to Pillow for what Qt cannot read, and keep results in the
disk cache. They return ``QImage``; pixmaps are made here, in the GUI thread, and kept in a
memory LRU bounded in bytes.

Every request carries the loader's generation; :meth:`ThumbnailLoader.reset` (a new
selection, a new sort) bumps it, cancels work not yet started and makes late results from
the old generation be ignored.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QImageReader, QImageWriter, QPainter, QPixmap

from browser.core.thumbnails import ThumbnailCache, decode_with_pillow

log = logging.getLogger(__name__)

# Every pool made here, so tests can check that none is left with work running.
LIVE_POOLS: weakref.WeakSet[QThreadPool] = weakref.WeakSet()


@dataclass
class _Ticket:
    cancelled: bool = False


@dataclass(frozen=True)
class ThumbRequest:
    row: int  # the image's row in the dataset index
    position: int  # where the grid showed it when asked (valid for this generation)
    path: str
    size: int  # -1 when the stat pass has not reached the file yet
    mtime_ns: int
    bucket: int
    generation: int
    ticket: _Ticket = field(compare=False, hash=False)


def _scaled(size: QSize, bucket: int) -> QSize:
    width, height = size.width(), size.height()
    if max(width, height) <= bucket:
        return size
    if width >= height:
        return QSize(bucket, max(1, round(height * bucket / width)))
    return QSize(max(1, round(width * bucket / height)), bucket)


def _flatten(image: QImage) -> QImage:
    """RGB on white: thumbnails are stored as JPEG, which has no alpha."""
    if not image.hasAlphaChannel():
        return image.convertToFormat(QImage.Format.Format_RGB32)
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(QColor("white"))
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    return flat


def decode_with_qt(path: str, bucket: int) -> tuple[QImage | None, str]:
    """A scaled, upright decode; (None, reason) when Qt cannot read the file."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)  # EXIF orientation
    size = reader.size()
    if not size.isValid():
        return None, reader.errorString()
    reader.setScaledSize(_scaled(size, bucket))
    image = reader.read()
    if image.isNull():
        return None, reader.errorString()
    return _flatten(image), ""


def _from_pillow(path: str, bucket: int) -> QImage:
    image = decode_with_pillow(path, bucket)
    data = image.tobytes()
    stride = image.width * 3
    return QImage(data, image.width, image.height, stride, QImage.Format.Format_RGB888).copy()


def _jpeg_bytes(image: QImage) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"jpeg"))
    writer.setQuality(85)
    writer.write(image)
    buffer.close()
    return bytes(array.data())


def produce_thumbnail(request: ThumbRequest, cache: ThumbnailCache) -> tuple[QImage | None, str]:
    """The thumbnail for a request, from the disk cache or decoded; (None, reason) if none."""
    size, mtime = request.size, request.mtime_ns
    if size < 0 or mtime < 0:
        try:
            st = os.stat(request.path)
        except OSError as exc:
            return None, f"cannot be read: {exc.strerror or exc}"
        size, mtime = st.st_size, st.st_mtime_ns
    key = cache.key(request.path, size, mtime, request.bucket)
    cached = cache.get(key, request.bucket)
    if cached is not None:
        stored = QImageReader(str(cached)).read()
        if not stored.isNull():
            return stored, ""
    earlier = cache.failure(key)
    if earlier is not None:
        return None, earlier
    image, reason = decode_with_qt(request.path, request.bucket)
    if image is None:
        try:
            image = _from_pillow(request.path, request.bucket)
        except Exception as exc:  # any decoder failure is a fact about the file, not a crash
            reason = f"cannot be decoded: {exc}" if str(exc) else f"cannot be decoded ({reason})"
            try:
                cache.remember_failure(key, reason)
            except OSError:
                log.debug("cannot remember the failure of %s", request.path, exc_info=True)
            return None, reason
    try:
        cache.put(key, request.bucket, _jpeg_bytes(image))
    except OSError:
        log.warning("cannot write to the thumbnail cache %s", cache.folder, exc_info=True)
    return image, ""


class _Relay(QObject):
    """Lives in the GUI thread; workers emit through it, so delivery is queued there."""

    finished = Signal(object, object, str)  # request, QImage | None, failure reason


class _Job(QRunnable):
    def __init__(self, request: ThumbRequest, cache: ThumbnailCache, relay: _Relay) -> None:
        super().__init__()
        self.request = request
        self.cache = cache
        self.relay = relay

    def run(self) -> None:
        if self.request.ticket.cancelled:
            self.relay.finished.emit(self.request, None, "")
            return
        try:
            image, reason = produce_thumbnail(self.request, self.cache)
        except Exception as exc:  # never let a worker die silently
            log.exception("thumbnail of %s failed", self.request.path)
            image, reason = None, f"cannot be decoded: {exc}"
        self.relay.finished.emit(self.request, image, reason)


class ThumbnailLoader(QObject):
    """Loads thumbnails off the GUI thread and keeps recent ones as pixmaps.

    Signals:
        thumbnailReady(int position): the thumbnail (or its failure) for the grid position
            asked about in the current generation is now available.
    """

    thumbnailReady = Signal(int)

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
        LIVE_POOLS.add(self.pool)
        self.memory_bytes = memory_bytes
        self.generation = 0
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished)
        self._pixmaps: OrderedDict[tuple[int, int], QPixmap] = OrderedDict()
        self._bytes = 0
        self._failures: dict[tuple[int, int], str] = {}
        self._pending: dict[tuple[int, int], ThumbRequest] = {}

    # -- asking -------------------------------------------------------------------------

    def pixmap(self, row: int, bucket: int) -> QPixmap | None:
        key = (row, bucket)
        found = self._pixmaps.get(key)
        if found is not None:
            self._pixmaps.move_to_end(key)
        return found

    def failure(self, row: int, bucket: int) -> str | None:
        return self._failures.get((row, bucket))

    def request(self, wanted: list[tuple[int, int, str, int, int]], bucket: int) -> int:
        """Ask for (position, row, path, size, mtime_ns) items, most urgent first.

        Queued work for items no longer wanted is cancelled. Returns how many were queued.
        """
        keep = {(row, bucket) for _, row, _, _, _ in wanted}
        for key, old in list(self._pending.items()):
            if key not in keep:
                old.ticket.cancelled = True
                del self._pending[key]
        queued = 0
        count = len(wanted)
        for rank, (position, row, path, size, mtime) in enumerate(wanted):
            key = (row, bucket)
            if key in self._pixmaps or key in self._failures or key in self._pending:
                continue
            request = ThumbRequest(
                row, position, path, size, mtime, bucket, self.generation, _Ticket()
            )
            self._pending[key] = request
            self.pool.start(_Job(request, self.cache, self._relay), count - rank)
            queued += 1
        return queued

    def reset(self) -> None:
        """A new selection or order: drop queued work; results still running are ignored."""
        self.generation += 1
        for request in self._pending.values():
            request.ticket.cancelled = True
        self._pending.clear()

    def shutdown(self) -> None:
        """Cancel everything and wait for running jobs (before the window goes away)."""
        self.reset()
        self.pool.clear()
        self.pool.waitForDone()

    # -- results ------------------------------------------------------------------------

    def _finished(self, request: ThumbRequest, image: QImage | None, reason: str) -> None:
        key = (request.row, request.bucket)
        if self._pending.get(key) is request:
            del self._pending[key]
        if request.ticket.cancelled or request.generation != self.generation:
            return  # stale: asked for by a selection that is gone
        if image is None:
            self._failures[key] = reason or "cannot be decoded"
        else:
            pixmap = QPixmap.fromImage(image)
            self._pixmaps[key] = pixmap
            self._bytes += pixmap.width() * pixmap.height() * 4
            while self._bytes > self.memory_bytes and len(self._pixmaps) > 1:
                _, dropped = self._pixmaps.popitem(last=False)
                self._bytes -= dropped.width() * dropped.height() * 4
        self.thumbnailReady.emit(request.position)

    @property
    def memory_used(self) -> int:
        return self._bytes

    @property
    def pending(self) -> int:
        return len(self._pending)


def scaled_for_cell(pixmap: QPixmap, side: int) -> QPixmap:
    if max(pixmap.width(), pixmap.height()) <= side:
        return pixmap
    return pixmap.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
