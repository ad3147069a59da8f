"""The shipped WordNet 3.0 noun hierarchy: contents, lookups, and the DAG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from browser.core.hierarchy.dag import ENTITY_WNID, Hierarchy, is_wnid_shaped
from browser.core.hierarchy.wordnet import HierarchyResourceError, load_hierarchy

DOG, CANINE, DOMESTIC_ANIMAL, ANIMAL = "n02084071", "n02083346", "n01317541", "n00015388"


def test_all_noun_synsets_are_there(hierarchy: Hierarchy) -> None:
    assert len(hierarchy) == 82_115
    assert hierarchy.version == "3.0"


def test_dog_has_its_lemmas_gloss_and_both_parents(hierarchy: Hierarchy) -> None:
    dog = hierarchy.index(DOG)
    assert hierarchy.wnid(dog) == DOG
    assert hierarchy.lemmas(dog) == ["dog", "domestic_dog", "Canis_familiaris"]
    assert hierarchy.name(dog) == "dog"
    assert hierarchy.gloss(dog).startswith("a member of the genus Canis")
    parents = {hierarchy.wnid(p) for p in hierarchy.parents(dog)}
    assert parents == {CANINE, DOMESTIC_ANIMAL}
    assert dog in hierarchy.children(hierarchy.index(CANINE))


def test_unknown_wnids_are_not_found(hierarchy: Hierarchy) -> None:
    assert hierarchy.find("n99999999") is None
    assert hierarchy.find("dog") is None
    with pytest.raises(KeyError):
        hierarchy.index("n00000001")
    assert is_wnid_shaped("n01440764")
    assert not is_wnid_shaped("n0144076")


def test_instance_hypernyms_are_parents_too(hierarchy: Hierarchy) -> None:
    # Einstein is an *instance* of physicist: WordNet links it by instance hypernym only.
    einstein = hierarchy.index("n10954498")
    assert hierarchy.name(einstein) == "Einstein"
    assert "physicist" in [hierarchy.name(p) for p in hierarchy.parents(einstein)]


def test_the_dag_has_one_root_and_many_multi_parent_synsets(hierarchy: Hierarchy) -> None:
    root = hierarchy.root
    assert hierarchy.wnid(root) == ENTITY_WNID
    assert hierarchy.parents(root) == []
    multi = sum(1 for n in range(len(hierarchy)) if len(hierarchy.parents(n)) >= 2)
    assert multi == 2_213
    orphans = [n for n in range(len(hierarchy)) if n != root and not hierarchy.parents(n)]
    assert orphans == []


def test_hypernym_paths_lead_from_entity_along_every_route(hierarchy: Hierarchy) -> None:
    dog = hierarchy.index(DOG)
    paths = hierarchy.hypernym_paths(dog)
    assert len(paths) == 2
    for path in paths:
        assert path[0] == hierarchy.root
        assert path[-1] == dog
        for parent, child in zip(path, path[1:], strict=False):
            assert parent in hierarchy.parents(child)
    via = {hierarchy.wnid(p[-2]) for p in paths}
    assert via == {CANINE, DOMESTIC_ANIMAL}


def test_ancestors_are_a_set_even_where_paths_merge(hierarchy: Hierarchy) -> None:
    dog = hierarchy.index(DOG)
    ancestors = hierarchy.ancestors(dog)
    on_paths = {n for path in hierarchy.hypernym_paths(dog) for n in path[:-1]}
    assert ancestors == on_paths  # both paths pass through `animal`; it is there once
    assert hierarchy.index(ANIMAL) in ancestors
    assert dog not in ancestors
    assert dog in hierarchy.ancestors(dog, include_self=True)


def test_descendants_mirror_ancestors(hierarchy: Hierarchy) -> None:
    canine = hierarchy.index(CANINE)
    below = hierarchy.descendants(canine)
    assert hierarchy.index("n02099601") in below  # golden retriever
    for node in list(below)[:200]:
        assert canine in hierarchy.ancestors(node)
    assert len(hierarchy.descendants(hierarchy.root)) == len(hierarchy) - 1


def test_closure_owners_match_the_ancestor_table(hierarchy: Hierarchy) -> None:
    owners = hierarchy.closure_owners
    assert len(owners) == len(hierarchy.ancestor_idx)
    dog = hierarchy.index(DOG)
    mine = hierarchy.ancestor_idx[owners == dog]
    assert set(mine.tolist()) == hierarchy.ancestors(dog, include_self=True)
    assert np.all(np.diff(hierarchy.ancestor_ptr) >= 1)


def test_a_damaged_resource_gives_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(HierarchyResourceError, match="cannot read the WordNet resource"):
        load_hierarchy(broken)
