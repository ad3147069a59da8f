"""Top-k records (CSV or JSON Lines rows) checked and packed in bulk.

A 1.28M-row top-5 file holds 6.4M (wnid, probability) pairs: checking them one by one in
Python took ~100 µs a row here. Here each chunk of rows is checked with a few list passes
and numpy (probabilities in 0–1 and not NaN, a row's sum at most 1 + tolerance, no class twice
in a row) and packed into padded arrays, most probable first. A row found bad is checked
again on the careful path only to say what is wrong with it, in the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Checker = Callable[[Any], "list[tuple[str, float]] | str"]


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


def _all_shaped(tops: list[Any]) -> list[bool] | None:
    """All True when every top list is well formed, checked with C-level passes over the
    chunk (the common case); None when the rows must be looked at one by one."""
    if set(map(type, tops)) != {list} or 0 in map(len, tops):
        return None
    flat = [pair for top in tops for pair in top]
    if set(map(type, flat)) != {list} or set(map(len, flat)) != {2}:
        return None
    if set(map(type, (pair[0] for pair in flat))) != {str}:
        return None
    if not set(map(type, (pair[1] for pair in flat))) <= {float, int}:
        return None
    return [True] * len(tops)


def _numbers(wnids: list[str], classes: dict[str, int]) -> np.ndarray:
    """Each wnid's number in ``classes`` (new ones added), found per distinct wnid."""
    if not wnids:
        return np.zeros(0, dtype=np.int64)
    distinct, inverse = np.unique(np.array(wnids), return_inverse=True)
    number = classes.setdefault
    known = np.array([number(w.strip(), len(classes)) for w in distinct.tolist()], np.int64)
    return known[inverse.reshape(-1)]


def check_tops(
    tops: list[Any], classes: dict[str, int], tolerance: float, explain: Checker
) -> tuple[list[str | None], np.ndarray, np.ndarray, list[int]]:
    """Per top list (None: already known bad), why it is bad (None: good); the good ones as
    padded arrays of class numbers (into ``classes``, which grows; -1 where a row has fewer)
    and probabilities (0 there), each row most probable first (ties in the file's order);
    and per top list its row in those arrays (-1 for the malformed)."""
    shaped = _all_shaped(tops) or [top is not None and _shaped(top) for top in tops]
    good = [top for top, ok in zip(tops, shaped, strict=True) if ok]
    lengths = np.fromiter(map(len, good), dtype=np.int64, count=len(good))
    flat = [pair for top in good for pair in top]
    probs = np.array([pair[1] for pair in flat], dtype=np.float64)
    ids = _numbers([pair[0] for pair in flat], classes)
    owner = np.repeat(np.arange(len(good)), lengths)
    out_of_range = ~((probs >= 0) & (probs <= 1))  # NaN too
    bad = np.bincount(owner, weights=out_of_range, minlength=len(good)) > 0
    sums = np.bincount(owner, weights=np.where(out_of_range, 0, probs), minlength=len(good))
    bad |= sums > 1 + tolerance
    key = owner * (len(classes) + 1) + ids
    ordered = np.sort(key)
    bad[ordered[1:][ordered[1:] == ordered[:-1]] // (len(classes) + 1)] = True
    width = int(lengths.max(initial=1))
    filled = np.arange(width) < lengths[:, None]
    classes_2d = np.full((len(good), width), -1, dtype=np.int64)
    probs_2d = np.full((len(good), width), -1.0)
    classes_2d[filled] = ids
    probs_2d[filled] = probs
    order = np.argsort(-probs_2d, axis=1, kind="stable")  # padding (-1) goes last
    classes_2d = np.take_along_axis(classes_2d, order, axis=1)
    probs_2d = np.take_along_axis(probs_2d, order, axis=1).clip(0)
    reasons: list[str | None] = []
    position: list[int] = []
    at = 0
    for top, ok in zip(tops, shaped, strict=True):
        if not ok:
            position.append(-1)
            reasons.append(_reason(explain, top))
            continue
        position.append(at)
        reasons.append(_reason(explain, top) if bad[at] else None)
        at += 1
    return reasons, classes_2d, probs_2d, position


def _reason(explain: Checker, top: Any) -> str:
    said = explain(top)
    return said if isinstance(said, str) else "top must be a list of [wnid, probability]"


def pad(parts: list[np.ndarray], width: int, fill: float) -> np.ndarray:
    """Chunks of rows of different widths as one array ``width`` wide."""
    widened = [
        np.pad(part, ((0, 0), (0, width - part.shape[1])), constant_values=fill) for part in parts
    ]
    return np.concatenate(widened) if widened else np.full((0, width), fill)
