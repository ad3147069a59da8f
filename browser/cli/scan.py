"""``synset-browser scan``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from browser.cli.opening import (
    class_count,
    header,
    label_sources,
    open_index,
    print_label_sources,
    real_labels,
)
from browser.cli.output import (
    TerminalProgress,
    emit,
    plural_images,
    print_section,
)
from browser.cli.parsing import (
    PROG,
    add_common,
    add_layout,
)
from browser.core.dataset.statpass import fill_file_facts
from browser.core.filenames import json_path
from browser.core.hierarchy.dag import Hierarchy


def add_parser(sub: Any) -> argparse.ArgumentParser:
    scan = sub.add_parser("scan", help="build or refresh a dataset's index")
    scan.add_argument("dataset")
    scan.add_argument("--refresh", action="store_true", help="re-list folders that changed")
    scan.add_argument("--no-stat", action="store_true", help="skip the file size/mtime pass")
    add_common(scan)
    add_layout(scan)
    return scan


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    index = open_index(args, hierarchy, refresh=True)
    if not args.no_stat:
        told = len(index.notes)
        fill_file_facts(index, progress=TerminalProgress())
        for note in index.notes[told:]:  # e.g. the cache turned out read-only or full
            print(f"{PROG}: {note}", file=sys.stderr)
    unmapped = index.unmapped()
    skipped = index.skipped()
    if args.json:
        emit(
            {
                "root": index.root,
                "layout": index.layout,
                "images": len(index),
                "classes": class_count(index),
                "splits": index.split_sizes(),
                "label_sources": label_sources(index),
                "real": real_labels(index),
                "unmapped": [
                    {**json_path(u.folder, "folder"), "images": u.images, "reason": u.reason}
                    for u in unmapped
                ],
                "skipped": [{**json_path(s.path), "reason": s.reason} for s in skipped],
            }
        )
        return 0
    print(header(index))
    for split, images in index.split_sizes().items():
        print(f"  {split}: {images:,}")
    print_label_sources(index)
    print_section(
        "unmapped folders",
        [f"{u.folder}: {plural_images(u.images)} ({u.reason})" for u in unmapped],
    )
    print_section("skipped", [f"{s.path}: {s.reason}" for s in skipped])
    return 0
