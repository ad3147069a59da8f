"""The treemap: areas proportional to image counts, filling the box, matching the counts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from browser.core.analysis.treemap import layout, squarify, through_chains
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
