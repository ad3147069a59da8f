"""Which images of a synset the grid shows, and in which order: the controls above the grid
(only this synset, sort, only where ReaL disagrees) and the review filter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from browser.core.dataset.view import DatasetView, SortKey
from browser.qt.review import NOT_REVIEWED


@dataclass(frozen=True)
class GridFilter:
    exact: bool  # only images labelled exactly this synset, not below it
    sort: SortKey
    real_disagrees: bool  # only validation images whose label is not among their ReaL labels


def grid_rows(
    view: DatasetView,
    synset: int,
    shown: GridFilter,
    review_kind: str | None,
    rows_with: Callable[[str], np.ndarray],
) -> np.ndarray:
    """The index rows to show. ``review_kind``: a verdict, NOT_REVIEWED, or None for all;
    ``rows_with(verdict)`` gives the rows with that verdict ("" for any verdict)."""
    rows = view.rows(synset, exact=shown.exact, sort=shown.sort)
    real = view.index.real
    if real is not None and shown.real_disagrees:
        rows = rows[real.disagree[rows]]
    if review_kind is not None:
        reviewed = rows_with("" if review_kind == NOT_REVIEWED else review_kind)
        rows = rows[np.isin(rows, reviewed, invert=review_kind == NOT_REVIEWED)]
    return rows
