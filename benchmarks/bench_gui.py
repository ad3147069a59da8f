"""GUI benchmarks: thumbnail throughput, first screen, entity at 1.28M, stalls, memory.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--samples DIR] [--count N]

Images are generated ImageNet-like JPEGs (500×375, q90, textured so they decode like photos)
unless --samples points at real ones (e.g. ../shared/samples/imagenet, copied round-robin to
--count files). The 1.28M tree of bench_foundation.py is used for the entity test.
Every throughput is reported with its limit measured in the same run on the same files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.make_ilsvrc_tree import make_tree  # noqa: E402
from browser.core.dataset.opening import open_dataset  # noqa: E402
from browser.core.dataset.statpass import fill_file_facts  # noqa: E402
from browser.core.dataset.view import DatasetView  # noqa: E402
from browser.core.hierarchy.search import SynsetSearch  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402
from browser.core.images.thumbnails import ThumbnailCache, decode_with_pillow  # noqa: E402
from browser.qt.gcpin import GarbageCollector  # noqa: E402
from browser.qt.identity import new_dataset_key  # noqa: E402
from browser.qt.models.grid_model import ImageGridModel  # noqa: E402
from browser.qt.thumbdecode import decode_with_qt  # noqa: E402
from browser.qt.thumbs import ThumbnailLoader  # noqa: E402
from browser.qt.widgets.grid_view import ThumbnailGrid  # noqa: E402

WNIDS = (Path(__file__).resolve().parents[1] / "resources/ilsvrc/wnids.txt").read_text().split()
WORKERS = os.cpu_count() or 2


def make_dataset(root: Path, count: int, samples: Path | None) -> list[str]:
    """``count`` JPEGs in 10 class folders under root/train."""
    rng = np.random.default_rng(0)
    sources = sorted(samples.glob("*.JPEG")) if samples else []
    paths = []
    for i in range(count):
        folder = root / "train" / WNIDS[i % 10]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"img_{i:05d}.JPEG"
        if sources:
            shutil.copyfile(sources[i % len(sources)], path)
        else:
            coarse = Image.fromarray(rng.integers(0, 255, (10, 13, 3), dtype=np.uint8))
            smooth = np.asarray(coarse.resize((500, 375), Image.Resampling.BICUBIC), np.float32)
            noisy = smooth + rng.normal(0, 14, smooth.shape)
            Image.fromarray(noisy.clip(0, 255).astype(np.uint8)).save(path, quality=90)
        paths.append(str(path))
    return paths


def rate(action: Callable[[str], object], paths: list[str]) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(action, paths))
    return len(paths) / (time.perf_counter() - started)


def naive(path: str) -> object:
    with Image.open(path) as image:
        return image.convert("RGB").resize((128, 96), Image.Resampling.BILINEAR)


def wait_until(app: QApplication, done: Callable[[], bool], limit: float = 120) -> float:
    """Run the event loop as the app does (exec) until ``done()``; polling processEvents()
    instead was measured to halve the workers' throughput."""
    started = time.perf_counter()
    loop = QEventLoop()
    check = QTimer(interval=1)
    check.timeout.connect(
        lambda: loop.quit() if done() or time.perf_counter() - started > limit else None
    )
    check.start()
    if not done():
        loop.exec()
    check.stop()
    if not done():
        raise TimeoutError
    return time.perf_counter() - started


class Heartbeat:
    """A 5 ms timer in the GUI thread; gaps between its ticks are GUI-thread stalls."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.ticks: list[int] = []
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(lambda: self.ticks.append(self.clock.elapsed()))

    def __enter__(self) -> Heartbeat:
        self.clock.start()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()

    def report(self) -> str:
        gaps = np.diff(self.ticks) if len(self.ticks) > 2 else np.zeros(1)
        return (
            f"p50 {np.percentile(gaps, 50):.0f} ms, p99 {np.percentile(gaps, 99):.0f} ms, "
            f"max {float(np.max(gaps)):.0f} ms ({len(gaps)} ticks)"
        )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def loader_rate(app: QApplication, paths: list[str], cache: Path, known: bool) -> float:
    loader = ThumbnailLoader(ThumbnailCache(cache), threads=WORKERS)
    done: list[int] = []
    loader.thumbnailsReady.connect(done.extend)
    facts = [(os.stat(p).st_size, os.stat(p).st_mtime_ns) if known else (-1, -1) for p in paths]
    started = time.perf_counter()
    loader.request([(i, i, p, *facts[i]) for i, p in enumerate(paths)], 128)
    wait_until(app, lambda: len(done) == len(paths))
    result = len(paths) / (time.perf_counter() - started)
    loader.shutdown()
    return result


def throughput_rows(app: QApplication, paths: list[str], work: Path) -> list[tuple[str, str]]:
    for path in paths:  # the files are in the page cache for every loop below
        Path(path).read_bytes()
    runs = []
    for run in range(3):  # limit and loader alternate, so both see the same machine state
        limit = rate(lambda p: decode_with_qt(p, 128), paths)
        known = loader_rate(app, paths, work / f"thumbs-known-{run}", known=True)
        unknown = loader_rate(app, paths, work / f"thumbs-unknown-{run}", known=False)
        runs.append((limit, known, unknown))
    limit = statistics.median(r[0] for r in runs)
    known_ratio = statistics.median(r[1] / r[0] for r in runs)
    unknown_ratio = statistics.median(r[2] / r[0] for r in runs)
    draft = rate(lambda p: decode_with_pillow(p, 128), paths)
    full = rate(naive, paths)
    known = statistics.median(r[1] for r in runs)
    unknown = statistics.median(r[2] for r in runs)
    return [
        (
            f"scaled decode loop, QImageReader.setScaledSize, {WORKERS} threads (the limit)",
            f"{limit:,.0f}/s (median of 3)",
        ),
        ("Pillow draft-mode loop", f"{draft:,.0f}/s"),
        ("naive full decode + resize loop", f"{full:,.0f}/s"),
        (
            "ThumbnailLoader, cold, file sizes known (after the stat pass)",
            f"{known:,.0f}/s — **{known_ratio:.2f}** of the limit (per run "
            + ", ".join(f"{r[1] / r[0]:.2f}" for r in runs)
            + f"), {known / full:.1f}× naive",
        ),
        (
            "ThumbnailLoader, cold, before the stat pass (batch stat + one look-up per request)",
            f"{unknown:,.0f}/s — **{unknown_ratio:.2f}** of the limit (per run "
            + ", ".join(f"{r[2] / r[0]:.2f}" for r in runs)
            + ")",
        ),
    ]


def first_screen_rows(app: QApplication, root: Path, work: Path) -> list[tuple[str, str]]:
    hierarchy = load_hierarchy()
    index = open_dataset(root, hierarchy, cache_dir=work / "cache-first")
    fill_file_facts(index)  # as the app's background pass does right after opening
    view = DatasetView(index)
    rows = []
    cache = ThumbnailCache(work / "thumbs-first")
    for label in ("cold (decode; files in page cache)", "from the disk cache"):
        loader = ThumbnailLoader(cache, threads=WORKERS)
        model = ImageGridModel(loader)
        grid = ThumbnailGrid(model)
        grid.resize(1500, 900)
        grid.show()
        app.processEvents()
        with Heartbeat() as beat:
            started = time.perf_counter()
            model.set_rows(
                new_dataset_key(view.index.root),
                view.index,
                view.rows(hierarchy.root),
                show_class=True,
            )
            grid.request_visible()
            visible = list(grid.visible_positions())
            wait_until(
                app,
                lambda v=visible, m=model: all(  # type: ignore[misc]
                    m.loader.has_thumbnail(m.image_key(m.image_row(p)), m.bucket) for p in v
                ),
            )
            elapsed = time.perf_counter() - started
        rows.append(
            (
                f"first screen ({len(visible)} thumbnails at 128 px), {label}",
                f"{elapsed * 1000:.0f} ms; GUI stalls {beat.report()}",
            )
        )
        grid.close()
        loader.shutdown()
    return rows


def scrolling_rows(app: QApplication, root: Path, work: Path) -> list[tuple[str, str]]:
    hierarchy = load_hierarchy()
    view = DatasetView(open_dataset(root, hierarchy, cache_dir=work / "cache-first"))
    loader = ThumbnailLoader(ThumbnailCache(work / "thumbs-scroll"), threads=WORKERS)
    model = ImageGridModel(loader)
    grid = ThumbnailGrid(model)
    grid.resize(1500, 900)
    grid.show()
    grid.set_zoom(64)
    model.set_rows(
        new_dataset_key(view.index.root), view.index, view.rows(hierarchy.root), show_class=True
    )
    app.processEvents()  # let the view lay out, so the scroll range is known
    bar = grid.verticalScrollBar()
    with Heartbeat() as beat:
        started = time.perf_counter()
        while bar.value() < bar.maximum():
            bar.setValue(bar.value() + bar.pageStep() // 3)
            end = time.perf_counter() + 0.03
            wait_until(app, lambda e=end: time.perf_counter() > e)  # type: ignore[misc]
        wait_until(app, lambda: loader.pending == 0)
        elapsed = time.perf_counter() - started
    grid.close()
    loader.shutdown()
    return [
        (
            f"scrolling {model.count():,} JPEGs at 64 px, a third of a page per 30 ms, "
            f"thumbnails loading ({elapsed:.1f} s)",
            f"GUI stalls {beat.report()}",
        )
    ]


def entity_rows(
    app: QApplication, tree: Path, work: Path, label: str = "undecodable empty files"
) -> list[tuple[str, str]]:
    if not tree.exists():
        make_tree(tree, 1281)
    hierarchy = load_hierarchy()
    index = open_dataset(tree, hierarchy, cache_dir=work / "cache-entity")
    view = DatasetView(index)
    loader = ThumbnailLoader(ThumbnailCache(work / "thumbs-entity"), threads=WORKERS)
    model = ImageGridModel(loader)
    grid = ThumbnailGrid(model)
    grid.resize(1500, 900)
    grid.show()
    app.processEvents()
    times = []
    for _ in range(5):
        model.set_rows(
            new_dataset_key(index.root), index, view.rows(hierarchy.root)[:0], show_class=False
        )
        app.processEvents()
        started = time.perf_counter()
        model.set_rows(
            new_dataset_key(index.root), index, view.rows(hierarchy.root), show_class=True
        )
        grid.viewport().repaint()
        times.append(time.perf_counter() - started)
    before = rss_mb()
    bar = grid.verticalScrollBar()
    with Heartbeat() as beat:
        for step in range(0, 401):
            bar.setValue(bar.maximum() * step // 400)
            grid.request_visible()
            app.processEvents()
        wait_until(app, lambda: loader.pending == 0)
    after = rss_mb()
    loader.shutdown()
    grid.close()
    return [
        (
            f"select entity on {len(index):,} images: rows + model reset + first paint "
            "(median of 5)",
            f"{statistics.median(times) * 1000:.0f} ms",
        ),
        (
            f"jump through all {len(index):,} rows in 400 steps ({label})",
            f"RSS {before:.0f} → {after:.0f} MB; GUI stalls {beat.report()}",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=Path)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--tree", type=Path, default=Path("/tmp/synset-bench/ilsvrc"))
    parser.add_argument(
        "--jump-tree",
        type=Path,
        help="also jump through this tree of real JPEGs (make_ilsvrc_tree.py "
        "--link-to ../shared/samples/imagenet)",
    )
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    collector = GarbageCollector(app)  # as the app runs: the GC only on the GUI thread
    # As in the app, WordNet and its search index stay resident: a full collection walks
    # them (184 ms unless frozen), so stalls measured without them would flatter.
    resident = SynsetSearch(load_hierarchy())
    resident.warm()
    collector.settle()  # as the app does once the search index is built
    work = Path(tempfile.mkdtemp(prefix="synset-bench-gui-"))
    paths = make_dataset(work / "jpegs", args.count, args.samples)
    source = (
        f"{len(paths)} copies of the real samples in {args.samples}"
        if args.samples
        else f"{len(paths)} generated 500×375 q90 JPEGs"
    )
    rows = throughput_rows(app, paths, work)
    rows += first_screen_rows(app, work / "jpegs", work)
    rows += scrolling_rows(app, work / "jpegs", work)
    rows += entity_rows(app, args.tree, work)
    if args.jump_tree:
        rows += entity_rows(app, args.jump_tree, work / "jump", "hard links to real JPEGs")[1:]
    print(f"Images: {source}; {WORKERS} worker threads; {time.strftime('%Y-%m-%d %H:%M')}\n")
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    collector.stop()
    del resident
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
