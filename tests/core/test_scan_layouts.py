"""Recognising layouts and listing images: class folders, split folders, nesting, leftovers."""

from __future__ import annotations

from pathlib import Path

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.layouts import (
    LAYOUT_CLASS_FOLDERS,
    LAYOUT_SPLIT_CLASS_FOLDERS,
    UNMAPPED_LOOSE,
    UNMAPPED_NOT_SYNSET,
    UNMAPPED_NOT_WNID,
)
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import MakeFiles

TENCH, GOLDFISH, DOG = "n01440764", "n01443537", "n02084071"


def open_fresh(root: Path, hierarchy: Hierarchy, cache: Path) -> DatasetIndex:
    return open_dataset(root, hierarchy, cache_dir=cache)


def labels_by_path(index: DatasetIndex) -> dict[str, str]:
    return {index.relpath(r): index.hierarchy.wnid(int(index.labels[r])) for r in range(len(index))}


def test_class_folders_directly_under_the_root(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{TENCH}/b.jpeg", f"{GOLDFISH}/c.png"])
    index = open_fresh(root, hierarchy, tmp_path / "cache")
    assert index.layout == LAYOUT_CLASS_FOLDERS
    assert labels_by_path(index) == {
        f"{TENCH}/a.JPEG": TENCH,
        f"{TENCH}/b.jpeg": TENCH,
        f"{GOLDFISH}/c.png": GOLDFISH,
    }
    assert index.splits == ["all"]


def test_split_folders_name_the_split(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "ds",
        [
            f"train/{TENCH}/1.JPEG",
            f"train/{TENCH}/2.JPEG",
            f"val/{TENCH}/3.JPEG",
            f"holdout2/{GOLDFISH}/4.JPEG",
        ],
    )
    index = open_fresh(root, hierarchy, tmp_path / "cache")
    assert index.layout == LAYOUT_SPLIT_CLASS_FOLDERS
    assert index.split_sizes() == {"train": 2, "val": 1, "holdout2": 1}
    splits = {index.relpath(r): index.splits[index.split_ids[r]] for r in range(len(index))}
    assert splits[f"val/{TENCH}/3.JPEG"] == "val"


def test_images_at_any_depth_below_a_class_folder(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    # Tiny ImageNet keeps train/<wnid>/images/*.JPEG (and a boxes file beside it).
    root = make_files(
        tmp_path / "tiny",
        [
            f"train/{TENCH}/images/{TENCH}_0.JPEG",
            f"train/{TENCH}/images/deeper/x.JPEG",
            f"train/{TENCH}/{TENCH}_boxes.txt",
        ],
    )
    index = open_fresh(root, hierarchy, tmp_path / "cache")
    assert sorted(labels_by_path(index)) == [
        f"train/{TENCH}/images/deeper/x.JPEG",
        f"train/{TENCH}/images/{TENCH}_0.JPEG",
    ]
    assert [s.reason for s in index.skipped()] == ["not an image file"]


def test_extensions_are_recognised_case_insensitively(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    names = [
        "a.JPG",
        "b.jpeg",
        "c.PNG",
        "d.webp",
        "e.BMP",
        "f.gif",
        "g.tif",
        "h.TIFF",
        "i.txt",
        "j.jpg.xml",
        "k",
    ]
    root = make_files(tmp_path / "ds", [f"{TENCH}/{n}" for n in names])
    index = open_fresh(root, hierarchy, tmp_path / "cache")
    assert sorted(index.name(r) for r in range(len(index))) == names[:8]
    assert sorted(s.path for s in index.skipped()) == [f"{TENCH}/{n}" for n in names[8:]]


def test_leftovers_are_reported_with_image_counts(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "ds",
        [
            f"train/{TENCH}/1.JPEG",
            "train/misc/a.jpg",
            "train/misc/sub/b.jpg",
            "train/n99999999/c.jpg",
            "train/loose.jpg",
            "extras/d.png",
            "README.txt",
            f"train/{GOLDFISH}/",
        ],
    )
    index = open_fresh(root, hierarchy, tmp_path / "cache")
    unmapped = {(u.folder, u.images, u.reason) for u in index.unmapped()}
    assert unmapped == {
        ("train/misc", 2, UNMAPPED_NOT_WNID),
        ("train/n99999999", 1, UNMAPPED_NOT_SYNSET),
        ("train", 1, UNMAPPED_LOOSE),
        ("extras", 1, UNMAPPED_NOT_WNID),
    }
    assert len(index) == 1  # only the tench is labelled
    assert {s.path: s.reason for s in index.skipped()} == {"README.txt": "not an image file"}
    # The empty class folder is a class with no images, not something dropped.
    assert sorted(hierarchy.wnid(n) for n in index.class_nodes) == [TENCH, GOLDFISH]


def test_a_class_folder_opened_on_its_own(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / TENCH, ["a.JPEG", "images/b.JPEG"])
    index = open_fresh(root, hierarchy, tmp_path / "cache")
    assert set(labels_by_path(index).values()) == {TENCH}
    assert len(index) == 2
    assert index.unmapped() == []


def test_a_split_folder_opened_on_its_own_keeps_its_split_name(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "val", [f"{TENCH}/a.JPEG"])
    assert open_fresh(root, hierarchy, tmp_path / "cache").splits == ["val"]


def test_hidden_files_are_skipped_with_a_reason(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{TENCH}/._a.JPEG", f"{TENCH}/.git/x.jpg"]
    )
    index = open_fresh(root, hierarchy, tmp_path / "cache")
    assert len(index) == 1
    assert {s.path for s in index.skipped()} == {f"{TENCH}/._a.JPEG", f"{TENCH}/.git"}
