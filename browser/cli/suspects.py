"""``synset-browser suspects``: every image with a prediction, likely label errors first."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from browser.cli.opening import find_nodes, open_index
from browser.cli.output import emit, print_limited
from browser.cli.parsing import PROG, UsageError, add_common, add_layout
from browser.cli.predictions import load_model
from browser.core.dataset.view import DatasetView
from browser.core.filenames import json_path
from browser.core.predictions.store import PredictionsError
from browser.core.predictions.suspects import METHODS, rank_suspects

if TYPE_CHECKING:
    from browser.core.hierarchy.dag import Hierarchy


def add_parser(sub: Any) -> argparse.ArgumentParser:
    methods = "; ".join(f"{name}: {what}" for name, what in METHODS.items())
    parser = sub.add_parser(
        "suspects",
        help="images most likely mislabelled first, from a model's predictions",
        description=f"Rank images by how suspicious their label is. Methods: {methods}.",
    )
    parser.add_argument("dataset")
    parser.add_argument("--model", metavar="NAME", help="default: the latest import")
    parser.add_argument("--node", metavar="WNID", help="only images at or below this synset")
    parser.add_argument("--limit", type=int, help="at most this many (default: all)")
    parser.add_argument("--data-dir", help="where predictions are kept (default: XDG data)")
    add_common(parser)
    add_layout(parser)
    return parser


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"{PROG} suspects: --limit must be at least 1")
    index = open_index(args, hierarchy)
    names = index.hierarchy
    node = find_nodes(names, [args.node] if args.node else [])[0]
    try:
        predictions = load_model(args, index)
    except PredictionsError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    if predictions is None:
        print(
            f"{PROG}: no predictions imported for this dataset "
            f"(see {PROG} predictions DATASET --import FILE)",
            file=sys.stderr,
        )
        return 1
    ranking = rank_suspects(index, predictions)
    for note in ranking.notes:
        print(f"{PROG}: {note}", file=sys.stderr)
    chosen = np.flatnonzero(DatasetView(index).below(node)[ranking.label_nodes])
    if args.limit is not None:
        chosen = chosen[: args.limit]
    suspects = [
        {
            **json_path(index.relpath(int(ranking.rows[i]))),
            "wnid": names.wnid(int(ranking.label_nodes[i])),
            "predicted": names.wnid(int(ranking.predicted[i]))
            if ranking.predicted[i] >= 0
            else None,
            "score": round(float(ranking.score[i]), 6),
            "flagged": bool(ranking.flagged[i]),
        }
        for i in chosen.tolist()
    ]
    if args.json:
        emit(
            {
                "model": predictions.info.name,
                "method": ranking.method,
                "unranked": ranking.unranked,
                "suspects": suspects,
            }
        )
        return 0
    print(
        f"{predictions.info.name}: {len(suspects):,} of {len(ranking):,} ranked images "
        f"(by {ranking.method})"
    )
    print_limited(
        [
            f"{s['score']:.4f} {'F' if s['flagged'] else ' '} {s['path']}  "
            f"{s['wnid']} → {s['predicted']}"
            for s in suspects
        ],
        limit=200,
    )
    return 0
