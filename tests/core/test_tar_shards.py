"""ImageNet-21k shards (<wnid>.tar) read in place: listed once, images read at their offsets."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from browser.core.dataset.counts import compute_counts
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.tarshards import MemberPath
from browser.core.hierarchy.dag import Hierarchy
from browser.core.images.imageinfo import image_facts
from browser.core.images.thumbnails import decode_with_pillow
from tests.conftest import DOG, GOLDEN, TENCH, write_image


def add(shard: tarfile.TarFile, name: str, data: bytes, kind: bytes = tarfile.REGTYPE) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.type = kind
    if kind == tarfile.SYMTYPE:
        info.linkname = "elsewhere"
    shard.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def image_bytes(tmp_path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    path = tmp_path / f"img-{size[0]}x{size[1]}.jpg"
    write_image(path, size, colour)
    return path.read_bytes()


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    root = tmp_path / "winter21"
    root.mkdir()
    wide = image_bytes(tmp_path, (200, 100), (200, 40, 40))
    tall = image_bytes(tmp_path, (90, 180), (40, 200, 40))
    with tarfile.open(root / f"{TENCH}.tar", "w") as shard:
        add(shard, f"{TENCH}_2.JPEG", tall)
        add(shard, f"{TENCH}_1.JPEG", wide)
        add(shard, "README.txt", b"not an image")
        add(shard, "../escape.JPEG", wide)
        add(shard, "/etc/absolute.JPEG", wide)
        add(shard, "link.JPEG", b"", tarfile.SYMTYPE)
    with tarfile.open(root / f"{GOLDEN}.tar", "w") as shard:
        add(shard, f"{GOLDEN}_1.JPEG", wide)
    # A shard cut off in the middle of its second member.
    whole = io.BytesIO()
    with tarfile.open(fileobj=whole, mode="w") as shard:
        add(shard, f"{DOG}_1.JPEG", wide)
        add(shard, f"{DOG}_2.JPEG", wide)
    padded = (len(wide) + 511) // 512 * 512
    (root / f"{DOG}.tar").write_bytes(whole.getvalue()[: 512 + padded + 512 + 200])
    return root


def test_shards_are_classes_and_their_images_are_read_in_place(
    shards: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    before = sorted(os.listdir(shards))
    index = open_dataset(shards, hierarchy, cache_dir=tmp_path / "cache")
    assert index.layout == "wnid-tar-shards"
    names = sorted(index.relpath(r) for r in range(len(index)))
    assert names == [
        f"{TENCH}.tar/{TENCH}_1.JPEG",
        f"{TENCH}.tar/{TENCH}_2.JPEG",
        f"{DOG}.tar/{DOG}_1.JPEG",  # read before the damage
        f"{GOLDEN}.tar/{GOLDEN}_1.JPEG",
    ]
    counts = compute_counts(index)
    assert counts.images[hierarchy.root] == 4
    assert counts.images[hierarchy.index(DOG)] == 2  # its own shard and the golden retriever
    tall = next(r for r in range(len(index)) if index.name(r) == f"{TENCH}_2.JPEG")
    path = index.path(tall)
    assert isinstance(path, MemberPath)
    assert path == str(shards / f"{TENCH}.tar" / f"{TENCH}_2.JPEG")
    thumbnail = decode_with_pillow(path, 64)
    assert thumbnail.size == (32, 64)
    red, green, blue = thumbnail.convert("RGB").getpixel((16, 32))  # type: ignore[misc]
    assert green > 150 > red  # the green one, not its neighbour in the shard
    facts = image_facts(path)
    assert (facts.width, facts.height, facts.format) == (90, 180, "JPEG")
    assert index.sizes[tall] > 0
    assert sorted(os.listdir(shards)) == before  # nothing extracted


def test_bad_members_and_damaged_shards_are_reported(
    shards: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    index = open_dataset(shards, hierarchy, cache_dir=tmp_path / "cache")
    reasons = {s.path: s.reason for s in index.skipped()}
    assert reasons[f"{TENCH}.tar/README.txt"] == "not an image file"
    assert reasons[f"{TENCH}.tar/../escape.JPEG"] == "unsafe member path (absolute or ..)"
    assert reasons[f"{TENCH}.tar//etc/absolute.JPEG"] == "unsafe member path (absolute or ..)"
    assert reasons[f"{TENCH}.tar/link.JPEG"] == "not a regular file"
    assert "truncated" in reasons[f"{DOG}.tar"]


def test_a_reopened_index_still_reads_members_without_listing_again(
    shards: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    open_dataset(shards, hierarchy, cache_dir=tmp_path / "cache")
    again = open_dataset(shards, hierarchy, cache_dir=tmp_path / "cache")
    assert not again.scanned
    row = next(r for r in range(len(again)) if again.name(r) == f"{GOLDEN}_1.JPEG")
    assert decode_with_pillow(again.path(row), 50).size == (50, 25)
    refreshed = open_dataset(shards, hierarchy, cache_dir=tmp_path / "cache", refresh=True)
    assert len(refreshed) == len(again)


@pytest.mark.parametrize(
    "tar_format", [tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT, tarfile.PAX_FORMAT]
)
def test_the_fast_header_reader_agrees_with_tarfile(
    shards: Path, tmp_path: Path, tar_format: int
) -> None:
    from browser.core.dataset.layouts import is_image_name
    from browser.core.dataset.tarshards import _fast_listing, _tarfile_listing, list_shard

    path = tmp_path / f"n01443537-{tar_format}.tar"
    data = image_bytes(tmp_path, (40, 30), (1, 2, 3))
    with tarfile.open(path, "w", format=tar_format) as shard:
        add(shard, "n01443537/", b"", tarfile.DIRTYPE)
        for number in range(5):
            add(shard, f"n01443537/n01443537_{number}.JPEG", data)
        add(shard, "notes.txt", b"x")
        add(shard, "deep/" * 30 + "long.JPEG", data)  # > 100 characters
    fast_or_fallback = list_shard(str(path), is_image_name)
    reference = _tarfile_listing(str(path), is_image_name)
    for attr in ("names", "sizes", "offsets", "mtimes", "skipped", "damage"):
        assert getattr(fast_or_fallback, attr) == getattr(reference, attr), attr
    assert len(reference.names) == 6
    if tar_format == tarfile.USTAR_FORMAT:  # plain headers: the fast path itself agrees
        assert _fast_listing(str(path), is_image_name).names == reference.names


def test_an_image_is_copied_out_of_its_shard_and_nothing_is_overwritten(
    shards: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    from browser.core.dataset.tarshards import copy_image

    index = open_dataset(shards, hierarchy, cache_dir=tmp_path / "cache")
    row = next(r for r in range(len(index)) if index.name(r) == f"{GOLDEN}_1.JPEG")
    out = tmp_path / "export"
    out.mkdir()
    copy_image(index.path(row), str(out / "golden.JPEG"))
    with tarfile.open(shards / f"{GOLDEN}.tar") as shard:
        member = shard.extractfile(f"{GOLDEN}_1.JPEG")
        assert member is not None
        assert (out / "golden.JPEG").read_bytes() == member.read()
    with pytest.raises(FileExistsError):
        copy_image(index.path(row), str(out / "golden.JPEG"))
