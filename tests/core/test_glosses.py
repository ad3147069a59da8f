"""The shipped WordNet's glosses are definitions only: no leftovers of the usage examples."""

from __future__ import annotations

import re

import pytest

from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.wordnet import clean_gloss

CATTLE, SWIMMING = "n02402425", "n00442115"


def test_every_noun_gloss_is_clean(hierarchy: Hierarchy) -> None:
    bad = []
    for node in range(len(hierarchy)):
        gloss = hierarchy.gloss(node)
        parts = gloss.split(";")
        if (
            not gloss
            or gloss != gloss.strip(" ;:,")
            or any(not re.search(r"\w", part) for part in parts)  # "age; ; ; - Bible"
            or any(re.match(r"\s*-+\s*[A-Z]", part) for part in parts[1:])  # "; - Bible"
            or gloss.count('"') % 2
        ):
            bad.append(f"{hierarchy.wnid(node)}: {gloss!r}")
    assert not bad, f"{len(bad)} glosses with leftovers, e.g. {bad[:5]}"


def test_cattle_and_swimming_read_as_definitions(hierarchy: Hierarchy) -> None:
    cattle = hierarchy.find(CATTLE)
    swimming = hierarchy.find(SWIMMING)
    assert cattle is not None
    assert swimming is not None
    assert hierarchy.gloss(cattle) == (
        "domesticated bovine animals as a group regardless of sex or age"
    )
    assert hierarchy.gloss(swimming) == "the act of swimming"


@pytest.mark.parametrize(
    ("raw", "definition"),
    [
        (
            'domesticated bovine animals as a group regardless of sex or age; "so many head of '
            'cattle"; "seven thin and ill-favored kine"- Bible; "a team of oxen"',
            "domesticated bovine animals as a group regardless of sex or age",
        ),
        (
            'the act of swimming; "it was the swimming they enjoyed most": "they took a swim"',
            "the act of swimming",
        ),
        ('a projection out from one end; "the head of the nail", "a pinhead"', None),
        ('vulnerability to the elements; "exposure to the weather" or "they died";', None),
        ('a report of a discourse (e.g., "he said `I am a fool\'")', "same"),
        ('not wearing a jacket; "in your shirtsleeves" means nothing over your shirt', "same"),
        ('significant progress (especially in the phrase "make strides")', "same"),
        ('the state of bondage; "he was in bondage to fear:; "he sought release"', None),
        ("a punctuation mark (`;') used to connect independent clauses", "same"),
        (
            "similar to Spiranthes romanzoffiana;States",
            "similar to Spiranthes romanzoffiana; States",
        ),
        ("jaegers and skuas:", "jaegers and skuas"),
    ],
)
def test_clean_gloss_keeps_the_definition_and_drops_the_examples(
    raw: str, definition: str | None
) -> None:
    expected = {None: raw.split(";")[0], "same": raw}.get(definition, definition)
    assert clean_gloss(raw) == expected
