"""The command line's entry: which commands there are, and running one."""

from __future__ import annotations

import difflib
import importlib
import logging
import os
import sys
from types import ModuleType

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

# Each command is a module of browser.cli with add_parser(subparsers) and
# run(args, hierarchy) -> int. A run imports only the module of its own command: `stats`
# has no use for what export, duplicates or precompute import (a fifth of its start-up).
COMMANDS: tuple[str, ...] = (
    "scan",
    "stats",
    "search",
    "info",
    "verdicts",
    "export",
    "duplicates",
    "precompute",
    "predictions",
    "suspects",
)


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"browser.cli.{name}")


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


def build_parser(only: str | None = None) -> OneLineParser:
    """The command line's parser: with ``only``, that command's alone (what a run of it
    needs); otherwise every command's (for --help, and to name a mistyped command)."""
    parser = OneLineParser(prog=PROG, description="Explore image datasets by WordNet synset.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for name in (only,) if only is not None else COMMANDS:
        command_module(name).add_parser(sub)
    return parser


def named_command(argv: list[str]) -> str | None:
    """The command ``argv`` (as command_first arranged it) starts with; None if it starts
    with anything else (an option such as --help, or a mistyped command)."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def run(argv: list[str]) -> int:
    """Run one subcommand; returns the exit status."""
    make_streams_safe()  # printing a non-UTF-8 file name never raises, whatever the locale
    try:
        arranged = command_first(argv)
        command = named_command(arranged)
        args = build_parser(command).parse_args(arranged)
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        return command_module(args.command).run(args, load_hierarchy())
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
