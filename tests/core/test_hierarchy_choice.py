"""Opening a dataset with another hierarchy: ImageNet's files, its folder tree, a taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser.core.dataset.counts import compute_counts
from browser.core.dataset.hierarchychoice import HierarchyChoiceError
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.statpass import fill_file_facts
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import TENCH, MakeFiles

GOLDFISH = "n01443537"


def test_imagenet_hierarchy_files_replace_wordnet(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{TENCH}/b.JPEG", f"{GOLDFISH}/c.JPEG"])
    (root / "wordnet.is_a.txt").write_text(
        f"n00000001 n00000002\nn00000002 {TENCH}\nn00000002 {GOLDFISH}\n"
    )
    (root / "words.txt").write_text(
        f"n00000001\tall fish\nn00000002\tcarp-like\n{TENCH}\ttench\n{GOLDFISH}\tgoldfish\n"
    )
    index = open_dataset(
        root, hierarchy, cache_dir=tmp_path / "cache", hierarchy_choice="imagenet-files"
    )
    files = index.hierarchy
    assert files is not hierarchy
    assert files.wnid(files.root) == "n00000001"
    counts = compute_counts(index)
    assert counts.images[files.index("n00000002")] == 3
    assert counts.classes[files.root] == 2
    # The WordNet index of the same folder is kept apart, and still says WordNet.
    wordnet = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert wordnet.hierarchy is hierarchy
    assert compute_counts(wordnet).images[hierarchy.root] == 3


def test_the_folder_tree_is_the_hierarchy(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "inat",
        [
            "Animalia/Chordata/Aves/sparrow1.jpg",
            "Animalia/Chordata/Aves/sparrow2.jpg",
            "Animalia/Chordata/Mammalia/fox.jpg",
            "Animalia/odd-one.jpg",
            "Plantae/fig.jpg",
        ],
    )
    (root / "empty").mkdir()
    cache = tmp_path / "cache"
    index = open_dataset(root, hierarchy, cache_dir=cache, hierarchy_choice="folders")
    tree = index.hierarchy
    view = DatasetView(index)
    assert tree.name(tree.root) == "inat"
    assert [tree.name(c) for c in view.children(tree.root)] == ["Animalia", "Plantae"]
    animalia = tree.index("Animalia")
    assert view.counts.images[animalia] == 4
    assert view.counts.direct_images[animalia] == 1  # odd-one.jpg, labelled the folder itself
    assert {index.name(r) for r in view.rows(tree.index("Animalia/Chordata"))} == {
        "sparrow1.jpg",
        "sparrow2.jpg",
        "fox.jpg",
    }
    assert index.unmapped() == []
    fill_file_facts(index)
    again = open_dataset(root, hierarchy, cache_dir=cache, hierarchy_choice="folders")
    assert not again.scanned
    assert (again.sizes > 0).all()
    (root / "Plantae/ficus.jpg").write_bytes((root / "Plantae/fig.jpg").read_bytes())
    refreshed = open_dataset(
        root, hierarchy, cache_dir=cache, refresh=True, hierarchy_choice="folders"
    )
    assert compute_counts(refreshed).images[refreshed.hierarchy.index("Plantae")] == 2


def test_a_csv_taxonomy_names_the_class_folders(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "birds", ["sparrow/1.jpg", "crow/2.jpg", "crow/3.jpg", "bat/4.jpg"]
    )
    taxonomy = tmp_path / "taxonomy.csv"
    taxonomy.write_text(
        "child,parent,name\npasserine,,perching birds\nsparrow,passerine,Sparrow\n"
        "crow,passerine,Crow\n"
    )
    index = open_dataset(
        root, hierarchy, cache_dir=tmp_path / "cache", hierarchy_choice=str(taxonomy)
    )
    tree = index.hierarchy
    assert compute_counts(index).images[tree.index("passerine")] == 3
    (unmapped,) = index.unmapped()
    assert unmapped.folder == "bat"
    assert unmapped.reason == "not a node of the taxonomy.csv hierarchy"


def test_an_unusable_hierarchy_choice_says_why(tmp_path: Path, hierarchy: Hierarchy) -> None:
    with pytest.raises(HierarchyChoiceError, match="no wordnet.is_a.txt here"):
        open_dataset(
            tmp_path, hierarchy, cache_dir=tmp_path / "c", hierarchy_choice="imagenet-files"
        )
    with pytest.raises(HierarchyChoiceError, match="no such hierarchy file"):
        open_dataset(tmp_path, hierarchy, cache_dir=tmp_path / "c", hierarchy_choice="x.csv")
    (tmp_path / "t.csv").write_text("id,parent\n")
    with pytest.raises(HierarchyChoiceError, match="no nodes could be read"):
        open_dataset(
            tmp_path, hierarchy, cache_dir=tmp_path / "c", hierarchy_choice=str(tmp_path / "t.csv")
        )
    with pytest.raises(HierarchyChoiceError, match="unknown hierarchy 'gbif'"):
        open_dataset(tmp_path, hierarchy, cache_dir=tmp_path / "c", hierarchy_choice="gbif")
