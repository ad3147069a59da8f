"""The generations of a column index (:mod:`browser.core.dataset.columnstore`): which one is
current, how a new one becomes current atomically, and what is cleared away after it.

A generation is written in a ``.writing-<pid>-<ns>`` folder, renamed to ``gen-<ns>-<pid>``
and made current by replacing ``CURRENT``. A writer killed on the way leaves its
``.writing-*`` folder behind: the next switch removes those whose process is gone (or that
are a day old, for a cache shared between machines), never one still being written.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from browser.core.dataset.store import IndexStoreError

CURRENT = "CURRENT"
WRITING = ".writing-"
# A writer does not touch its folder while it writes a column (tens of seconds at 14M), so
# age alone only says "abandoned" after a day; a dead writer's folder goes at once.
_ABANDONED_AFTER_S = 24 * 3600.0


def current(directory: Path) -> str:
    try:
        return (directory / CURRENT).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexStoreError(f"{directory} has no readable {CURRENT} pointer: {exc}") from exc


def writing_folder(directory: Path) -> Path:
    """A new, empty folder to write the next generation in."""
    tmp = directory / f"{WRITING}{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    return tmp


def finish(directory: Path, tmp: Path, header: dict[str, Any]) -> str:
    """Give the written folder its header and make it the current generation."""
    (tmp / "header.json").write_text(json.dumps(header, indent=1), encoding="ascii")
    final = directory / f"gen-{time.time_ns():020d}-{os.getpid()}"
    os.rename(tmp, final)
    _switch(directory, final)
    return final.name


def _switch(directory: Path, folder: Path) -> None:
    """Make ``folder`` the current generation atomically, then remove generations older
    than the previous one (a reader that read the old pointer still finds its files)."""
    pointer = directory / f"{CURRENT}.{os.getpid()}.tmp"
    pointer.write_text(folder.name + "\n", encoding="ascii")
    os.replace(pointer, directory / CURRENT)
    generations = sorted(p for p in directory.iterdir() if p.name.startswith("gen-"))
    for old in generations[:-2]:
        if old.name != folder.name:
            shutil.rmtree(old, ignore_errors=True)
    remove_abandoned(directory)


def remove_abandoned(directory: Path, now: float | None = None) -> list[Path]:
    """Remove the ``.writing-*`` folders of writers that died; returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    for entry in directory.iterdir():
        if not entry.name.startswith(WRITING):
            continue
        pid_text = entry.name[len(WRITING) :].split("-", 1)[0]
        try:
            age = now - entry.stat().st_mtime
        except OSError:
            continue
        if age > _ABANDONED_AFTER_S or (pid_text.isdigit() and not _alive(int(pid_text))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or cannot tell: leave it
    return True
