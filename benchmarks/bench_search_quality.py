"""Search quality: precision at 1 and at 5 over the query set in tests/data/search_queries.tsv.

Usage: python benchmarks/bench_search_quality.py

Two settings, as a user meets them:
- "WordNet alone": ``synset-browser search`` without a dataset (no image counts to rank by);
- "ImageNet-1k open": ranked by the rolled-up image counts of a dataset holding the 1000
  ILSVRC-2012 classes (``resources/ilsvrc/wnids.txt``), as the window and ``--dataset`` do.

tests/core/test_search_quality.py floors the same numbers; docs/search.md records them.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from browser.core.hierarchy.dag import Hierarchy  # noqa: E402
from browser.core.hierarchy.search import SynsetSearch  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "data" / "search_queries.tsv"
ILSVRC_WNIDS = ROOT / "resources" / "ilsvrc" / "wnids.txt"


@dataclass(frozen=True)
class Query:
    text: str
    wnid: str
    kind: str


@dataclass(frozen=True)
class Score:
    at1: float
    at5: float
    misses: list[tuple[Query, list[str]]]  # queries whose intended synset is not first
    by_kind: dict[str, tuple[float, float, int]]  # kind → (p@1, p@5, queries)


def load_queries(path: Path = QUERIES) -> list[Query]:
    queries = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                raise ValueError(f"{path}:{number}: expected query, wnid, kind: {line!r}")
            queries.append(Query(*fields))
    return queries


def ilsvrc_images(hierarchy: Hierarchy, per_class: int = 1300) -> np.ndarray:
    """Rolled-up image counts of a dataset holding the ILSVRC-1k classes."""
    images = np.zeros(len(hierarchy), dtype=np.int64)
    for wnid in ILSVRC_WNIDS.read_text().split():
        node = hierarchy.index(wnid)
        for ancestor in hierarchy.ancestors(node, include_self=True):
            images[ancestor] += per_class
    return images


def evaluate(search: SynsetSearch, queries: list[Query], images: np.ndarray | None = None) -> Score:
    hierarchy = search.hierarchy
    hit1: dict[str, list[bool]] = defaultdict(list)
    hit5: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for query in queries:
        found = [hierarchy.wnid(h.node) for h in search.search(query.text, limit=5, images=images)]
        hit1[query.kind].append(found[:1] == [query.wnid])
        hit5[query.kind].append(query.wnid in found)
        if found[:1] != [query.wnid]:
            misses.append((query, found))
    every1 = [x for v in hit1.values() for x in v]
    every5 = [x for v in hit5.values() for x in v]
    return Score(
        at1=sum(every1) / len(every1),
        at5=sum(every5) / len(every5),
        misses=misses,
        by_kind={
            kind: (sum(hit1[kind]) / len(hit1[kind]), sum(hit5[kind]) / len(hit5[kind]), len(v))
            for kind, v in hit1.items()
        },
    )


def main() -> None:
    hierarchy = load_hierarchy()
    search = SynsetSearch(hierarchy)
    started = time.perf_counter()
    search.warm()
    warm = time.perf_counter() - started
    queries = load_queries()
    settings = {"WordNet alone": None, "ImageNet-1k open": ilsvrc_images(hierarchy)}
    print(f"{len(queries)} queries; {time.strftime('%Y-%m-%d')}; indexes built in {warm:.1f} s")
    for name, images in settings.items():
        started = time.perf_counter()
        score = evaluate(search, queries, images)
        per_query = (time.perf_counter() - started) / len(queries) * 1000
        print(f"\n{name}: P@1 {score.at1:.1%}  P@5 {score.at5:.1%}  ({per_query:.1f} ms a query)")
        print("| kind | queries | P@1 | P@5 |\n|---|---|---|---|")
        for kind, (at1, at5, count) in score.by_kind.items():
            print(f"| {kind} | {count} | {at1:.0%} | {at5:.0%} |")
        for query, found in score.misses:
            print(f"  miss [{query.kind}] {query.text!r} → {found[:3]} (want {query.wnid})")


if __name__ == "__main__":
    main()
