"""Opening a dataset in the window: how it was asked to be read, and where to land once it
is open."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtWidgets import QFileDialog, QWidget

from browser.core.dataset.hierarchychoice import WORDNET
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy


@dataclass
class OpenRequest:
    """How the open dataset was asked to be read (Refresh reads it the same way again), and
    the synset to show once it is open (None: the root)."""

    layout: str = "auto"
    hierarchy: str = WORDNET
    select: int | None = None


def ask_for_folder(parent: QWidget, layout: str) -> str:
    """A folder the user picks ("" if none)."""
    title = "Open dataset folder" if layout == "auto" else f"Open dataset folder as {layout}"
    return QFileDialog.getExistingDirectory(parent, title)


def landing_synset(view: DatasetView, wanted: int | None, asked_in: Hierarchy) -> int:
    """The synset to show first: ``wanted`` (a node of ``asked_in``), found by its id when
    the dataset came with another hierarchy (ImageNet's files, the folder tree, a taxonomy,
    or the same kind rebuilt by a refresh); the root when it is unknown or has no images."""
    target = wanted
    if target is not None and view.hierarchy is not asked_in:
        target = view.hierarchy.find(asked_in.wnid(target))
    if target is None or view.counts.images[target] == 0:
        return view.hierarchy.root
    return target


def window_title(view: DatasetView) -> str:
    return f"{os.path.basename(view.index.root)} — Synset Browser"


def dataset_caption(view: DatasetView) -> str:
    """The status bar's description of the open dataset."""
    index = view.index
    return f"{index.root}  ·  {len(index):,} images in {len(index.class_nodes):,} classes"
