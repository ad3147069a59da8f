"""``synset-browser search``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from browser.cli.opening import (
    open_index,
)
from browser.cli.output import (
    emit,
    plural_images,
)
from browser.cli.parsing import (
    PROG,
    UsageError,
    add_common,
    add_layout,
)
from browser.core.dataset.counts import compute_counts
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.search import SynsetSearch


def add_parser(sub: Any) -> argparse.ArgumentParser:
    search = sub.add_parser("search", help="find synsets by lemma, wnid or gloss words")
    search.add_argument("query")
    search.add_argument("--dataset", help="rank and count by this dataset's images")
    search.add_argument("--limit", type=int, default=20)
    add_common(search)
    add_layout(search)
    return search


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    if args.limit < 1:
        raise UsageError(f"{PROG} search: --limit must be at least 1")
    images = None
    if args.dataset:
        index = open_index(args, hierarchy)
        hierarchy = index.hierarchy
        images = compute_counts(index).images
    hits = SynsetSearch(hierarchy).search(args.query, limit=args.limit, images=images)
    results = []
    for hit in hits:
        entry: dict[str, Any] = {
            "wnid": hierarchy.wnid(hit.node),
            "name": hierarchy.name(hit.node),
            "lemmas": [lemma.replace("_", " ") for lemma in hierarchy.lemmas(hit.node)],
            "gloss": hierarchy.gloss(hit.node),
        }
        if images is not None:
            entry["images"] = int(images[hit.node])
        results.append(entry)
    if args.json:
        emit(results)
    else:
        for e in results:
            count = f" [{plural_images(e['images'])}]" if "images" in e else ""
            print(f"{e['wnid']}  {', '.join(e['lemmas'])}{count}: {e['gloss']}")
        if not results:
            print(f"no synset matches {args.query!r}", file=sys.stderr)
    return 0 if results else 1  # as grep does: a search that finds nothing exits 1
