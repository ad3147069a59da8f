"""Opening the dataset a command names, finding the synsets it names, and describing a dataset's
labels and size the same way in every command."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from browser.cli.output import TerminalProgress, plural, plural_images, print_section
from browser.cli.parsing import PROG, UsageError
from browser.core import userdirs
from browser.core.dataset.classids import ClassNumbering
from browser.core.dataset.counts import Counts
from browser.core.dataset.index import DatasetIndex, unique_sorted
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy


def open_index(
    args: argparse.Namespace, hierarchy: Hierarchy, *, refresh: bool = False
) -> DatasetIndex:
    index = open_dataset(
        args.dataset,
        hierarchy,
        cache_dir=userdirs.cache_dir(args.cache_dir),
        refresh=refresh,
        progress=TerminalProgress(),
        layout=args.layout,
        hierarchy_choice=args.hierarchy,
        label_files=args.label_files,
    )
    for note in index.notes:
        print(f"{PROG}: {note}", file=sys.stderr)
    return index


def find_nodes(hierarchy: Hierarchy, wnids: list[str]) -> list[int]:
    nodes = []
    for wnid in wnids or [hierarchy.wnid(hierarchy.root)]:
        node = hierarchy.find(wnid.strip())
        if node is None:
            what = (
                "a WordNet 3.0 noun synset id"
                if hierarchy.ids is None
                else f"a node of the {hierarchy.source} hierarchy"
            )
            raise UsageError(f"{PROG}: {wnid!r} is not {what}")
        nodes.append(node)
    return nodes


def node_entry(
    hierarchy: Hierarchy, counts: Counts, numbering: ClassNumbering, node: int
) -> dict[str, Any]:
    return {
        "wnid": hierarchy.wnid(node),
        "name": hierarchy.name(node),
        **counts.node(node),
        **numbering.of(node).as_dict(),
    }


def label_sources(index: DatasetIndex) -> list[dict[str, Any]]:
    return [
        {
            "folder": source.folder or ".",
            "file": source.file.path,
            "kind": source.file.kind,
            "labelled": source.labelled,
            "unlabelled": source.unlabelled,
            "problems": [
                {"file": p.file, "line": p.line, "reason": p.reason} for p in source.problems
            ],
        }
        for source in index.label_sources
    ]


def real_labels(index: DatasetIndex) -> dict[str, Any] | None:
    real = index.real
    if real is None:
        return None
    return {
        "file": real.path,
        "images": len(real.rows),
        "disagree": int(real.disagree.sum()),
        "problems": [str(p) for p in real.problems],
    }


def print_label_sources(index: DatasetIndex) -> None:
    for source in index.label_sources:
        print(f"labels: {source.summary()} ({source.file.path})")
        print_section("  label file problems", [str(p) for p in source.problems])
    real = real_labels(index)
    if real is not None:
        print(
            f"ReaL labels: {real['images']:,} images, {real['disagree']:,} whose label is not "
            f"among them ({real['file']})"
        )
        print_section("  ReaL file problems", real["problems"])


def class_count(index: DatasetIndex) -> int:
    """Classes with at least one image, as every synset's own count has them."""
    if not index.per_image_labels:  # O(folders), in numpy, not images
        folder_images = np.diff(index.folder_start)
        return len(unique_sorted(index.folder_labels[folder_images > 0]))
    labels = index.labels
    return int(np.count_nonzero(np.bincount(labels[labels >= 0], minlength=1)))


def header(index: DatasetIndex) -> str:
    """The first line of scan and stats: the dataset, its images and classes, its layout."""
    classes = class_count(index)
    empty = len(index.class_nodes) - classes
    # In a folder tree every folder is a node, so a folder holding only folders is no class.
    extra = (
        f" and {plural(empty, 'empty class folder')}" if empty and index.layout != "folders" else ""
    )
    return (
        f"{index.root}: {plural_images(len(index))} in {plural(classes, 'class')}{extra} "
        f"(layout: {index.layout})"
    )
