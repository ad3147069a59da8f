"""Headless subcommands: scan, stats, search, info. Same core as the GUI; no Qt here.

Exit status: 0 success, 2 usage error or a dataset path that is missing or not a folder
(one line on stderr, no traceback), 1 any other failure, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from browser.cli_duplicates import add_duplicates_parser, cmd_duplicates
from browser.cli_export import add_export_parser, cmd_export
from browser.core import userdirs
from browser.core.browse import DatasetView
from browser.core.classids import ClassNumbering
from browser.core.counts import Counts, compute_counts
from browser.core.dataset import DatasetPathError, open_dataset
from browser.core.dimensions import (
    dimension_cache_for,
    dimension_cache_path,
    read_dimensions,
)
from browser.core.estimates import ReviewSummary
from browser.core.filenames import json_path, jsonable, make_streams_safe
from browser.core.hierarchy import ENTITY_WNID, Hierarchy
from browser.core.hierarchychoice import HIERARCHY_CHOICES, WORDNET, HierarchyChoiceError
from browser.core.ilsvrc import ilsvrc_class_index
from browser.core.index import DatasetIndex
from browser.core.layouts import LAYOUT_CHOICES, LayoutRefused
from browser.core.scanner import ScanCancelled, ScanProgress
from browser.core.search import SynsetSearch
from browser.core.statistics import synset_statistics
from browser.core.statpass import fill_file_facts
from browser.core.verdictfiles import export_verdicts, file_format, import_verdicts
from browser.core.verdicts import VerdictsReadOnly, VerdictStore
from browser.core.wordnet import load_hierarchy

log = logging.getLogger(__name__)
PROG = "synset-browser"
_LIST_LIMIT = 20  # lines of unmapped/skipped shown as text; --json shows all


class UsageError(Exception):
    """Bad arguments: reported on one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (exit 2), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", type=Path, help="folder for indexes (default: XDG cache)")
    # A command may have its own, with its own help (export: for --exclude-verdict).
    with contextlib.suppress(argparse.ArgumentError):
        parser.add_argument("--data-dir", help="folder for verdicts and recent datasets")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")


# Options every command takes, which may come before the command too (`-v scan DATASET`);
# those taking a value are listed with True.
GLOBAL_OPTIONS = {"-v": False, "--verbose": False, "--json": False}
GLOBAL_OPTIONS |= {"--cache-dir": True, "--data-dir": True}


def split_command(argv: list[str], valued: set[str] | frozenset[str] = frozenset()) -> int | None:
    """The position of the first argument that is not an option or an option's value; None
    if there is none. ``valued``: more options that take a value (the window's)."""
    takes_value = {name for name, value in GLOBAL_OPTIONS.items() if value} | set(valued)
    position = 0
    while position < len(argv):
        arg = argv[position]
        if arg == "--":
            return position + 1 if position + 1 < len(argv) else None
        if not arg.startswith("-") or arg == "-":
            return position
        position += 2 if arg in takes_value else 1
    return None


def command_first(argv: list[str]) -> list[str]:
    """``argv`` with the global options given before the command moved after it, where the
    command's parser reads them; unchanged if anything else comes first."""
    position = split_command(argv)
    if not position:
        return argv
    leading = argv[:position]
    expect_value = False
    for arg in leading:
        if expect_value:
            expect_value = False
            continue
        name, has_value, _ = arg.partition("=")
        if name not in GLOBAL_OPTIONS:
            return argv  # not ours: the parser will say what is wrong with it
        expect_value = GLOBAL_OPTIONS[name] and not has_value
    return [argv[position], *argv[position + 1 :], *leading]


def unknown_command(word: str) -> str:
    """What to say of a first argument that is neither a command nor an existing folder."""
    if word in ("help", "-help", "h"):
        return f"{PROG}: unknown command {word!r}; did you mean {PROG} --help?"
    close = difflib.get_close_matches(word, list(COMMANDS), n=3, cutoff=0.6)
    if close:
        return (
            f"{PROG}: unknown command {word!r}; did you mean {' or '.join(close)}? "
            f"(and there is no folder {word!r} here)"
        )
    return f"{PROG}: {word!r} is neither a command ({', '.join(COMMANDS)}) nor an existing folder"


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog=PROG, description="Explore image datasets by WordNet synset.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    scan = sub.add_parser("scan", help="build or refresh a dataset's index")
    scan.add_argument("dataset")
    scan.add_argument("--refresh", action="store_true", help="re-list folders that changed")
    scan.add_argument("--no-stat", action="store_true", help="skip the file size/mtime pass")
    stats = sub.add_parser("stats", help="image and class counts of synsets in a dataset")
    stats.add_argument("dataset")
    stats.add_argument("wnids", nargs="*", metavar="WNID", help=f"default: {ENTITY_WNID}")
    search = sub.add_parser("search", help="find synsets by lemma, wnid or gloss words")
    search.add_argument("query")
    search.add_argument("--dataset", help="rank and count by this dataset's images")
    search.add_argument("--limit", type=int, default=20)
    info = sub.add_parser("info", help="one synset: lemmas, gloss, parents, paths")
    info.add_argument("wnid")
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
    export = add_export_parser(sub)
    duplicates = add_duplicates_parser(sub)
    for command in (scan, stats, search, info, verdicts, export, duplicates):
        add_common(command)
    for command in (scan, stats, search, verdicts, export, duplicates):
        add_layout(command)
    return parser


def add_layout(parser: argparse.ArgumentParser) -> None:
    """The options that say how to read a dataset: its layout and its hierarchy."""
    choices = "; ".join(f"{name}: {what}" for name, what in LAYOUT_CHOICES.items())
    parser.add_argument(
        "--layout",
        choices=list(LAYOUT_CHOICES),
        default="auto",
        help=f"how to read the dataset ({choices})",
    )
    kinds = "; ".join(f"{name}: {what}" for name, what in HIERARCHY_CHOICES.items())
    parser.add_argument(
        "--hierarchy",
        default=WORDNET,
        metavar="HIERARCHY",
        help=f"the hierarchy to browse it with ({kinds})",
    )
    parser.add_argument(
        "--label-file",
        dest="label_files",
        action="append",
        default=[],
        metavar="FILE",
        help="a label file to use wherever it is (LOC_val_solution.csv, a devkit ground truth "
        "and its map_clsloc.txt, val_annotations.txt, real.json); repeatable. Otherwise label "
        "files are only looked for inside the dataset folder",
    )


class TerminalProgress:
    """Progress on a terminal's stderr, at most ten updates a second; silent elsewhere."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, p: ScanProgress) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and p.done < p.total):
            return
        self.last = now
        unit = "folders" if p.phase == "listing" else "files"
        line = f"\r{p.phase}: {p.done:,}/{p.total:,} {unit}, {p.images:,} images"
        sys.stderr.write(line.ljust(70))
        if p.done >= p.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _open(args: argparse.Namespace, hierarchy: Hierarchy, *, refresh: bool = False) -> DatasetIndex:
    index = open_dataset(
        args.dataset,
        hierarchy,
        cache_dir=userdirs.cache_dir(args.cache_dir),
        refresh=refresh,
        progress=TerminalProgress(),
        layout=args.layout,
        hierarchy_choice=args.hierarchy,
        label_files=args.label_files,
    )
    for note in index.notes:
        print(f"{PROG}: {note}", file=sys.stderr)
    return index


def _node_entry(
    hierarchy: Hierarchy, counts: Counts, numbering: ClassNumbering, node: int
) -> dict[str, Any]:
    return {
        "wnid": hierarchy.wnid(node),
        "name": hierarchy.name(node),
        **counts.node(node),
        **numbering.of(node).as_dict(),
    }


def _label_sources(index: DatasetIndex) -> list[dict[str, Any]]:
    return [
        {
            "folder": source.folder or ".",
            "file": source.file.path,
            "kind": source.file.kind,
            "labelled": source.labelled,
            "unlabelled": source.unlabelled,
            "problems": [
                {"file": p.file, "line": p.line, "reason": p.reason} for p in source.problems
            ],
        }
        for source in index.label_sources
    ]


def _real(index: DatasetIndex) -> dict[str, Any] | None:
    real = index.real
    if real is None:
        return None
    return {
        "file": real.path,
        "images": len(real.rows),
        "disagree": int(real.disagree.sum()),
        "problems": [str(p) for p in real.problems],
    }


def _print_label_sources(index: DatasetIndex) -> None:
    for source in index.label_sources:
        print(f"labels: {source.summary()} ({source.file.path})")
        _print_limited("  label file problems", [str(p) for p in source.problems])
    real = _real(index)
    if real is not None:
        print(
            f"ReaL labels: {real['images']:,} images, {real['disagree']:,} whose label is not "
            f"among them ({real['file']})"
        )
        _print_limited("  ReaL file problems", real["problems"])


def plural(count: int, noun: str) -> str:
    """``1 image``, ``2 images``, ``1,000 classes``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {noun}" + ("es" if noun.endswith(("s", "sh", "ch", "x")) else "s")


def _images(count: int) -> str:
    return plural(count, "image")


def _named(name: str, node_id: str) -> str:
    """``dog (n02084071)``; just the name where the node has no id (a folder tree's root)."""
    return f"{name} ({node_id})" if node_id else name


def _classes(index: DatasetIndex) -> int:
    """Classes with at least one image, as every synset's own count has them."""
    if all(f.image_labels is None for f in index.image_folders):  # O(folders), not images
        return len({f.label for f in index.image_folders if f.count})
    labels = index.labels
    return int(np.count_nonzero(np.bincount(labels[labels >= 0], minlength=1)))


def _header(index: DatasetIndex) -> str:
    """The first line of scan and stats: the dataset, its images and classes, its layout."""
    classes = _classes(index)
    empty = len(index.class_nodes) - classes
    # In a folder tree every folder is a node, so a folder holding only folders is no class.
    extra = (
        f" and {plural(empty, 'empty class folder')}" if empty and index.layout != "folders" else ""
    )
    return (
        f"{index.root}: {_images(len(index))} in {plural(classes, 'class')}{extra} "
        f"(layout: {index.layout})"
    )


def _print_limited(title: str, lines: list[str]) -> None:
    if not lines:
        return
    print(f"{title}: {len(lines)}")
    print_limited([f"  {line}" for line in lines])


def print_limited(lines: list[str], limit: int = _LIST_LIMIT, indent: str = "  ") -> None:
    """Print at most ``limit`` lines, then how many were left out: a cut list says so."""
    for line in lines[:limit]:
        print(line)
    if len(lines) > limit:
        print(f"{indent}… and {len(lines) - limit:,} more (--json lists all)")


def cmd_scan(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    index = _open(args, hierarchy, refresh=True)
    if not args.no_stat:
        told = len(index.notes)
        fill_file_facts(index, progress=TerminalProgress())
        for note in index.notes[told:]:  # e.g. the cache turned out read-only or full
            print(f"{PROG}: {note}", file=sys.stderr)
    unmapped = index.unmapped()
    skipped = index.skipped()
    if args.json:
        _emit(
            {
                "root": index.root,
                "layout": index.layout,
                "images": len(index),
                "classes": _classes(index),
                "splits": index.split_sizes(),
                "label_sources": _label_sources(index),
                "real": _real(index),
                "unmapped": [
                    {**json_path(u.folder, "folder"), "images": u.images, "reason": u.reason}
                    for u in unmapped
                ],
                "skipped": [{**json_path(s.path), "reason": s.reason} for s in skipped],
            }
        )
        return 0
    print(_header(index))
    for split, images in index.split_sizes().items():
        print(f"  {split}: {images:,}")
    _print_label_sources(index)
    _print_limited(
        "unmapped folders", [f"{u.folder}: {_images(u.images)} ({u.reason})" for u in unmapped]
    )
    _print_limited("skipped", [f"{s.path}: {s.reason}" for s in skipped])
    return 0


def _nodes(hierarchy: Hierarchy, wnids: list[str]) -> list[int]:
    nodes = []
    for wnid in wnids or [hierarchy.wnid(hierarchy.root)]:
        node = hierarchy.find(wnid.strip())
        if node is None:
            what = (
                "a WordNet 3.0 noun synset id"
                if hierarchy.ids is None
                else f"a node of the {hierarchy.source} hierarchy"
            )
            raise UsageError(f"{PROG}: {wnid!r} is not {what}")
        nodes.append(node)
    return nodes


def cmd_stats(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    if args.hierarchy == WORDNET:
        _nodes(hierarchy, args.wnids)  # a mistyped wnid is a usage error, before any scan
    index = _open(args, hierarchy)
    hierarchy = index.hierarchy
    nodes = _nodes(hierarchy, args.wnids)
    counts = compute_counts(index)
    numbering = ClassNumbering(index)
    entries = [_node_entry(hierarchy, counts, numbering, node) for node in nodes]
    if args.json:
        view = DatasetView(index, counts)
        cache_dir = userdirs.cache_dir(args.cache_dir)
        measured = (
            dimension_cache_for(index, cache_dir)
            if dimension_cache_path(index, cache_dir).exists()
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
        _emit(
            {
                "images": len(index),
                "classes": _classes(index),
                "layout": index.layout,
                "label_sources": _label_sources(index),
                "real": _real(index),
                "devkit_map": numbering.devkit_map,
                "nodes": entries,
            }
        )
        return 0
    print(_header(index))
    _print_label_sources(index)
    for e in entries:
        splits = ", ".join(f"{k} {v:,}" for k, v in e["splits"].items())
        numbers = ", ".join(
            f"{key.replace('_', ' ')} {e[key]}"
            for key in ("class_index", "ilsvrc_index", "devkit_id")
            if key in e
        )
        print(
            f"{_named(e['name'], e['wnid'])}: {_images(e['images'])} "
            f"({e['direct_images']:,} directly) in {plural(e['classes'], 'class')}; {splits}"
            + (f"; {numbers}" if numbers else "")
        )
    return 0


def cmd_search(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    if args.limit < 1:
        raise UsageError(f"{PROG} search: --limit must be at least 1")
    images = None
    if args.dataset:
        index = _open(args, hierarchy)
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
        _emit(results)
    else:
        for e in results:
            count = f" [{_images(e['images'])}]" if "images" in e else ""
            print(f"{e['wnid']}  {', '.join(e['lemmas'])}{count}: {e['gloss']}")
        if not results:
            print(f"no synset matches {args.query!r}", file=sys.stderr)
    return 0 if results else 1  # as grep does: a search that finds nothing exits 1


def cmd_info(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    node = _nodes(hierarchy, [args.wnid])[0]

    def ref(n: int) -> dict[str, str]:
        return {"wnid": hierarchy.wnid(n), "name": hierarchy.name(n)}

    lemmas = [lemma.replace("_", " ") for lemma in hierarchy.lemmas(node)]
    parents = [ref(p) for p in hierarchy.parents(node)]
    paths = [[ref(n) for n in path] for path in hierarchy.hypernym_paths(node)]
    ilsvrc = ilsvrc_class_index().get(hierarchy.wnid(node))
    if args.json:
        _emit(
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
    named = [_named(p["name"], p["wnid"]) for p in parents]
    print(f"  parents: {', '.join(named)}")
    print(f"  children: {hierarchy.child_count(node)}")
    if ilsvrc is not None:
        print(f"  ILSVRC-2012 class index (sorted-wnid order): {ilsvrc}")
    for path in paths:
        print("  path: " + " > ".join(step["name"] for step in path))
    return 0


def _emit(value: object) -> None:
    """Print ``value`` as JSON that is always valid UTF-8: a lone surrogate (a non-UTF-8 file
    name) becomes U+FFFD; paths a reader needs exactly are given with ``json_path``."""
    json.dump(jsonable(value), sys.stdout, indent=2)
    sys.stdout.write("\n")


def cmd_verdicts(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    index = _open(args, hierarchy)
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
        _emit({**json_path(args.export, "file"), "format": kind, "verdicts": count})
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
        _emit(summary)
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
        _print_limited("problems", summary["problems"])  # type: ignore[arg-type]
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
        for n in _nodes(index.hierarchy, args.summary)
    ]
    if args.json:
        _emit({"nodes": entries, "unknown_images": summary_of.unknown})
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


COMMANDS = {
    "scan": cmd_scan,
    "stats": cmd_stats,
    "search": cmd_search,
    "info": cmd_info,
    "verdicts": cmd_verdicts,
    "export": cmd_export,
    "duplicates": cmd_duplicates,
}


def run(argv: list[str]) -> int:
    """Run one subcommand; returns the exit status."""
    make_streams_safe()  # printing a non-UTF-8 file name never raises, whatever the locale
    try:
        args = build_parser().parse_args(command_first(argv))
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        return COMMANDS[args.command](args, load_hierarchy())
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (DatasetPathError, HierarchyChoiceError, LayoutRefused) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # stdout closed early (| head): not an error worth a message
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (KeyboardInterrupt, ScanCancelled):
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the CLI's last line of defence: one line, no traceback
        log.debug("failure", exc_info=True)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
