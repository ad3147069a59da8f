"""Datasets whose images say who they are in their pixels, and reading back what the grid painted.

Three datasets collide on purpose: the same relative paths, the same row counts, different
pixels. Every image is one solid colour, unique across all three, so a cell that shows another
image's thumbnail (another row, another dataset) is seen in the painted pixels themselves.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtGui import QColor, QImage, QPalette

from browser.qt.widgets.cell_painter import CellPainter
from browser.qt.window.main_window import MainWindow
from tests.conftest import DOG, GOLDEN, TABBY, TENCH

# Same layout in every dataset: (class folder, images in it).
CLASSES = ((GOLDEN, 4), (DOG, 2), (TABBY, 3), (TENCH, 3))
RELPATHS = [f"train/{wnid}/img{i}.png" for wnid, count in CLASSES for i in range(count)]
_STEP = 48  # channel distance between two codes: far above any scaling error


def colour_code(dataset: int, image: int) -> tuple[int, int, int]:
    """A colour unique to (dataset, image); channels in 24..168, far from white and grey."""
    code = dataset * len(RELPATHS) + image
    return (24 + _STEP * (code % 4), 24 + _STEP * (code // 4 % 4), 24 + _STEP * (code // 16 % 4))


def build_datasets(root: Path, count: int = 3) -> list[Path]:
    roots = []
    for number in range(count):
        folder = root / f"set{number}"
        for image, relpath in enumerate(RELPATHS):
            path = folder / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (96, 96), colour_code(number, image)).save(path, "PNG")
        roots.append(folder)
    return roots


def identify(colour: QColor, codes: dict[tuple[int, int, int], tuple[int, str]]) -> object:
    """The (dataset, relpath) whose code is nearest, if near; else the colour itself."""
    rgb = (colour.red(), colour.green(), colour.blue())
    best = min(codes, key=lambda c: sum(abs(a - b) for a, b in zip(c, rgb, strict=True)))
    if sum(abs(a - b) for a, b in zip(best, rgb, strict=True)) <= 30:
        return codes[best]
    return rgb


def all_codes(roots: list[Path]) -> dict[tuple[int, int, int], tuple[int, str]]:
    return {
        colour_code(number, image): (number, relpath)
        for number in range(len(roots))
        for image, relpath in enumerate(RELPATHS)
    }


def painted_cells(window: MainWindow) -> dict[int, QColor]:
    """The colour painted where each visible cell's picture goes, from a grab of the grid."""
    grid = window.grid
    image: QImage = grid.viewport().grab().toImage()
    found = {}
    for position in grid.visible_positions():
        cell = grid.visualRect(grid.grid_model.index_at(position))
        picture = CellPainter.picture_area(cell)
        x, y = picture.center().x(), picture.bottom() - 4
        if 0 <= x < image.width() and 0 <= y < image.height():
            found[position] = image.pixelColor(x, y)
    return found


def placeholder_colour(window: MainWindow) -> QColor:
    return window.grid.palette().color(QPalette.ColorRole.AlternateBase)
