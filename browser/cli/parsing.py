"""What every command shares on its command line: the one-line parser, the options every command
takes (before or after the command), and the options that say how to read a dataset."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import NoReturn

from browser.core.dataset.hierarchychoice import HIERARCHY_CHOICES, WORDNET
from browser.core.dataset.layouts import LAYOUT_CHOICES

PROG = "synset-browser"


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
