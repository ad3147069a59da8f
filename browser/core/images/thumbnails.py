"""Thumbnail decoding with Pillow, and the on-disk thumbnail cache.

The GUI's fast path decodes with Qt (``browser.qt.thumbs``); Pillow here is the fallback
for what that cannot do (CMYK, 16-bit, palette + alpha, odd formats) and is what the core
and the CLI use. Every thumbnail ends up as RGB, upright (EXIF orientation applied).

Cache entries are keyed by the file's path, size and mtime and the thumbnail size bucket,
so a changed file is never served a stale thumbnail; a file that failed to decode is
remembered (like the freedesktop spec's ``fail/`` folder) until it changes.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import threading
import weakref
from contextlib import closing
from pathlib import Path
from types import TracebackType

from PIL import Image, ImageOps

from browser.core.dataset.tarshards import MemberPath, open_image
from browser.core.images.decodebudget import prepare_decode
from browser.core.images.sharedcache import thumb_key
from browser.core.images.sharedcachereader import SharedCache, open_shared

BUCKETS = (128, 256, 384)
_JPEG_QUALITY = 85


def bucket_for(pixels: int) -> int:
    """The smallest cached size that covers a cell of ``pixels``."""
    return next((b for b in BUCKETS if b >= pixels), BUCKETS[-1])


# Only the formats the scanner indexes: Image.open otherwise tries dozens of plugins in
# Python (holding the GIL) on every file it cannot read, which stalled the GUI thread.
PILLOW_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF", "MPO")
# Image.open(formats=…) looks each name up in the registry: in a process where Pillow has
# only pre-initialised (JPEG, PNG, BMP, GIF, PPM), an undecodable file raised KeyError 'MPO'
# instead of saying why it cannot be decoded.
Image.init()


def decode_with_pillow(path: str, bucket: int) -> Image.Image:
    """An RGB thumbnail fitting ``bucket``×``bucket``; raises OSError/ValueError if undecodable
    (TooLargeToDecode if over the pixel budget of browser.core.images.decodebudget)."""
    size = path.length if isinstance(path, MemberPath) else os.path.getsize(path)
    if size == 0:
        raise ValueError("the file is empty")
    with open_image(path) as stream, Image.open(stream, formats=PILLOW_FORMATS) as image:
        # JPEG draft mode decodes at 1/2, 1/4 or 1/8 scale straight from the DCT; anything
        # still over the pixel budget is refused here, before a pixel is decoded.
        prepare_decode(image, "RGB", (bucket, bucket))
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in ("RGB", "L"):
            # Palette + alpha, CMYK, 16-bit and friends: flatten onto white, as a viewer would.
            rgba = upright.convert("RGBA")
            upright = Image.new("RGB", rgba.size, (255, 255, 255))
            upright.paste(rgba, mask=rgba.getchannel("A"))
        upright = upright.convert("RGB")
        upright.thumbnail((bucket, bucket), Image.Resampling.BILINEAR)
        return upright


def encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=_JPEG_QUALITY)
    return buffer.getvalue()


class ThumbnailCache:
    """Thumbnails as small JPEGs in one SQLite file (WAL), shared by the worker threads.

    One file per thumbnail was measured first: creating a file, its folder and renaming it
    into place cost ~2 ms of file-system metadata per thumbnail here, more than decoding.
    A row in one database costs tens of microseconds, and each write is still atomic.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "thumbnails.sqlite"
        self._connections: dict[int, sqlite3.Connection] = {}
        self._setup_lock = threading.Lock()
        self._ready = False
        # The owner closes the cache once its workers are done (close()); should it not, the
        # connections are still closed, explicitly, when the cache goes away rather than
        # left to SQLite's finalizer (a ResourceWarning on Python 3.13).
        self._finalizer = weakref.finalize(self, _close_all, self._connections)
        self._shared: SharedCache | None = None
        self._shared_root = ""

    def __enter__(self) -> ThumbnailCache:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _db(self) -> sqlite3.Connection:
        # One connection per OS thread, found by thread id. Not threading.local: Qt's pool
        # threads get a fresh Python thread state for every job, so thread-locals vanished
        # after each one — a new connection per job, and over a thousand left for the
        # garbage collector to finalize on the GUI thread (50 ms pauses).
        ident = threading.get_ident()
        db = self._connections.get(ident)
        if db is None:
            # Switching to WAL and creating tables take locks that SQLite's busy timeout does
            # not cover; the first connection of the process does them alone.
            with self._setup_lock:
                if not self._ready:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    with closing(sqlite3.connect(self.path, timeout=30)) as setup:
                        setup.execute("PRAGMA journal_mode = WAL")
                        setup.execute(_SCHEMA_THUMBS)
                        setup.execute(_SCHEMA_FAILURES)
                        setup.commit()
                    self._ready = True
                # Used by its own thread only; close() may run on another once that one is done.
                db = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, check_same_thread=False
                )
                db.execute("PRAGMA synchronous = NORMAL")  # a lost thumbnail is re-decoded
                self._connections[ident] = db
        return db

    def use_precomputed(self, cache_dir: Path, root: str) -> None:
        """Read the thumbnails ``synset-browser precompute`` made for the dataset at ``root``
        (browser.core.images.sharedcache) wherever this cache has none; None stops it. Images under
        ``root`` are then keyed as the shared cache keys them (by relative path), so one key
        finds a thumbnail in either."""
        shared = open_shared(cache_dir, root)
        if shared is not None and not shared.current():
            shared.close()  # nothing merged yet
            shared = None
        previous, self._shared = self._shared, shared
        self._shared_root = os.path.join(root, "")
        if previous is not None:
            previous.close()

    def key(self, path: str, size: int, mtime_ns: int, bucket: int) -> bytes:
        shared = self._shared
        if shared is not None and path.startswith(self._shared_root):
            relpath = path[len(self._shared_root) :]
            return thumb_key(shared.dataset_id, relpath, size, mtime_ns, bucket)
        raw = os.fsencode(path) + f"\0{size}\0{mtime_ns}\0{bucket}".encode()
        return hashlib.sha1(raw, usedforsecurity=False).digest()

    def lookup(self, key: bytes) -> tuple[bytes | None, str | None]:
        """(thumbnail, remembered failure) of one key, in one query."""
        data, reason = self._lookup_local(key)
        if data is None and reason is None and self._shared is not None:
            found, failed = self._shared.thumbnails([key])
            return found.get(key), failed.get(key)
        return data, reason

    def _lookup_local(self, key: bytes) -> tuple[bytes | None, str | None]:
        rows = (
            self._db()
            .execute(
                # A named parameter with a dict: Python 3.12+ deprecates numbered ones (?1)
                # bound from a sequence.
                "SELECT data, NULL FROM thumbs WHERE key = :key "
                "UNION ALL SELECT NULL, reason FROM failures WHERE key = :key",
                {"key": key},
            )
            .fetchall()
        )
        data = next((bytes(d) for d, _ in rows if d is not None), None)
        reason = next((str(r) for _, r in rows if r is not None), None)
        return data, reason

    def get(self, key: bytes) -> bytes | None:
        row = self._db().execute("SELECT data FROM thumbs WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def get_many(self, keys: list[bytes]) -> tuple[dict[bytes, bytes], dict[bytes, str]]:
        """Cached thumbnails and remembered failures of many keys, in two queries per chunk."""
        found: dict[bytes, bytes] = {}
        failed: dict[bytes, str] = {}
        db = self._db()
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(db.execute(f"SELECT key, data FROM thumbs WHERE key IN ({marks})", chunk))
            failed.update(
                db.execute(f"SELECT key, reason FROM failures WHERE key IN ({marks})", chunk)
            )
        shared = self._shared
        if shared is not None:
            missing = [key for key in keys if key not in found and key not in failed]
            if missing:
                more, more_failed = shared.thumbnails(missing)
                found.update(more)
                failed.update(more_failed)
        return found, failed

    def put(self, key: bytes, data: bytes) -> None:
        self._db().execute("INSERT OR REPLACE INTO thumbs VALUES (?, ?)", (key, data))

    def remember_failure(self, key: bytes, reason: str) -> None:
        self._db().execute("INSERT OR REPLACE INTO failures VALUES (?, ?)", (key, reason))

    def close(self) -> None:
        """Close every thread's connection: call it when no thread uses the cache any more
        (after the worker pool is done). Using the cache afterwards opens new ones."""
        with self._setup_lock:
            _close_all(self._connections)
        shared, self._shared = self._shared, None
        if shared is not None:
            shared.close()


def _close_all(connections: dict[int, sqlite3.Connection]) -> None:
    while connections:
        _, db = connections.popitem()
        db.close()


_CHUNK = 500  # keys per IN (...) query, well below SQLite's parameter limit
_SCHEMA_THUMBS = "CREATE TABLE IF NOT EXISTS thumbs (key BLOB PRIMARY KEY, data BLOB) WITHOUT ROWID"
_SCHEMA_FAILURES = (
    "CREATE TABLE IF NOT EXISTS failures (key BLOB PRIMARY KEY, reason TEXT) WITHOUT ROWID"
)
