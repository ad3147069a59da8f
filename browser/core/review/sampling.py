"""Audit samples: a reproducible random sample of up to N images per class under a synset,
so a superclass can be audited in an hour instead of read image by image."""

from __future__ import annotations

import numpy as np

from browser.core.dataset.view import DatasetView

DEFAULT_SEED = 2012


def audit_sample(
    view: DatasetView, synset: int, per_class: int, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """Rows: for every class at or below ``synset``, ``per_class`` of its images (all of them
    if it has fewer), drawn with ``seed``; the same arguments always give the same sample.
    Grouped by class, in path order within each."""
    rows = view.rows(synset)
    labels = view.index.labels[rows]
    chosen = []
    for label in np.unique(labels).tolist():
        members = np.sort(rows[labels == label])
        # One generator per class, seeded by the class too: adding a class elsewhere in the
        # dataset does not change which images another class contributes.
        rng = np.random.default_rng([seed, label])
        take = min(per_class, len(members))
        chosen.append(np.sort(rng.choice(members, size=take, replace=False)))
    return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
