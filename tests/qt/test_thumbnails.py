"""Thumbnail loading: off the GUI thread, cached on disk, failures explained, stale dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from browser.core.images import thumbnails as thumbnails_module
from browser.core.images.thumbnails import ThumbnailCache
from browser.qt import thumbdecode
from browser.qt.thumbdecode import ThumbRequest, Ticket, produce_thumbnail
from browser.qt.thumbs import ThumbnailLoader


def request_for(path: Path, bucket: int = 128, row: int = 0) -> ThumbRequest:
    return ThumbRequest(row, row, str(path), -1, -1, bucket, 0, Ticket())


@pytest.fixture
def cache(tmp_path: Path) -> ThumbnailCache:
    return ThumbnailCache(tmp_path / "thumbs")


def test_a_thumbnail_fits_its_bucket_and_keeps_its_aspect(
    tmp_path: Path, cache: ThumbnailCache
) -> None:
    path = tmp_path / "wide.jpg"
    Image.new("RGB", (500, 375), (10, 200, 30)).save(path, quality=90)
    image, reason = produce_thumbnail(request_for(path), cache)
    assert reason == ""
    assert image is not None
    assert (image.width(), image.height()) == (128, 96)
    assert image.pixelColor(60, 40).green() > 150


@pytest.mark.parametrize(
    ("mode", "ext", "options"),
    [
        ("CMYK", "jpg", {}),
        ("I;16", "png", {}),
        ("P", "png", {"transparency": 0}),
        ("RGBA", "webp", {}),
        ("L", "tiff", {}),
        ("RGB", "bmp", {}),
        ("RGB", "gif", {}),
    ],
)
def test_odd_formats_become_rgb_thumbnails(
    tmp_path: Path, cache: ThumbnailCache, mode: str, ext: str, options: dict[str, Any]
) -> None:
    path = tmp_path / f"odd.{ext}"
    Image.new(mode, (90, 60)).save(path, **options)
    image, reason = produce_thumbnail(request_for(path), cache)
    assert reason == ""
    assert image is not None
    assert (image.width(), image.height()) == (90, 60)
    assert image.format() in (QImage.Format.Format_RGB32, QImage.Format.Format_RGB888)


def test_exif_orientation_is_applied(tmp_path: Path, cache: ThumbnailCache) -> None:
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90° clockwise
    Image.new("RGB", (200, 100), (200, 0, 0)).save(path, exif=exif)
    image, _ = produce_thumbnail(request_for(path), cache)
    assert image is not None
    assert (image.width(), image.height()) == (64, 128)


def test_a_broken_file_gives_a_reason_that_is_remembered(
    tmp_path: Path, cache: ThumbnailCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 definitely not a JPEG")
    image, reason = produce_thumbnail(request_for(path), cache)
    assert image is None
    assert reason.startswith("cannot be decoded")

    def must_not_decode(*args: object) -> None:
        raise AssertionError("a remembered failure was decoded again")

    monkeypatch.setattr(thumbdecode, "decode_with_qt", must_not_decode)
    assert produce_thumbnail(request_for(path), cache) == (None, reason)
    path.write_bytes(path.read_bytes() + b"changed")  # the file changes: try again
    with pytest.raises(AssertionError, match="decoded again"):
        produce_thumbnail(request_for(path), cache)


def test_the_disk_cache_serves_the_second_request(
    tmp_path: Path, cache: ThumbnailCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.jpg"
    Image.new("RGB", (400, 300), (0, 0, 200)).save(path)
    first, _ = produce_thumbnail(request_for(path), cache)
    stat = path.stat()
    stored = cache.get(cache.key(str(path), stat.st_size, stat.st_mtime_ns, 128))
    assert stored is not None
    assert stored.startswith(b"\xff\xd8")  # a JPEG
    monkeypatch.setattr(
        thumbdecode,
        "decode_with_qt",
        lambda *a: (_ for _ in ()).throw(AssertionError("decoded instead of read from the cache")),
    )
    second, _ = produce_thumbnail(request_for(path), cache)
    assert second is not None
    assert first is not None
    assert second.size() == first.size()


def make_images(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{i}.jpg"
        Image.new("RGB", (160, 120), (i * 7 % 255, 80, 160)).save(path)
        paths.append(path)
    return paths


def listen(loader: ThumbnailLoader) -> list[int]:
    """The grid positions the loader reports ready, as they come."""
    delivered: list[int] = []
    loader.thumbnailsReady.connect(delivered.extend)
    return delivered


def items(paths: list[Path], first: int = 0) -> list[tuple[int, int, str, int, int]]:
    """Request items (position, row, path, size, mtime) with size and mtime not known yet."""
    return [(first + p, first + p, str(path), -1, -1) for p, path in enumerate(paths)]


def test_the_loader_delivers_pixmaps_in_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, cache: ThumbnailCache
) -> None:
    loader = ThumbnailLoader(cache, threads=2)
    paths = make_images(tmp_path / "imgs", 6)
    delivered = listen(loader)
    wanted = items(paths)
    assert loader.request(wanted, 128) == 6
    qtbot.waitUntil(lambda: len(delivered) == 6)
    assert sorted(delivered) == list(range(6))
    assert all(loader.pixmap(row, 128) is not None for row in range(6))
    assert loader.request(wanted, 128) == 0  # nothing is asked for twice
    loader.shutdown()


def test_stale_results_are_dropped_after_a_reset(
    qtbot: QtBot, tmp_path: Path, cache: ThumbnailCache
) -> None:
    loader = ThumbnailLoader(cache, threads=2)
    paths = make_images(tmp_path / "imgs", 30)
    delivered = listen(loader)
    loader.request(items(paths), 128)
    loader.reset()  # the user selected another synset before any result came back
    fresh = make_images(tmp_path / "other", 2)
    loader.request(items(fresh, first=100), 128)
    qtbot.waitUntil(lambda: len(delivered) == 2)
    loader.pool.waitForDone()
    qtbot.wait(50)  # let any queued (stale) deliveries arrive, to prove they are ignored
    assert sorted(delivered) == [100, 101]
    assert all(loader.pixmap(row, 128) is None for row in range(30))
    loader.shutdown()


def test_the_memory_cache_is_bounded(qtbot: QtBot, tmp_path: Path, cache: ThumbnailCache) -> None:
    one_thumbnail = 2 * 128 * 96 * 4  # the image and the pixmap shown from it
    loader = ThumbnailLoader(cache, threads=2, memory_bytes=3 * one_thumbnail)
    paths = make_images(tmp_path / "imgs", 8)
    delivered = listen(loader)
    loader.request(items(paths), 128)
    qtbot.waitUntil(lambda: len(delivered) == 8)
    assert loader.memory_used <= 3 * one_thumbnail
    assert sum(loader.pixmap(r, 128) is not None for r in range(8)) == 3
    loader.shutdown()


def test_cached_and_fresh_thumbnails_together_never_deadlock(
    qtbot: QtBot, tmp_path: Path, cache: ThumbnailCache
) -> None:
    # Regression: reading cached JPEGs through a Python-made QBuffer in one worker while
    # another decoded a file deadlocked on the GIL and QImageReader's handler lock.
    first = make_images(tmp_path / "first", 150)
    for number, path in enumerate(first):
        produce_thumbnail(request_for(path, row=number), cache)  # now in the disk cache
    fresh = make_images(tmp_path / "fresh", 150)
    loader = ThumbnailLoader(cache, threads=2)
    delivered = listen(loader)
    mixed = [item for pair in zip(first, fresh, strict=True) for item in pair]
    loader.request(items(mixed), 128)
    qtbot.waitUntil(lambda: len(delivered) == len(mixed), timeout=60_000)
    assert loader.failure(0, 128) is None
    loader.shutdown()


def test_loaded_thumbnails_reach_the_disk_cache_once_requests_pause(
    qtbot: QtBot, tmp_path: Path, cache: ThumbnailCache
) -> None:
    loader = ThumbnailLoader(cache, threads=2)
    paths = make_images(tmp_path / "imgs", 5)
    delivered = listen(loader)
    loader.request(items(paths), 128)
    qtbot.waitUntil(lambda: len(delivered) == 5)
    keys = [cache.key(str(p), p.stat().st_size, p.stat().st_mtime_ns, 128) for p in paths]
    qtbot.waitUntil(lambda: len(cache.get_many(keys)[0]) == 5, timeout=10_000)
    loader.shutdown()


def test_pool_jobs_reuse_one_cache_connection_per_thread(
    qtbot: QtBot, tmp_path: Path, cache: ThumbnailCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Qt's pool threads get a fresh Python thread state per job: a threading.local
    # connection was lost after each one (a new SQLite connection per job, and a thousand
    # of them for the garbage collector to finalize on the GUI thread).
    opened: list[object] = []
    real_connect = thumbnails_module.sqlite3.connect

    def counting_connect(*args: Any, **kwargs: Any) -> Any:
        opened.append(args[0])
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(thumbnails_module.sqlite3, "connect", counting_connect)
    loader = ThumbnailLoader(cache, threads=2)
    delivered = listen(loader)
    for round_no in range(3):  # several batches: several jobs that touch the cache
        paths = make_images(tmp_path / f"imgs{round_no}", 40)
        first = round_no * 40
        loader.request(items(paths, first=first), 128)
        qtbot.waitUntil(lambda n=first + 40: len(delivered) == n)  # type: ignore[misc]
        loader._flush_stores(force=True)
    loader.shutdown()
    # The schema set-up, then one per thread: two workers and the GUI thread's batch query.
    assert len(opened) <= 4


def test_a_tar_shard_member_gets_a_thumbnail_and_a_preview_without_extraction(
    tmp_path: Path, cache: ThumbnailCache
) -> None:
    import io
    import tarfile

    from browser.core.dataset.tarshards import MemberPath
    from browser.qt.widgets.preview import load_full

    picture = tmp_path / "p.jpg"
    Image.new("RGB", (300, 150), (20, 30, 220)).save(picture)
    data = picture.read_bytes()
    shard_path = tmp_path / "n01440764.tar"
    with tarfile.open(shard_path, "w") as shard:
        info = tarfile.TarInfo("n01440764_7.JPEG")
        info.size = len(data)
        shard.addfile(info, io.BytesIO(data))
    with tarfile.open(shard_path) as shard:
        offset = shard.getmember("n01440764_7.JPEG").offset_data
    member = MemberPath(str(shard_path), "n01440764_7.JPEG", offset, len(data))
    request = ThumbRequest(0, 0, member, len(data), 1, 128, 0, Ticket())
    image, reason = produce_thumbnail(request, cache)
    assert reason == ""
    assert image is not None
    assert (image.width(), image.height()) == (128, 64)
    assert QColor(image.pixel(64, 32)).blue() > 180
    full, why = load_full(member)
    assert why == ""
    assert full is not None
    assert (full.width(), full.height()) == (300, 150)
    # Cached under the member's path: the second request is a cache hit.
    assert cache.lookup(cache.key(member, len(data), 1, 128))[0] is not None
