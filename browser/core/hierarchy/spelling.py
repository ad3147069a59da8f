"""Near spellings: the words of a vocabulary within a small edit distance of a typed word.

The distance is the optimal string alignment one (insertions, deletions, substitutions and
swaps of two neighbouring letters each cost 1: "retreiver" is one edit from "retriever").
Words are sorted by length and kept with their letter counts, so a query looks only at the
words of a near length and first drops, in one vectorised step, every word whose letter counts
alone differ too much (each edit changes at most two counts by one). The exact distance is then
computed for the few dozen that remain: a few milliseconds over WordNet's ~68,000 lemma words.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

import numpy as np

_ALPHABET = 27  # a–z, and one bin for every other character


def allowed_edits(length: int) -> int:
    """How many edits a word of this length may be off: none for three letters or fewer
    (too many neighbours), one up to five, two from six on."""
    if length <= 3:
        return 0
    return 1 if length <= 5 else 2


def letter_counts(words: list[str]) -> np.ndarray:
    """How often each letter occurs in each word: a (words, 27) array."""
    codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    slots = codes - ord("a")
    slots[(slots < 0) | (slots >= _ALPHABET - 1)] = _ALPHABET - 1
    rows = np.repeat(np.arange(len(words)), [len(w) for w in words])
    flat = np.bincount(rows * _ALPHABET + slots, minlength=len(words) * _ALPHABET)
    return flat.reshape(len(words), _ALPHABET).astype(np.int16)


def edit_distance(a: str, b: str, budget: int) -> int:
    """Optimal string alignment distance, or ``budget + 1`` once it must exceed ``budget``."""
    rows, distances = _within(np.array([ord(c) for c in a]), _codes([b], len(b)), budget)
    return distances[0] if rows else budget + 1


def _codes(words: list[str], width: int) -> np.ndarray:
    """Words as rows of code points, padded with -1 to ``width``."""
    codes = np.full((len(words), width), -1, dtype=np.int32)
    for row, word in enumerate(words):
        codes[row, : len(word)] = [ord(c) for c in word]
    return codes


def _within(typed: np.ndarray, codes: np.ndarray, budget: int) -> tuple[list[int], list[int]]:
    """Rows of ``codes`` (words of one length) within ``budget`` edits of ``typed``, with
    their distances. The dynamic programme runs over the typed letters, vectorised across
    the candidates; a candidate whose whole row exceeds the budget can never come back."""
    count, width = codes.shape
    alive = np.arange(count)
    before = np.tile(np.arange(width + 1, dtype=np.int32), (count, 1))  # j insertions
    earlier: np.ndarray | None = None
    for i in range(1, len(typed) + 1):
        letter = typed[i - 1]
        row = np.empty_like(before)
        row[:, 0] = i
        for j in range(1, width + 1):
            substitute = before[:, j - 1] + (codes[:, j - 1] != letter)
            best = np.minimum(np.minimum(before[:, j], row[:, j - 1]) + 1, substitute)
            if earlier is not None and j > 1:
                swapped = (codes[:, j - 2] == letter) & (codes[:, j - 1] == typed[i - 2])
                best = np.where(swapped, np.minimum(best, earlier[:, j - 2] + 1), best)
            row[:, j] = best
        keep = row.min(axis=1) <= budget
        if not keep.all():
            alive, codes, row, before = alive[keep], codes[keep], row[keep], before[keep]
            earlier = None if earlier is None else earlier[keep]
            if not len(alive):
                return [], []
        earlier, before = before, row
    final = before[:, width]
    within = final <= budget
    return alive[within].tolist(), final[within].tolist()


class NearWords:
    """A vocabulary that answers "which words are spelled nearly like this one"."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = sorted({w for w in words if w}, key=lambda w: (len(w), w))
        self._known = set(self._words)
        self._lengths = [len(w) for w in self._words]
        self._counts = letter_counts(self._words)
        self._codes = _codes(self._words, max(self._lengths, default=0))
        self._length_array = np.array(self._lengths, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._words)

    def near(self, word: str, *, limit: int = 4) -> list[tuple[str, int]]:
        """Up to ``limit`` (word, edits) pairs, nearest first; the word itself (0 edits)
        when it is in the vocabulary."""
        found = [(word, 0)] if word in self._known else []
        budget = allowed_edits(len(word))
        if budget:
            start = bisect_left(self._lengths, len(word) - budget)
            end = bisect_left(self._lengths, len(word) + budget + 1)
            difference = self._counts[start:end] - letter_counts([word])
            # The bag distance (letters to add or to drop, whichever is more) is a lower
            # bound of the edit distance.
            surplus = np.maximum(difference, 0).sum(axis=1)
            shortfall = surplus - difference.sum(axis=1)
            close = np.flatnonzero(np.maximum(surplus, shortfall) <= budget) + start
            typed = np.array([ord(c) for c in word], dtype=np.int32)
            lengths = self._length_array[close]
            for length in np.unique(lengths).tolist():
                rows = close[lengths == length]
                hits, distances = _within(typed, self._codes[rows, :length], budget)
                found.extend(
                    (self._words[rows[h]], d) for h, d in zip(hits, distances, strict=True) if d
                )
        found.sort(key=lambda pair: (pair[1], pair[0]))
        return found[:limit]
