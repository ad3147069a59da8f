"""``synset-browser duplicates``: exact and near-duplicate images, most dangerous first."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from browser.cli.opening import find_nodes, open_index
from browser.cli.output import emit, print_limited
from browser.cli.parsing import PROG, UsageError, add_common, add_layout
from browser.core import userdirs
from browser.core.analysis.duplicates import (
    DEFAULT_MAX_DISTANCE,
    find_duplicate_groups,
    hash_cache_for,
    hash_rows,
)
from browser.core.dataset.view import DatasetView
from browser.core.filenames import json_path

if TYPE_CHECKING:
    from browser.core.hierarchy.dag import Hierarchy


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "duplicates", help="exact and near-duplicate images (different labels first)"
    )
    parser.add_argument("dataset")
    parser.add_argument("--node", metavar="WNID", help="only images at or below this synset")
    parser.add_argument(
        "--max-distance",
        type=int,
        default=DEFAULT_MAX_DISTANCE,
        help=f"bits two perceptual hashes may differ by (default {DEFAULT_MAX_DISTANCE})",
    )
    add_common(parser)
    add_layout(parser)
    return parser


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    if not 0 <= args.max_distance <= 12:
        raise UsageError(f"{PROG} duplicates: --max-distance must be 0–12")
    index = open_index(args, hierarchy)
    view = DatasetView(index)
    node = find_nodes(index.hierarchy, [args.node] if args.node else [])[0]
    rows = view.rows(node)
    cache = hash_cache_for(index, userdirs.cache_dir(args.cache_dir))
    hashes, valid = hash_rows(index, rows, cache, progress=_progress)
    rows, hashes = rows[valid], hashes[valid]
    groups = find_duplicate_groups(index, rows, hashes, args.max_distance)
    names = index.hierarchy
    result: dict[str, Any] = {
        "groups": [
            {
                "kind": group.kind,
                "distance": group.distance,
                "images": [
                    {
                        **json_path(index.relpath(row)),
                        "wnid": names.wnid(int(index.labels[row])),
                        "split": index.splits[index.split_ids[row]],
                    }
                    for row in group.rows
                ],
            }
            for group in groups
        ],
        "hashed": int(valid.sum()),
        "undecodable": int((~valid).sum()),
    }
    if args.json:
        emit(result)
        return 0
    print(f"{len(groups):,} groups among {int(valid.sum()):,} images")
    lines = []
    for group in result["groups"]:
        lines.append(f"{group['kind']} (distance {group['distance']}):")
        lines += [f"  {i['path']}  {i['wnid']}  {i['split']}" for i in group["images"]]
    print_limited(lines, limit=200)
    return 0


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\rhashing: {done:,}/{total:,}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
