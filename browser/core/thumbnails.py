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
from pathlib import Path

from PIL import Image, ImageOps

BUCKETS = (128, 256, 384)
_JPEG_QUALITY = 85


def bucket_for(pixels: int) -> int:
    """The smallest cached size that covers a cell of ``pixels``."""
    return next((b for b in BUCKETS if b >= pixels), BUCKETS[-1])


def decode_with_pillow(path: str, bucket: int) -> Image.Image:
    """An RGB thumbnail fitting ``bucket``×``bucket``; raises OSError/ValueError if undecodable."""
    with Image.open(path) as image:
        # JPEG draft mode decodes at 1/2, 1/4 or 1/8 scale straight from the DCT.
        image.draft("RGB", (bucket, bucket))
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
    """Thumbnails as small JPEG files under ``folder``; writes are atomic."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(path: str, size: int, mtime_ns: int, bucket: int) -> str:
        raw = os.fsencode(path) + f"\0{size}\0{mtime_ns}\0{bucket}".encode()
        return hashlib.sha1(raw, usedforsecurity=False).hexdigest()

    def _path(self, key: str, bucket: int) -> Path:
        return self.folder / str(bucket) / key[:2] / f"{key}.jpg"

    def _fail_path(self, key: str) -> Path:
        return self.folder / "fail" / key[:2] / key

    def get(self, key: str, bucket: int) -> Path | None:
        path = self._path(key, bucket)
        return path if path.exists() else None

    def put(self, key: str, bucket: int, data: bytes) -> None:
        self._write(self._path(key, bucket), data)

    def failure(self, key: str) -> str | None:
        """Why this exact file version could not be decoded before, if it could not."""
        try:
            return self._fail_path(key).read_text(errors="replace")
        except OSError:
            return None

    def remember_failure(self, key: str, reason: str) -> None:
        self._write(self._fail_path(key), reason.encode())

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(data)}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
