"""Pixel width and height of images, read from their headers (no decoding), cached.

The pass is resumable: results are kept by relative path, size and mtime in the cache folder
as they come, so a cancelled pass continues where it stopped and a changed file is read again.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import numpy as np
from PIL import Image

from browser.core.index import DatasetIndex
from browser.core.scanner import ScanCancelled
from browser.core.tarshards import open_image


class DimensionCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with closing(sqlite3.connect(path)) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS dimensions (relpath TEXT PRIMARY KEY, size INTEGER, "
                "mtime INTEGER, width INTEGER, height INTEGER)"  # 0 × 0: unreadable
            )
            db.commit()

    def load(self) -> dict[str, tuple[int, int, int, int]]:
        with closing(sqlite3.connect(self.path)) as db:
            return {r: (s, m, w, h) for r, s, m, w, h in db.execute("SELECT * FROM dimensions")}

    def save(self, entries: list[tuple[str, int, int, int, int]]) -> None:
        with closing(sqlite3.connect(self.path)) as db:
            db.executemany("INSERT OR REPLACE INTO dimensions VALUES (?,?,?,?,?)", entries)
            db.commit()


def dimension_cache_path(index: DatasetIndex, cache_dir: Path) -> Path:
    name = os.path.basename(index.store_path) if index.store_path else "unsaved.sqlite"
    return cache_dir / "dimensions" / name


def dimension_cache_for(index: DatasetIndex, cache_dir: Path) -> DimensionCache:
    return DimensionCache(dimension_cache_path(index, cache_dir))


def _header_size(path: str) -> tuple[int, int]:
    try:
        with open_image(path) as stream, Image.open(stream) as image:
            return image.size
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
    known = cache.load()
    widths = np.zeros(len(rows), dtype=np.int32)
    heights = np.zeros(len(rows), dtype=np.int32)
    fresh: list[tuple[str, int, int, int, int]] = []
    for position, row in enumerate(rows.tolist()):
        relpath = index.relpath(row)
        size, mtime = int(index.sizes[row]), int(index.mtimes[row])
        entry = known.get(relpath)
        if entry is not None and (size < 0 or entry[:2] == (size, mtime)):
            widths[position], heights[position] = entry[2], entry[3]
        elif not cached_only:
            if cancelled is not None and cancelled():
                cache.save(fresh)
                raise ScanCancelled
            width, height = _header_size(index.path(row))
            widths[position], heights[position] = width, height
            fresh.append((relpath, size, mtime, width, height))
            if len(fresh) >= 1000:
                cache.save(fresh)
                fresh = []
        if progress is not None and (position % 1000 == 0 or position == len(rows) - 1):
            progress(position + 1, len(rows))
    cache.save(fresh)
    return widths, heights
