"""Facts about one image file for the metadata panel, read from its header only."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from browser.core.dataset.tarshards import open_image
from browser.core.images.decodebudget import budget_reason, fits_budget

_ORIENTATIONS = {
    1: "normal",
    2: "mirrored",
    3: "rotated 180°",
    4: "mirrored vertically",
    5: "mirrored, rotated 90° CCW",
    6: "rotated 90° CW",
    7: "mirrored, rotated 90° CW",
    8: "rotated 90° CCW",
}


@dataclass(frozen=True)
class ImageFacts:
    width: int = 0
    height: int = 0
    format: str = ""
    mode: str = ""
    orientation: str = ""
    error: str = ""  # non-empty when the file cannot be read as an image


def image_facts(path: str) -> ImageFacts:
    """Pixel size, format, mode and EXIF orientation; ``error`` says why if unreadable."""
    try:
        with open_image(path) as stream, Image.open(stream) as image:
            if image.format == "PNG" and "exif" not in image.info and not fits_budget(*image.size):
                # Pillow decodes a whole PNG to look for an eXIf chunk after the pixels.
                orientation = f"not read: {budget_reason(*image.size)}"
            else:
                tag = image.getexif().get(0x0112)
                orientation = _ORIENTATIONS.get(tag, f"unknown ({tag})") if tag else "none"
            return ImageFacts(
                image.width, image.height, image.format or "?", image.mode, orientation
            )
    except FileNotFoundError:
        return ImageFacts(error="the file is gone")
    except UnidentifiedImageError:
        return ImageFacts(error="not an image Pillow can read (unknown or damaged format)")
    except (OSError, ValueError, SyntaxError) as exc:
        return ImageFacts(error=f"cannot be read: {exc}")
