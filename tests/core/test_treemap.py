"""The treemap: areas proportional to image counts, filling the box, matching the counts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from browser.core.analysis.treemap import Tile, deep_layout, layout, squarify, through_chains
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import DOG, GOLDEN, TABBY, TENCH, MakeFiles


def test_squarified_rectangles_fill_the_box_in_proportion_without_overlap() -> None:
    values = [50.0, 25.0, 12.0, 6.0, 4.0, 2.0, 1.0]
    rects = squarify(values, 0, 0, 400, 300)
    assert len(rects) == len(values)
    for value, (_, _, w, h) in zip(values, rects, strict=True):
        assert w * h == pytest.approx(400 * 300 * value / sum(values))
    for x, y, w, h in rects:
        assert x >= -1e-9
        assert y >= -1e-9
        assert x + w <= 400 + 1e-6
        assert y + h <= 300 + 1e-6
    for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(rects, 2):
        overlap_w = min(ax + aw, bx + bw) - max(ax, bx)
        overlap_h = min(ay + ah, by + bh) - max(ay, by)
        assert overlap_w <= 1e-6 or overlap_h <= 1e-6
    worst = max(max(w / h, h / w) for _, _, w, h in rects)
    assert worst < 4  # squarified: no slivers for such values


def test_tiles_are_the_children_with_their_rolled_up_counts(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"{GOLDEN}/g{i}.JPEG" for i in range(3)] + [f"{TABBY}/t.JPEG", f"{TENCH}/f.JPEG"],
    )
    view = DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))
    animal = hierarchy.index("n00015388")
    tiles = layout(view, animal, 300, 200)
    # Past the chain animal → chordate → vertebrate, where the images split.
    split_at = through_chains(view, animal)
    assert len(view.children(split_at)) > 1
    assert {t.node for t in tiles} == set(view.children(split_at))
    assert all(t.images == int(view.counts.images[t.node]) for t in tiles)
    (only,) = layout(view, hierarchy.index(DOG), 300, 200)  # a chain down to one class
    assert (only.node, only.images) == (hierarchy.index(GOLDEN), 3)


def _view_of_many_levels(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> DatasetView:
    root = make_files(
        tmp_path / "ds",
        [f"{GOLDEN}/g{i}.JPEG" for i in range(6)]
        + [f"n02085620/c{i}.JPEG" for i in range(3)]  # Chihuahua: dogs split in two
        + [f"{TABBY}/t{i}.JPEG" for i in range(4)]
        + [f"{TENCH}/f{i}.JPEG" for i in range(5)],
    )
    return DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))


def test_the_deep_layout_goes_down_while_tiles_stay_readable(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    view = _view_of_many_levels(tmp_path, make_files, hierarchy)
    animal = hierarchy.index("n00015388")
    tiles = deep_layout(view, animal, 1200, 900, header=18, min_side=40)
    assert max(t.depth for t in tiles) >= 2  # deeper than the two levels it had
    classes = {t.node for t in tiles if not view.children(t.node)}
    assert {hierarchy.index(w) for w in (GOLDEN, TABBY, TENCH)} <= classes
    stack: list[Tile] = []
    for tile in tiles:  # pre-order: each tile lies inside the last shallower one
        while stack and stack[-1].depth >= tile.depth:
            stack.pop()
        if stack:
            parent = stack[-1]
            assert tile.depth == parent.depth + 1
            assert parent.x <= tile.x + 1e-6
            assert tile.x + tile.width <= parent.x + parent.width + 1e-6
            assert parent.y + 18 <= tile.y + 1e-6
            assert tile.y + tile.height <= parent.y + parent.height + 1e-6
            assert parent.width - 4 >= 40  # only readable tiles are subdivided
            assert parent.height - 18 - 2 >= 40
        stack.append(tile)
    small = deep_layout(view, animal, 60, 55, header=18, min_side=40)
    assert max(t.depth for t in small) == 0  # no room: one level only
