"""Ranked synset search the way people type: lemmas, inflections, typos, wnids and gloss words.

Match kinds are strictly ordered (wnid or offset, exact lemma, inflected lemma, lemma prefix,
lemma word, near spelling, lemma substring, gloss words), so the search works through them in
that order and stops as soon as the limit is filled: a type-ahead query for "dog" never has to
scan the glosses. Exact, prefix and word matches are binary searches over sorted keys;
substrings are a C-speed ``str.find`` over one string of all lemmas; gloss words use an
inverted index built on first need; near spellings come from :mod:`browser.core.hierarchy.spelling`.

Separators do not matter: "golden-retriever", "Golden_Retriever" and "golden retriever" are one
key, and a second key without any separator lets "tshirt" find "T-shirt". Plurals are undone
with WordNet's own rules and its list of irregular nouns (see
:mod:`browser.core.hierarchy.inflection`).

When an open dataset's image counts are given, synsets that have images come before those that
have none (the "labrador" a user of an image dataset means is the retriever, not the region),
whatever the kind; within a kind the nearer spelling, then more images, then the matched
lemma's own WordNet sense count, then the larger subtree rank first.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from itertools import product

import numpy as np

from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.inflection import base_forms
from browser.core.hierarchy.spelling import NearWords

_WORD = re.compile(r"\w+")
_SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015/]+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_OFFSET = re.compile(r"n?(\d{1,8})")
_MAX_SUBSTRING_SCAN = 20_000  # occurrences examined for one substring query
_SPELLINGS_PER_WORD = 4  # near spellings tried for each word of a query
_MAX_SPELLED_QUERIES = 16


class MatchKind(IntEnum):
    """How a hit matched; lower ranks first."""

    WNID = 0  # a wnid, an offset ("02084071") or a wnid with leading zeros dropped
    EXACT = 1  # a lemma, separators and case aside ("tshirt" is "T-shirt")
    INFLECTED = 2  # a lemma once a plural is undone ("geese" is "goose")
    PREFIX = 3
    WORD = 4  # the query starts a later word of a lemma ("dog" in "hot dog")
    SPELLING = 5  # a lemma within a small edit distance ("retreiver")
    SUBSTRING = 6
    GLOSS = 7


@dataclass(frozen=True)
class SearchHit:
    node: int
    kind: MatchKind
    lemma: str  # the lemma (or wnid) that matched, readable
    cost: int = 0  # edits between the query and ``lemma`` (SPELLING only)


def normalise(text: str) -> str:
    """Lower case, separators (space, underscore, hyphens, slash) as one space."""
    return _SEPARATORS.sub(" ", text.lower()).strip()


def compact(text: str) -> str:
    """Letters and digits only: the key that ignores where words are split."""
    return _NOT_ALNUM.sub("", text.lower())


def _prefix_range(keys: list[str], prefix: str) -> range:
    return range(bisect_left(keys, prefix), bisect_left(keys, prefix + "\U0010ffff"))


class _SortedKeys:
    """Sorted (key, lemma number) pairs, for exact and prefix look-ups by bisection."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        ordered = sorted(pairs)
        self.keys = [t[0] for t in ordered]
        self.lemma_numbers = [t[1] for t in ordered]

    def exact(self, key: str) -> Iterator[int]:
        for i in _prefix_range(self.keys, key):
            if self.keys[i] == key:
                yield self.lemma_numbers[i]

    def prefixed(self, prefix: str) -> Iterator[int]:
        for i in _prefix_range(self.keys, prefix):
            yield self.lemma_numbers[i]


class SynsetSearch:
    """Searches one hierarchy. Build once; indexes are made on first use."""

    def __init__(self, hierarchy: Hierarchy) -> None:
        self.hierarchy = hierarchy

    # -- indexes --------------------------------------------------------------------------

    @cached_property
    def _lemma_table(self) -> tuple[list[int], list[str], np.ndarray]:
        """Every lemma once: its synset, its readable text and its own sense count."""
        nodes: list[int] = []
        texts: list[str] = []
        for node, field in enumerate(self.hierarchy.lemma_fields):
            for lemma in field.split("|"):
                nodes.append(node)
                texts.append(lemma.replace("_", " "))
        counts = self.hierarchy.lemma_counts
        if counts is None or len(counts) != len(nodes):
            counts = self.hierarchy.frequency[np.array(nodes, dtype=np.int64)]
        return nodes, texts, np.asarray(counts, dtype=np.int64)

    @cached_property
    def _lemmas(self) -> _SortedKeys:
        _, texts, _ = self._lemma_table
        return _SortedKeys((normalise(text), i) for i, text in enumerate(texts))

    @cached_property
    def _compact_lemmas(self) -> _SortedKeys:
        _, texts, _ = self._lemma_table
        return _SortedKeys((compact(text), i) for i, text in enumerate(texts))

    @cached_property
    def _word_starts(self) -> _SortedKeys:
        """Each lemma from its second, third, … word on ("dog" → "hot dog")."""
        pairs = []
        for key, number in zip(self._lemmas.keys, self._lemmas.lemma_numbers, strict=True):
            for match in _WORD.finditer(key):
                if match.start() > 0:
                    pairs.append((key[match.start() :], number))
        return _SortedKeys(pairs)

    @cached_property
    def _lemma_text(self) -> tuple[str, np.ndarray]:
        keys = self._lemmas.keys
        lengths = np.fromiter((len(k) + 1 for k in keys), dtype=np.int64, count=len(keys))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        return "\n".join(keys), starts

    @cached_property
    def _gloss_words(self) -> tuple[list[str], list[list[int]]]:
        postings: dict[str, list[int]] = {}
        for node, gloss in enumerate(self.hierarchy.glosses):
            for word in set(_WORD.findall(gloss.lower())):
                postings.setdefault(word, []).append(node)
        words = sorted(postings)
        return words, [postings[w] for w in words]

    @cached_property
    def _near_words(self) -> NearWords:
        return NearWords({word for key in self._lemmas.keys for word in key.split(" ")})

    @cached_property
    def _subtree_sizes(self) -> np.ndarray:
        """Each synset's number of descendants plus one (a broader sense is likelier meant)."""
        return np.bincount(self.hierarchy.ancestor_idx, minlength=len(self.hierarchy))

    def warm(self) -> None:
        """Build every index now (~3 s), e.g. on a background thread, so the first query
        typed into the GUI does not pay for it."""
        for index in (
            "_lemmas",
            "_compact_lemmas",
            "_word_starts",
            "_lemma_text",
            "_gloss_words",
            "_near_words",
            "_subtree_sizes",
        ):
            getattr(self, index)

    # -- searching ------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int | None = 50,
        images: np.ndarray | None = None,
        only: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Synsets matching ``query``, best first; ``only`` (a boolean mask) restricts them.

        ``images`` (per-synset rolled-up counts of an open dataset) puts synsets with images
        first and ranks by count within a kind.
        """
        wanted = normalise(query)
        if not wanted:
            return []
        _, _, counts = self._lemma_table
        sizes = self._subtree_sizes
        taken: set[int] = set()
        shown: list[SearchHit] = []
        without_images: list[SearchHit] = []
        for kind, hits in self._kinds(query, wanted):
            fresh: dict[int, tuple[SearchHit, int]] = {}
            for node, lemma_number, text, cost in hits:
                if only is not None and not only[node]:
                    continue
                if node in taken:
                    continue
                count = int(counts[lemma_number]) if lemma_number >= 0 else 0
                previous = fresh.get(node)
                if previous is None or (cost, -count) < (previous[0].cost, -previous[1]):
                    fresh[node] = (SearchHit(node, kind, text, cost), count)

            def rank(entry: tuple[SearchHit, int]) -> tuple[int, int, int, int, str]:
                hit, count = entry
                pictures = int(images[hit.node]) if images is not None else 0
                return (hit.cost, -pictures, -count, -int(sizes[hit.node]), hit.lemma.lower())

            for hit, _ in sorted(fresh.values(), key=rank):
                if images is None or images[hit.node] > 0:
                    shown.append(hit)
                else:
                    without_images.append(hit)
            taken.update(fresh)
            if limit is not None and len(shown) >= limit:
                return shown[:limit]
        results = shown + without_images
        return results if limit is None else results[:limit]

    def _kinds(
        self, query: str, wanted: str
    ) -> Iterator[tuple[MatchKind, Iterable[tuple[int, int, str, int]]]]:
        """Each match kind with its (node, lemma number or -1, text, cost) hits, computed only
        when asked for."""
        yield MatchKind.WNID, self._id_hits(query.strip(), wanted)
        yield MatchKind.EXACT, self._exact_hits(wanted)
        yield (
            MatchKind.INFLECTED,
            (
                hit
                for base in base_forms(wanted, self.hierarchy.noun_exceptions)
                for hit in self._exact_hits(base)
            ),
        )
        yield MatchKind.PREFIX, self._lemma_hits(self._lemmas.prefixed(wanted))
        yield MatchKind.WORD, self._lemma_hits(self._word_starts.prefixed(wanted))
        yield MatchKind.SPELLING, self._spelling_hits(wanted)
        yield MatchKind.SUBSTRING, self._substring_hits(wanted)
        yield MatchKind.GLOSS, self._gloss_hits(wanted)

    def _lemma_hits(self, numbers: Iterable[int], cost: int = 0) -> list[tuple[int, int, str, int]]:
        nodes, texts, _ = self._lemma_table
        return [(nodes[i], i, texts[i], cost) for i in numbers]

    def _exact_hits(self, key: str, cost: int = 0) -> list[tuple[int, int, str, int]]:
        numbers = set(self._lemmas.exact(key))
        if len(squeezed := compact(key)) > 1:
            numbers.update(self._compact_lemmas.exact(squeezed))
        return self._lemma_hits(sorted(numbers), cost)

    def _id_hits(self, typed: str, wanted: str) -> list[tuple[int, int, str, int]]:
        """A node id as typed; in WordNet also an offset or a wnid missing leading zeros."""
        hierarchy = self.hierarchy
        for name in dict.fromkeys((typed, wanted)):
            if hierarchy.is_class_name(name) and (node := hierarchy.find(name)) is not None:
                return [(node, -1, name, 0)]
        if hierarchy.ids is None and (digits := _OFFSET.fullmatch(wanted)):
            wnid = "n" + digits.group(1).zfill(8)
            if (node := hierarchy.find(wnid)) is not None:
                return [(node, -1, wnid, 0)]
        return []

    def _spelling_hits(self, wanted: str) -> list[tuple[int, int, str, int]]:
        """Lemmas whose words are each a near spelling of the query's words."""
        words = wanted.split(" ")
        options: list[list[tuple[str, int]]] = []
        for word in words:
            near = self._near_words.near(word, limit=_SPELLINGS_PER_WORD)
            if not near:
                return []
            options.append(near)
        hits = []
        for combination in list(product(*options))[:_MAX_SPELLED_QUERIES]:
            cost = sum(distance for _, distance in combination)
            if cost == 0:
                continue  # spelled right: the earlier kinds have it
            spelled = " ".join(word for word, _ in combination)
            hits.extend(self._exact_hits(spelled, cost))
            for base in base_forms(spelled, self.hierarchy.noun_exceptions):
                hits.extend(self._exact_hits(base, cost))
        return hits

    def _substring_hits(self, wanted: str) -> list[tuple[int, int, str, int]]:
        text, starts = self._lemma_text
        positions: list[int] = []
        position = text.find(wanted)
        while position != -1 and len(positions) < _MAX_SUBSTRING_SCAN:
            positions.append(position)
            position = text.find(wanted, position + 1)
        rows = np.searchsorted(starts, positions, side="right") - 1
        numbers = self._lemmas.lemma_numbers
        return self._lemma_hits(numbers[i] for i in rows.tolist())

    def _gloss_hits(self, wanted: str) -> list[tuple[int, int, str, int]]:
        """Synsets whose gloss has a word starting with each word of the query."""
        words, postings = self._gloss_words
        found: set[int] | None = None
        for query_word in set(_WORD.findall(wanted)):
            nodes: set[int] = set()
            for i in _prefix_range(words, query_word):
                nodes.update(postings[i])
            found = nodes if found is None else found & nodes
            if not found:
                return []
        return [(node, -1, self.hierarchy.name(node), 0) for node in sorted(found or ())]
