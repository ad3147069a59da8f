"""Compact counts and names told apart (issue 17: readable at 21,843 classes)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.synset_labels import DistinctNames, compact_count, distinct_names


def test_compact_counts_read_like_a_person_writes_them() -> None:
    assert [compact_count(n) for n in (0, 950, 1234, 14_197, 1_281_167)] == [
        "0",
        "950",
        "1.2k",
        "14k",
        "1.3M",
    ]


def unit_value(text: str) -> float:
    scale = {"k": 1e3, "M": 1e6, "G": 1e9}
    return float(text[:-1]) * scale[text[-1]] if text[-1] in scale else float(text)


@given(st.integers(min_value=0, max_value=10**11))
def test_compact_counts_are_short_and_close(count: int) -> None:
    text = compact_count(count)
    assert len(text) <= 4
    assert abs(unit_value(text) - count) <= max(0.05 * count, 0.5)


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=0, max_value=10**10))
def test_compact_counts_keep_the_order(a: int, b: int) -> None:
    if a <= b:
        assert unit_value(compact_count(a)) <= unit_value(compact_count(b))


def test_same_named_synsets_get_what_sets_them_apart(hierarchy: Hierarchy) -> None:
    bird, machine = hierarchy.index("n02012849"), hierarchy.index("n03126707")
    dog = hierarchy.index("n02084071")
    names = DistinctNames(hierarchy, [bird, machine, dog])
    assert names.label(bird) == "crane (wading bird)"
    assert names.label(machine) == "crane (lifting device)"
    assert names.label(dog) == "dog"  # nothing shares its name among those shown
    # Only among the shown synsets: alone, a crane needs nothing added.
    assert DistinctNames(hierarchy, [bird, dog]).label(bird) == "crane"


def test_every_shared_name_gets_a_distinct_label(hierarchy: Hierarchy) -> None:
    lands = [n for n in range(len(hierarchy)) if hierarchy.name(n).lower() == "land"]
    cars = [n for n in range(len(hierarchy)) if hierarchy.name(n) == "armored car"]
    labels = distinct_names(hierarchy, lands + cars)
    assert len(set(labels.values())) == len(lands) + len(cars)
    assert all(label.startswith(("land (", "Land (", "armored car (")) for label in labels.values())
