"""The numbers users cross-check classes by, against model outputs.

- ``class_index``: the class's position among the dataset's classes sorted by wnid (what
  torchvision's ImageFolder assigns);
- ``ilsvrc_index``: its position among the 1000 ILSVRC-2012 classes in sorted-wnid order
  (the index of a model trained on ImageNet-1k), for those classes;
- ``devkit_id``: the ILSVRC devkit's 1-based class ID (ID 1 is kit fox; *not* sorted-wnid
  order), known only from a ``map_clsloc.txt`` or the devkit's ``meta.mat`` near the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.labelfiles import DEVKIT_MAP, DEVKIT_META, devkit_id_map, find_near
from browser.core.hierarchy.ilsvrc import ilsvrc_class_index


@dataclass(frozen=True)
class ClassIds:
    class_index: int | None
    ilsvrc_index: int | None
    devkit_id: int | None

    def as_dict(self) -> dict[str, int]:
        values = {
            "class_index": self.class_index,
            "ilsvrc_index": self.ilsvrc_index,
            "devkit_id": self.devkit_id,
        }
        return {key: value for key, value in values.items() if value is not None}


class ClassNumbering:
    """Class numbers for one dataset; the devkit map is read once, on first use."""

    def __init__(self, index: DatasetIndex) -> None:
        self.index = index

    @cached_property
    def devkit_map(self) -> str | None:
        """The file devkit IDs come from: map_clsloc.txt, or else the devkit's meta.mat."""
        return find_near(self.index.root, DEVKIT_MAP) or find_near(self.index.root, DEVKIT_META)

    @cached_property
    def _devkit_ids(self) -> dict[str, int]:
        if self.devkit_map is None:
            return {}
        ids, _ = devkit_id_map(self.index.root)
        return {wnid: number for number, wnid in (ids or {}).items()}

    def of(self, node: int) -> ClassIds:
        classes = self.index.class_nodes
        position = int(np.searchsorted(classes, node))
        in_dataset = position < len(classes) and int(classes[position]) == node
        wnid = self.index.hierarchy.wnid(node)
        return ClassIds(
            position if in_dataset else None,
            ilsvrc_class_index().get(wnid),
            self._devkit_ids.get(wnid),
        )
