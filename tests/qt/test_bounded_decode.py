"""Thumbnails and the full-size preview stay within the pixel budget: an image whose header
declares more pixels is refused with a reason (on the tile, in the preview) before Qt or
Pillow decodes a pixel; a huge JPEG is decoded reduced."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageReader

from browser.core.images.thumbnails import ThumbnailCache
from browser.qt import thumbdecode
from browser.qt.thumbdecode import ThumbRequest, Ticket, produce_thumbnail
from browser.qt.widgets.preview import load_full
from tests.core.test_decode_budget import huge_jpeg, huge_png, no_decoding

__all__ = ["no_decoding"]  # a fixture, imported to be used here


@pytest.fixture
def qt_reads(monkeypatch: pytest.MonkeyPatch) -> list[QSize]:
    """Records every decode Qt is asked for, at the size it would decode."""
    reads: list[QSize] = []

    class RecordingReader(QImageReader):
        def read(self) -> QImage:
            reads.append(self.scaledSize() if self.scaledSize().isValid() else self.size())
            return super().read()

    monkeypatch.setattr(thumbdecode, "QImageReader", RecordingReader)
    return reads


def request_for(path: Path) -> ThumbRequest:
    return ThumbRequest(0, 0, str(path), -1, -1, 128, 0, Ticket())


def test_a_tile_of_a_png_over_the_budget_says_why_and_nothing_is_decoded(
    tmp_path: Path, qt_reads: list[QSize], no_decoding: list[str]
) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs")
    path = huge_png(tmp_path / "big.png", 8_000, 8_000)
    image, reason = produce_thumbnail(request_for(path), cache)
    assert image is None
    assert reason == "too large to decode: 8,000 × 8,000 pixels (64 Mpx) is over the 40 Mpx budget"
    assert (qt_reads, no_decoding) == ([], [])
    # Remembered like any failure: the next look does not even open the file.
    assert produce_thumbnail(request_for(path), cache) == (None, reason)
    cache.close()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_preview_refuses_a_png_over_the_budget_with_a_reason(
    tmp_path: Path, qt_reads: list[QSize], no_decoding: list[str]
) -> None:
    image, reason = load_full(str(huge_png(tmp_path / "big.png", 13_000, 13_000)))
    assert image is None
    assert reason.startswith("too large to decode: 13,000 × 13,000 pixels")
    assert (qt_reads, no_decoding) == ([], [])


def test_the_preview_decodes_a_huge_jpeg_reduced_to_the_budget(tmp_path: Path) -> None:
    path = huge_jpeg(tmp_path / "big.jpg", 9_000, 7_000)
    reader, decoded, refusal = thumbdecode._bounded_reader(str(path), None)
    assert refusal == ""
    assert decoded == reader.scaledSize() == QSize(4_500, 3_500)


def test_the_preview_still_shows_an_ordinary_image_at_full_size(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    Image.new("RGB", (640, 480), (30, 90, 200)).save(path)
    image, reason = load_full(str(path))
    assert reason == ""
    assert image is not None
    assert (image.width(), image.height()) == (640, 480)
