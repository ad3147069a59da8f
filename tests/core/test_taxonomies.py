"""Hierarchies from ImageNet's files, a folder tree, CSV and JSON: counted once per ancestor."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from browser.core.dataset.counts import roll_up
from browser.core.hierarchy.taxonomies import (
    ROOT_ID,
    build,
    folder_taxonomy,
    read_csv_taxonomy,
    read_imagenet_files,
    read_json_taxonomy,
)


def test_imagenet_files_give_a_dag_with_names_and_glosses(tmp_path: Path) -> None:
    (tmp_path / "wordnet.is_a.txt").write_text(
        "n00001740 n00002137\nn00002137 n01440764\nn00001740 n01440764\nbroken line here\n"
    )
    (tmp_path / "words.txt").write_text(
        "n00001740\tentity\n"
        "n00002137\tabstraction, abstract entity\n"
        "n01440764\ttench, Tinca tinca\n"
    )
    (tmp_path / "gloss.txt").write_text("n01440764\tfreshwater dace-like game fish\n")
    taxonomy = read_imagenet_files(str(tmp_path))
    assert [(p.line, p.reason) for p in taxonomy.problems] == [
        (4, "expected 'parent_wnid child_wnid'")
    ]
    hierarchy = build(taxonomy, "ImageNet")
    tench = hierarchy.index("n01440764")
    assert hierarchy.wnid(hierarchy.root) == "n00001740"
    assert hierarchy.lemmas(tench) == ["tench", "Tinca tinca"]
    assert hierarchy.gloss(tench) == "freshwater dace-like game fish"
    assert len(hierarchy.hypernym_paths(tench)) == 2
    # Two paths to the root, one image: the root counts it once.
    per_node = np.zeros(len(hierarchy), dtype=np.int64)
    per_node[tench] = 1
    assert roll_up(hierarchy, per_node)[hierarchy.root] == 1


def test_csv_taxonomy_with_several_roots_cycles_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.csv"
    path.write_text(
        "child,parent,name\n"
        "Aves,Chordata,birds\n"
        "Chordata,Animalia,chordates\n"
        "Animalia,,animals\n"
        "Plantae,,plants\n"
        "Animalia,Aves,loop\n"  # closes a cycle
        ",Aves,nameless\n"
        "Ficus,Ficus,fig\n"
    )
    taxonomy = read_csv_taxonomy(str(path))
    reasons = [(p.line, p.reason) for p in taxonomy.problems]
    assert (7, "no child id") in reasons
    assert (8, "Ficus is its own parent") in reasons
    assert (6, "Aves is already below Animalia: this link would close a cycle; ignored") in reasons
    hierarchy = build(taxonomy, "all")
    assert hierarchy.wnid(hierarchy.root) == ROOT_ID  # Animalia and Plantae (and Ficus) under one
    assert hierarchy.name(hierarchy.index("Aves")) == "birds"
    aves = hierarchy.index("Aves")
    assert hierarchy.ancestors(aves) == {
        hierarchy.index("Chordata"),
        hierarchy.index("Animalia"),
        hierarchy.root,
    }


def test_a_wrong_csv_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,parent\nA,B\n")
    taxonomy = read_csv_taxonomy(str(path))
    assert taxonomy.problems[0].line == 1
    assert "expected child,parent,name" in taxonomy.problems[0].reason


def test_json_taxonomy_reports_bad_nodes(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "nodes": [
                    {"id": "life", "name": "Life"},
                    {"id": "cat", "name": "Cat", "parents": ["life"], "gloss": "a feline"},
                    {"id": "cat", "name": "again"},
                    {"name": "no id"},
                    {"id": "dog", "parents": "life"},
                ]
            }
        )
    )
    taxonomy = read_json_taxonomy(str(path))
    assert [p.reason for p in taxonomy.problems] == [
        "node 3: duplicate id 'cat'; ignored",
        "node 4: no string 'id'",
        "node 5: 'parents' is not a list of ids",
    ]
    hierarchy = build(taxonomy, "all")
    assert hierarchy.gloss(hierarchy.index("cat")) == "a feline"
    assert hierarchy.name(hierarchy.index("cat")) == "Cat"


def test_a_folder_tree_is_a_hierarchy_of_relpaths(tmp_path: Path) -> None:
    taxonomy = folder_taxonomy(
        ["Animalia/Chordata/Aves", "Animalia/Chordata/Mammalia", "Plantae"], "my dataset"
    )
    hierarchy = build(taxonomy, "my dataset")
    assert hierarchy.wnid(hierarchy.root) == ""
    assert hierarchy.name(hierarchy.root) == "my dataset"
    aves = hierarchy.index("Animalia/Chordata/Aves")
    assert hierarchy.name(aves) == "Aves"
    assert [hierarchy.name(n) for n in hierarchy.hypernym_paths(aves)[0]] == [
        "my dataset",
        "Animalia",
        "Chordata",
        "Aves",
    ]
    assert hierarchy.is_class_name("Plantae")
    assert not hierarchy.is_class_name("n01440764")
