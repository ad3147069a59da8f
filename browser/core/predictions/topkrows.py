"""Top-k records (CSV or JSON Lines rows) checked and packed in bulk.

A 1.28M-row top-5 file holds 6.4M (wnid, probability) pairs: checking them one by one in
Python took ~100 µs a row here. Here each chunk of rows becomes flat arrays (one entry per
pair: its row, class number and probability), checked with numpy (probabilities in 0–1 and
not NaN, a row's sum at most 1 + tolerance, no class twice in a row) and packed into padded
arrays, most probable first. A row found bad is checked again on the careful path
(:func:`top_entries_checked`, :func:`entries_checked`) only to say what is wrong with it, in the
same words: those two are the definition the bulk checks agree with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np

from browser.core.predictions.predictionfile import TOLERANCE

Checker = Callable[[Any], "list[tuple[str, float]] | str"]
_first_of, _second_of = itemgetter(0), itemgetter(1)


# -- the careful definitions --------------------------------------------------------------


def probability(value: Any) -> float | None:
    """A probability from a cell or a JSON value; None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON integer of 400 digits
        return None
    return number if math.isfinite(number) and 0 <= number <= 1 else None


def entries_checked(predicted: Any, confidence: Any) -> list[tuple[str, float]] | str:
    """A top-1 record's (wnid, probability) list, or why it is bad."""
    if not isinstance(predicted, str) or not predicted.strip():
        return "neither predicted nor top"
    number = probability(confidence)
    if number is None:
        return f"confidence {confidence!r} is not a probability (0–1, not NaN)"
    return [(predicted.strip(), number)]


def _second(pair: tuple[str, float]) -> float:
    return pair[1]


def _added_in_order(numbers: Iterable[float]) -> float:
    """Plain left-to-right float addition, as ``np.bincount`` sums a row's weights in bulk.
    Not ``sum``: since Python 3.12 it compensates rounding, so a row summing to the limit
    (0.6 + 0.2 + 0.001 + 0.2) passed on 3.12 and failed on 3.11 and in bulk."""
    total = 0.0
    for number in numbers:
        total += number
    return total


def top_entries_checked(top: Any) -> list[tuple[str, float]] | str:
    """A top-k list's (wnid, probability) pairs, most probable first, or why it is bad."""
    if not isinstance(top, list) or not top:
        return "top must be a non-empty list of [wnid, probability]"
    pairs = []
    for pair in top:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            return "top must be a list of [wnid, probability]"
        number = probability(pair[1])
        if number is None:
            return f"top: {pair[1]!r} is not a probability (0–1, not NaN)"
        pairs.append((pair[0].strip(), number))
    total = _added_in_order(p for _, p in pairs)
    if total > 1 + TOLERANCE:
        short = f"{total:.6g}"  # all digits only where six would read as the limit itself
        shown = short if float(short) > 1 + TOLERANCE else repr(total)
        return f"top probabilities sum to {shown}, over 1 + {TOLERANCE:g}"
    if len({w for w, _ in pairs}) != len(pairs):
        return "top names a class twice"
    return sorted(pairs, key=_second, reverse=True)


# -- bulk ---------------------------------------------------------------------------------


class ClassNumbers:
    """Class numbers by wnid (stripped, as the careful path strips), numbered in the order
    first met; the raw spellings seen are remembered, so a chunk costs one dict lookup per
    entry and one ``strip`` per new spelling."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self._raw: dict[str, int] = {}

    def of(self, wnids: list[str]) -> np.ndarray:
        new = set(wnids).difference(self._raw)
        for raw in sorted(new):
            self._raw[raw] = self.numbers.setdefault(raw.strip(), len(self.numbers))
        return np.fromiter(map(self._raw.__getitem__, wnids), dtype=np.int64, count=len(wnids))


@dataclass
class Flat:
    """Entries of several rows: per entry its row (non-decreasing), class number and
    probability."""

    owner: np.ndarray
    ids: np.ndarray
    probs: np.ndarray

    @staticmethod
    def of(rows: np.ndarray, lengths: np.ndarray, ids: np.ndarray, probs: np.ndarray) -> Flat:
        return Flat(np.repeat(rows, lengths), ids, probs)

    @staticmethod
    def joined(parts: list[Flat]) -> Flat:
        if len(parts) == 1:
            return parts[0]
        owner = np.concatenate([p.owner for p in parts])
        order = np.argsort(owner, kind="stable")  # each part's entries keep their order
        return Flat(
            owner[order],
            np.concatenate([p.ids for p in parts])[order],
            np.concatenate([p.probs for p in parts])[order],
        )


def pack(
    flat: Flat, rows: int, classes: int, tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(per row: whether its entries break a rule; N×k class numbers, -1 where a row has
    fewer; their probabilities, 0 there), each row most probable first (ties in the file's
    order). Rows without entries are neither bad nor filled."""
    owner, ids, probs = flat.owner, flat.ids, flat.probs
    lengths = np.bincount(owner, minlength=rows)
    out_of_range = ~((probs >= 0) & (probs <= 1))  # NaN too
    bad = np.bincount(owner, weights=out_of_range, minlength=rows) > 0
    sums = np.bincount(owner, weights=np.where(out_of_range, 0, probs), minlength=rows)
    bad |= sums > 1 + tolerance
    key = owner * (classes + 1) + ids
    ordered = np.sort(key)
    bad[ordered[1:][ordered[1:] == ordered[:-1]] // (classes + 1)] = True
    width = int(lengths.max(initial=1)) or 1
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    column = np.arange(len(owner)) - starts[owner]
    classes_2d = np.full((rows, width), -1, dtype=np.int64)
    probs_2d = np.full((rows, width), -1.0)
    classes_2d[owner, column] = ids
    probs_2d[owner, column] = probs
    # Most files list the most probable first already: sort only the rows that need it
    # (a stable sort of an already non-increasing row is the identity; padding, -1, is last).
    unsorted = np.flatnonzero((probs_2d[:, 1:] > probs_2d[:, :-1]).any(axis=1))
    if len(unsorted):
        order = np.argsort(-probs_2d[unsorted], axis=1, kind="stable")
        classes_2d[unsorted] = np.take_along_axis(classes_2d[unsorted], order, axis=1)
        probs_2d[unsorted] = np.take_along_axis(probs_2d[unsorted], order, axis=1)
    return bad, classes_2d, probs_2d.clip(0)


def _shaped(top: Any) -> bool:
    return (
        type(top) is list
        and len(top) > 0
        and all(
            type(pair) is list
            and len(pair) == 2
            and type(pair[0]) is str
            and (type(pair[1]) is float or type(pair[1]) is int)
            for pair in top
        )
    )


def _all_shaped(tops: list[Any]) -> bool:
    """Whether every top list is well formed, checked with C-level passes (the common case)."""
    if set(map(type, tops)) != {list} or 0 in map(len, tops):
        return False
    flat = [pair for top in tops for pair in top]
    if set(map(type, flat)) != {list} or set(map(len, flat)) != {2}:
        return False
    if set(map(type, map(_first_of, flat))) != {str}:
        return False
    return set(map(type, map(_second_of, flat))) <= {float, int}


def flatten(tops: list[Any], rows: np.ndarray, numbers: ClassNumbers) -> tuple[Flat, np.ndarray]:
    """The entries of decoded top lists (``rows[i]`` is the row of ``tops[i]``), and per top
    list whether it was well formed (the others are left out, to be explained)."""
    if _all_shaped(tops):
        shaped = np.ones(len(tops), dtype=bool)
        good = tops
    else:
        shaped = np.fromiter(map(_shaped, tops), dtype=bool, count=len(tops))
        good = [top for top, ok in zip(tops, shaped.tolist(), strict=True) if ok]
    lengths = np.fromiter(map(len, good), dtype=np.int64, count=len(good))
    pairs = [pair for top in good for pair in top]
    try:
        probs = np.array(list(map(_second_of, pairs)), dtype=np.float64)
    except OverflowError:  # an integer too large for a float: out of range, like inf
        probs = np.array([_float_or_inf(pair[1]) for pair in pairs], dtype=np.float64)
    ids = numbers.of(list(map(_first_of, pairs)))
    return Flat.of(rows[shaped], lengths, ids, probs), shaped


def _float_or_inf(value: float | int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf


def check_tops(
    tops: list[Any], classes: dict[str, int], tolerance: float, explain: Checker
) -> tuple[list[str | None], np.ndarray, np.ndarray, list[int]]:
    """Per top list (None: already known bad), why it is bad (None: good); the lists as
    padded arrays of class numbers (into ``classes``, which grows) and probabilities; and per
    top list its row in those arrays (-1 for the malformed)."""
    numbers = ClassNumbers()
    numbers.numbers = classes
    flat, shaped = flatten(tops, np.arange(len(tops)), numbers)
    bad, classes_2d, probs_2d = pack(flat, len(tops), len(classes), tolerance)
    reasons: list[str | None] = []
    for i, top in enumerate(tops):
        reasons.append(_reason(explain, top) if not shaped[i] or bad[i] else None)
    position = [i if shaped[i] else -1 for i in range(len(tops))]
    return reasons, classes_2d, probs_2d, position


def _reason(explain: Checker, top: Any) -> str:
    said = explain(top)
    return said if isinstance(said, str) else "top must be a list of [wnid, probability]"


def pad(parts: list[np.ndarray], width: int, fill: float) -> np.ndarray:
    """Chunks of rows of different widths (each at most ``width``) as one array."""
    widened = [
        np.pad(part, ((0, 0), (0, width - part.shape[1])), constant_values=fill) for part in parts
    ]
    return np.concatenate(widened) if widened else np.full((0, width), fill)
