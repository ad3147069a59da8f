"""A verdict as a record: the kinds there are, the note's limit, who gave it and when.
Shared by the store (:mod:`.verdicts`), verdict files, estimates, export and the window."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

# "duplicate": the image is a copy of another in the dataset (it says nothing about the label).
VERDICTS = ("correct", "wrong_label", "ambiguous", "unusable", "duplicate")
NOTE_LIMIT = 1 << 20  # bytes of UTF-8 in a note; the window and imports enforce the same


class VerdictsReadOnly(RuntimeError):
    """The verdict database cannot be written; ``str()`` says why and where it is."""


@dataclass(frozen=True)
class Verdict:
    relpath: str
    wnid: str  # the image's label when the verdict was given
    verdict: str | None  # one of VERDICTS, or None: cleared (a note may remain)
    note: str = ""
    proposed: str = ""  # a wnid the reviewer proposes instead
    user: str = ""
    time: float = 0.0  # seconds since the epoch, to the microsecond


@dataclass
class MergeCounts:
    """What a merge did; ``added + replaced + kept + unchanged`` is the number of images
    merged."""

    added: int = 0
    replaced: int = 0  # the incoming verdict was newer
    kept: int = 0  # the stored one was newer (or as new), and they differ
    conflicts: int = 0  # both had a verdict for the image, and they differ
    unchanged: int = 0  # the same verdict was stored already (a file imported again)


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def note_too_long(note: str) -> bool:
    return len(note.encode("utf-8", "surrogateescape")) > NOTE_LIMIT


def exact_time(seconds: float) -> float:
    """A time as verdicts keep it: to the microsecond, so files carry it exactly."""
    return round(seconds, 6)
