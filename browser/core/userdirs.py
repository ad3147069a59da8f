"""The user's cache and data folders (XDG on Linux), with explicit overrides for tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "synset-browser"


def _base(xdg_variable: str, linux_default: str, mac: str, windows_variable: str) -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get(windows_variable) or Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return Path.home() / "Library" / mac
    value = os.environ.get(xdg_variable)
    # The XDG spec says relative values are invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / linux_default


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where indexes, thumbnails and the demo dataset are kept (safe to delete)."""
    if override is not None:
        return Path(override)
    return _base("XDG_CACHE_HOME", ".cache", "Caches", "LOCALAPPDATA") / APP_NAME


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where what the user made (verdicts, notes) is kept (never deleted by the app)."""
    if override is not None:
        return Path(override)
    return _base("XDG_DATA_HOME", ".local/share", "Application Support", "APPDATA") / APP_NAME
