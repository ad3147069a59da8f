"""How the commands print: JSON that is always valid UTF-8, counted nouns, lists cut with
"… and N more", progress on a terminal."""

from __future__ import annotations

import json
import sys
import time

from browser.core.dataset.scanner import ScanProgress
from browser.core.filenames import jsonable

LIST_LIMIT = 20  # lines of unmapped/skipped shown as text; --json shows all


def emit(value: object) -> None:
    """Print ``value`` as JSON that is always valid UTF-8: a lone surrogate (a non-UTF-8 file
    name) becomes U+FFFD; paths a reader needs exactly are given with ``json_path``."""
    json.dump(jsonable(value), sys.stdout, indent=2)
    sys.stdout.write("\n")


def plural(count: int, noun: str) -> str:
    """``1 image``, ``2 images``, ``1,000 classes``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {noun}" + ("es" if noun.endswith(("s", "sh", "ch", "x")) else "s")


def plural_images(count: int) -> str:
    return plural(count, "image")


def named(name: str, node_id: str) -> str:
    """``dog (n02084071)``; just the name where the node has no id (a folder tree's root)."""
    return f"{name} ({node_id})" if node_id else name


def print_section(title: str, lines: list[str]) -> None:
    if not lines:
        return
    print(f"{title}: {len(lines)}")
    print_limited([f"  {line}" for line in lines])


def print_limited(lines: list[str], limit: int = LIST_LIMIT, indent: str = "  ") -> None:
    """Print at most ``limit`` lines, then how many were left out: a cut list says so."""
    for line in lines[:limit]:
        print(line)
    if len(lines) > limit:
        print(f"{indent}… and {len(lines) - limit:,} more (--json lists all)")


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
