"""One pixel budget for every full decode the app makes (thumbnails, hashes, previews).

A 13,000 × 13,000 PNG can be a 500 KB file whose pixels take 507 MB (RGB) to 676 MB (Qt's
RGB32) once decoded, and Pillow only *warns* below 179 Mpx (its ``DecompressionBombError``
starts at twice ``Image.MAX_IMAGE_PIXELS``). Four such files decoded at once took the window
from 230 MB to 4 GB. So before any pixel is decoded, the header's size is checked:

- a JPEG (or MPO) is reduced while decoding (libjpeg's DCT scaling, Pillow's ``draft``) by
  1/2, 1/4 or 1/8 — as far as the caller's target size allows, and further if needed to fit
  the budget;
- anything still over ``MAX_DECODE_PIXELS`` after that is refused with a reason
  (:class:`TooLargeToDecode`), which the caller shows (on the tile, in the preview) or
  records (an image without a hash).

40 Mpx is 160 MB at 4 bytes per pixel, the most one decode may hold (plus the converted copies
a thumbnail makes). It is larger than any ImageNet image (the largest ILSVRC-2012 image is
about 10 Mpx) and than a 50-megapixel camera's JPEG once drafted to 1/2.
"""

from __future__ import annotations

from PIL import Image

MAX_DECODE_PIXELS = 40_000_000
_DRAFT_SCALES = (1, 2, 4, 8)  # libjpeg's reductions while decoding


class TooLargeToDecode(ValueError):
    """The image's pixels would not fit the decode budget; ``str()`` says why."""


def budget_reason(width: int, height: int) -> str:
    return (
        f"too large to decode: {width:,} × {height:,} pixels "
        f"({width * height / 1e6:,.0f} Mpx) is over the "
        f"{MAX_DECODE_PIXELS / 1e6:,.0f} Mpx budget"
    )


def draft_scale(width: int, height: int, target: tuple[int, int] | None) -> int:
    """The JPEG reduction (1, 2, 4 or 8) for a decode toward ``target`` (None: full size)
    that also fits the budget if any reduction can."""
    scale = 1
    if target is not None:
        wanted = min(width // max(1, target[0]), height // max(1, target[1]))
        scale = max(s for s in _DRAFT_SCALES if s <= max(1, wanted))
    while scale < _DRAFT_SCALES[-1] and _reduced(width, scale) * _reduced(height, scale) > (
        MAX_DECODE_PIXELS
    ):
        scale *= 2
    return scale


def _reduced(length: int, scale: int) -> int:
    return (length + scale - 1) // scale  # libjpeg rounds a reduced side up


def fits_budget(width: int, height: int) -> bool:
    return width * height <= MAX_DECODE_PIXELS


def prepare_decode(
    image: Image.Image, mode: str | None = None, target: tuple[int, int] | None = None
) -> None:
    """Set up ``image`` (freshly opened, nothing decoded) for a bounded decode.

    A JPEG is drafted (in ``mode`` if it can be, e.g. "L" or "RGB") toward ``target`` and at
    least as far as the budget needs; other formats cannot be reduced while decoding. Raises
    :class:`TooLargeToDecode` if the decode would still be over the budget — before any
    pixel is decoded.
    """
    width, height = image.size
    if image.format in ("JPEG", "MPO"):
        scale = draft_scale(width, height, target)
        # Pillow picks the largest reduction whose result still covers the size it is given;
        # floor division makes that exactly ``scale``. It honours only the first draft call.
        image.draft(mode, (max(1, width // scale), max(1, height // scale)))
    if not fits_budget(*image.size):
        raise TooLargeToDecode(budget_reason(width, height))
