"""The pixel budget: images whose headers declare more pixels than it allows are refused
before any pixel is decoded; JPEGs are reduced while decoding instead.

The files are small crafted ones whose headers declare huge sizes (a real 13,000² image would
take the memory the budget protects). Pillow only warns (DecompressionBombWarning) from 89.5
Mpx; below that no warning can be what refuses them, and above it the warning is ignored
here as it is in the app, where it is not an error.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from browser.core.analysis.duplicates import HashCache, hash_rows
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from browser.core.images.decodebudget import (
    MAX_DECODE_PIXELS,
    TooLargeToDecode,
    draft_scale,
    prepare_decode,
)
from browser.core.images.imageinfo import image_facts
from browser.core.images.phash import file_hash
from browser.core.images.thumbnails import decode_with_pillow
from tests.conftest import TENCH


def huge_png(path: Path, width: int, height: int) -> Path:
    """A 16×16 greyscale PNG whose IHDR says ``width`` × ``height`` (CRC recomputed)."""
    buffer = io.BytesIO()
    Image.new("L", (16, 16), 128).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))
    return path


def huge_jpeg(path: Path, width: int, height: int) -> Path:
    """A 16×16 JPEG whose frame header (SOF0) says ``width`` × ``height``."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records (and stops) any attempt to decode pixels."""
    attempts: list[str] = []

    def load(self: ImageFile.ImageFile) -> None:
        attempts.append(str(self.size))
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return attempts


def test_the_crafted_png_is_what_it_claims(tmp_path: Path) -> None:
    with Image.open(huge_png(tmp_path / "big.png", 8_000, 8_000)) as image:
        assert (image.format, image.size) == ("PNG", (8_000, 8_000))
    pixels = 8_000 * 8_000
    assert Image.MAX_IMAGE_PIXELS is not None
    assert pixels < Image.MAX_IMAGE_PIXELS  # Pillow would not even warn
    assert pixels > MAX_DECODE_PIXELS


def test_a_thumbnail_of_a_png_over_the_budget_is_refused_before_decoding(
    tmp_path: Path, no_decoding: list[str]
) -> None:
    path = huge_png(tmp_path / "big.png", 8_000, 8_000)
    with pytest.raises(TooLargeToDecode, match=r"8,000 × 8,000 pixels \(64 Mpx\).*40 Mpx"):
        decode_with_pillow(str(path), 128)
    assert no_decoding == []


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_13000_pixel_png_of_the_report_is_refused_not_decoded(
    tmp_path: Path, no_decoding: list[str]
) -> None:
    path = huge_png(tmp_path / "big.png", 13_000, 13_000)
    with pytest.raises(TooLargeToDecode, match="13,000 × 13,000 pixels"):
        decode_with_pillow(str(path), 256)
    with pytest.raises(TooLargeToDecode):
        file_hash(str(path))
    assert no_decoding == []


def test_a_png_within_the_budget_still_decodes(tmp_path: Path) -> None:
    path = tmp_path / "fine.png"
    Image.fromarray(np.full((300, 500), 90, dtype=np.uint8)).save(path)
    assert decode_with_pillow(str(path), 128).size == (128, 77)


def test_a_huge_jpeg_is_reduced_while_decoding_not_refused(tmp_path: Path) -> None:
    path = huge_jpeg(tmp_path / "big.jpg", 9_000, 7_000)  # 63 Mpx; 1/2 is 15.75 Mpx
    with Image.open(path) as image:
        prepare_decode(image)  # full size asked: reduced only as far as the budget needs
        assert image.size == (4_500, 3_500)
    with Image.open(path) as image:
        prepare_decode(image, "RGB", (128, 128))  # a thumbnail: the largest reduction
        assert image.size == (1_125, 875)


def test_the_draft_scale_fits_the_budget_and_the_target() -> None:
    assert draft_scale(500, 375, (128, 128)) == 2
    assert draft_scale(500, 375, None) == 1
    assert draft_scale(9_000, 7_000, None) == 2
    assert draft_scale(20_000, 15_000, None) == 4  # 300 Mpx: 1/4 is 18.75 Mpx
    assert draft_scale(30_000, 24_000, None) == 8  # 720 Mpx: 1/4 would be 45 Mpx
    assert draft_scale(13_001, 13_001, (64, 64)) == 8


def test_hashing_records_an_image_over_the_budget_as_undecodable(
    tmp_path: Path, hierarchy: Hierarchy, no_decoding: list[str]
) -> None:
    root = tmp_path / "ds"
    huge_png(root / f"train/{TENCH}/big.png", 8_000, 8_000)
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    _, valid = hash_rows(index, np.arange(len(index)), HashCache(tmp_path / "h.sqlite"))
    assert valid.tolist() == [False]
    assert no_decoding == []


def test_image_facts_of_a_png_over_the_budget_come_from_its_header(
    tmp_path: Path, no_decoding: list[str]
) -> None:
    facts = image_facts(str(huge_png(tmp_path / "big.png", 8_000, 8_000)))
    assert (facts.width, facts.height, facts.format, facts.error) == (8_000, 8_000, "PNG", "")
    assert facts.orientation.startswith("not read: too large to decode")
    assert no_decoding == []
