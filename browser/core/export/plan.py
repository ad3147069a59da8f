"""The plan of an export: which images, which output class, which output name.

:func:`plan_export` decides everything before anything is written, so ``--dry-run`` shows
exactly what would happen. The class list (classes.txt, indices) is every class the selection
holds, decided before any filter, so indices never shift with splits, verdicts or sampling.
Output names are distinct ignoring case and fit the name limit (:mod:`browser.core.export.names`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from browser.core.dataset.view import DatasetView
from browser.core.export.names import (
    RESERVED,
    class_folders,
    imagefolder_numbering,
    numbering_warnings,
    plan_names,
    unique_names,
)
from browser.core.review.records import Verdict

MODES = ("copy", "hardlink", "symlink", "none")
LABELS = ("leaf", "selected")
NAME_STYLES = ("wnid", "wnid_name")
EXPORT_JSON = "export.json"
MANIFEST_COLUMNS = (
    "output",
    "source",
    "wnid",
    "class_name",
    "class_index",
    "split",
    "bytes",
    "mode",  # copy, hardlink, symlink, none, or failed
    "error",  # why it failed ("" when it did not)
)


class ExportError(RuntimeError):
    """The export cannot go on; the message says why, and what is written can be resumed."""


@dataclass(frozen=True)
class ExportOptions:
    nodes: tuple[str, ...]  # ids (wnids) of the selected synsets
    mode: str = "copy"
    labels: str = "leaf"
    splits: tuple[str, ...] = ()  # empty: every split
    per_class: int | None = None
    seed: int = 0
    exclude_verdicts: tuple[str, ...] = ()
    name_style: str = "wnid"
    relative_links: bool = False  # symlinks relative to where they are (absolute by default)
    images: tuple[str, ...] = ()  # relative paths: exactly these images (e.g. a grid selection)
    exclude_duplicates: bool = False  # keep one image per duplicate group (the first by path)


@dataclass
class PlannedFile:
    row: int
    source: str
    output: str  # relative to the output folder; "" for a manifest-only export
    wnid: str
    class_name: str
    class_index: int
    split: str
    size: int


@dataclass
class ExportPlan:
    files: list[PlannedFile] = field(default_factory=list)
    # Every class of the selection (also those no file of this export falls in): index,
    # wnid, name.
    classes: list[tuple[int, str, str]] = field(default_factory=list)
    overlapping: int = 0  # images under several selected synsets: the most specific one won
    excluded_by_verdict: int = 0
    excluded_as_duplicates: int = 0  # all but the first image (by path) of each group
    renamed: int = 0  # files given a distinct name beside a same-named one
    # Per split folder, its class folders in ImageFolder's order, each with its classes.txt
    # index; and a warning for each split where the two differ.
    imagefolder: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def per_class(self) -> dict[str, tuple[int, int]]:
        """Output class → (images, bytes); a class without a file in this export is absent."""
        totals: dict[str, list[int]] = {}
        for planned in self.files:
            entry = totals.setdefault(planned.wnid, [0, 0])
            entry[0] += 1
            entry[1] += max(0, planned.size)
        return {wnid: (n, size) for wnid, (n, size) in totals.items()}


def _output_classes(
    view: DatasetView, nodes: list[int], labels: np.ndarray, how: str
) -> tuple[np.ndarray, int]:
    """Per image, its output class; and how many images lay under several selected synsets."""
    if how == "leaf":
        return labels.copy(), 0
    hierarchy = view.hierarchy
    # The most specific selected synset wins: try those with the most ancestors first.
    order = sorted(nodes, key=lambda n: -len(hierarchy.ancestors(n)))
    out = np.full(len(labels), -1, dtype=np.int64)
    hits = np.zeros(len(labels), dtype=np.int64)
    for node in order:
        below = view.below(node)[labels]
        hits += below
        out[(out < 0) & below] = node
    return out, int((hits > 1).sum())


def plan_export(
    view: DatasetView,
    options: ExportOptions,
    verdicts: dict[str, Verdict] | None = None,
    duplicate_groups: list[tuple[int, ...]] | None = None,
) -> ExportPlan:
    """``duplicate_groups`` (dataset rows, from browser.core.duplicates) are needed when the
    options exclude duplicates; ``verdicts`` when they exclude by verdict (None there is an
    error: leaving nothing out would export what the user meant to exclude)."""
    index, hierarchy = view.index, view.hierarchy
    nodes = []
    for wnid in options.nodes:
        node = hierarchy.find(wnid)
        if node is None:
            raise ExportError(f"{wnid!r} is not a synset of this dataset's hierarchy")
        nodes.append(node)
    unknown = [name for name in options.splits if name not in index.splits]
    if unknown:
        raise ExportError(
            f"no split named {', '.join(map(repr, unknown))}; "
            f"the splits are: {', '.join(index.splits) or '(none)'}"
        )
    if options.exclude_verdicts and verdicts is None:
        raise ExportError("cannot exclude images by verdict: the verdicts could not be read")
    selected = (
        np.unique(np.concatenate([view.rows(n) for n in nodes])) if nodes else np.zeros(0, np.int64)
    )
    rows = selected
    if options.images:
        found = index.find_rows(options.images)
        rows = np.unique(np.array(list(found.values()), dtype=np.int64))
        if nodes:  # images chosen within the selected synsets
            rows = rows[np.isin(rows, selected)]
        else:
            nodes = sorted(set(index.labels[rows].tolist()))
            selected = rows
    # The class list comes before any filter, so that indices never shift with --split,
    # verdicts, duplicates or sampling: a model head trained on one export fits another.
    every_class, _ = _output_classes(view, nodes, index.labels[selected], options.labels)
    class_nodes = sorted(set(every_class.tolist()), key=hierarchy.wnid)
    if options.splits:
        wanted = [i for i, name in enumerate(index.splits) if name in options.splits]
        rows = rows[np.isin(index.split_ids[rows], wanted)]
    plan = ExportPlan()
    if options.exclude_verdicts and verdicts:
        bad = {r for r, v in verdicts.items() if v.verdict in options.exclude_verdicts}
        keep = np.array([index.relpath(r) not in bad for r in rows.tolist()], dtype=bool)
        plan.excluded_by_verdict = int((~keep).sum())
        rows = rows[keep]
    if options.exclude_duplicates and duplicate_groups:
        # Keep the first of each group by path (rows follow path order), drop the others.
        dropped = np.array([r for group in duplicate_groups for r in sorted(group)[1:]])
        keep = ~np.isin(rows, dropped)
        plan.excluded_as_duplicates = int((~keep).sum())
        rows = rows[keep]
    classes, plan.overlapping = _output_classes(view, nodes, index.labels[rows], options.labels)
    if options.per_class is not None:
        chosen = []
        for node in np.unique(classes).tolist():
            members = rows[classes == node]
            rng = np.random.default_rng([options.seed, node])
            take = min(options.per_class, len(members))
            chosen.append(np.sort(rng.choice(members, size=take, replace=False)))
        rows = np.sort(np.concatenate(chosen)) if chosen else rows[:0]
        classes, _ = _output_classes(view, nodes, index.labels[rows], options.labels)
    number = {node: i for i, node in enumerate(class_nodes)}
    plan.classes = [(number[n], hierarchy.wnid(n), hierarchy.name(n)) for n in class_nodes]
    folder_of = dict(zip(class_nodes, class_folders(plan.classes, options.name_style), strict=True))
    split_folder = unique_names(index.splits, RESERVED)
    row_list, class_list = rows.tolist(), classes.tolist()
    split_list = index.split_ids[rows].tolist()
    outputs = [""] * len(row_list)
    if options.mode != "none":
        names = [index.name(row) for row in row_list]
        # Names are made distinct per output folder, ignoring case (see exportnames).
        groups: dict[tuple[int, int], list[int]] = {}
        for position, key in enumerate(zip(split_list, class_list, strict=True)):
            groups.setdefault(key, []).append(position)
        for (split, node), positions in groups.items():
            planned, renamed = plan_names([names[p] for p in positions])
            plan.renamed += renamed
            prefix = f"{split_folder[split]}/{folder_of[node]}/"
            for position, name in zip(positions, planned, strict=True):
                outputs[position] = prefix + name
        plan.imagefolder = imagefolder_numbering(
            (split_folder[split], folder_of[node], number[node]) for split, node in groups
        )
        plan.warnings = numbering_warnings(plan.imagefolder)
    names_of = {node: (hierarchy.wnid(node), hierarchy.name(node)) for node in class_nodes}
    for position, (row, node) in enumerate(zip(row_list, class_list, strict=True)):
        wnid, name = names_of[node]
        size = int(index.sizes[row])
        source = index.path(row)
        if size < 0:  # the stat pass has not reached it
            try:
                size = os.stat(source).st_size
            except OSError:
                size = -1
        split = index.splits[split_list[position]]
        plan.files.append(
            PlannedFile(row, source, outputs[position], wnid, name, number[node], split, size)
        )
    return plan
