"""Directory links: the real path of a folder wins, links up the tree are never followed, a
class folder linked to another disk is, and nothing depends on the order names are listed in."""

from __future__ import annotations

import os
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browser.core.dataset import layouts, scanner
from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import MakeFiles

TENCH, GOLDFISH, SHARK = "n01440764", "n01443537", "n01484850"


def per_class(index: DatasetIndex) -> dict[str, int]:
    found = Counter(index.hierarchy.wnid(int(label)) for label in index.labels)
    return dict(found)


def reasons(index: DatasetIndex) -> dict[str, str]:
    return {s.path: s.reason for s in index.skipped()}


@pytest.fixture
def imagenet(tmp_path: Path, make_files: MakeFiles) -> Path:
    return make_files(
        tmp_path / "ds",
        [
            f"train/{TENCH}/a.JPEG",
            f"train/{TENCH}/b.JPEG",
            f"train/{GOLDFISH}/c.JPEG",
            f"train/{SHARK}/d.JPEG",
            f"train/{SHARK}/e.JPEG",
            f"train/{SHARK}/deeper/f.JPEG",
        ],
    )


def test_a_link_up_to_the_split_folder_does_not_relabel_the_other_classes(
    imagenet: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    os.symlink("..", imagenet / "train" / TENCH / "loop")
    index = open_dataset(imagenet, hierarchy, cache_dir=tmp_path / "cache")
    assert per_class(index) == {TENCH: 2, GOLDFISH: 1, SHARK: 3}
    assert reasons(index)[f"train/{TENCH}/loop"] == (
        "link to a folder above itself (a symlink loop); not followed"
    )


def test_links_to_the_root_or_above_it_are_never_followed(
    imagenet: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    os.symlink(imagenet, imagenet / "train" / SHARK / "root")
    os.symlink(tmp_path, imagenet / "train" / GOLDFISH / "above")
    os.symlink(tmp_path, imagenet / "above")  # at the top level, where splits are
    index = open_dataset(imagenet, hierarchy, cache_dir=tmp_path / "cache")
    assert per_class(index) == {TENCH: 2, GOLDFISH: 1, SHARK: 3}
    found = reasons(index)
    above = "link to the dataset folder or a folder above it; not followed"
    assert found[f"train/{SHARK}/root"] == above
    assert found[f"train/{GOLDFISH}/above"] == above
    assert found["above"] == above


def test_a_link_to_the_whole_disk_is_not_listed(
    imagenet: Path, tmp_path: Path, hierarchy: Hierarchy, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.symlink("/", imagenet / "train" / TENCH / "everything")
    real_scandir = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        assert os.path.realpath(path).startswith(str(tmp_path)), f"listed {path}"
        return real_scandir(path)

    monkeypatch.setattr(scanner.os, "scandir", scandir)
    index = open_dataset(imagenet, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 6
    assert "above it" in reasons(index)[f"train/{TENCH}/everything"]


def test_a_link_inside_the_dataset_loses_to_the_real_folder(
    imagenet: Path, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    # Listed first by name, the link must still not take the goldfish images as tench.
    os.symlink(f"../{GOLDFISH}", imagenet / "train" / TENCH / "aaa")
    os.symlink(f"{GOLDFISH}", imagenet / "train" / "n01443536")  # a class link to a sibling
    index = open_dataset(imagenet, hierarchy, cache_dir=tmp_path / "cache")
    assert per_class(index) == {TENCH: 2, GOLDFISH: 1, SHARK: 3}
    found = reasons(index)
    assert found[f"train/{TENCH}/aaa"] == (
        f"link to train/{GOLDFISH} inside the dataset, which is read at its own path; not followed"
    )
    assert "inside the dataset" in found["train/n01443536"]


def test_a_class_folder_linked_to_another_disk_is_followed_once(
    imagenet: Path, tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    disk2 = make_files(tmp_path / "disk2", ["n01491361/x.JPEG", "n01491361/sub/y.JPEG"])
    os.symlink(disk2 / "n01491361", imagenet / "train" / "n01491361")
    os.symlink(disk2 / "n01491361", imagenet / "train" / "n01494475")  # the same folder again
    os.symlink(tmp_path / "disk2", disk2 / "n01491361" / "sub" / "up")  # a loop out there
    os.symlink(imagenet / "train", disk2 / "n01491361" / "back")  # back into the dataset
    index = open_dataset(imagenet, hierarchy, cache_dir=tmp_path / "cache")
    assert per_class(index) == {TENCH: 2, GOLDFISH: 1, SHARK: 3, "n01491361": 2}
    found = reasons(index)
    assert found["train/n01494475"].startswith("same folder as train/n01491361")
    assert "above itself" in found["train/n01491361/sub/up"]
    assert "inside the dataset" in found["train/n01491361/back"]


def test_a_split_folder_linked_out_is_read_but_links_in_it_are_not(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    disk2 = make_files(tmp_path / "disk2", [f"train/{TENCH}/a.JPEG", f"other/{GOLDFISH}/b.JPEG"])
    os.symlink(disk2 / "other" / GOLDFISH, disk2 / "train" / GOLDFISH)
    root = make_files(tmp_path / "ds", [f"val/{TENCH}/v.JPEG"])
    os.symlink(disk2 / "train", root / "train")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert index.split_sizes() == {"train": 1, "val": 1}
    assert "only one link out" in reasons(index)[f"train/{GOLDFISH}"]


class ShuffledListing:
    """``os.scandir`` whose entries come in a shuffled order, as readdir may give them."""

    def __init__(self, path: str, rng: random.Random) -> None:
        with REAL_SCANDIR(path) as listing:
            self.entries = list(listing)
        rng.shuffle(self.entries)

    def __enter__(self) -> ShuffledListing:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def __iter__(self) -> Iterator[os.DirEntry[str]]:
        return iter(self.entries)


REAL_SCANDIR = os.scandir


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rng=st.randoms(use_true_random=False))
def test_counts_do_not_depend_on_listing_order(
    imagenet: Path, tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles, rng: random.Random
) -> None:
    if not (imagenet / "train" / SHARK / "loop").is_symlink():
        os.symlink("..", imagenet / "train" / SHARK / "loop")
        os.symlink(f"../{SHARK}", imagenet / "train" / TENCH / "shark")
        disk2 = make_files(tmp_path / "disk2", ["n01491361/x.JPEG", "n01491361/y.JPEG"])
        os.symlink(disk2 / "n01491361", imagenet / "train" / "n01491361")
        os.symlink(disk2 / "n01491361", imagenet / "train" / "n01494475")
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as cache:
        for module in (scanner, layouts):
            patch.setattr(module.os, "scandir", lambda path: ShuffledListing(path, rng))
        index = open_dataset(imagenet, hierarchy, cache_dir=Path(cache))
        assert per_class(index) == {TENCH: 2, GOLDFISH: 1, SHARK: 3, "n01491361": 2}
        assert sorted(index.relpath(r) for r in range(len(index)))[-2:] == [
            "train/n01491361/x.JPEG",
            "train/n01491361/y.JPEG",
        ]
