"""Which hierarchy a dataset is browsed with (``--hierarchy``).

- ``wordnet`` (the default): the shipped WordNet 3.0 nouns.
- ``imagenet-files``: ImageNet's own ``wordnet.is_a.txt`` and ``words.txt`` in the dataset
  folder (class folders named by wnid, as usual).
- ``folders``: the dataset's own folder tree; every folder is a node, labelled by its path.
- a ``.csv`` or ``.json`` file: a taxonomy of its own ids; class folders are named by them.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

import numpy as np

from browser.core.dataset.labelfiles import OUTSIDE_ROOT
from browser.core.dataset.links import is_within
from browser.core.dataset.scanner import FolderRecord
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.taxonomies import (
    IMAGENET_GLOSS,
    IMAGENET_IS_A,
    IMAGENET_WORDS,
    Taxonomy,
    build,
    folder_taxonomy,
    read_csv_taxonomy,
    read_imagenet_files,
    read_json_taxonomy,
)
from browser.core.linefiles import LabelProblem

WORDNET = "wordnet"
IMAGENET_FILES = "imagenet-files"
FOLDERS = "folders"
HIERARCHY_CHOICES = {
    WORDNET: "the shipped WordNet 3.0 noun hierarchy",
    IMAGENET_FILES: f"ImageNet's {IMAGENET_IS_A} and {IMAGENET_WORDS} in the dataset folder",
    FOLDERS: "the dataset's own folder tree",
    "FILE.csv / FILE.json": "a taxonomy file (see the README)",
}


class HierarchyChoiceError(ValueError):
    """The chosen hierarchy cannot be used (missing files, an unknown choice)."""


@dataclass
class ChosenHierarchy:
    choice: str
    hierarchy: Hierarchy | None  # None for folders: built once the folders are listed
    problems: list[LabelProblem] = field(default_factory=list)

    @property
    def store_variant(self) -> str:
        """Kept apart in the index store: labels mean different things per hierarchy."""
        if self.choice == WORDNET:
            return ""
        if self.choice in (IMAGENET_FILES, FOLDERS):
            return self.choice
        return os.path.realpath(self.choice)


def _built(taxonomy: Taxonomy, root_name: str, choice: str) -> ChosenHierarchy:
    if not taxonomy.nodes:
        reasons = "; ".join(str(p) for p in taxonomy.problems[:3])
        raise HierarchyChoiceError(
            f"{choice}: no nodes could be read" + (f" ({reasons})" if reasons else "")
        )
    return ChosenHierarchy(choice, build(taxonomy, root_name), taxonomy.problems)


def choose_hierarchy(choice: str, root: str, wordnet: Hierarchy) -> ChosenHierarchy:
    """The hierarchy for ``choice``; HierarchyChoiceError with a clear message if unusable."""
    if choice == WORDNET:
        return ChosenHierarchy(choice, wordnet)
    if choice == FOLDERS:
        return ChosenHierarchy(choice, None)
    if choice == IMAGENET_FILES:
        if not os.path.isfile(os.path.join(root, IMAGENET_IS_A)):
            raise HierarchyChoiceError(
                f"{root}: no {IMAGENET_IS_A} here (ImageNet's hierarchy files: "
                f"{IMAGENET_IS_A} and {IMAGENET_WORDS})"
            )
        for name in (IMAGENET_IS_A, IMAGENET_WORDS, IMAGENET_GLOSS):
            path = os.path.join(root, name)
            if os.path.exists(path) and not is_within(os.path.realpath(path), root):
                raise HierarchyChoiceError(f"{path}: {OUTSIDE_ROOT}")
        return _built(read_imagenet_files(root), "ImageNet", choice)
    lowered = choice.lower()
    if lowered.endswith((".csv", ".json")):
        if not os.path.isfile(choice):
            raise HierarchyChoiceError(f"{choice}: no such hierarchy file")
        reader = read_csv_taxonomy if lowered.endswith(".csv") else read_json_taxonomy
        return _built(reader(choice), os.path.basename(choice), choice)
    raise HierarchyChoiceError(
        f"unknown hierarchy {choice!r}: use wordnet, imagenet-files, folders, or a .csv/.json file"
    )


def label_by_folders(
    root: str, folders: list[FolderRecord]
) -> tuple[Hierarchy, list[FolderRecord]]:
    """The folder tree as a hierarchy, and each folder's images labelled by its own folder.

    The listed records are kept as they were stored (label -1); the labelled copies point
    back to them, as label-file splits do, so file facts and refreshes use the listed ones.
    """
    name = os.path.basename(os.path.normpath(root)) or root
    hierarchy = build(folder_taxonomy((r.relpath for r in folders if r.count), name), name)
    labelled = []
    for record in folders:
        node = hierarchy.find(record.relpath)
        if node is None:  # an empty folder with nothing below: not part of the tree
            continue
        labelled.append(
            dataclasses.replace(
                record,
                label=node,
                reason="",
                listed_as=(record, np.arange(record.count)),
            )
        )
    return hierarchy, labelled
