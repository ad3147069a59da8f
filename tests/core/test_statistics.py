"""The numbers behind the statistics charts, and their captions."""

from __future__ import annotations

from pathlib import Path

from browser.core.analysis.statistics import synset_statistics
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.statpass import fill_file_facts
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import DOG, GOLDEN, MakeFiles

CHIHUAHUA, PUG = "n02085620", "n02110958"


def test_statistics_of_a_synset(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"train/{GOLDEN}/g{i}.JPEG" for i in range(6)]
        + [f"train/{CHIHUAHUA}/c{i}.JPEG" for i in range(3)]
        + [f"val/{PUG}/p0.JPEG"],
    )
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    fill_file_facts(index)
    view = DatasetView(index)
    stats = synset_statistics(view, hierarchy.index(DOG))
    assert stats.per_class == [1, 3, 6]
    assert sum(stats.per_class_histogram.counts) == 3
    assert sum(stats.file_sizes.counts) == 10
    assert stats.splits == {"train": 9, "val": 1}
    assert sum(n for _, n in stats.children) >= 10
    assert stats.captions["per_class"].startswith("3 classes hold 1–6 images (median 3)")
    assert "val 1" in stats.captions["splits"]
    as_json = stats.as_dict(view)
    assert as_json["images_per_class"] == {
        "min": 1,
        "median": 3.0,
        "max": 6,
        "histogram": stats.per_class_histogram.__dict__,
    }


def test_pixel_sizes_are_read_from_headers_cached_and_charted(
    tmp_path: Path, hierarchy: Hierarchy
) -> None:
    import numpy as np
    from PIL import Image

    from browser.core.images.dimensions import DimensionCache, read_dimensions

    root = tmp_path / "ds"
    for name, size in [("a", (400, 300)), ("b", (400, 300)), ("c", (200, 400))]:
        (root / GOLDEN).mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size).save(root / GOLDEN / f"{name}.JPEG")
    (root / GOLDEN / "broken.JPEG").write_bytes(b"not an image")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    view = DatasetView(index)
    rows = view.rows(hierarchy.index(GOLDEN))
    cache = DimensionCache(tmp_path / "dims.sqlite")
    widths, heights = read_dimensions(index, rows, cache)
    by_name = {
        index.name(r): (int(w), int(h)) for r, w, h in zip(rows, widths, heights, strict=True)
    }
    assert by_name == {
        "a.JPEG": (400, 300),
        "b.JPEG": (400, 300),
        "c.JPEG": (200, 400),
        "broken.JPEG": (0, 0),
    }
    cached, _ = read_dimensions(index, rows, cache, cached_only=True)
    assert (cached == widths).all()
    stats = synset_statistics(view, hierarchy.index(GOLDEN), (widths, heights))
    assert stats.pixels is not None
    assert sum(map(sum, stats.pixels[2])) == 3  # the broken one is not measured
    assert stats.aspects is not None
    assert stats.captions["aspects"].startswith("67% landscape, 33% portrait")
    assert "Median size 400 × 300 px" in stats.captions["pixels"]
    assert np.isclose(stats.aspects.edges[0], 0.5)
