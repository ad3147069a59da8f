"""``synset-browser stats``."""

from __future__ import annotations

import argparse
from typing import Any

from browser.cli.opening import (
    class_count,
    find_nodes,
    header,
    label_sources,
    node_entry,
    open_index,
    print_label_sources,
    real_labels,
)
from browser.cli.output import (
    emit,
    named,
    plural,
    plural_images,
)
from browser.cli.parsing import (
    add_common,
    add_layout,
)
from browser.cli.predictions import add_to_entries as add_predictions
from browser.core import userdirs
from browser.core.analysis.statistics import synset_statistics
from browser.core.dataset.classids import ClassNumbering
from browser.core.dataset.counts import compute_counts
from browser.core.dataset.hierarchychoice import WORDNET
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import ENTITY_WNID, Hierarchy
from browser.core.images.dimensions import (
    dimension_cache_for,
    dimension_cache_path,
    read_dimensions,
)
from browser.core.images.sharedcachereader import has_precomputed


def add_parser(sub: Any) -> argparse.ArgumentParser:
    stats = sub.add_parser("stats", help="image and class counts of synsets in a dataset")
    stats.add_argument("dataset")
    stats.add_argument("wnids", nargs="*", metavar="WNID", help=f"default: {ENTITY_WNID}")
    stats.add_argument("--model", metavar="NAME", help="with --json: this model's predictions")
    add_common(stats)
    add_layout(stats)
    return stats


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    if args.hierarchy == WORDNET:
        find_nodes(hierarchy, args.wnids)  # a mistyped wnid is a usage error, before any scan
    index = open_index(args, hierarchy)
    hierarchy = index.hierarchy
    nodes = find_nodes(hierarchy, args.wnids)
    counts = compute_counts(index)
    numbering = ClassNumbering(index)
    entries = [node_entry(hierarchy, counts, numbering, node) for node in nodes]
    if args.json:
        view = DatasetView(index, counts)
        cache_dir = userdirs.cache_dir(args.cache_dir)
        measured = (
            dimension_cache_for(index, cache_dir)
            if dimension_cache_path(index, cache_dir).exists()
            or has_precomputed(cache_dir, index.root)
            else None
        )
        for entry, node in zip(entries, nodes, strict=True):
            # The numbers behind the statistics panel's charts, with their captions; pixel
            # sizes when the panel (or an earlier run) measured them.
            dims = (
                None
                if measured is None
                else read_dimensions(index, view.rows(node), measured, cached_only=True)
            )
            entry["statistics"] = synset_statistics(view, node, dims).as_dict(view)
        add_predictions(args, index, entries, nodes)
        emit(
            {
                "images": len(index),
                "classes": class_count(index),
                "layout": index.layout,
                "label_sources": label_sources(index),
                "real": real_labels(index),
                "devkit_map": numbering.devkit_map,
                "nodes": entries,
            }
        )
        return 0
    print(header(index))
    print_label_sources(index)
    for e in entries:
        splits = ", ".join(f"{k} {v:,}" for k, v in e["splits"].items())
        numbers = ", ".join(
            f"{key.replace('_', ' ')} {e[key]}"
            for key in ("class_index", "ilsvrc_index", "devkit_id")
            if key in e
        )
        print(
            f"{named(e['name'], e['wnid'])}: {plural_images(e['images'])} "
            f"({e['direct_images']:,} directly) in {plural(e['classes'], 'class')}; {splits}"
            + (f"; {numbers}" if numbers else "")
        )
    return 0
