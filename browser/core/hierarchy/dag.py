"""The WordNet noun DAG as compact arrays, with lookups and paths.

Synsets are addressed by their position (an ``int``) in the offset-sorted table; a wnid is
``"n"`` plus the eight-digit WordNet offset. A synset may have several parents (hypernyms and
instance hypernyms), so "the path to the root" is really a set of paths, and ancestors are
kept as a precomputed closure in which every ancestor appears once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property

import numpy as np

WNID_PATTERN = re.compile(r"n\d{8}")
ENTITY_WNID = "n00001740"


def is_wnid_shaped(text: str) -> bool:
    """True for strings that look like a noun wnid (whether or not WordNet has it)."""
    return WNID_PATTERN.fullmatch(text) is not None


class Hierarchy:
    """The noun synsets of one WordNet, as a DAG.

    ``ancestor_ptr``/``ancestor_idx`` hold, for each synset, the sorted set of its ancestors
    including itself (CSR layout). Counting over that closure, rather than walking paths, is
    what makes every image count once under each ancestor.
    """

    def __init__(
        self,
        *,
        offsets: np.ndarray,
        parent_ptr: np.ndarray,
        parent_idx: np.ndarray,
        ancestor_ptr: np.ndarray,
        ancestor_idx: np.ndarray,
        lemmas: Sequence[str],
        glosses: Sequence[str] | Callable[[], Sequence[str]],
        frequency: np.ndarray,
        version: str = "3.0",
        ids: Sequence[str] | None = None,
        root_node: int | None = None,
        source: str = "",
        lemma_counts: np.ndarray | None = None,
        noun_exceptions: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        count = len(offsets)
        if not (len(lemmas) == len(frequency) == count):
            raise ValueError("hierarchy arrays disagree in length")
        self.offsets = offsets
        self.parent_ptr = parent_ptr
        self.parent_idx = parent_idx
        self.ancestor_ptr = ancestor_ptr
        self.ancestor_idx = ancestor_idx
        self.frequency = frequency
        self.version = version
        # Hierarchies other than WordNet (ImageNet's own files, a dataset's folders, a CSV or
        # JSON taxonomy) name their nodes with ``ids`` instead of WordNet offsets.
        self.ids = ids
        self._id_position = {name: i for i, name in enumerate(ids)} if ids is not None else None
        self._root_node = root_node
        self.source = source or f"wordnet-{version}"
        self._lemma_fields = lemmas
        # Each lemma's own sense count, flat in lemma order (None: use ``frequency``), and
        # WordNet's irregular plurals ("geese" → "goose"); both only refine search.
        self.lemma_counts = lemma_counts
        self.noun_exceptions: Mapping[str, tuple[str, ...]] = noun_exceptions or {}
        # Glosses are the bulk of the resource and only needed for display and search, so
        # they may be handed over as a loader and read on first use (keeps start-up fast).
        self._gloss_source = glosses

    def __len__(self) -> int:
        return len(self.offsets)

    # -- identity -------------------------------------------------------------------------

    def find(self, wnid: str) -> int | None:
        """The synset with this wnid, or None if it is not a noun synset of this WordNet."""
        if self._id_position is not None:
            return self._id_position.get(wnid)
        if not is_wnid_shaped(wnid):
            return None
        offset = int(wnid[1:])
        pos = int(np.searchsorted(self.offsets, offset))
        if pos < len(self.offsets) and self.offsets[pos] == offset:
            return pos
        return None

    def index(self, wnid: str) -> int:
        """Like :meth:`find`, but an unknown wnid raises ``KeyError``."""
        found = self.find(wnid)
        if found is None:
            raise KeyError(wnid)
        return found

    def wnid(self, node: int) -> str:
        """The node's id: its wnid in WordNet, its own id in other hierarchies."""
        if self.ids is not None:
            return self.ids[node]
        return f"n{int(self.offsets[node]):08d}"

    def is_class_name(self, name: str) -> bool:
        """Whether a folder with this name names a node (a wnid, for WordNet)."""
        if self._id_position is not None:
            return name in self._id_position
        return is_wnid_shaped(name)

    def lemmas(self, node: int) -> list[str]:
        """Lemma names as WordNet spells them (underscores for spaces)."""
        return self._lemma_fields[node].split("|")

    def name(self, node: int) -> str:
        """The first lemma, readable: ``"Canis familiaris"`` rather than ``Canis_familiaris``."""
        return self._lemma_fields[node].split("|", 1)[0].replace("_", " ")

    def gloss(self, node: int) -> str:
        return self.glosses[node]

    @property
    def lemma_fields(self) -> Sequence[str]:
        """Per synset, its lemma names joined by ``|`` (for bulk search indexes)."""
        return self._lemma_fields

    @cached_property
    def glosses(self) -> Sequence[str]:
        source = self._gloss_source
        glosses = source() if callable(source) else source
        if len(glosses) != len(self):
            raise ValueError("hierarchy glosses disagree in length")
        return glosses

    @cached_property
    def root(self) -> int:
        """``entity``, the single root of the WordNet 3.0 noun hierarchy (or the root the
        builder of another hierarchy chose)."""
        if self._root_node is not None:
            return self._root_node
        return self.index(ENTITY_WNID)

    # -- structure ------------------------------------------------------------------------

    def parents(self, node: int) -> list[int]:
        start, end = self.parent_ptr[node], self.parent_ptr[node + 1]
        return self.parent_idx[start:end].tolist()

    @cached_property
    def _children_csr(self) -> tuple[np.ndarray, np.ndarray]:
        owners = np.repeat(np.arange(len(self), dtype=np.int32), np.diff(self.parent_ptr))
        order = np.argsort(self.parent_idx, kind="stable")
        child_idx = owners[order]
        counts = np.bincount(self.parent_idx, minlength=len(self))
        child_ptr = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(counts, out=child_ptr[1:])
        return child_ptr, child_idx

    def children(self, node: int) -> list[int]:
        ptr, idx = self._children_csr
        return idx[ptr[node] : ptr[node + 1]].tolist()

    def child_count(self, node: int) -> int:
        ptr, _ = self._children_csr
        return int(ptr[node + 1] - ptr[node])

    def ancestors(self, node: int, *, include_self: bool = False) -> set[int]:
        """Every synset above ``node`` (each once, however many paths lead there)."""
        start, end = self.ancestor_ptr[node], self.ancestor_ptr[node + 1]
        found = set(self.ancestor_idx[start:end].tolist())
        if not include_self:
            found.discard(node)
        return found

    def descendants(self, node: int, *, include_self: bool = False) -> set[int]:
        """Every synset below ``node``."""
        ptr, idx = self._children_csr
        seen: set[int] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            for child in idx[ptr[current] : ptr[current + 1]].tolist():
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        if include_self:
            seen.add(node)
        return seen

    def hypernym_paths(self, node: int) -> list[list[int]]:
        """All paths from the root down to ``node`` (like nltk's ``hypernym_paths``)."""
        paths: list[list[int]] = []
        for path in self._paths_up(node):
            path.reverse()
            paths.append(path)
        paths.sort(key=lambda p: [self.offsets[n] for n in p])
        return paths

    def _paths_up(self, node: int) -> Iterator[list[int]]:
        stack: list[list[int]] = [[node]]
        while stack:
            path = stack.pop()
            parents = self.parents(path[-1])
            if not parents:
                yield path
            for parent in parents:
                stack.append([*path, parent])

    @cached_property
    def closure_owners(self) -> np.ndarray:
        """For each entry of ``ancestor_idx``, the synset whose closure it belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int32), np.diff(self.ancestor_ptr))
