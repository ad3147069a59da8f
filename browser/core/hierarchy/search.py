"""Ranked synset search by wnid, lemma and gloss words.

Match kinds are strictly ordered (wnid, exact lemma, lemma prefix, lemma word, lemma substring,
gloss words), so the search works through them in that order and stops as soon as the limit
is filled: a type-ahead query for "dog" never has to scan the glosses. Exact, prefix and word
matches are binary searches over sorted keys; substrings are a C-speed ``str.find`` over one
string of all lemmas; gloss words use an inverted index built on first need.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property

import numpy as np

from browser.core.hierarchy.dag import Hierarchy

_WORD = re.compile(r"\w+")
_MAX_SUBSTRING_SCAN = 20_000  # occurrences examined for one substring query


class MatchKind(IntEnum):
    """How a hit matched; lower ranks first."""

    WNID = 0
    EXACT = 1
    PREFIX = 2
    WORD = 3  # the query starts a later word of a lemma ("dog" in "hot dog")
    SUBSTRING = 4
    GLOSS = 5


@dataclass(frozen=True)
class SearchHit:
    node: int
    kind: MatchKind
    lemma: str  # the lemma (or wnid) that matched, readable


def normalise(text: str) -> str:
    """Lower case, underscores as spaces, runs of white space folded."""
    return " ".join(text.replace("_", " ").lower().split())


def _prefix_range(keys: list[str], prefix: str) -> range:
    return range(bisect_left(keys, prefix), bisect_left(keys, prefix + "\U0010ffff"))


class _SortedKeys:
    """Sorted (key, node, lemma) triples, for exact and prefix look-ups by bisection."""

    def __init__(self, triples: Iterable[tuple[str, int, str]]) -> None:
        ordered = sorted(triples)
        self.keys = [t[0] for t in ordered]
        self.nodes = [t[1] for t in ordered]
        self.lemmas = [t[2] for t in ordered]


class SynsetSearch:
    """Searches one hierarchy. Build once; indexes are made on first use."""

    def __init__(self, hierarchy: Hierarchy) -> None:
        self.hierarchy = hierarchy

    @cached_property
    def _lemmas(self) -> _SortedKeys:
        return _SortedKeys(
            (normalise(lemma), node, lemma.replace("_", " "))
            for node, field in enumerate(self.hierarchy.lemma_fields)
            for lemma in field.split("|")
        )

    @cached_property
    def _word_starts(self) -> _SortedKeys:
        """Each lemma from its second, third, … word on ("dog" → "hot dog")."""
        triples = []
        for key, node, lemma in zip(
            self._lemmas.keys, self._lemmas.nodes, self._lemmas.lemmas, strict=True
        ):
            for match in _WORD.finditer(key):
                if match.start() > 0:
                    triples.append((key[match.start() :], node, lemma))
        return _SortedKeys(triples)

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

    def warm(self) -> None:
        """Build every index now (~1.5 s), e.g. on a background thread, so the first query
        typed into the GUI does not pay for it."""
        for index in ("_lemmas", "_word_starts", "_lemma_text", "_gloss_words"):
            getattr(self, index)

    def search(
        self,
        query: str,
        *,
        limit: int | None = 50,
        images: np.ndarray | None = None,
        only: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Synsets matching ``query``, best first; ``only`` (a boolean mask) restricts them.

        Within a kind: more images first (when ``images``, per-synset rolled-up counts of an
        open dataset, is given), then WordNet's sense frequency, then name.
        """
        wanted = normalise(query)
        if not wanted:
            return []
        freq = self.hierarchy.frequency
        taken: set[int] = set()
        results: list[SearchHit] = []
        for kind, hits in self._kinds(wanted):
            fresh: dict[int, SearchHit] = {}
            for node, lemma in hits:
                if only is not None and not only[node]:
                    continue
                if node not in taken and node not in fresh:
                    fresh[node] = SearchHit(node, kind, lemma)

            def rank(hit: SearchHit) -> tuple[int, int, str]:
                count = int(images[hit.node]) if images is not None else 0
                return (-count, -int(freq[hit.node]), hit.lemma.lower())

            results.extend(sorted(fresh.values(), key=rank))
            taken.update(fresh)
            if limit is not None and len(results) >= limit:
                return results[:limit]
        return results

    def _kinds(self, wanted: str) -> Iterable[tuple[MatchKind, Iterable[tuple[int, str]]]]:
        """Each match kind with its (node, lemma) hits, computed only when asked for."""
        if self.hierarchy.is_class_name(wanted):
            node = self.hierarchy.find(wanted)
            yield MatchKind.WNID, [] if node is None else [(node, wanted)]
        lemmas = self._lemmas
        span = _prefix_range(lemmas.keys, wanted)
        exact = [i for i in span if lemmas.keys[i] == wanted]
        yield MatchKind.EXACT, ((lemmas.nodes[i], lemmas.lemmas[i]) for i in exact)
        yield MatchKind.PREFIX, ((lemmas.nodes[i], lemmas.lemmas[i]) for i in span)
        words = self._word_starts
        span = _prefix_range(words.keys, wanted)
        yield MatchKind.WORD, ((words.nodes[i], words.lemmas[i]) for i in span)
        yield MatchKind.SUBSTRING, self._substring_hits(wanted)
        yield MatchKind.GLOSS, self._gloss_hits(wanted)

    def _substring_hits(self, wanted: str) -> list[tuple[int, str]]:
        text, starts = self._lemma_text
        positions: list[int] = []
        position = text.find(wanted)
        while position != -1 and len(positions) < _MAX_SUBSTRING_SCAN:
            positions.append(position)
            position = text.find(wanted, position + 1)
        numbers = np.searchsorted(starts, positions, side="right") - 1
        lemmas = self._lemmas
        return [(lemmas.nodes[i], lemmas.lemmas[i]) for i in numbers.tolist()]

    def _gloss_hits(self, wanted: str) -> list[tuple[int, str]]:
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
        return [(node, self.hierarchy.name(node)) for node in found or ()]
