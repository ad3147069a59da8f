"""CSV ``top`` cells read without decoding each one as JSON.

Decoding 1.28M cells with ``json.loads`` (a list, and per pair a list, a str and a float)
was most of a top-5 import. A cell in the plain form every writer produces — ``[["n01440764",
0.6], ["n01443537", 0.2]]``, with or without the spaces — is recognised by one compiled
pattern, and a chunk of such cells is taken apart with a few string operations over all of it
at once: the brackets, quotes and spaces removed, the rest split at the commas into wnid,
probability, wnid, …

The pattern admits only what decodes as JSON to the same values: wnids of letters, digits
and ``_.:+-`` (nothing the careful path would strip or unescape), and numbers in JSON's own
grammar without a sign (so ``float`` of the text is what ``json`` gives: a negative number is
out of range anyway and goes the careful way, as does ``-0``). Any other cell — malformed,
escaped, spaced differently — goes through ``json.loads``, as before.
"""

from __future__ import annotations

import re

import numpy as np

_NUMBER = r"(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?+(?:[eE][+-]?[0-9]++)?+"
_PAIR = r'\["[\w.:+\-]*+", ?' + _NUMBER + r"\]"
PLAIN = re.compile(r"\[" + _PAIR + r"(?:, ?" + _PAIR + r")*+\]", re.ASCII)
_STRUCTURE = str.maketrans("", "", '[]" ')


def plain_cells(texts: list[str]) -> np.ndarray:
    """Per cell, whether it is in the plain form."""
    matches = list(map(PLAIN.fullmatch, texts))
    if all(matches):  # the common case, without a Python step per cell
        return np.ones(len(texts), dtype=bool)
    return np.array([match is not None for match in matches], dtype=bool)


def split_plain(texts: list[str]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Plain cells as (pairs per cell, every wnid, every probability), in order."""
    if not texts:
        return np.zeros(0, dtype=np.int64), [], np.zeros(0)
    # Quotes only surround wnids here: two per pair.
    lengths = np.fromiter(map(str.count, texts, ['"'] * len(texts)), np.int64, len(texts)) // 2
    tokens = ",".join(texts).translate(_STRUCTURE).split(",")
    wnids = tokens[0::2]
    probs = np.fromiter(map(float, tokens[1::2]), dtype=np.float64, count=len(wnids))
    return lengths, wnids, probs
