"""Making one thumbnail: from the disk cache, or decoded (Qt first, Pillow as fallback).

Everything here runs on worker threads (and, for cache hits, briefly on the GUI thread);
the threading around it lives in :mod:`browser.qt.thumbs`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageOps
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter

from browser.core.dataset.tarshards import MemberPath, open_image
from browser.core.images.decodebudget import (
    TooLargeToDecode,
    budget_reason,
    draft_scale,
    fits_budget,
    prepare_decode,
)
from browser.core.images.thumbnails import ThumbnailCache, decode_with_pillow, encode_jpeg

log = logging.getLogger(__name__)


@dataclass
class Ticket:
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
    ticket: Ticket = field(compare=False, hash=False)
    # Set when the loader already looked the key up (in one query for a whole batch):
    # the cached thumbnail, or b"" for "not in the cache". None: the worker looks it up.
    key: bytes | None = None
    cached: bytes | None = field(default=None, repr=False)


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


def _bounded_reader(path: str, bucket: int | None) -> tuple[QImageReader, QSize | None, str]:
    """A reader set to decode ``path`` scaled to fit ``bucket`` (None: full size) within the
    pixel budget (browser.core.images.decodebudget): (reader, the size the decoder will allocate or
    None if the header is unreadable, a refusal if over the budget).

    Qt decodes a JPEG at 1/2, 1/4 or 1/8 scale when asked for a small enough size (libjpeg's
    DCT scaling); other formats are decoded whole before they are scaled, so their header
    size is what the budget is checked against.
    """
    reader = QImageReader(path)
    reader.setAutoTransform(True)  # EXIF orientation
    size = reader.size()
    if not size.isValid():
        return reader, None, ""
    width, height = size.width(), size.height()
    target = _scaled(size, bucket) if bucket is not None else None
    decoded = size
    if bytes(reader.format().data()).lower() in (b"jpeg", b"jpg"):
        wanted = (target.width(), target.height()) if target is not None else None
        scale = draft_scale(width, height, wanted)
        decoded = QSize(-(-width // scale), -(-height // scale))
        if target is None and scale > 1:
            target = decoded
    if not fits_budget(decoded.width(), decoded.height()):
        return reader, decoded, budget_reason(width, height)
    if target is not None:
        reader.setScaledSize(target)
    return reader, decoded, ""


def decode_with_qt(path: str, bucket: int) -> tuple[QImage | None, str]:
    """A scaled, upright decode; (None, reason) when Qt cannot read the file."""
    reader, size, refusal = _bounded_reader(path, bucket)
    if size is None:
        return None, reader.errorString()
    if refusal:
        return None, refusal
    image = reader.read()
    if image.isNull():
        return None, reader.errorString()
    return _flatten(image), ""


# Worker threads never hand Qt a QIODevice made in Python (QBuffer(...) here): PySide wraps
# it, and each virtual call Qt makes on it (readData, writeData, …) must take the GIL to look
# for a Python override. Inside QImageReader.read(), which runs without the GIL while holding
# Qt's image-handler lock, that deadlocked two workers (seen in the benchmark). Thumbnails
# are therefore encoded with Pillow and read back with QImage.fromData.


def _qimage_from_pillow(image: Image.Image) -> QImage:
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    width, height = rgb.size
    return QImage(data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


def _from_pillow(path: str, bucket: int) -> QImage:
    return _qimage_from_pillow(decode_with_pillow(path, bucket))


def _jpeg_bytes(image: QImage) -> bytes:
    packed = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(packed.constBits())
    pillow = Image.frombuffer(
        "RGB", (packed.width(), packed.height()), data, "raw", "RGB", packed.bytesPerLine(), 1
    )
    return encode_jpeg(pillow)


def decode_full(path: str) -> tuple[QImage | None, str]:
    """The whole image, upright, for the preview; (None, reason) if it cannot be decoded.

    Within the pixel budget: a JPEG too large for it is decoded reduced (1/2 to 1/8), any
    other image too large for it is refused. Files go through Qt first; tar shard members
    (and what Qt cannot read) through Pillow, which reads the member's bytes at its offset
    and applies EXIF orientation.
    """
    reason = ""
    if not isinstance(path, MemberPath):
        reader, size, refusal = _bounded_reader(path, None)
        if refusal:
            return None, refusal
        if size is not None:
            image = reader.read()
            if not image.isNull():
                return image, ""
        reason = reader.errorString()
    try:
        with open_image(path) as stream, Image.open(stream) as opened:
            prepare_decode(opened)
            rgb = ImageOps.exif_transpose(opened).convert("RGB")
        return _qimage_from_pillow(rgb), ""
    except TooLargeToDecode as exc:
        return None, str(exc)
    except Exception as exc:  # undecodable: say so in the dialog
        return None, f"{reason}; {exc}" if reason else str(exc)


def read_cached(data: bytes) -> QImage:
    # fromData's QBuffer is made by Qt itself (no Python wrapper, so no GIL inside). It holds
    # the GIL while it decodes, but a cached thumbnail takes ~0.1 ms; Pillow's Python-level
    # JPEG parsing held it longer. A damaged entry gives a null image: the file is decoded.
    # Naming the format skips sniffing through every image plugin (0.21 vs 0.32 ms here).
    # PySide's stubs say bytes, but at run time only a str is accepted for it.
    return QImage.fromData(data, "JPEG")  # type: ignore[arg-type]


def store_thumbnail(cache: ThumbnailCache, key: bytes, image: QImage) -> None:
    try:
        cache.put(key, _jpeg_bytes(image))
    except (OSError, sqlite3.Error):
        log.warning("cannot write to the thumbnail cache %s", cache.path, exc_info=True)


def produce_thumbnail(
    request: ThumbRequest,
    cache: ThumbnailCache,
    store: Callable[[bytes, QImage], None] | None = None,
    *,
    key: bytes | None = None,
    cached: bytes | None = None,
) -> tuple[QImage | None, str]:
    """The thumbnail for a request, from the disk cache or decoded; (None, reason) if none.

    ``key``/``cached`` (else the request's) say the cache was already looked up: ``cached``
    is the thumbnail found, or b"" for none. A fresh decode is written to the cache by
    ``store`` (which may defer it), else at once.
    """
    key = key if key is not None else request.key
    cached = cached if cached is not None else request.cached
    if key is not None and cached is not None:
        cached, earlier = cached or None, None
    else:
        size, mtime = request.size, request.mtime_ns
        if size < 0 or mtime < 0:
            try:
                st = os.stat(request.path)
            except OSError as exc:
                return None, f"cannot be read: {exc.strerror or exc}"
            size, mtime = st.st_size, st.st_mtime_ns
        key = cache.key(request.path, size, mtime, request.bucket)
        cached, earlier = cache.lookup(key)
    if cached is not None:
        stored = read_cached(cached)
        if not stored.isNull():
            return stored, ""
    if earlier is not None:
        return None, earlier
    if isinstance(request.path, MemberPath):
        # Qt would need a QIODevice over the bytes, which workers must not make (see above).
        image, reason = None, "in a tar shard"
    else:
        image, reason = decode_with_qt(request.path, request.bucket)
    if image is None:
        try:
            image = _from_pillow(request.path, request.bucket)
        except Exception as exc:  # any decoder failure is a fact about the file, not a crash
            if isinstance(exc, TooLargeToDecode):
                reason = str(exc)
            elif str(exc):
                reason = f"cannot be decoded: {exc}"
            else:
                reason = f"cannot be decoded ({reason})"
            try:
                cache.remember_failure(key, reason)
            except (OSError, sqlite3.Error):
                log.debug("cannot remember the failure of %s", request.path, exc_info=True)
            return None, reason
    if store is not None:
        store(key, image)
    else:
        store_thumbnail(cache, key, image)
    return image, ""
