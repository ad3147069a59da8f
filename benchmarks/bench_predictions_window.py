"""Does the window stay responsive while a model's predictions are imported and ranked?
(issue 16: "the window stays responsive while both run in the background").

The window's own Model panel (browser.qt.widgets.predictions_panel) imports a file and ranks
it on its worker thread, as File › Import predictions… does, while a 10 ms QTimer on the GUI
thread stands for everything the user does. Each gap between its ticks beyond 10 ms is time the
event loop could not run: a user would see a frozen window for as long as the largest gap.
Baseline, in the same run: the same timer with nothing in the background.

1. 50,000 × 1,000 float32 probabilities (.npz): import, then cleanlab's ranking.
2. A 1,281,167-row top-5 CSV (ILSVRC train size): import, then the top-k ranking.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_predictions_window.py [--train N]
Everything it writes goes to a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.bench_predictions import (  # noqa: E402
    model_probabilities,
    relpaths,
    synthetic_index,
    top5_rows,
)
from browser.core.dataset.view import DatasetView  # noqa: E402
from browser.qt.review import ReviewController  # noqa: E402
from browser.qt.widgets.predictions_panel import PredictionsPanel  # noqa: E402

TICK_MS = 10


class Heartbeat:
    """Gaps between a 10 ms timer's ticks on the GUI thread, beyond the 10 ms asked for."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.late: list[float] = []
        self.last = 0.0

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.late.append(max(0.0, now - self.last - TICK_MS))
        self.last = now

    def start(self) -> None:
        self.late = []
        self.clock.start()
        self.last = 0.0
        self.timer.start()

    def stop(self) -> str:
        self.timer.stop()
        late = np.array(self.late or [0.0])
        total = self.clock.elapsed() / 1000
        frozen = late[late > 100].sum() / 1000
        return (
            f"{total:.1f} s: ticks late by p50 {np.percentile(late, 50):.0f} ms, "
            f"p99 {np.percentile(late, 99):.0f} ms, max {late.max():.0f} ms; "
            f"{frozen:.1f} s in stalls over 100 ms"
        )


def wait_for(signal: object, heartbeat: Heartbeat) -> str:
    loop = QEventLoop()
    signal.connect(loop.quit)  # type: ignore[attr-defined]
    heartbeat.start()
    loop.exec()
    return heartbeat.stop()


def idle(seconds: float, heartbeat: Heartbeat) -> str:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    heartbeat.start()
    loop.exec()
    return heartbeat.stop()


def measure(folder: Path, name: str, view: DatasetView, source: Path, beat: Heartbeat) -> None:
    panel = PredictionsPanel(folder / f"data-{name}", cast(ReviewController, None))
    panel.set_view(view)
    print(f"| {name}: nothing in the background (baseline) | {idle(5, beat)} |")
    started = time.perf_counter()
    panel.import_file(str(source))
    during = wait_for(panel.stateChanged, beat)
    took = time.perf_counter() - started
    assert panel.state is not None, panel.model_label.text()
    print(f"| {name}: import and ranking on the worker ({took:.1f} s) | {during} |")
    panel.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--val", type=int, default=50_000)
    parser.add_argument("--train", type=int, default=1_281_167)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    beat = Heartbeat()
    folder = Path(tempfile.mkdtemp(prefix="bench-pred-window-"))
    try:
        index = synthetic_index("/data/ilsvrc/val", args.val // 1000)
        source = folder / "val.npz"
        np.savez(source, paths=np.array(relpaths(index)), probs=model_probabilities(index))
        measure(folder, f"{len(index):,} × 1,000 .npz", DatasetView(index), source, beat)

        train = synthetic_index("/data/ilsvrc/train", -(-args.train // 1000))
        csv_source = folder / "train-top5.csv"
        with csv_source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["path", "top"])
            for row, top in enumerate(top5_rows(train)):
                writer.writerow([train.relpath(row), json.dumps(top)])
        measure(folder, f"{len(train):,}-row top-5 CSV", DatasetView(train), csv_source, beat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    del app


if __name__ == "__main__":
    main()
