"""``synset-browser verdicts``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from browser.cli.opening import (
    find_nodes,
    open_index,
)
from browser.cli.output import (
    emit,
    plural,
    print_section,
)
from browser.cli.parsing import (
    PROG,
    UsageError,
    add_common,
    add_layout,
)
from browser.core import userdirs
from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.view import DatasetView
from browser.core.filenames import json_path
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.estimates import ReviewSummary
from browser.core.review.files import export_verdicts, file_format, import_verdicts
from browser.core.review.records import VerdictsReadOnly
from browser.core.review.verdicts import VerdictStore


def add_parser(sub: Any) -> argparse.ArgumentParser:
    verdicts = sub.add_parser(
        "verdicts", help="reviewers' verdicts: export, import, or summarise with error rates"
    )
    verdicts.add_argument("dataset")
    action = verdicts.add_mutually_exclusive_group(required=True)
    action.add_argument("--export", metavar="FILE", help="write them to a new .csv or .jsonl")
    action.add_argument("--import", dest="import_", metavar="FILE", help="merge a .csv/.jsonl")
    action.add_argument(
        "--summary", nargs="*", metavar="WNID", help="counts and error rates (default: the root)"
    )
    action.add_argument(
        "--same-as",
        metavar="OLD_ROOT",
        help="this is the dataset that was at OLD_ROOT (moved or copied): take its verdicts",
    )
    verdicts.add_argument("--data-dir", help="where verdicts are kept (default: XDG data)")
    add_common(verdicts)
    add_layout(verdicts)
    return verdicts


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    index = open_index(args, hierarchy)
    with VerdictStore(userdirs.data_dir(args.data_dir)) as store:
        if store.problem:
            print(f"{PROG}: {store.problem}; working read-only", file=sys.stderr)
        if args.same_as:
            return _verdicts_same_as(args, store, index)
        for notice in store.identify(index).notices:
            print(f"{PROG}: {notice}", file=sys.stderr)
        if args.export:
            return _verdicts_export(args, store, index)
        if args.import_:
            return _verdicts_import(args, store, index)
        return _verdicts_summary(args, store, index)


def _verdicts_same_as(args: argparse.Namespace, store: VerdictStore, index: DatasetIndex) -> int:
    old = os.path.realpath(args.same_as)
    try:
        known = store.same_as(index.root, old)
    except VerdictsReadOnly as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyError as exc:
        raise UsageError(f"{PROG}: {exc.args[0]}") from exc
    for notice in known.notices:
        print(f"{PROG}: {notice}", file=sys.stderr)
    return 0


def _verdicts_export(args: argparse.Namespace, store: VerdictStore, index: DatasetIndex) -> int:
    try:
        kind = file_format(args.export)
        count = export_verdicts(store, index.root, args.export)
    except ValueError as exc:
        raise UsageError(f"{PROG}: {exc}") from exc
    except FileExistsError as exc:
        raise UsageError(f"{PROG}: {args.export} exists; it is never overwritten") from exc
    if args.json:
        emit({**json_path(args.export, "file"), "format": kind, "verdicts": count})
    else:
        noun = "verdict" if count == 1 else "verdicts"
        print(f"{count:,} {noun} written to {args.export} as {kind}", file=sys.stderr)
    return 0


def _verdicts_import(args: argparse.Namespace, store: VerdictStore, index: DatasetIndex) -> int:
    try:
        report = import_verdicts(store, index.root, args.import_, index)
    except VerdictsReadOnly as exc:
        print(f"{PROG}: nothing imported: {exc}", file=sys.stderr)
        return 1
    summary = {
        "added": report.added,
        "replaced": report.replaced,
        "kept": report.kept,
        "unchanged": report.unchanged,
        "conflicts": report.conflicts,
        "superseded_in_file": report.superseded,
        "unknown_images": report.unknown,
        "problems": [str(p) for p in report.problems],
    }
    if args.json:
        emit(summary)
    else:
        print(
            f"{report.added:,} added, {report.replaced:,} replaced by newer ones, "
            f"{report.kept:,} kept (ours newer), {report.unchanged:,} unchanged; "
            f"{report.conflicts:,} conflicts"
        )
        if report.superseded:
            print(f"{plural(report.superseded, 'row')} outranked by a newer row for the same image")
        if report.unknown:
            print(f"{plural(report.unknown, 'row')} on images this dataset does not hold")
        print_section("problems", summary["problems"])  # type: ignore[arg-type]
    merged = report.added + report.replaced + report.kept + report.unchanged
    return 1 if report.problems and not merged else 0


def _verdicts_summary(args: argparse.Namespace, store: VerdictStore, index: DatasetIndex) -> int:
    summary_of = ReviewSummary(DatasetView(index), store.all(index.root))
    if summary_of.unknown:
        print(
            f"{PROG}: {plural(summary_of.unknown, 'verdict')} on images this dataset does "
            "not hold; they are not counted",
            file=sys.stderr,
        )
    entries = [
        {
            "wnid": index.hierarchy.wnid(n),
            "name": index.hierarchy.name(n),
            **summary_of.node(n).as_dict(),
        }
        for n in find_nodes(index.hierarchy, args.summary)
    ]
    if args.json:
        emit({"nodes": entries, "unknown_images": summary_of.unknown})
        return 0
    for e in entries:
        rate = (
            f"label errors {e['error_rate']:.1%} (95 % CI {e['ci_low']:.1%}–{e['ci_high']:.1%})"
            if e["error_rate"] is not None
            else "no verdicts on labels yet"
        )
        counts = ", ".join(f"{k} {v:,}" for k, v in e["verdicts"].items() if v)  # type: ignore[attr-defined]
        print(
            f"{e['name']} ({e['wnid']}): {e['reviewed']:,}/{e['images']:,} reviewed; {rate}"
            + (f"; {counts}" if counts else "")
        )
    return 0
