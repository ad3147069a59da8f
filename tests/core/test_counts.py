"""Counts rolled up the DAG: each image once under every ancestor, however many paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from browser.core.dataset.counts import compute_counts, roll_up
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import MakeFiles

ILSVRC_WNIDS = (Path(__file__).parents[2] / "resources" / "ilsvrc" / "wnids.txt").read_text()
DOG, ANIMAL, ENTITY = "n02084071", "n00015388", "n00001740"
GOLDEN, TABBY = "n02099601", "n02123045"


def test_one_image_per_ilsvrc_class_counts_1000_under_entity(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    wnids = ILSVRC_WNIDS.split()
    assert len(wnids) == 1000
    root = make_files(tmp_path / "ilsvrc", [f"train/{w}/{w}_1.JPEG" for w in wnids])
    counts = compute_counts(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))
    entity = hierarchy.index(ENTITY)
    assert counts.images[entity] == 1000
    assert counts.classes[entity] == 1000
    assert counts.direct_images[entity] == 0
    assert counts.images[hierarchy.index(DOG)] == 118
    assert counts.classes[hierarchy.index(DOG)] == 118
    # 1860 synsets have at least one image at or below them.
    assert int((counts.images > 0).sum()) == 1860


def test_a_synset_reached_along_two_paths_counts_once(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    # dog -> canine -> ... -> animal and dog -> domestic animal -> animal: two routes to animal.
    dog = hierarchy.index(DOG)
    assert len(hierarchy.hypernym_paths(dog)) == 2
    root = make_files(
        tmp_path / "ds",
        [f"{GOLDEN}/a.JPEG", f"{GOLDEN}/b.JPEG", f"{DOG}/c.JPEG", f"{TABBY}/d.JPEG"],
    )
    counts = compute_counts(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))
    assert counts.node(dog) == {
        "images": 3,
        "direct_images": 1,
        "classes": 2,
        "splits": {"all": 3},
    }
    animal = hierarchy.index(ANIMAL)
    assert counts.images[animal] == 4
    assert counts.classes[animal] == 3
    assert counts.images[hierarchy.index(GOLDEN)] == 2


def test_per_split_counts_add_up(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "ds",
        [
            f"train/{GOLDEN}/1.JPEG",
            f"train/{GOLDEN}/2.JPEG",
            f"val/{GOLDEN}/3.JPEG",
            f"val/{TABBY}/4.JPEG",
            f"train/{TABBY}/",
        ],
    )
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    counts = compute_counts(index)
    dog = hierarchy.index(DOG)
    assert counts.node(dog)["splits"] == {"train": 2, "val": 1}
    assert counts.node(hierarchy.root)["splits"] == {"train": 2, "val": 2}
    np.testing.assert_array_equal(counts.split_images.sum(axis=0), counts.images)


def test_empty_class_folders_do_not_count_as_classes_with_images(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", [f"{GOLDEN}/1.JPEG", f"{TABBY}/"])
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    counts = compute_counts(index)
    assert len(index.class_nodes) == 2  # both are classes of the dataset ...
    assert counts.classes[hierarchy.root] == 1  # ... but only one has an image


@pytest.mark.parametrize("node_wnid", [DOG, ANIMAL, ENTITY])
def test_roll_up_equals_a_sum_over_the_descendant_set(hierarchy: Hierarchy, node_wnid: str) -> None:
    rng = np.random.default_rng(7)
    values = np.zeros(len(hierarchy), dtype=np.int64)
    chosen = rng.choice(len(hierarchy), size=5000, replace=False)
    values[chosen] = rng.integers(1, 100, size=5000)
    node = hierarchy.index(node_wnid)
    below = list(hierarchy.descendants(node, include_self=True))
    assert roll_up(hierarchy, values)[node] == values[below].sum()
