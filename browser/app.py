"""Start-up: arguments, logging and folders first; then a headless subcommand or the window.

Headless subcommands (scan, stats, search, info) never create a QApplication.
"""

from __future__ import annotations

import argparse
import logging
import sys

from browser import cli
from browser.core import userdirs
from browser.core.dataset import DatasetPathError, check_root
from browser.core.demo import build_demo
from browser.core.wordnet import load_hierarchy

log = logging.getLogger(__name__)


def build_app_parser() -> cli.OneLineParser:
    parser = cli.OneLineParser(
        prog=cli.PROG,
        description=(
            "Explore ImageNet-style datasets through their WordNet hierarchy. "
            f"Headless commands: {', '.join(cli.COMMANDS)} (see {cli.PROG} COMMAND --help)."
        ),
    )
    parser.add_argument("dataset", nargs="?", help="dataset folder to open")
    parser.add_argument("--demo", action="store_true", help="open a small generated demo dataset")
    parser.add_argument("--select", metavar="WNID", help="synset to select on start")
    cli.add_layout(parser)
    parser.add_argument("--cache-dir", help="folder for indexes and thumbnails")
    parser.add_argument("--data-dir", help="folder for what you make (recent datasets, …)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    # For smoke tests: quit this many seconds after the dataset is shown.
    parser.add_argument("--exit-after", type=float, help=argparse.SUPPRESS)
    return parser


def run_app(argv: list[str]) -> int:
    """The interactive app: arguments, logging and folders first, then Qt."""
    try:
        args = build_app_parser().parse_args(argv)
    except cli.UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    cache = userdirs.cache_dir(args.cache_dir)
    data = userdirs.data_dir(args.data_dir)
    dataset = args.dataset
    if dataset is not None:
        try:
            check_root(dataset)
        except DatasetPathError as exc:
            print(f"{cli.PROG}: {exc}", file=sys.stderr)
            return 2
    hierarchy = load_hierarchy()
    select = hierarchy.find(args.select.strip()) if args.select else None
    if args.select and select is None:
        print(f"{cli.PROG}: {args.select!r} is not a WordNet 3.0 noun synset id", file=sys.stderr)
        return 2
    if args.demo:
        dataset = str(build_demo(cache))  # made once, in the cache folder
    from browser.qt.app import run_gui  # Qt is imported only when a window is wanted

    return run_gui(
        hierarchy,
        dataset,
        select,
        cache_dir=cache,
        data_dir=data,
        exit_after=args.exit_after,
        layout=args.layout,
        hierarchy_choice=args.hierarchy,
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in cli.COMMANDS:
        return cli.run(argv)
    return run_app(argv)
