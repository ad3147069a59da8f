"""User-made files read line by line: each bad line is one reported problem, never the end.

Label files, taxonomies and verdict files all report what they could not use as
:class:`LabelProblem` (file, line, reason); this module is below every package of the core so
that each may use it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass

from browser.core.filenames import open_text


@dataclass(frozen=True)
class LabelProblem:
    file: str
    line: int  # 1-based; 0 for the file as a whole
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


def numbered_lines(path: str) -> Iterator[tuple[int, str]]:
    """Numbered lines without their line ends; a leading BOM is skipped, and bytes that are
    not UTF-8 are kept (as in file names: browser.core.filenames)."""
    with open_text(path) as text:
        for number, line in enumerate(text, start=1):
            yield number, line.rstrip("\r\n")


def csv_row(line: str) -> list[str]:
    """One CSV line as fields. Each line is parsed on its own, so a stray quote costs that
    line (csv.Error), never the rest of the file."""
    return next(csv.reader([line], strict=True), [])
