"""Start-up: arguments, logging and folders first; then a headless subcommand or the window.

Headless subcommands (scan, stats, search, info) never create a QApplication.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping

from browser.cli.main import COMMANDS, run, unknown_command
from browser.cli.parsing import PROG, OneLineParser, UsageError, add_layout, split_command
from browser.core import userdirs
from browser.core.dataset.opening import DatasetPathError, check_root
from browser.core.hierarchy.wordnet import load_hierarchy

log = logging.getLogger(__name__)


def build_app_parser() -> OneLineParser:
    parser = OneLineParser(
        prog=PROG,
        description=(
            "Explore ImageNet-style datasets through their WordNet hierarchy. "
            f"Headless commands: {', '.join(COMMANDS)} (see {PROG} COMMAND --help)."
        ),
    )
    parser.add_argument("dataset", nargs="?", help="dataset folder to open")
    parser.add_argument("--demo", action="store_true", help="open a small generated demo dataset")
    parser.add_argument("--select", metavar="WNID", help="synset to select on start")
    add_layout(parser)
    parser.add_argument("--cache-dir", help="folder for indexes and thumbnails")
    parser.add_argument("--data-dir", help="folder for what you make (recent datasets, …)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    # For smoke tests: quit this many seconds after the dataset is shown.
    parser.add_argument("--exit-after", type=float, help=argparse.SUPPRESS)
    return parser


# The window's options that take a value, so that the command after them is still found.
APP_VALUED_OPTIONS = frozenset(
    {"--select", "--layout", "--hierarchy", "--cache-dir", "--data-dir", "--exit-after"}
)


def display_problem(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why the window cannot be shown here, in one line; None if it can (or may).

    Without this, Qt aborts the interpreter with a hint about libxcb-cursor0, which is not
    what is missing on a server or in a container."""
    if not platform.startswith("linux"):
        return None  # macOS and Windows always have a display server of their own
    if any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return None
    return (
        f"{PROG}: the window needs a display, and there is none (DISPLAY and "
        f"WAYLAND_DISPLAY are unset): run it in a desktop session, or under a virtual one "
        f"with `xvfb-run -a {PROG} …` (apt-get install xvfb), or with "
        f"QT_QPA_PLATFORM=offscreen to run it with no window at all; the commands "
        f"({', '.join(COMMANDS)}) need no display"
    )


def run_app(argv: list[str]) -> int:
    """The interactive app: arguments, logging and folders first, then Qt."""
    try:
        args = build_app_parser().parse_args(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    cache = userdirs.cache_dir(args.cache_dir)
    data = userdirs.data_dir(args.data_dir)
    dataset = args.dataset
    if dataset is not None and not os.path.lexists(dataset) and os.sep not in dataset:
        # A bare word that names nothing here: a mistyped command (`sacn`, `help`) far more
        # often than a missing folder.
        print(unknown_command(dataset), file=sys.stderr)
        return 2
    if dataset is not None:
        try:
            check_root(dataset)
        except DatasetPathError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 2
    hierarchy = load_hierarchy()
    select = hierarchy.find(args.select.strip()) if args.select else None
    if args.select and select is None:
        print(f"{PROG}: {args.select!r} is not a WordNet 3.0 noun synset id", file=sys.stderr)
        return 2
    problem = display_problem(os.environ)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    if args.demo:
        from browser.core.dataset.demo import build_demo  # Pillow: not for the commands

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
    position = split_command(argv, APP_VALUED_OPTIONS)
    if position is not None and argv[position] in COMMANDS:
        return run(argv)
    return run_app(argv)
