"""Squarified treemap layout (Bruls, Huizing and van Wijk, 2000) of a synset's children.

The children of the synset being looked at are laid out, then inside each tile (below a strip
for its name) its own children, and so on down while a tile is large enough to read what is
inside it (:func:`deep_layout`). So the cost depends on what is visible — at most one tile
per ``min_side``² pixels is subdivided — not on the 23k synsets of ImageNet-21k. Areas are
image counts; a child's counts are the same rolled-up counts the tree shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from browser.core.dataset.view import DatasetView


@dataclass(frozen=True)
class Tile:
    node: int
    images: int
    x: float
    y: float
    width: float
    height: float
    depth: int = 0  # 0: a child of the synset looked at; 1: a grandchild, drawn inside it…


def _worst(row: list[float], side: float) -> float:
    total = sum(row)
    return max(
        max(side * side * r / (total * total), total * total / (side * side * r)) for r in row
    )


def squarify(
    values: list[float], x: float, y: float, width: float, height: float
) -> list[tuple[float, float, float, float]]:
    """Rectangles (x, y, w, h) for ``values`` (sorted largest first) filling the box."""
    total = sum(values)
    if not values or total <= 0 or width <= 0 or height <= 0:
        return []
    scale = width * height / total
    areas = [v * scale for v in values]
    rects: list[tuple[float, float, float, float]] = []
    row: list[float] = []
    while areas:
        side = min(width, height)
        candidate = [*row, areas[0]]
        if not row or _worst(candidate, side) <= _worst(row, side):
            row = candidate
            areas.pop(0)
            continue
        x, y, width, height = _place_row(row, x, y, width, height, rects)
        row = []
    if row:
        _place_row(row, x, y, width, height, rects)
    return rects


def _place_row(
    row: list[float],
    x: float,
    y: float,
    width: float,
    height: float,
    rects: list[tuple[float, float, float, float]],
) -> tuple[float, float, float, float]:
    total = sum(row)
    if width >= height:  # a column along the left side
        column = total / height
        offset = y
        for area in row:
            rects.append((x, offset, column, area / column))
            offset += area / column
        return x + column, y, width - column, height
    band = total / width  # a row along the top
    offset = x
    for area in row:
        rects.append((offset, y, area / band, band))
        offset += area / band
    return x, y + band, width, height - band


def through_chains(view: DatasetView, node: int) -> int:
    """Past single-child chains (living thing → organism → animal): the first synset below
    ``node`` whose images split between several children, so every map shows a split."""
    children = view.children(node)
    while len(children) == 1:
        node = children[0]
        children = view.children(node)
    return node


def layout(view: DatasetView, node: int, width: float, height: float) -> list[Tile]:
    """The children of ``node`` (those with images; past single-child chains), as tiles
    filling width × height."""
    bottom = through_chains(view, node)
    children = view.children(bottom) or [bottom]  # most images first; a class: itself
    images = [int(view.counts.images[c]) for c in children]
    rects = squarify([float(n) for n in images], 0.0, 0.0, width, height)
    return [Tile(c, n, *r) for c, n, r in zip(children, images, rects, strict=True)]


def nested_layout(
    view: DatasetView, node: int, width: float, height: float, header: float = 18.0
) -> tuple[list[Tile], list[Tile]]:
    """The children of ``node`` as tiles, and inside each (below a header strip for its name)
    its own children: two levels, so a large child does not hide what it is made of."""
    tiles = layout(view, node, width, height)
    inner: list[Tile] = []
    for tile in tiles:
        if tile.width < 40 or tile.height < header + 20:
            continue
        children = view.children(through_chains(view, tile.node))
        images = [int(view.counts.images[c]) for c in children]
        rects = squarify(
            [float(n) for n in images],
            tile.x + 2,
            tile.y + header,
            tile.width - 4,
            tile.height - header - 2,
        )
        inner += [Tile(c, n, *r) for c, n, r in zip(children, images, rects, strict=True)]
    return tiles, inner


MIN_SIDE = 40.0  # pixels: a tile narrower or lower than this is not subdivided (unreadable)
MAX_DEPTH = 12  # levels below the synset looked at; the space runs out long before


def deep_layout(
    view: DatasetView,
    node: int,
    width: float,
    height: float,
    *,
    header: float = 18.0,
    min_side: float = MIN_SIDE,
    max_depth: int = MAX_DEPTH,
) -> list[Tile]:
    """The children of ``node`` as tiles, and inside each (below a ``header`` strip for its
    name) its own children, as deep as the space allows: a tile is subdivided only while the
    room left for its children is at least ``min_side`` wide and high. Parents come before
    their children (pre-order), so drawing in order paints children over their parent."""
    tiles: list[Tile] = []

    def place(tile: Tile) -> None:
        tiles.append(tile)
        inner_width, inner_height = tile.width - 4, tile.height - header - 2
        if tile.depth >= max_depth or inner_width < min_side or inner_height < min_side:
            return
        children = view.children(tile.node)
        images = [int(view.counts.images[c]) for c in children]
        rects = squarify(
            [float(n) for n in images], tile.x + 2, tile.y + header, inner_width, inner_height
        )
        for child, count, rect in zip(children, images, rects, strict=True):
            place(Tile(_named(view, child), count, *rect, depth=tile.depth + 1))

    bottom = through_chains(view, node)
    children = view.children(bottom) or [bottom]
    images = [int(view.counts.images[c]) for c in children]
    for child, count, rect in zip(
        children, images, squarify([float(n) for n in images], 0.0, 0.0, width, height), strict=True
    ):
        place(Tile(_named(view, child), count, *rect))
    return tiles


def _named(view: DatasetView, node: int) -> int:
    """The synset a tile stands for: past a chain of single children that holds no images of
    its own (sporting dog → retriever → golden retriever), so a tile is named by what it
    holds, not by the first link of the chain."""
    children = view.children(node)
    while len(children) == 1 and not view.counts.direct_images[node]:
        node = children[0]
        children = view.children(node)
    return node
