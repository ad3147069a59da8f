"""Hierarchy files as users have them: a BOM from Excel, a stray quote, a link from elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser.core.dataset.hierarchychoice import HierarchyChoiceError, choose_hierarchy
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.taxonomies import (
    read_csv_taxonomy,
    read_imagenet_files,
    read_json_taxonomy,
)

BOM = b"\xef\xbb\xbf"


def test_imagenet_files_with_a_bom_are_read(tmp_path: Path) -> None:
    (tmp_path / "wordnet.is_a.txt").write_bytes(BOM + b"n00001740 n01440764\n")
    (tmp_path / "words.txt").write_bytes(BOM + b"n00001740\tentity\nn01440764\ttench\n")
    taxonomy = read_imagenet_files(str(tmp_path))
    assert taxonomy.problems == []
    assert taxonomy.node("n00001740").name == "entity"


def test_csv_and_json_taxonomies_with_a_bom_are_read(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_bytes(BOM + b"child,parent,name\naves,,birds\n")
    assert read_csv_taxonomy(str(csv)).problems == []
    doc = tmp_path / "t.json"
    doc.write_bytes(BOM + json.dumps({"nodes": [{"id": "aves", "name": "birds"}]}).encode())
    assert read_json_taxonomy(str(doc)).problems == []


def test_a_stray_quote_in_a_csv_taxonomy_costs_one_line(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    rows = "".join(f"leaf{n},aves,leaf {n}\n" for n in range(20000))
    csv.write_text('child,parent,name\naves,,birds\nbad,"aves,broken\n' + rows)
    taxonomy = read_csv_taxonomy(str(csv))
    assert [(p.line, p.reason.startswith("not a CSV line")) for p in taxonomy.problems] == [
        (3, True)
    ]
    assert taxonomy.node("leaf19999").name == "leaf 19999"


def test_imagenet_files_linked_from_outside_the_dataset_are_refused(
    tmp_path: Path, hierarchy: Hierarchy
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "wordnet.is_a.txt").write_text("n00001740 n01440764\n")
    root = tmp_path / "ds"
    root.mkdir()
    (root / "wordnet.is_a.txt").symlink_to(outside / "wordnet.is_a.txt")
    (root / "words.txt").write_text("n00001740\tentity\n")
    with pytest.raises(HierarchyChoiceError, match="outside the dataset"):
        choose_hierarchy("imagenet-files", str(root), hierarchy)
