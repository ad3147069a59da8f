"""Audit samples: a reproducible random sample of up to N images per class under a synset,
so a superclass can be audited in an hour instead of read image by image."""

from __future__ import annotations

import numpy as np

from browser.core.dataset.view import DatasetView

DEFAULT_SEED = 2012


def audit_sample(
    view: DatasetView,
    synset: int,
    per_class: int,
    seed: int = DEFAULT_SEED,
    classes: set[int] | None = None,
) -> np.ndarray:
    """Rows: for every class at or below ``synset``, ``per_class`` of its images (all of them
    if it has fewer), drawn with ``seed``; the same arguments always give the same sample.
    Grouped by class, in path order within each. ``classes`` (label nodes) limits the
    classes drawn from, e.g. to those nobody has reviewed yet."""
    rows = view.rows(synset)
    labels = view.index.labels[rows]
    chosen = []
    for label in np.unique(labels).tolist():
        if classes is not None and label not in classes:
            continue
        members = np.sort(rows[labels == label])
        # One generator per class, seeded by the class too: adding a class elsewhere in the
        # dataset does not change which images another class contributes.
        rng = np.random.default_rng([seed, label])
        take = min(per_class, len(members))
        chosen.append(np.sort(rng.choice(members, size=take, replace=False)))
    return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)


def class_sizes(view: DatasetView, synset: int) -> dict[int, int]:
    """Images per class (label node) at or below ``synset``."""
    labels, counts = np.unique(view.index.labels[view.rows(synset)], return_counts=True)
    return dict(zip(labels.tolist(), counts.tolist(), strict=True))


def sample_size(sizes: dict[int, int], per_class: int, classes: set[int] | None = None) -> int:
    """How many images :func:`audit_sample` draws from classes of these sizes (all of them, or
    only ``classes``), without drawing them."""
    return sum(
        min(per_class, n) for label, n in sizes.items() if classes is None or label in classes
    )


def shuffled(rows: np.ndarray, seed: int = DEFAULT_SEED) -> np.ndarray:
    """The rows in an order drawn with ``seed``: classes mixed, so a reviewer meets each
    image without the context of its neighbours; the same seed gives the same order."""
    return np.random.default_rng([seed, len(rows)]).permutation(rows)
