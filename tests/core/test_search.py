"""Synset search: lemma (exact, prefix, word, substring), wnid, gloss; ranking."""

from __future__ import annotations

import numpy as np
import pytest

from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.search import MatchKind, SynsetSearch


@pytest.fixture(scope="module")
def search(hierarchy: Hierarchy) -> SynsetSearch:
    return SynsetSearch(hierarchy)


def wnids(hierarchy: Hierarchy, hits: list) -> list[str]:
    return [hierarchy.wnid(h.node) for h in hits]


def test_exact_lemma_comes_first_and_common_sense_leads(
    search: SynsetSearch, hierarchy: Hierarchy
) -> None:
    hits = search.search("dog", limit=10)
    assert hits[0].kind is MatchKind.EXACT
    assert wnids(hierarchy, hits)[0] == "n02084071"  # the domestic dog, most frequent sense
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds)


def test_case_and_underscores_do_not_matter(search: SynsetSearch, hierarchy: Hierarchy) -> None:
    plain = wnids(hierarchy, search.search("golden retriever", limit=3))
    assert plain == wnids(hierarchy, search.search("Golden_Retriever", limit=3))
    assert plain[0] == "n02099601"


def test_prefix_then_word_then_substring(search: SynsetSearch, hierarchy: Hierarchy) -> None:
    hits = search.search("retriev", limit=None)
    by_kind = {h.kind for h in hits}
    assert {MatchKind.PREFIX, MatchKind.WORD} <= by_kind
    golden = next(h for h in hits if hierarchy.wnid(h.node) == "n02099601")
    assert golden.kind is MatchKind.WORD  # "retriev" starts the second word
    substring = search.search("etriever", limit=None)
    # "etriever" is also one edit from "retriever": a near spelling, not an exact match
    assert all(h.kind >= MatchKind.SPELLING for h in substring)
    assert "n02099601" in wnids(hierarchy, substring)


def test_wnid_query_finds_the_synset(search: SynsetSearch, hierarchy: Hierarchy) -> None:
    hits = search.search(" N01440764 ", limit=5)
    assert hits[0].kind is MatchKind.WNID
    assert hierarchy.wnid(hits[0].node) == "n01440764"


def test_gloss_words_all_have_to_match(search: SynsetSearch, hierarchy: Hierarchy) -> None:
    hits = search.search("domesticated canis", limit=None)
    assert [hierarchy.wnid(h.node) for h in hits] == ["n02084071"]
    assert hits[0].kind is MatchKind.GLOSS


def test_no_match_and_empty_query(search: SynsetSearch) -> None:
    assert search.search("qzxqzxqzx") == []
    assert search.search("   ") == []


def test_dataset_images_rank_within_a_kind(search: SynsetSearch, hierarchy: Hierarchy) -> None:
    senses = search.search("crane", limit=None)
    exact = [h.node for h in senses if h.kind is MatchKind.EXACT]
    assert len(exact) >= 3
    favourite = exact[-1]  # the least frequent sense ...
    images = np.zeros(len(hierarchy), dtype=np.int64)
    images[favourite] = 40  # ... is the one the open dataset has images of
    ranked = search.search("crane", limit=None, images=images)
    assert ranked[0].node == favourite
    assert [h.kind for h in ranked] == sorted(h.kind for h in ranked)


def test_limit_is_respected(search: SynsetSearch) -> None:
    assert len(search.search("a", limit=7)) == 7


def test_warming_builds_every_index(hierarchy: Hierarchy) -> None:
    fresh = SynsetSearch(hierarchy)
    fresh.warm()
    assert {"_lemmas", "_word_starts", "_lemma_text", "_gloss_words", "_near_words"} <= set(
        vars(fresh)
    )
