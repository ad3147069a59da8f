"""The identities the window keys everything by (the rule is in ``docs/window-state.md``).

A *dataset* is the opened index's real root plus an open generation: a number given each
time a dataset is opened or refreshed in this process, so two opens of the same folder (or
three datasets with the same relative paths) never share a key. An *image* is its relative
path within that dataset. A grid position or an index row is only a place in the current
view and keys nothing that outlives it.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

_generations = itertools.count(1)


@dataclass(frozen=True)
class DatasetKey:
    root: str  # os.path.realpath of the opened index's root
    generation: int  # unique per open or refresh, in this process


def new_dataset_key(root: str) -> DatasetKey:
    return DatasetKey(os.path.realpath(root), next(_generations))


# (open generation, relative path): what thumbnails, failures and requests are keyed by.
ImageKey = tuple[int, str]
