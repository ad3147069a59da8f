"""Choosing a layout where the files leave it open, and switching between choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser.core.dataset.layouts import LayoutRefused
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids
from tests.conftest import MakeFiles


def test_numbered_folders_are_imagenet_v2_unless_told_otherwise(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "numbered", ["3/a.jpeg", "17/b.jpeg"])
    cache = tmp_path / "cache"
    auto = open_dataset(root, hierarchy, cache_dir=cache)
    assert auto.layout == "imagenetv2"
    assert len(auto) == 2
    plain = open_dataset(root, hierarchy, cache_dir=cache, layout="wnid-folders")
    assert plain.layout == "class-folders"
    assert len(plain) == 0
    assert {u.folder for u in plain.unmapped()} == {"3", "17"}
    assert any("read again as layout 'wnid-folders'" in note for note in plain.notes)
    again = open_dataset(root, hierarchy, cache_dir=cache, layout="imagenetv2")
    assert again.layout == "imagenetv2"
    assert again.scanned  # the stored index was made for the other choice


def test_imagenet_v2_by_choice_reports_folders_that_are_not_class_indices(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "v2", ["5/a.jpeg", "extras/b.jpeg", "0042/c.jpeg"])
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache", layout="imagenetv2")
    assert [index.hierarchy.wnid(int(label)) for label in index.labels] == [ilsvrc_wnids()[5]]
    reasons = {u.folder: u.reason for u in index.unmapped()}
    assert reasons == {
        "extras": "folder name is not a class index 0–999",
        "0042": "folder name is not a class index 0–999",
    }


def test_an_unknown_layout_is_refused(tmp_path: Path, hierarchy: Hierarchy) -> None:
    with pytest.raises(ValueError, match="unknown layout 'tiny'"):
        open_dataset(tmp_path, hierarchy, cache_dir=tmp_path / "cache", layout="tiny")


V2_VARIANTS = ("matched-frequency", "threshold0.7", "top-images")


def test_imagenet_v2_as_extracted_is_recognised_each_variant_a_split(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "imagenetv2",
        [f"imagenetv2-{v}-format-val/{c}/{v}-{c}.jpeg" for v in V2_VARIANTS for c in (0, 100)],
    )
    cache = tmp_path / "cache"
    auto = open_dataset(root, hierarchy, cache_dir=cache)
    assert auto.layout == "imagenetv2"
    assert auto.split_sizes() == {v: 2 for v in V2_VARIANTS}
    wnids = ilsvrc_wnids()
    assert {auto.hierarchy.wnid(int(label)) for label in auto.labels} == {wnids[0], wnids[100]}
    forced = open_dataset(root, hierarchy, cache_dir=cache, layout="imagenetv2")
    assert (forced.layout, forced.scanned, forced.notes) == ("imagenetv2", False, [])
    again = open_dataset(root, hierarchy, cache_dir=cache, layout="imagenetv2")
    assert (again.scanned, again.notes) == (False, [])


def test_one_imagenet_v2_variant_opened_on_its_own_is_a_split_of_that_name(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "imagenetv2-top-images-format-val", ["0/a.jpeg", "5/b.jpeg"])
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache", layout="imagenetv2")
    assert index.split_sizes() == {"top-images": 2}


def test_a_forced_layout_that_does_not_fit_is_refused_with_a_reason(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "ds", ["n01440764/a.jpeg"])
    with pytest.raises(LayoutRefused, match="needs folders 0 … 999"):
        open_dataset(root, hierarchy, cache_dir=tmp_path / "cache", layout="imagenetv2")
