"""Near-duplicates: planted copies are found, distinct images are not, groups are ranked,
and many identical images cost what one does."""

from __future__ import annotations

import io
import itertools
import os
import tracemalloc
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from browser.core.analysis import duplicates
from browser.core.analysis.duplicates import (
    DEFAULT_MAX_DISTANCE,
    KIND_ORDER,
    DuplicateGroup,
    HashCache,
    find_duplicate_groups,
    group_hashes,
    hash_cache_for,
    hash_rows,
    near_pairs,
)
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from browser.core.images.phash import hamming, image_hash
from tests.conftest import GOLDEN, TABBY, TENCH, write_image


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
    groups = find_duplicate_groups(index, rows, hashes, DEFAULT_MAX_DISTANCE)
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


def brute_force_groups(
    rows: list[int], hashes: list[int], labels: list[int], splits: list[int], max_distance: int
) -> list[DuplicateGroup]:
    """The definition, pair by pair: images linked by a chain of pairs within the distance."""
    parent = list(range(len(rows)))

    def root(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    widest: dict[int, int] = {}
    linked = []
    for i, j in itertools.combinations(range(len(rows)), 2):
        distance = hamming(hashes[i], hashes[j])
        if distance <= max_distance:
            linked.append((i, j, distance))
            parent[root(i)] = root(j)
    members: dict[int, set[int]] = {}
    for i, j, distance in linked:
        group = root(i)
        members.setdefault(group, set()).update((i, j))
        widest[group] = max(widest.get(group, 0), distance)
    groups = []
    for group, positions in members.items():
        kind = (
            "labels"
            if len({labels[p] for p in positions}) > 1
            else "splits"
            if len({splits[p] for p in positions}) > 1
            else "class"
        )
        groups.append(
            DuplicateGroup(tuple(sorted(rows[p] for p in positions)), widest[group], kind)
        )
    groups.sort(key=lambda g: (KIND_ORDER[g.kind], -len(g.rows), g.rows))
    return groups


@st.composite
def hash_sets(draw: st.DrawFn) -> tuple[list[int], list[int], list[int], list[int], int]:
    """A few source hashes, each repeated exactly and with a few bits flipped, in any order;
    rows, labels and splits to go with them."""
    sources = draw(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=6))
    copies = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(sources) - 1),
                st.lists(st.integers(0, 63), max_size=8),  # bits to flip
            ),
            min_size=1,
            max_size=40,
        )
    )
    hashes = []
    for source, bits in copies:
        value = sources[source]
        for bit in bits:
            value ^= 1 << bit
        hashes.append(value)
    count = len(hashes)
    rows = draw(st.lists(st.integers(0, 10_000), min_size=count, max_size=count, unique=True))
    labels = draw(st.lists(st.integers(0, 2), min_size=count, max_size=count))
    splits = draw(st.lists(st.integers(0, 1), min_size=count, max_size=count))
    return rows, hashes, labels, splits, draw(st.integers(0, 8))


@settings(max_examples=200, deadline=None)
@given(hash_sets(), st.booleans())
def test_grouping_distinct_hashes_equals_the_pair_by_pair_definition(
    case: tuple[list[int], list[int], list[int], list[int], int], tiny_pieces: bool
) -> None:
    rows, hashes, labels, splits, max_distance = case
    expected = brute_force_groups(rows, hashes, labels, splits, max_distance)
    arrays = (
        np.array(rows, dtype=np.int64),
        np.array(hashes, dtype=np.uint64),
        np.array(labels, dtype=np.int32),
        np.array(splits, dtype=np.int8),
    )
    if tiny_pieces:  # the search and the union-find in many small steps give the same
        with (
            mock.patch.object(duplicates, "_CANDIDATES", 3),
            mock.patch.object(duplicates, "_MERGE_EVERY", 2),
        ):
            found = group_hashes(*arrays, max_distance)
    else:
        found = group_hashes(*arrays, max_distance)
    assert found == expected


def test_many_identical_images_take_memory_for_one() -> None:
    """5,000 copies of one hash (12.5 million pairs) among 5,000 distinct ones are grouped
    without listing the pairs: in the memory that one copy takes."""
    rng = np.random.default_rng(11)
    distinct = rng.integers(0, 2**64 - 1, size=5_000, dtype=np.uint64, endpoint=True)

    def grouped(copies: int) -> tuple[list[DuplicateGroup], int]:
        hashes = np.concatenate([distinct, np.full(copies, distinct[0], dtype=np.uint64)])
        rows = np.arange(len(hashes), dtype=np.int64)
        labels = (rows % 7).astype(np.int32)
        splits = np.zeros(len(rows), dtype=np.int8)
        tracemalloc.start()
        try:
            groups = group_hashes(rows, hashes, labels, splits, DEFAULT_MAX_DISTANCE)
            return groups, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    one, one_peak = grouped(1)
    many, many_peak = grouped(5_000)
    assert one == [DuplicateGroup((0, 5_000), 0, "labels")]
    assert many == [DuplicateGroup((0, *range(5_000, 10_000)), 0, "labels")]
    assert many_peak < 2 * one_peak + 2**20


def test_hard_links_to_one_image_are_hashed_once(
    tmp_path: Path, hierarchy: Hierarchy, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ds"
    first = root / f"train/{TENCH}/copy0.JPEG"
    save(photo(3), first)
    for number in range(1, 30):
        (root / f"train/{GOLDEN}").mkdir(parents=True, exist_ok=True)
        os.link(first, root / f"train/{GOLDEN}/copy{number}.JPEG")
    save(photo(4), root / f"train/{TABBY}/other.JPEG")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    decoded: list[str] = []
    real_hash = duplicates.file_hash

    def counting_hash(path: str) -> int:
        decoded.append(path)
        return real_hash(path)

    monkeypatch.setattr(duplicates, "file_hash", counting_hash)
    rows = np.arange(len(index))
    hashes, valid = hash_rows(index, rows, HashCache(tmp_path / "hashes.sqlite"))
    assert valid.all()
    assert len(decoded) == 2
    groups = find_duplicate_groups(index, rows, hashes)
    assert [(g.kind, len(g.rows)) for g in groups] == [("labels", 30)]


def test_a_latin1_name_is_hashed_cached_and_found_again(
    tmp_path: Path, hierarchy: Hierarchy
) -> None:
    """The hash cache keeps relative paths as bytes: a non-UTF-8 name is valid there too."""
    root = tmp_path / "ds"
    folder = root / "n01440764"
    folder.mkdir(parents=True)
    write_image(Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9.JPEG")), (64, 48), (9, 9, 9))
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    rows = np.arange(len(index))
    cache = hash_cache_for(index, tmp_path / "cache")
    first, valid = hash_rows(index, rows, cache)
    assert valid.all()
    with mock.patch.object(duplicates, "_hash", side_effect=AssertionError("hashed again")):
        again, _ = hash_rows(index, rows, hash_cache_for(index, tmp_path / "cache"))
    assert (again == first).all()


def test_hashing_one_class_reads_only_its_part_of_a_big_cache(
    tmp_path: Path, hierarchy: Hierarchy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: `duplicates --node LEAF` on a 14M-image dataset loaded every cached hash
    (6M rows: 35 s, 1.6 GB) to hash 650 images. Only the class's key range is read now."""
    root = tmp_path / "ds"
    for wnid, seed in ((TENCH, 1), (GOLDEN, 2), (TABBY, 3)):
        save(photo(seed), root / wnid / "a.JPEG")
        save(photo(seed + 10), root / wnid / "b.JPEG")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    cache = HashCache(tmp_path / "hashes.sqlite")
    everything, _ = hash_rows(index, np.arange(len(index)), cache)  # all six cached
    loaded: list[set[str]] = []
    real_load = cache.load

    def load(between: tuple[bytes, bytes] | None = None) -> dict[str, tuple[object, ...]]:
        found = real_load(between)
        loaded.append(set(found))
        return found

    monkeypatch.setattr(cache, "load", load)
    monkeypatch.setattr(duplicates, "_hash", mock.Mock(side_effect=AssertionError("hashed")))
    golden = np.array([r for r in range(len(index)) if index.relpath(r).startswith(GOLDEN)])
    hashes, valid = hash_rows(index, golden, cache)
    assert valid.all()
    assert loaded == [{f"{GOLDEN}/a.JPEG", f"{GOLDEN}/b.JPEG"}]
    assert list(hashes) == [everything[r] for r in golden]


def test_a_cache_written_with_text_paths_is_still_read(tmp_path: Path) -> None:
    """Caches written before paths were bytes hold TEXT keys; they are made BLOBs once, so
    that reading a range of paths finds them."""
    import sqlite3
    from contextlib import closing

    path = tmp_path / "hashes.sqlite"
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "CREATE TABLE files (relpath TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, "
            "hash INTEGER)"
        )
        db.execute("INSERT INTO files VALUES ('n01440764/a.JPEG', 10, 20, 99)")
        db.commit()
    cache = HashCache(path)
    assert cache.load((b"n01440764/a.JPEG", b"n01440764/z.JPEG")) == {
        "n01440764/a.JPEG": (10, 20, 99)
    }
