"""Generate an ILSVRC-2012-sized train tree: 1000 real wnid folders × 1,281 files.

Usage: python benchmarks/make_ilsvrc_tree.py [DEST] [--per-class N] [--link-to DIR]

Empty files by default. With --link-to, hard links to the JPEGs in DIR taken in turn (ext4
caps an inode at 65,000 links: 100 sources cover 1.28M files), for benchmarks that decode.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

WNIDS = Path(__file__).resolve().parents[1] / "resources" / "ilsvrc" / "wnids.txt"


def make_tree(dest: Path, per_class: int, link_to: Path | None = None) -> int:
    sources = sorted(link_to.glob("*.JPEG")) if link_to else []
    made = 0
    for wnid in WNIDS.read_text().split():
        folder = dest / "train" / wnid
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            path = os.path.join(folder, f"{wnid}_{i}.JPEG")
            if sources:
                os.link(sources[made % len(sources)], path)
            else:
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
            made += 1
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", nargs="?", default="/tmp/synset-bench/ilsvrc", type=Path)
    parser.add_argument("--per-class", type=int, default=1281)
    parser.add_argument("--link-to", type=Path, help="hard-link to the JPEGs in this folder")
    args = parser.parse_args()
    started = time.perf_counter()
    made = make_tree(args.dest, args.per_class, args.link_to)
    print(f"{made:,} files under {args.dest} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
