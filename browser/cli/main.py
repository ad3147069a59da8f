"""The command line's entry: which commands there are, and running one."""

from __future__ import annotations

import difflib
import logging
import os
import sys
from types import ModuleType

from browser.cli import (
    duplicates,
    export,
    info,
    precompute,
    predictions,
    scan,
    search,
    stats,
    suspects,
    verdicts,
)
from browser.cli.parsing import (
    PROG,
    OneLineParser,
    UsageError,
    command_first,
)
from browser.core.dataset.hierarchychoice import HierarchyChoiceError
from browser.core.dataset.layouts import LayoutRefused
from browser.core.dataset.opening import DatasetPathError
from browser.core.dataset.scanner import ScanCancelled
from browser.core.filenames import make_streams_safe
from browser.core.hierarchy.wordnet import load_hierarchy

log = logging.getLogger(__name__)

# Each command is a module with add_parser(subparsers) and run(args, hierarchy) -> int.
COMMANDS: dict[str, ModuleType] = {
    "scan": scan,
    "stats": stats,
    "search": search,
    "info": info,
    "verdicts": verdicts,
    "export": export,
    "duplicates": duplicates,
    "precompute": precompute,
    "predictions": predictions,
    "suspects": suspects,
}


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
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def run(argv: list[str]) -> int:
    """Run one subcommand; returns the exit status."""
    make_streams_safe()  # printing a non-UTF-8 file name never raises, whatever the locale
    try:
        args = build_parser().parse_args(command_first(argv))
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        return COMMANDS[args.command].run(args, load_hierarchy())
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
