"""What a synset holds, as numbers behind charts, each with a one-line takeaway in words.

Everything is numpy over the index and the rolled-up counts: images per child, the
distribution of images per class below (the long tail), file sizes, images per split.
Pixel sizes come from a separate, cached header pass (browser.core.images.dimensions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from browser.core.dataset.sizes import Histogram, histogram, summarize_sizes
from browser.core.dataset.view import DatasetView


@dataclass(frozen=True)
class SynsetStatistics:
    children: list[tuple[int, int]]  # (child synset, images), most first
    per_class: list[int]  # images of each class at or below, ascending
    per_class_histogram: Histogram
    file_sizes: Histogram  # bytes, of images whose size is known
    splits: dict[str, int]
    captions: dict[str, str]
    # From the pixel-size pass, when it has run: a width × height 2-D histogram (x edges,
    # y edges, counts[x][y]) and the aspect ratios (width / height).
    pixels: tuple[list[float], list[float], list[list[int]]] | None = None
    aspects: Histogram | None = None

    def as_dict(self, view: DatasetView) -> dict[str, object]:
        hierarchy = view.hierarchy
        per_class = np.array(self.per_class or [0])
        return {
            "children": [
                {"wnid": hierarchy.wnid(c), "name": hierarchy.name(c), "images": n}
                for c, n in self.children
            ],
            "images_per_class": {
                "min": int(per_class.min()),
                "median": float(np.median(per_class)),
                "max": int(per_class.max()),
                "histogram": self.per_class_histogram.__dict__,
            },
            "file_sizes": self.file_sizes.__dict__,
            "pixels": (
                None
                if self.pixels is None
                else {
                    "width_edges": self.pixels[0],
                    "height_edges": self.pixels[1],
                    "counts": self.pixels[2],
                }
            ),
            "aspects": None if self.aspects is None else self.aspects.__dict__,
            "splits": self.splits,
            "captions": self.captions,
        }


def _sizes_below(view: DatasetView, synset: int) -> np.ndarray:
    """File sizes of the images at or below ``synset``, in row order. A synset holding every
    image (``entity``) reads the column as it is: no row numbers, no copy."""
    index = view.index
    if int(view.counts.images[synset]) == len(index):
        return np.asarray(index.sizes)
    return np.asarray(index.sizes)[view.below(synset)[index.labels]]


def synset_statistics(
    view: DatasetView,
    synset: int,
    dimensions: tuple[np.ndarray, np.ndarray] | None = None,
) -> SynsetStatistics:
    """``dimensions``: (widths, heights) of ``view.rows(synset)`` in that order, 0 where
    unknown (browser.core.images.dimensions)."""
    counts, hierarchy = view.counts, view.hierarchy
    children = [(c, int(counts.images[c])) for c in view.children(synset)]
    # A mask, not np.unique over the closure: under entity that is ~0.4 s of hashing.
    classes = np.flatnonzero(view.below(synset) & (counts.direct_images > 0))
    per_class = np.sort(counts.direct_images[classes])
    summary = view.index.size_summary
    if summary is None or int(counts.images[synset]) != len(view.index):
        summary = summarize_sizes(_sizes_below(view, synset))
    splits = {name: int(counts.split_images[i, synset]) for i, name in enumerate(counts.splits)}
    name = hierarchy.name(synset)
    captions = {}
    if children:
        top, top_images = children[0]
        total = int(counts.images[synset])
        captions["children"] = (
            f"{len(children)} children hold the {total:,} images of {name}; the largest, "
            f"{hierarchy.name(top)}, has {top_images:,} ({top_images / max(total, 1):.0%})."
        )
    if len(per_class):
        tail = per_class[: max(1, len(per_class) // 10)]
        low, high = int(per_class.min()), int(per_class.max())
        spread = (
            f"{low:,} image{'' if low == 1 else 's'} each"
            if low == high
            else f"{low:,}–{high:,} images (median {float(np.median(per_class)):,.0f})"
        )
        captions["per_class"] = (
            f"{len(per_class):,} classes hold {spread}; the smallest tenth holds "
            f"{int(tail.sum()) / max(1, int(per_class.sum())):.1%} of them."
        )
    if summary.count:
        captions["file_sizes"] = (
            f"Files are {summary.median / 1e3:,.0f} kB at the median, "
            f"{summary.p99 / 1e3:,.0f} kB at the 99th percentile."
        )
    if len(splits) > 1:
        captions["splits"] = ", ".join(f"{k} {v:,}" for k, v in splits.items()) + "."
    pixels, aspects = None, None
    if dimensions is not None:
        widths, heights = dimensions
        known = (widths > 0) & (heights > 0)
        if known.any():
            w, h = widths[known].astype(float), heights[known].astype(float)
            counts, x_edges, y_edges = np.histogram2d(w, h, bins=16)
            pixels = (
                [float(e) for e in x_edges],
                [float(e) for e in y_edges],
                [[int(c) for c in column] for column in counts],
            )
            ratio = w / h
            aspects = histogram(ratio)
            common = f"{int(np.median(w)):,} × {int(np.median(h)):,}"
            captions["pixels"] = (
                f"Median size {common} px; {float(np.mean((w < 256) | (h < 256))):.1%} of the "
                f"{int(known.sum()):,} measured images are under 256 px on a side."
            )
            captions["aspects"] = (
                f"{float(np.mean(ratio > 1.05)):.0%} landscape, {float(np.mean(ratio < 0.95)):.0%} "
                f"portrait; median aspect {float(np.median(ratio)):.2f}."
            )
    return SynsetStatistics(
        children,
        [int(n) for n in per_class],
        histogram(per_class),
        summary.histogram,
        splits,
        captions,
        pixels,
        aspects,
    )
