"""``synset-browser export``: a selection of a dataset as an ImageFolder tree or a manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from browser.cli.opening import find_nodes, open_index
from browser.cli.output import emit, plural, print_limited
from browser.cli.parsing import PROG, UsageError, add_common, add_layout
from browser.core import userdirs
from browser.core.analysis.duplicates import (
    DEFAULT_MAX_DISTANCE,
    find_duplicate_groups,
    hash_cache_for,
    hash_rows,
)
from browser.core.dataset.view import DatasetView
from browser.core.export.plan import (
    LABELS,
    MODES,
    NAME_STYLES,
    ExportError,
    ExportOptions,
    plan_export,
)
from browser.core.export.run import check_output, run_export
from browser.core.filenames import json_path, jsonable, make_streams_safe
from browser.core.review.records import VERDICTS, Verdict
from browser.core.review.verdicts import DATABASE_NAME, VerdictStore

if TYPE_CHECKING:
    from browser.core.dataset.index import DatasetIndex
    from browser.core.hierarchy.dag import Hierarchy


def add_parser(sub: Any) -> argparse.ArgumentParser:
    export = sub.add_parser("export", help="export selected synsets as a new dataset or manifest")
    export.add_argument("dataset")
    export.add_argument(
        "--node",
        action="append",
        required=True,
        metavar="WNID",
        help="a synset to export (everything at or below it); repeat for more",
    )
    export.add_argument("--out", required=True, type=Path, help="the output folder (new or empty)")
    export.add_argument(
        "--mode",
        choices=MODES,
        default="copy",
        help="how image files get there (none: manifest only)",
    )
    export.add_argument(
        "--labels",
        choices=LABELS,
        default="leaf",
        help="leaf: each image keeps its class; selected: each --node is a class",
    )
    export.add_argument("--split", action="append", default=[], metavar="NAME")
    export.add_argument("--per-class", type=int, metavar="N", help="at most N images per class")
    export.add_argument("--seed", type=int, default=0, help="the sample's seed (with --per-class)")
    export.add_argument("--exclude-verdict", action="append", default=[], choices=VERDICTS)
    export.add_argument("--name-style", choices=NAME_STYLES, default="wnid")
    export.add_argument(
        "--relative-links", action="store_true", help="symlinks relative to their folder"
    )
    export.add_argument(
        "--exclude-duplicates",
        action="store_true",
        help="keep one image of each near-duplicate group (the first by path)",
    )
    export.add_argument("--dry-run", action="store_true", help="print the plan; write nothing")
    export.add_argument("--resume", action="store_true", help="finish an interrupted export")
    export.add_argument("--data-dir", help="where verdicts are kept (for --exclude-verdict)")
    add_common(export)
    add_layout(export)
    return export


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    make_streams_safe()  # printing a non-UTF-8 name never raises
    if args.per_class is not None and args.per_class < 1:
        raise UsageError(f"{PROG} export: --per-class must be at least 1")
    index = open_index(args, hierarchy)
    view = DatasetView(index)
    try:
        check_output(index.root, args.out)
    except ExportError as exc:
        raise UsageError(f"{PROG} export: {exc}") from exc
    verdicts = _verdicts(args, index) if args.exclude_verdict else None
    options = ExportOptions(
        tuple(args.node),
        args.mode,
        args.labels,
        tuple(args.split),
        args.per_class,
        args.seed,
        tuple(args.exclude_verdict),
        args.name_style,
        args.relative_links,
        exclude_duplicates=args.exclude_duplicates,
    )
    groups = None
    if args.exclude_duplicates:
        rows = np.unique(
            np.concatenate([view.rows(n) for n in find_nodes(index.hierarchy, args.node)])
        )
        cache = hash_cache_for(index, userdirs.cache_dir(args.cache_dir))
        hashes, valid = hash_rows(index, rows, cache)
        found = find_duplicate_groups(index, rows[valid], hashes[valid], DEFAULT_MAX_DISTANCE)
        groups = [g.rows for g in found]
    try:
        plan = plan_export(view, options, verdicts, groups)
    except ExportError as exc:
        raise UsageError(f"{PROG} export: {exc}") from exc
    per_class = plan.per_class()
    summary: dict[str, Any] = {
        "images": len(plan.files),
        "bytes": sum(max(0, p.size) for p in plan.files),
        "classes": [
            {
                "index": i,
                "wnid": wnid,
                "name": name,
                "images": per_class.get(wnid, (0, 0))[0],
                "bytes": per_class.get(wnid, (0, 0))[1],
            }
            for i, wnid, name in plan.classes
        ],
        "overlapping": plan.overlapping,
        "excluded_by_verdict": plan.excluded_by_verdict,
        "excluded_as_duplicates": plan.excluded_as_duplicates,
        "renamed": plan.renamed,
        "warnings": plan.warnings,
    }
    failed: list[tuple[str, str, str]] = []
    if not args.dry_run:
        try:
            result = run_export(
                view, options, plan, args.out, resume=args.resume, progress=_progress
            )
        except ExportError as exc:
            print(f"{PROG} export: {exc}", file=sys.stderr)
            return 1
        failed = result.failed
        summary["modes"] = dict(result)
        summary["warnings"] = result.warnings
        summary["failed"] = [
            {**json_path(source, "source"), **json_path(output, "output"), "reason": reason}
            for source, output, reason in failed
        ]
    status = 1 if failed else 0
    if failed:
        print(
            f"{PROG} export: {len(failed):,} images could not be exported (mode 'failed' "
            f"in manifest.csv, with the reason; --resume tries them again):",
            file=sys.stderr,
        )
        for source, _, reason in failed[:10]:
            print(f"  {source}: {reason}", file=sys.stderr)
        if len(failed) > 10:
            print(f"  … and {len(failed) - 10:,} more", file=sys.stderr)
    if args.json:
        emit(jsonable(summary))
        return status
    verb = "would export" if args.dry_run else "exported"
    images = summary["images"] - len(failed)
    print(
        f"{verb} {images:,} images ({summary['bytes']:,} bytes) "
        f"in {len(plan.classes):,} classes" + (f"; {len(failed):,} FAILED" if failed else "")
    )
    print_limited(
        [
            f"  {entry['index']:>4}  {entry['wnid']}  {entry['name']}: "
            f"{plural(entry['images'], 'image')}"
            for entry in summary["classes"]
        ],
        limit=20,
    )
    if plan.overlapping:
        print(
            f"{plan.overlapping:,} images lay under several selected synsets: "
            "each went to the most specific one"
        )
    if plan.excluded_by_verdict:
        print(f"{plan.excluded_by_verdict:,} images left out by their verdict")
    if plan.excluded_as_duplicates:
        print(
            f"{plan.excluded_as_duplicates:,} near-duplicates left out: the first image of each "
            f"group by path is kept (hashes within {DEFAULT_MAX_DISTANCE} bits)"
        )
    for warning in summary["warnings"]:
        print(f"warning: {warning}")
    return status


def _verdicts(args: argparse.Namespace, index: DatasetIndex) -> dict[str, Verdict]:
    """The verdicts to exclude by; refused (never an export of everything) when they cannot
    be read. A missing database is not created: a mistyped --data-dir would make one empty."""
    data = userdirs.data_dir(args.data_dir)
    if not (data / DATABASE_NAME).is_file():
        raise UsageError(
            f"{PROG} export: no verdict database at {data / DATABASE_NAME}, so "
            "--exclude-verdict would leave nothing out (is --data-dir right?)"
        )
    with VerdictStore(data) as store:
        if store.problem:
            raise UsageError(f"{PROG} export: cannot exclude by verdict: {store.problem}")
        store.identify(index)  # a moved dataset finds its verdicts, as in every other command
        return {v.relpath: v for v in store.all(index.root)}


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\rexporting: {done:,}/{total:,}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
