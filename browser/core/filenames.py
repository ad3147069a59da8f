"""One rule for file names that are not valid UTF-8 (a latin-1 ``café.JPEG`` on a Linux disk).

Inside the app a path is a ``str`` decoded with ``os.fsdecode`` (surrogateescape): undecodable
bytes become lone surrogates, and ``os.fsencode`` gives back the same bytes. At each boundary:

- **SQLite** stores relative paths as BLOBs (``os.fsencode``), never as TEXT.
- **CSV** (manifests, verdict files) carries the raw bytes: open it with :func:`open_text`.
- **JSON** must be valid UTF-8, which lone surrogates are not: :func:`json_path` gives
  ``{"path": text with U+FFFD for each undecodable byte, "path_bytes": base64 of the raw
  bytes}``, with ``path_bytes`` only where the two differ; :func:`path_from_json` reverses it.
  :func:`jsonable` replaces any other lone surrogate, so output never carries one.
- **A terminal** never raises, whatever the locale: :func:`make_streams_safe`.
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Mapping
from typing import IO, Any

REPLACEMENT = "\ufffd"


def has_undecodable(name: str) -> bool:
    """True if ``name`` holds bytes that were not UTF-8 (lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def display(name: str) -> str:
    """``name`` as valid text: each undecodable byte becomes U+FFFD."""
    if not has_undecodable(name):
        return name
    return os.fsencode(name).decode("utf-8", "replace")


def json_path(name: str, key: str = "path") -> dict[str, str]:
    """``{key: text}``, plus ``{key}_bytes`` (base64 of the raw bytes) where the text had to
    replace undecodable bytes."""
    text = display(name)
    if text == name:
        return {key: name}
    return {key: text, f"{key}_bytes": base64.b64encode(os.fsencode(name)).decode("ascii")}


def path_from_json(record: Mapping[str, Any], key: str = "path") -> str:
    """The path a :func:`json_path` record names, exactly (its bytes, where they were given)."""
    raw = record.get(f"{key}_bytes")
    if isinstance(raw, str):
        return os.fsdecode(base64.b64decode(raw, validate=True))
    value = record[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string, not {type(value).__name__}")
    return value


def jsonable(value: Any) -> Any:
    """``value`` with every string made valid UTF-8 (a last line of defence: paths that a
    reader needs exactly should go through :func:`json_path`)."""
    if isinstance(value, str):
        return display(value)
    if isinstance(value, Mapping):
        return {display(str(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def open_text(path: str | os.PathLike[str], mode: str = "r") -> IO[str]:
    """A UTF-8 text file (for CSV: newline="") whose undecodable bytes round-trip as they are.
    Reading skips a leading byte-order mark, as Excel writes one."""
    encoding = "utf-8-sig" if "r" in mode else "utf-8"
    return open(path, mode, encoding=encoding, errors="surrogateescape", newline="")


def make_streams_safe() -> None:
    """Printing a name can never raise: on a UTF-8 stream undecodable bytes go out as they
    came in (as ``ls`` prints them); in any other encoding what it cannot encode is escaped."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure(errors="surrogateescape" if encoding == "utf8" else "backslashreplace")
