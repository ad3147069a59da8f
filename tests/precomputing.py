"""A generated dataset for the precompute tests (class folders, a tar shard, an undecodable
file, a non-UTF-8 name), and a value-by-value snapshot of a shared cache folder."""

from __future__ import annotations

import io
import random
import tarfile
from pathlib import Path
from typing import Any

from PIL import Image

from browser.core.images.sharedcache import read_manifest, thumb_key
from browser.core.images.sharedcachereader import SharedCache
from tests.conftest import DOG, GOLDEN, TENCH


def _jpeg(seed: int, size: tuple[int, int]) -> bytes:
    """A picture with some structure, so that hashes differ between images."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        colour = tuple(rng.randrange(256) for _ in range(3))
        image.paste(colour, (x, y, min(size[0], x + size[0] // 4), min(size[1], y + size[1] // 4)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def make_dataset(root: Path, per_class: int = 6) -> Path:
    """ImageFolder classes, one ``<wnid>.tar`` shard, a broken file and a latin-1 name."""
    seed = 0
    for wnid in (GOLDEN, DOG):
        (root / wnid).mkdir(parents=True)
        for i in range(per_class):
            seed += 1
            size = (120 + 7 * i, 90 + 5 * (seed % 4))
            (root / wnid / f"{wnid}_{i}.JPEG").write_bytes(_jpeg(seed, size))
    (root / DOG / "broken.JPEG").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (root / GOLDEN).joinpath(b"caf\xe9.JPEG".decode("utf-8", "surrogateescape")).write_bytes(
        _jpeg(99, (80, 140))
    )
    with tarfile.open(root / f"{TENCH}.tar", "w") as shard:
        for i in range(per_class):
            data = _jpeg(1000 + i, (100 + 9 * i, 100))
            info = tarfile.TarInfo(f"{TENCH}_{i}.JPEG")
            info.size, info.mtime = len(data), 1_700_000_000 + i
            shard.addfile(info, io.BytesIO(data))
    return root


def snapshot(folder: Path, buckets: tuple[int, ...]) -> dict[str, Any]:
    """Everything a reader can get from the folder, by relative path: (size, mtime, hash,
    pixel size, {bucket: thumbnail bytes or failure}). Comparable across folders (the
    thumbnails' keys, which hold each folder's dataset id, are resolved here)."""
    assert read_manifest(folder) is not None
    with SharedCache(folder) as shared:
        assert shared.current()
        hashes = shared.values("hashes")
        sizes = shared.values("dimensions")
        result: dict[str, Any] = {}
        for relpath in sorted(set(hashes) | set(sizes)):
            size, mtime = (hashes.get(relpath) or sizes[relpath])[:2]
            keys = {b: thumb_key(shared.dataset_id, relpath, size, mtime, b) for b in buckets}
            found, failed = shared.thumbnails(list(keys.values()))
            thumbs = {b: found.get(k, failed.get(k)) for b, k in keys.items()}
            result[relpath] = (
                size,
                mtime,
                hashes.get(relpath, (0, 0, "missing"))[2],
                sizes.get(relpath, (0, 0, "missing", "missing"))[2:],
                thumbs,
            )
    return result
