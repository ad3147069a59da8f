"""Short, unambiguous labels for synsets in a crowded tree: compact counts and distinct names.

At 21,843 classes the tree's name column is narrow and many names repeat ("land" twice,
"armored car" twice). :func:`distinct_names` adds, to each name that another shown synset shares,
the name of its first hypernym that tells them apart ("land (country)", "land (ground)"), and
the wnid only when no hypernym does. :func:`compact_count` writes counts in at most four
characters plus a unit (1.2M, 14k), so the count columns stay narrow.
"""

from __future__ import annotations

from collections.abc import Iterable

from browser.core.hierarchy.dag import Hierarchy

_UNITS = ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k"))


def compact_count(count: int) -> str:
    """950 → "950", 1,234 → "1.2k", 14,197 → "14k", 1,281,167 → "1.3M" (rounded)."""
    for size, unit in _UNITS:
        if abs(count) >= size * 0.9995 or (unit == "k" and abs(count) >= 1000):
            value = count / size
            if abs(value) < 9.95:
                return f"{value:.1f}".rstrip("0").rstrip(".") + unit
            if abs(value) < 999.5:
                return f"{value:.0f}{unit}"
    return str(count)


def nearest_ancestors(hierarchy: Hierarchy, node: int) -> list[int]:
    """The synset's ancestors, nearest first (breadth first over every parent)."""
    order: list[int] = []
    seen = {node}
    frontier = [node]
    while frontier:
        following = []
        for current in frontier:
            for parent in hierarchy.parents(current):
                if parent not in seen:
                    seen.add(parent)
                    order.append(parent)
                    following.append(parent)
        frontier = following
    return order


class DistinctNames:
    """Each shown synset's name, with what sets it apart when another shown synset shares it:
    its nearest hypernym that is not a hypernym of the others ("crane (wading bird)",
    "crane (lifting device)"), else another of its lemmas that they lack ("land (soil)"), else
    its wnid. Groups are resolved on first display, so a 21k-class tree pays only for the rows
    it shows."""

    def __init__(self, hierarchy: Hierarchy, nodes: Iterable[int]) -> None:
        self.hierarchy = hierarchy
        self._groups: dict[str, list[int]] = {}
        for node in nodes:
            self._groups.setdefault(hierarchy.name(node).lower(), []).append(node)
        self._labels: dict[int, str] = {}

    def label(self, node: int) -> str:
        name = self.hierarchy.name(node)
        group = self._groups.get(name.lower(), ())
        if len(group) < 2 or node not in group:
            return name
        if node not in self._labels:
            self._labels.update(_resolve(self.hierarchy, name.lower(), group))
        return self._labels[node]


def distinct_names(hierarchy: Hierarchy, nodes: Iterable[int]) -> dict[int, str]:
    """The labels of :class:`DistinctNames` for every node whose name is shared."""
    names = DistinctNames(hierarchy, nodes)
    return {
        node: names.label(node)
        for group in names._groups.values()
        if len(group) > 1
        for node in group
    }


def _resolve(hierarchy: Hierarchy, name: str, group: list[int]) -> dict[int, str]:
    ancestors = {node: nearest_ancestors(hierarchy, node) for node in group}
    words = {
        node: {hierarchy.name(a).lower() for a in ancestors[node]}
        | {lemma.replace("_", " ").lower() for lemma in hierarchy.lemmas(node)}
        for node in group
    }
    labels = {}
    for node in group:
        others = set().union(*(words[o] for o in group if o != node))
        candidates = [hierarchy.name(a) for a in ancestors[node]] + [
            lemma.replace("_", " ") for lemma in hierarchy.lemmas(node)
        ]
        tag = next(
            (c for c in candidates if c.lower() not in others and c.lower() != name),
            hierarchy.wnid(node),
        )
        labels[node] = f"{hierarchy.name(node)} ({tag})"
    return labels
