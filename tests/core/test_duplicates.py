"""Near-duplicates: planted copies are found, distinct images are not, groups are ranked."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
from PIL import Image

from browser.core.dataset import open_dataset
from browser.core.duplicates import (
    DEFAULT_MAX_DISTANCE,
    HashCache,
    group_duplicates,
    hash_rows,
    near_pairs,
)
from browser.core.hierarchy import Hierarchy
from browser.core.phash import hamming, image_hash
from tests.conftest import GOLDEN, TABBY, TENCH


def photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A smooth random picture (structure at several scales, like a photograph)."""
    rng = np.random.default_rng(seed)
    field = np.zeros((size[1], size[0]))
    for cells in (3, 6, 12):
        coarse = rng.random((cells, cells))
        field += (
            np.asarray(
                Image.fromarray((coarse * 255).astype(np.uint8)).resize(
                    size, Image.Resampling.BICUBIC
                ),
                dtype=float,
            )
            / cells
        )
    rgb = np.stack([field, np.roll(field, 40, axis=1), field[::-1]], axis=2)
    rgb = (255 * (rgb - rgb.min()) / (np.ptp(rgb) or 1)).astype(np.uint8)
    return Image.fromarray(rgb)


def save(image: Image.Image, path: Path, quality: int = 92) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=quality)


def test_multi_index_search_finds_exactly_the_close_pairs() -> None:
    rng = np.random.default_rng(1)
    hashes = rng.integers(0, 2**63, size=3000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    planted = {}
    for position, flips in [(10, 0), (20, 3), (30, 5), (40, 6)]:
        copy = int(hashes[position])
        for bit in rng.choice(64, size=flips, replace=False):
            copy ^= 1 << int(bit)
        hashes = np.append(hashes, np.uint64(copy))
        planted[(position, len(hashes) - 1)] = flips
    found = {(int(i), int(j)): int(d) for i, j, d in near_pairs(hashes, 5)}
    assert found == {pair: d for pair, d in planted.items() if d <= 5}
    brute = {
        (i, j)
        for i, j in itertools.combinations(range(len(hashes)), 2)
        if hamming(int(hashes[i]), int(hashes[j])) <= 5
    }
    assert set(found) == brute


def test_planted_copies_are_grouped_and_ranked_and_distinct_images_are_not(
    tmp_path: Path, hierarchy: Hierarchy
) -> None:
    root = tmp_path / "ds"
    original = photo(7)
    save(original, root / f"train/{TENCH}/original.JPEG")
    save(original, root / f"val/{GOLDEN}/same-under-another-label.JPEG")
    smaller = io.BytesIO()
    original.resize((160, 120)).save(smaller, "JPEG", quality=60)
    save(Image.open(smaller), root / f"train/{TENCH}/resized.JPEG", quality=60)
    leak = photo(8)
    save(leak, root / f"train/{TABBY}/cat.JPEG")
    w, h = leak.size
    save(leak.crop((3, 2, w - 3, h - 2)), root / f"val/{TABBY}/cat-cropped.JPEG")
    for seed in range(20, 40):
        save(photo(seed), root / f"train/{TABBY}/other{seed}.JPEG")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    rows = np.arange(len(index))
    cache = HashCache(tmp_path / "hashes.sqlite")
    hashes, valid = hash_rows(index, rows, cache)
    assert valid.all()
    assert hamming(int(hashes[0]), int(hashes[0])) == 0
    groups = group_duplicates(index, rows, near_pairs(hashes, DEFAULT_MAX_DISTANCE))
    named = [(g.kind, sorted(index.name(r) for r in g.rows)) for g in groups]
    assert named == [
        ("labels", ["original.JPEG", "resized.JPEG", "same-under-another-label.JPEG"]),
        ("splits", ["cat-cropped.JPEG", "cat.JPEG"]),
    ]
    # The second pass reads the cache instead of decoding again.
    first = Path(index.path(0)).stat()
    cache.save([(index.relpath(0), first.st_size, first.st_mtime_ns, 12345)])
    again, _ = hash_rows(index, rows, cache)
    assert int(again[0]) == 12345
    assert (again[1:] == hashes[1:]).all()


def test_a_resized_recompressed_copy_stays_within_the_default_distance() -> None:
    for seed in range(5):
        picture = photo(seed, (500, 375))
        copy = io.BytesIO()
        picture.resize((250, 188)).save(copy, "JPEG", quality=60)
        assert hamming(image_hash(picture), image_hash(Image.open(copy))) <= DEFAULT_MAX_DISTANCE
