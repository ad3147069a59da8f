"""ImageNet-21k tar shards read in place: indexing time, and the first thumbnail from a tar.

Usage: python benchmarks/bench_tars.py [--shards 1000] [--members 1300] [--samples DIR]

Makes ``--shards`` tars of ``--members`` small members each (a few hundred bytes: the cost
is in the headers, not the data), then measures, in the same run:
- opening the dataset (listing every shard's members), against a bare ``tarfile`` loop over
  the same headers (the limit) and a scan of a folder tree with as many plain files;
- the first thumbnail of a member read from a shard, against the same JPEG as a plain file.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402

from browser.core.dataset.opening import open_dataset  # noqa: E402
from browser.core.dataset.tarshards import MemberPath  # noqa: E402
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402
from browser.core.images.thumbnails import ThumbnailCache  # noqa: E402
from browser.qt.thumbdecode import ThumbRequest, Ticket, produce_thumbnail  # noqa: E402

T = TypeVar("T")


def make_shards(root: Path, shards: int, members: int) -> None:
    root.mkdir(parents=True)
    payload = b"\xff\xd8" + b"x" * 300  # small: the cost being measured is per header
    for wnid in ilsvrc_wnids()[:shards]:
        with tarfile.open(root / f"{wnid}.tar", "w") as shard:
            for number in range(members):
                info = tarfile.TarInfo(f"{wnid}_{number}.JPEG")
                info.size = len(payload)
                shard.addfile(info, io.BytesIO(payload))


def make_plain(root: Path, shards: int, members: int) -> None:
    for wnid in ilsvrc_wnids()[:shards]:
        folder = root / wnid
        folder.mkdir(parents=True)
        for number in range(members):
            (folder / f"{wnid}_{number}.JPEG").touch()


def bare_tarfile_loop(root: Path) -> int:
    count = 0
    for path in sorted(root.iterdir()):
        with tarfile.open(path, "r:") as shard:
            count += sum(1 for member in shard if member.isfile())
    return count


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def first_thumbnail(work: Path, jpeg: bytes, runs: int = 15) -> tuple[float, float]:
    """Median cold time (no disk-cache hit) of one 128 px thumbnail: (tar member, file)."""
    plain = work / "plain.JPEG"
    plain.write_bytes(jpeg)
    shard_path = work / "n01440764.tar"
    with tarfile.open(shard_path, "w") as shard:
        filler = tarfile.TarInfo("n01440764_0.JPEG")
        filler.size = len(jpeg)
        shard.addfile(filler, io.BytesIO(jpeg))
        info = tarfile.TarInfo("n01440764_1.JPEG")
        info.size = len(jpeg)
        shard.addfile(info, io.BytesIO(jpeg))
    with tarfile.open(shard_path) as shard:
        offset = shard.getmember("n01440764_1.JPEG").offset_data
    member = MemberPath(str(shard_path), "n01440764_1.JPEG", offset, len(jpeg))
    times: dict[str, list[float]] = {"tar": [], "file": []}
    for run in range(runs):
        for kind, path in (("tar", member), ("file", str(plain))):
            cache = ThumbnailCache(work / f"cache-{kind}-{run}")  # a miss every time
            cache.lookup(b"warm up")  # the SQLite file is made before the clock starts
            request = ThumbRequest(0, 0, path, len(jpeg), 1, 128, 0, Ticket())
            started = time.perf_counter()
            image, reason = produce_thumbnail(request, cache)
            elapsed = time.perf_counter() - started
            assert image is not None, reason
            times[kind].append(elapsed)
    return statistics.median(times["tar"]), statistics.median(times["file"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shards", type=int, default=1000)
    parser.add_argument("--members", type=int, default=1300)
    parser.add_argument("--samples", type=Path, help="a folder of real JPEGs for the thumbnail")
    args = parser.parse_args()
    hierarchy = load_hierarchy()
    work = Path(tempfile.mkdtemp(prefix="synset-bench-tars-"))
    shards, plain = work / "shards", work / "plain"
    made, _ = timed(lambda: make_shards(shards, args.shards, args.members))
    make_plain(plain, args.shards, args.members)
    total = args.shards * args.members
    bare, counted = timed(lambda: bare_tarfile_loop(shards))
    opened, index = timed(lambda: open_dataset(shards, hierarchy, cache_dir=work / "cache"))
    reopened, _ = timed(lambda: open_dataset(shards, hierarchy, cache_dir=work / "cache"))
    folders, _ = timed(lambda: open_dataset(plain, hierarchy, cache_dir=work / "cache-plain"))
    assert counted == total == len(index), (counted, total, len(index))
    if args.samples:
        jpeg = next(args.samples.glob("*.JPEG")).read_bytes()
    else:
        buffer = io.BytesIO()
        Image.effect_mandelbrot((500, 375), (-2, -1.2, 1, 1.2), 60).convert("RGB").save(
            buffer, "JPEG", quality=90
        )
        jpeg = buffer.getvalue()
    tar_first, file_first = first_thumbnail(work, jpeg)
    print(f"{args.shards} shards × {args.members} members ({total:,}); {time.strftime('%Y-%m-%d')}")
    print("| measure | result |\n|---|---|")
    print(f"| making the shards (not measured against anything) | {made:.1f} s |")
    print(f"| bare tarfile loop over every header (the baseline) | {bare:.1f} s |")
    print(
        f"| open_dataset on the shards: list, index, store | {opened:.1f} s = "
        f"{opened / bare:.2f}× the bare loop; {opened / args.shards * 1000:.1f} ms per shard |"
    )
    print(f"| reopen from the stored index | {reopened * 1000:.0f} ms |")
    print(f"| open_dataset on {total:,} plain files in {args.shards} folders | {folders:.1f} s |")
    print(
        f"| first 128 px thumbnail, cold: tar member vs plain file (median of 15) | "
        f"{tar_first * 1000:.1f} ms vs {file_first * 1000:.1f} ms = "
        f"{tar_first / file_first:.2f}× |"
    )


if __name__ == "__main__":
    main()
