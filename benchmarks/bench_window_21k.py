"""The window on a stored ImageNet-21k index (issue 15; run by hand, in a fresh process).

Usage: xvfb-run -a -s "-screen 0 1600x1000x24" python benchmarks/bench_window_21k.py ROOT CACHE

ROOT and CACHE are made by ``make_stored_21k.py`` (14,197,950 images indexed; only the first
folders hold real JPEGs, enough for the first screens of ``entity``). Times are from the
start of this process, imports included, as a user starting ``synset-browser ROOT --select
n00001740`` waits: until the tree and grid are shown (the open finished and the window laid
out ``entity``), and until every thumbnail of the first screen is painted. Then a pass
through entity's grid (400 jumps, each requesting its screen's thumbnails) for the peak RSS
as the OS counts it (mapped pages included). Pass --cold-thumbnails to remove CACHE's
thumbnail folder first (the first screen is then decoded, not read from the disk cache).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ENTITY = "n00001740"


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("cache", type=Path)
    parser.add_argument("--cold-thumbnails", action="store_true")
    parser.add_argument("--jumps", type=int, default=400)
    parser.add_argument(
        "--data",
        type=Path,
        help="the data folder (dataset registry, verdicts) to use and keep; default: a new "
        "one, so the dataset is registered (its names fingerprinted) as on a first open",
    )
    args = parser.parse_args()
    if args.cold_thumbnails:
        shutil.rmtree(args.cache / "thumbnails", ignore_errors=True)

    from PySide6.QtWidgets import QApplication

    from browser.core.hierarchy.wordnet import load_hierarchy
    from browser.qt.app import build_window

    data = args.data or Path(tempfile.mkdtemp(prefix="synset-bench-data-"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    hierarchy = load_hierarchy()
    window = build_window(hierarchy, args.cache, data)
    window.resize(1600, 1000)
    window.show()
    marks: dict[str, float] = {"imports and window": time.perf_counter() - STARTED}
    window.tasks.opened.connect(lambda _view: marks.setdefault("opened", time.perf_counter()))
    window.tasks.failed.connect(lambda message: sys.exit(f"open failed: {message}"))
    window.open_dataset(os.fspath(args.root), select=hierarchy.index(ENTITY))

    def wait_until(done: Callable[[], bool], limit: float = 120.0) -> bool:
        end = time.perf_counter() + limit
        while not done():
            if time.perf_counter() > end:
                return False
            app.processEvents()
            time.sleep(0.002)
        return True

    wait_until(lambda: "opened" in marks)
    app.processEvents()  # the tree and grid lay out and paint
    marks["tree and grid shown"] = time.perf_counter() - STARTED
    grid, model = window.grid, window.grid_model
    grid.request_visible()
    visible = list(grid.visible_positions())
    painted = wait_until(
        lambda: all(
            model.loader.has_thumbnail(model.image_key(model.image_row(p)), model.bucket)
            for p in visible
        )
    )
    app.processEvents()
    marks["first screen of thumbnails"] = time.perf_counter() - STARTED
    at_first_screen = rss_mb()
    bar = grid.verticalScrollBar()
    for step in range(args.jumps + 1):
        bar.setValue(bar.maximum() * step // args.jumps)
        grid.request_visible()
        app.processEvents()
    wait_until(lambda: model.loader.pending == 0, limit=300)
    after_pass = rss_mb()
    peak = rss_mb("VmHWM")
    images = len(window.view.index) if window.view is not None else 0
    window.close()
    app.processEvents()
    if args.data is None:
        shutil.rmtree(data, ignore_errors=True)
    print(f"{images:,} images; {len(visible)} thumbnails on the first screen", end="")
    print("" if painted else " (NOT all painted within 120 s)")
    print(f"imports, WordNet and window: {marks['imports and window']:.2f} s")
    print(f"tree and grid of entity shown: {marks['tree and grid shown']:.2f} s")
    print(f"first screen of thumbnails: {marks['first screen of thumbnails']:.2f} s")
    print(
        f"RSS at the first screen {at_first_screen:.0f} MB; after {args.jumps} jumps through "
        f"entity's grid {after_pass:.0f} MB; peak {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
