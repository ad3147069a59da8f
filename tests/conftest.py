"""Shared fixtures. Qt runs offscreen; nothing here needs ../shared or a display."""

from __future__ import annotations

import functools
import gc
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from browser.core.dataset.opening import open_dataset  # noqa: E402
from browser.core.dataset.view import DatasetView  # noqa: E402
from browser.core.hierarchy.dag import Hierarchy  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402
from browser.qt.thumbs import LIVE_POOLS  # noqa: E402


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


GOLDEN, TABBY, DOG, TENCH = "n02099601", "n02123045", "n02084071", "n01440764"


WAIT_MS = 60_000  # a wait that returns as soon as its condition holds; only a hang uses it all


def _patient(wait: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(wait)
    def patient(*args: Any, timeout: int = WAIT_MS, **kwargs: Any) -> Any:
        if kwargs.get("raising") is False:
            # A wait allowed to end without its signal (assertNotEmitted's, for one) waits
            # out its whole timeout when the signal rightly never comes: keep it as written.
            return wait(*args, timeout=timeout, **kwargs)
        return wait(*args, timeout=max(timeout, WAIT_MS), **kwargs)

    return patient


@pytest.fixture
def qtbot(qtbot: QtBot) -> QtBot:
    """pytest-qt's qtbot whose waits give up after a minute at the soonest, not after the 5 s
    (or the 20 s a test wrote): on a loaded CI machine a background plan, scan, decode or a
    first import of cleanlab can take longer, and a wait that gives up early fails a correct
    program (a flake). Waits that may end without their signal keep their timeout."""
    waits = ("waitUntil", "waitSignal", "waitSignals", "waitCallback", "waitExposed", "waitActive")
    for name in waits:
        setattr(qtbot, name, _patient(getattr(qtbot, name)))
    return qtbot


@pytest.fixture(scope="session", autouse=True)
def collect_garbage_on_the_main_thread() -> Iterator[None]:
    """As the app does (browser.qt.gcpin): never let a worker thread run the collector."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def no_runnables_left() -> Iterator[None]:
    """Fail a test that leaves work running in one of the app's thread pools."""
    yield
    busy = []
    for pool in list(LIVE_POOLS):
        try:
            if pool.activeThreadCount():
                busy.append(pool)
        except RuntimeError:  # deleted with its window, whose destructor waited for it
            LIVE_POOLS.discard(pool)
    for pool in busy:
        pool.waitForDone()
    gc.collect()  # here, on the main thread
    assert not busy, "the test left runnables active in a thread pool"


def a_dead_pid() -> int:
    """A pid that no process has: a child that has exited and been waited for."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def write_image(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG", quality=90)


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    """train/ and val/ with 3 golden retrievers, 2 dogs, 2 tabbies, 1 tench and a broken file."""
    root = tmp_path / "ds"
    for i in range(3):
        write_image(root / "train" / GOLDEN / f"g{i}.JPEG", (200 + i, 150), (200, 160, 40))
    for i in range(2):
        write_image(root / "train" / DOG / f"d{i}.JPEG", (120, 160), (90, 60, 30))
        write_image(root / "val" / TABBY / f"t{i}.JPEG", (64, 64), (120, 120, 120))
    write_image(root / "train" / TENCH / "fish.JPEG", (300, 200), (20, 120, 60))
    (root / "train" / TENCH / "broken.JPEG").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return root


@pytest.fixture
def small_view(small_dataset: Path, tmp_path: Path, hierarchy: Hierarchy) -> DatasetView:
    return DatasetView(open_dataset(small_dataset, hierarchy, cache_dir=tmp_path / "cache"))
