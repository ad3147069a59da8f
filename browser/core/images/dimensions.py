"""Pixel width and height of images, read from their headers (no decoding), cached and
resumable like every per-file value (browser.core.images.filecache)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.tarshards import open_image
from browser.core.images.filecache import (
    FileValueCache,
    Precomputed,
    cache_path,
    per_file_values,
)
from browser.core.images.sharedcachereader import precomputed_values


class DimensionCache(FileValueCache):
    """Pixel sizes by file (0 × 0: unreadable)."""

    def __init__(self, path: Path, precomputed: Precomputed | None = None) -> None:
        super().__init__(path, ("width", "height"), precomputed)


def dimension_cache_path(index: DatasetIndex, cache_dir: Path) -> Path:
    return cache_path(index, cache_dir, "dimensions")


def dimension_cache_for(index: DatasetIndex, cache_dir: Path) -> DimensionCache:
    """The dataset's pixel-size cache, backed by the sizes ``precompute`` read, if any."""
    precomputed = partial(precomputed_values, cache_dir, index.root, "dimensions")
    return DimensionCache(dimension_cache_path(index, cache_dir), precomputed)


def header_size(path: str) -> tuple[int, int]:
    # Pillow only once an image is read: `stats --json` imports this module to find stored
    # sizes, and needs no image library for that.
    from PIL import Image

    try:
        with open_image(path) as stream, Image.open(stream) as image:
            width, height = image.size
            return width, height
    except Exception:  # an unreadable image has no size; 0 × 0 says so
        return 0, 0


def read_dimensions(
    index: DatasetIndex,
    rows: np.ndarray,
    cache: DimensionCache,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cached_only: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(widths, heights) for ``rows``; 0 where unknown (unreadable, or not read yet when
    ``cached_only``)."""
    values = per_file_values(
        index,
        rows,
        cache,
        header_size,
        (0, 0),
        progress=progress,
        cancelled=cancelled,
        cached_only=cached_only,
    )
    sizes = np.array(values, dtype=np.int32).reshape(len(rows), 2)
    return sizes[:, 0].copy(), sizes[:, 1].copy()
