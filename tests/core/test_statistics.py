"""The numbers behind the statistics charts, and their captions."""

from __future__ import annotations

from pathlib import Path

from browser.core.browse import DatasetView
from browser.core.dataset import open_dataset
from browser.core.hierarchy import Hierarchy
from browser.core.statistics import synset_statistics
from browser.core.statpass import fill_file_facts
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
