"""A generated dataset with planted label errors, and a model's synthetic predictions that
make realistic mistakes of their own (10–20 % wrong, mostly sibling classes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids

# Three groups of ILSVRC classes: hounds and terriers (both dogs) and fish.
GROUPS = {"hound": "n02087551", "terrier": "n02092468", "fish": "n02512053"}


@dataclass
class Planted:
    """The dataset's truth and what the model says about it."""

    classes: list[str]  # the model's classes (wnids), column order
    group_of: list[str]  # per class, its group's name
    relpaths: list[str]
    truth: np.ndarray  # per image, the column of what it shows
    given: np.ndarray  # per image, the column of its label (the folder it is in)
    probs: np.ndarray  # N×K float32
    planted: np.ndarray  # bool: given != truth

    @property
    def model_wrong(self) -> np.ndarray:
        return self.probs.argmax(axis=1) != self.truth

    def write_model(self, path: Path) -> Path:
        """The model's predictions as the .npz a user would import."""
        np.savez(
            path,
            paths=np.array(self.relpaths),
            probs=self.probs,
            classes=np.array(self.classes),
        )
        return path


def pick_classes(hierarchy: Hierarchy, per_group: int) -> tuple[list[str], list[str]]:
    classes, groups = [], []
    for group, wnid in GROUPS.items():
        node = hierarchy.index(wnid)
        below = [w for w in ilsvrc_wnids() if node in hierarchy.ancestors(hierarchy.index(w))]
        classes += below[:per_group]
        groups += [group] * per_group
    return classes, groups


def plant(
    hierarchy: Hierarchy,
    *,
    per_group: int = 4,
    per_class: int = 20,
    error_rate: float = 0.05,
    model_error: float = 0.15,
    seed: int = 0,
) -> Planted:
    rng = np.random.default_rng(seed)
    classes, groups = pick_classes(hierarchy, per_group)
    k = len(classes)
    truth = np.repeat(np.arange(k), per_class)
    n = len(truth)
    planted = np.zeros(n, dtype=bool)
    planted[rng.choice(n, size=round(n * error_rate), replace=False)] = True
    given = truth.copy()
    # A planted error: a label from anywhere (annotators mix up unrelated classes too).
    given[planted] = (truth[planted] + rng.integers(1, k, planted.sum())) % k
    logits = rng.normal(0, 0.5, (n, k))
    confused = rng.random(n) < model_error
    for i in range(n):
        siblings = [c for c in range(k) if groups[c] == groups[truth[i]] and c != truth[i]]
        if confused[i]:
            # Mostly a sibling class; sometimes anything.
            pool = siblings if rng.random() < 0.8 else [c for c in range(k) if c != truth[i]]
            logits[i, rng.choice(pool)] += 3.5
            logits[i, truth[i]] += 2.5
        else:
            logits[i, truth[i]] += 4.0
            logits[i, rng.choice(siblings)] += 1.5
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    relpaths = [f"train/{classes[given[i]]}/img_{i:04d}.JPEG" for i in range(n)]
    return Planted(classes, groups, relpaths, truth, given, probs.astype(np.float32), planted)


def write_images(root: Path, relpaths: list[str], jpeg: bytes) -> Path:
    for relpath in relpaths:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(jpeg)
    return root
