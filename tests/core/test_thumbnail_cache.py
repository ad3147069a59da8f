"""The on-disk thumbnail cache: what it stores, and that it closes what it opens."""

from __future__ import annotations

import gc
import threading
import warnings
from pathlib import Path

from browser.core.images.thumbnails import ThumbnailCache


def _wal(folder: Path) -> Path:
    # SQLite removes the write-ahead log when the database's last connection closes.
    return folder / "thumbnails.sqlite-wal"


def _use_from_threads(cache: ThumbnailCache, count: int) -> None:
    def work(number: int) -> None:
        cache.put(bytes([number]), b"jpeg %d" % number)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_lookup_finds_a_thumbnail_or_a_remembered_failure(tmp_path: Path) -> None:
    with ThumbnailCache(tmp_path) as cache:
        cache.put(b"k1", b"jpeg")
        cache.remember_failure(b"k2", "cannot identify image file")
        assert cache.lookup(b"k1") == (b"jpeg", None)
        assert cache.lookup(b"k2") == (None, "cannot identify image file")
        assert cache.lookup(b"k3") == (None, None)


def test_close_closes_the_connection_of_every_thread(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path)
    _use_from_threads(cache, 3)
    cache.put(b"main", b"jpeg")
    assert _wal(tmp_path).exists()
    cache.close()
    assert not _wal(tmp_path).exists()
    with ThumbnailCache(tmp_path) as again:  # nothing written was lost
        found, _ = again.get_many([bytes([0]), bytes([1]), bytes([2]), b"main"])
    assert len(found) == 4


def test_a_cache_nobody_closed_closes_its_connections_when_it_goes_away(
    tmp_path: Path,
) -> None:
    cache = ThumbnailCache(tmp_path)
    _use_from_threads(cache, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unclosed database is a ResourceWarning (3.13)
        del cache
        gc.collect()
    assert not _wal(tmp_path).exists()
