"""Statistics for entity on an ILSVRC-sized index (goal: < 200 ms), and the hierarchy map.

Usage: python benchmarks/bench_statistics.py [TREE]  (default /tmp/synset-bench/ilsvrc, made by
make_ilsvrc_tree.py: 1.28M files in 1000 class folders)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.make_ilsvrc_tree import make_tree  # noqa: E402
from browser.core.analysis.statistics import synset_statistics  # noqa: E402
from browser.core.analysis.treemap import nested_layout  # noqa: E402
from browser.core.dataset.opening import open_dataset  # noqa: E402
from browser.core.dataset.view import DatasetView  # noqa: E402
from browser.core.hierarchy.wordnet import load_hierarchy  # noqa: E402


def main() -> None:
    tree = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/synset-bench/ilsvrc")
    if not tree.exists():
        make_tree(tree, 1281)
    hierarchy = load_hierarchy()
    with tempfile.TemporaryDirectory(prefix="synset-bench-stats-") as cache:  # removed after
        index = open_dataset(tree, hierarchy, cache_dir=Path(cache))
    index.sizes = np.full(len(index), 110_000, dtype=np.int64)  # as if the stat pass had run
    view = DatasetView(index)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        synset_statistics(view, hierarchy.root)
        times.append(time.perf_counter() - started)
    print(f"{len(index):,} images; {time.strftime('%Y-%m-%d')}")
    print("| measure | result |\n|---|---|")
    print(f"| statistics for entity (median of 5) | {statistics.median(times) * 1000:.0f} ms |")
    for name, node in (("entity", hierarchy.root), ("dog", hierarchy.index("n02084071"))):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            nested_layout(view, node, 460.0, 700.0)
            times.append(time.perf_counter() - started)
        print(
            f"| hierarchy map of {name}, two levels (median of 5) | "
            f"{statistics.median(times) * 1000:.1f} ms |"
        )


if __name__ == "__main__":
    main()
