"""Hierarchies other than the shipped WordNet 3.0: ImageNet's own hierarchy files, a
dataset's folder tree, and simple CSV or JSON taxonomy files.

Each reader collects nodes (id, name, gloss, parent ids) and every line it could not use
(file, line, reason); :func:`build` turns the nodes into a :class:`Hierarchy` with the same
ancestor closure WordNet has, so counts stay once-per-ancestor in any DAG. Parents that are
named but never defined become nodes of their own; a link that would close a cycle (the
later one in the file) is dropped and reported; several roots are gathered under one.

File formats (see the README):
- ImageNet: ``wordnet.is_a.txt`` (``parent child`` wnids per line), ``words.txt``
  (``wnid<TAB>name, name…``), optionally ``gloss.txt`` (``wnid<TAB>gloss``).
- CSV: a header ``child,parent,name`` (a fourth column ``gloss`` is optional); one row per
  link, an empty parent for a root; a child with several parents has several rows.
- JSON: ``{"nodes": [{"id": …, "name": …, "parents": [ids], "gloss": …}, …]}``.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from browser.core.filenames import open_text
from browser.core.hierarchy.dag import Hierarchy, is_wnid_shaped
from browser.core.hierarchy.wordnet import ancestor_closure
from browser.core.linefiles import LabelProblem, csv_row

IMAGENET_IS_A = "wordnet.is_a.txt"
IMAGENET_WORDS = "words.txt"
IMAGENET_GLOSS = "gloss.txt"
ROOT_ID = "(root)"


@dataclass
class NodeSpec:
    name: str = ""
    gloss: str = ""
    parents: list[str] = field(default_factory=list)


@dataclass
class Taxonomy:
    """Nodes as read, before building, with the problems met reading them."""

    source: str
    nodes: dict[str, NodeSpec] = field(default_factory=dict)
    problems: list[LabelProblem] = field(default_factory=list)

    def node(self, node_id: str) -> NodeSpec:
        return self.nodes.setdefault(node_id, NodeSpec())

    def link(self, child: str, parent: str, where: tuple[str, int] = ("", 0)) -> None:
        """Put ``child`` below ``parent``, unless that would close a cycle: then the link
        that closes it (the later one, at ``where``) is dropped and reported."""
        spec = self.node(child)
        self.node(parent)
        if parent in spec.parents:
            return
        if self._is_below(parent, child):
            self.problems.append(
                LabelProblem(
                    where[0] or self.source,
                    where[1],
                    f"{parent} is already below {child}: this link would close a cycle; ignored",
                )
            )
            return
        spec.parents.append(parent)

    def _is_below(self, node: str, ancestor: str) -> bool:
        seen, stack = set(), [node]
        while stack:
            current = stack.pop()
            if current == ancestor:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(self.nodes[current].parents)
        return False


def build(taxonomy: Taxonomy, root_name: str) -> Hierarchy:
    """A Hierarchy of the taxonomy's nodes, ordered by id (class indices follow id order)."""
    roots = sorted(i for i, spec in taxonomy.nodes.items() if not spec.parents)
    if len(roots) != 1:  # none (empty) or several: one root above them all
        taxonomy.nodes[ROOT_ID] = NodeSpec(root_name)
        for root in roots:
            taxonomy.nodes[root].parents.append(ROOT_ID)
        roots = [ROOT_ID]
    ids = sorted(taxonomy.nodes)
    position = {node_id: i for i, node_id in enumerate(ids)}
    specs = [taxonomy.nodes[i] for i in ids]
    parents = [sorted(position[p] for p in spec.parents) for spec in specs]
    closure = ancestor_closure(parents)
    return Hierarchy(
        offsets=np.arange(len(ids), dtype=np.int64),
        parent_ptr=np.cumsum([0] + [len(p) for p in parents], dtype=np.int64),
        parent_idx=np.array([i for p in parents for i in p], dtype=np.int32),
        ancestor_ptr=np.cumsum([0] + [len(a) for a in closure], dtype=np.int64),
        ancestor_idx=np.array([i for a in closure for i in a], dtype=np.int32),
        lemmas=[spec.name or i for i, spec in zip(ids, specs, strict=True)],
        glosses=[spec.gloss for spec in specs],
        frequency=np.zeros(len(ids), dtype=np.int32),
        ids=ids,
        root_node=position[roots[0]],
        source=taxonomy.source,
    )


def _tab_lines(path: str, taxonomy: Taxonomy) -> Iterable[tuple[int, str, str]]:
    try:
        with open_text(path) as text:  # BOM-tolerant; non-UTF-8 ids match folder names
            for number, line in enumerate(text, start=1):
                if not line.strip():
                    continue
                key, _, value = line.rstrip("\r\n").partition("\t")
                if not value:
                    taxonomy.problems.append(LabelProblem(path, number, "expected 'id<TAB>text'"))
                    continue
                yield number, key.strip(), value.strip()
    except OSError as exc:
        taxonomy.problems.append(LabelProblem(path, 0, f"cannot be read: {exc.strerror or exc}"))


def read_imagenet_files(folder: str) -> Taxonomy:
    """ImageNet's own hierarchy: ``wordnet.is_a.txt`` + ``words.txt`` (+ ``gloss.txt``)."""
    taxonomy = Taxonomy("imagenet-files")
    is_a = os.path.join(folder, IMAGENET_IS_A)
    try:
        with open_text(is_a) as text:
            for number, line in enumerate(text, start=1):
                parts = line.split()
                if not parts:
                    continue
                if len(parts) != 2 or not all(is_wnid_shaped(p) for p in parts):
                    taxonomy.problems.append(
                        LabelProblem(is_a, number, "expected 'parent_wnid child_wnid'")
                    )
                    continue
                taxonomy.link(parts[1], parts[0], (is_a, number))
    except OSError as exc:
        taxonomy.problems.append(LabelProblem(is_a, 0, f"cannot be read: {exc.strerror or exc}"))
    for _, wnid, names in _tab_lines(os.path.join(folder, IMAGENET_WORDS), taxonomy):
        # "tench, Tinca tinca": lemmas, joined as the hierarchy keeps them.
        taxonomy.node(wnid).name = "|".join(n.strip() for n in names.split(",") if n.strip())
    gloss = os.path.join(folder, IMAGENET_GLOSS)
    if os.path.isfile(gloss):
        for _, wnid, definition in _tab_lines(gloss, taxonomy):
            taxonomy.node(wnid).gloss = definition
    return taxonomy


def read_csv_taxonomy(path: str) -> Taxonomy:
    taxonomy = Taxonomy(os.path.basename(path))
    try:
        with open_text(path) as text:
            for number, line in enumerate(text, start=1):
                try:
                    # Line by line: a stray quote costs its line, never the rest of the file.
                    row = csv_row(line.rstrip("\r\n"))
                except csv.Error as exc:
                    taxonomy.problems.append(LabelProblem(path, number, f"not a CSV line ({exc})"))
                    continue
                if number == 1:
                    if [h.strip() for h in row[:3]] != ["child", "parent", "name"]:
                        taxonomy.problems.append(
                            LabelProblem(path, 1, "expected child,parent,name as the header")
                        )
                        return taxonomy
                    continue
                if not row or not any(cell.strip() for cell in row):
                    continue
                child = row[0].strip()
                if not child:
                    taxonomy.problems.append(LabelProblem(path, number, "no child id"))
                    continue
                spec = taxonomy.node(child)
                parent = row[1].strip() if len(row) > 1 else ""
                if parent == child:
                    taxonomy.problems.append(
                        LabelProblem(path, number, f"{child} is its own parent")
                    )
                elif parent:
                    taxonomy.link(child, parent, (path, number))
                if len(row) > 2 and row[2].strip() and not spec.name:
                    spec.name = row[2].strip()
                if len(row) > 3 and row[3].strip():
                    spec.gloss = row[3].strip()
    except OSError as exc:
        taxonomy.problems.append(LabelProblem(path, 0, f"cannot be read: {exc.strerror or exc}"))
    return taxonomy


def read_json_taxonomy(path: str) -> Taxonomy:
    taxonomy = Taxonomy(os.path.basename(path))
    try:
        with open(path, encoding="utf-8-sig") as text:
            data = json.load(text)
    except (OSError, ValueError) as exc:
        taxonomy.problems.append(LabelProblem(path, 0, f"cannot be read as JSON: {exc}"))
        return taxonomy
    nodes = data.get("nodes") if isinstance(data, dict) else data
    if not isinstance(nodes, list):
        taxonomy.problems.append(LabelProblem(path, 0, 'expected {"nodes": [...]}'))
        return taxonomy
    seen: set[str] = set()
    for number, entry in enumerate(nodes, start=1):
        node_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(node_id, str) or not node_id:
            taxonomy.problems.append(LabelProblem(path, 0, f"node {number}: no string 'id'"))
            continue
        if node_id in seen:
            taxonomy.problems.append(
                LabelProblem(path, 0, f"node {number}: duplicate id {node_id!r}; ignored")
            )
            continue
        seen.add(node_id)
        spec = taxonomy.node(node_id)
        spec.name = str(entry.get("name") or "")
        spec.gloss = str(entry.get("gloss") or "")
        parents = entry.get("parents", [])
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            taxonomy.problems.append(
                LabelProblem(path, 0, f"node {number}: 'parents' is not a list of ids")
            )
            continue
        for parent in parents:
            taxonomy.link(node_id, parent, (path, 0))
    return taxonomy


def folder_taxonomy(folders: Iterable[str], root_name: str) -> Taxonomy:
    """A dataset's folder tree as a taxonomy: each folder (relpath) below its parent folder;
    the dataset root (``""``) is the root."""
    taxonomy = Taxonomy("folders")
    taxonomy.node("").name = root_name
    for relpath in folders:
        child = relpath
        while child:
            parent = child.rpartition("/")[0]
            taxonomy.node(child).name = child.rpartition("/")[2]
            taxonomy.link(child, parent)
            child = parent
    return taxonomy
