"""``synset-browser info``."""

from __future__ import annotations

import argparse
from typing import Any

from browser.cli.opening import (
    find_nodes,
)
from browser.cli.output import (
    emit,
    named,
)
from browser.cli.parsing import (
    add_common,
)
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.ilsvrc import ilsvrc_class_index


def add_parser(sub: Any) -> argparse.ArgumentParser:
    info = sub.add_parser("info", help="one synset: lemmas, gloss, parents, paths")
    info.add_argument("wnid")
    add_common(info)
    return info


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    node = find_nodes(hierarchy, [args.wnid])[0]

    def ref(n: int) -> dict[str, str]:
        return {"wnid": hierarchy.wnid(n), "name": hierarchy.name(n)}

    lemmas = [lemma.replace("_", " ") for lemma in hierarchy.lemmas(node)]
    parents = [ref(p) for p in hierarchy.parents(node)]
    paths = [[ref(n) for n in path] for path in hierarchy.hypernym_paths(node)]
    ilsvrc = ilsvrc_class_index().get(hierarchy.wnid(node))
    if args.json:
        emit(
            {
                **ref(node),
                "lemmas": lemmas,
                "gloss": hierarchy.gloss(node),
                "parents": parents,
                "children": hierarchy.child_count(node),
                "hypernym_paths": paths,
                **({"ilsvrc_index": ilsvrc} if ilsvrc is not None else {}),
            }
        )
        return 0
    print(f"{hierarchy.wnid(node)}  {', '.join(lemmas)}")
    print(f"  {hierarchy.gloss(node)}")
    parent_names = [named(p["name"], p["wnid"]) for p in parents]
    print(f"  parents: {', '.join(parent_names)}")
    print(f"  children: {hierarchy.child_count(node)}")
    if ilsvrc is not None:
        print(f"  ILSVRC-2012 class index (sorted-wnid order): {ilsvrc}")
    for path in paths:
        print("  path: " + " > ".join(step["name"] for step in path))
    return 0
