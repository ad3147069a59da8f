"""Start-up: arguments, logging and folders first; then a headless subcommand or the app.

Headless subcommands (scan, stats, search, info) never create a QApplication.
"""

from __future__ import annotations

import logging
import sys

from browser import cli
from browser.core import userdirs
from browser.core.demo import build_demo

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
    parser.add_argument("--cache-dir", help="folder for indexes and thumbnails")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    return parser


def run_app(argv: list[str]) -> int:
    """The interactive app. Until the window exists, it opens the dataset and prints a summary."""
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
    if args.demo:
        dataset = str(build_demo(cache))
        print(f"demo dataset: {dataset}")
    elif args.dataset:
        dataset = args.dataset
    else:
        build_app_parser().print_help()
        return 0
    stats = ["stats", dataset, *([args.select] if args.select else []), "--cache-dir", str(cache)]
    return cli.run(stats + (["-v"] if args.verbose else []))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in cli.COMMANDS:
        return cli.run(argv)
    return run_app(argv)
