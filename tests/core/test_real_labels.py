"""ImageNet ReaL labels on top of a validation layout: which images disagree with them."""

from __future__ import annotations

import json
from pathlib import Path

from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.ilsvrc import ilsvrc_class_index
from tests.conftest import GOLDEN, TENCH, MakeFiles

GOLDFISH = "n01443537"


def test_images_whose_label_is_not_among_their_real_labels_are_flagged(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "imagenet",
        [
            f"train/{TENCH}/n01440764_1.JPEG",
            f"val/{TENCH}/ILSVRC2012_val_00000001.JPEG",  # ReaL agrees
            f"val/{TENCH}/ILSVRC2012_val_00000002.JPEG",  # ReaL says goldfish
            f"val/{GOLDEN}/ILSVRC2012_val_00000003.JPEG",  # ReaL: no class fits
            f"val/{GOLDEN}/ILSVRC2012_val_00000004.JPEG",  # ReaL: golden or tench
        ],
    )
    ids = ilsvrc_class_index()
    (root / "real.json").write_text(
        json.dumps([[ids[TENCH]], [ids[GOLDFISH]], [], [ids[GOLDEN], ids[TENCH]]])
    )
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    real = index.real
    assert real is not None
    flagged = {index.name(r) for r in range(len(index)) if real.disagree[r]}
    assert flagged == {"ILSVRC2012_val_00000002.JPEG", "ILSVRC2012_val_00000003.JPEG"}
    by_name = {index.name(r): r for r in range(len(index))}
    assert real.of(by_name["ILSVRC2012_val_00000002.JPEG"]) == (hierarchy.index(GOLDFISH),)
    assert real.of(by_name["n01440764_1.JPEG"]) is None  # training images have none
    assert len(real.rows) == 4


def test_a_broken_real_file_is_reported_and_the_dataset_opens(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "imagenet", [f"val/{TENCH}/ILSVRC2012_val_00000001.JPEG"])
    (root / "real.json").write_text("[[0], [")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 1
    assert index.real is not None
    assert "cannot be read as JSON" in index.real.problems[0].reason
    assert not index.real.disagree.any()
    (root / "real.json").write_text('[[0], ["tench"], [5000]]')
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert index.real is not None
    assert [p.reason for p in index.real.problems] == [
        "entry 2: not a list of class indices 0–999",
        "entry 3: not a list of class indices 0–999",
    ]
