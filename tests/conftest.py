"""Shared fixtures. Qt runs offscreen; nothing here needs ../shared or a display."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from browser.core.hierarchy import Hierarchy  # noqa: E402
from browser.core.wordnet import load_hierarchy  # noqa: E402


@pytest.fixture(scope="session")
def hierarchy() -> Hierarchy:
    """The real compiled WordNet 3.0 noun hierarchy that ships with the app."""
    return load_hierarchy()


@pytest.fixture(scope="session")
def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


MakeFiles = Callable[[Path, Iterable[str]], Path]


@pytest.fixture
def make_files(jpeg_bytes: bytes) -> MakeFiles:
    """Create files (small real JPEGs) at relative paths below a root; folders end with '/'."""

    def make(root: Path, relpaths: Iterable[str]) -> Path:
        for relpath in relpaths:
            path = root / relpath
            if relpath.endswith("/"):
                path.mkdir(parents=True, exist_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(jpeg_bytes)
        return root

    return make
