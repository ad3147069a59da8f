"""ImageNet ReaL labels ("Are we done with ImageNet?", Beyer et al. 2020) on top of a layout.

``real.json`` holds, for each of the 50,000 ILSVRC-2012 validation images in file order
(``ILSVRC2012_val_00000001`` first), the list of classes raters found correct, as indices into
the 1000 classes in sorted-wnid order; an empty list means no class fits. Images whose
original label is not among their ReaL labels are the quickest route to label errors.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from browser.core.dataset.labelfiles import find_near, stem
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids
from browser.core.linefiles import LabelProblem

if TYPE_CHECKING:  # the index holds ReaL labels; they are read from it
    from browser.core.dataset.index import DatasetIndex

REAL_FILE = "real.json"
_VAL_NAME = re.compile(r"ILSVRC2012_val_(\d{8})")
_VAL_SPLITS = ("val", "valid", "validation")


@dataclass
class RealLabels:
    """ReaL labels of the dataset's validation images."""

    path: str
    rows: np.ndarray  # dataset rows that have a ReaL entry
    sets: list[tuple[int, ...]]  # per entry of ``rows``: the ReaL synsets
    disagree: np.ndarray  # bool per dataset row: has ReaL labels, and its label is not one
    problems: list[LabelProblem] = field(default_factory=list)

    def of(self, row: int) -> tuple[int, ...] | None:
        at = int(np.searchsorted(self.rows, row))
        if at < len(self.rows) and int(self.rows[at]) == row:
            return self.sets[at]
        return None


def _candidate_rows(index: DatasetIndex) -> np.ndarray:
    """Rows of validation splits (names of 1.28M training images are never looked at)."""
    val = [i for i, name in enumerate(index.splits) if name.lower() in _VAL_SPLITS]
    if not val:
        return np.arange(len(index))
    return np.flatnonzero(np.isin(index.split_ids, val))


def _read(path: str, problems: list[LabelProblem]) -> list[tuple[int, ...]] | None:
    try:
        with open(path, encoding="utf-8-sig") as text:  # a BOM is not a reason to fail
            entries = json.load(text)
    except (OSError, ValueError) as exc:
        problems.append(LabelProblem(path, 0, f"cannot be read as JSON: {exc}"))
        return None
    if not isinstance(entries, list):
        problems.append(LabelProblem(path, 0, "expected a list with one list per image"))
        return None
    nodes: list[tuple[int, ...]] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, list) or not all(
            isinstance(c, int) and 0 <= c < 1000 for c in entry
        ):
            if len(problems) < 50:
                problems.append(
                    LabelProblem(path, 0, f"entry {number}: not a list of class indices 0–999")
                )
            nodes.append(())
            continue
        nodes.append(tuple(entry))
    return nodes


def find_real_file(index: DatasetIndex, refused: list[LabelProblem] | None = None) -> str | None:
    """``real.json`` in the dataset folder or one of its split folders; never above the
    dataset folder, nor through a link out of it (those go to ``refused``)."""
    found = find_near(index.root, REAL_FILE, index.root, refused)
    if found is not None:
        return found
    for split in index.splits:
        folder = os.path.join(index.root, split)
        if os.path.isdir(folder):
            found = find_near(folder, REAL_FILE, folder, refused)
            if found is not None:
                return found
    return None


def load_real_labels(index: DatasetIndex, path: str | None = None) -> RealLabels | None:
    """ReaL labels for the validation images of ``index``, if a real.json is near it."""
    problems: list[LabelProblem] = []
    path = path or find_real_file(index, problems)
    if path is None:
        if problems:  # a real.json was there, but a link out of the dataset
            return RealLabels(
                problems[0].file, np.zeros(0, np.int64), [], np.zeros(len(index), bool), problems
            )
        return None
    entries = _read(path, problems)
    if entries is None:
        return RealLabels(path, np.zeros(0, np.int64), [], np.zeros(len(index), bool), problems)
    hierarchy = index.hierarchy
    classes = [hierarchy.find(w) for w in ilsvrc_wnids()]
    rows: list[int] = []
    sets: list[tuple[int, ...]] = []
    for row in _candidate_rows(index).tolist():
        match = _VAL_NAME.fullmatch(stem(index.name(row)))
        if match is None:
            continue
        number = int(match.group(1))
        if not 1 <= number <= len(entries):
            continue
        rows.append(row)
        sets.append(tuple(n for c in entries[number - 1] if (n := classes[c]) is not None))
    disagree = np.zeros(len(index), dtype=bool)
    for row, nodes in zip(rows, sets, strict=True):
        disagree[row] = int(index.labels[row]) not in nodes
    return RealLabels(path, np.array(rows, dtype=np.int64), sets, disagree, problems)
