"""A 64-bit perceptual hash per image: the sign pattern of the low frequencies of its DCT.

The image is decoded small (JPEG draft mode gives a 1/8-scale decode almost for free),
turned grey, resized to 32×32, and the 8×8 lowest DCT frequencies (without the constant
term) are compared to their median: one bit each. Resizing and recompressing an image moves
few bits; different images differ in about half of them.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageOps

from browser.core.dataset.tarshards import open_image
from browser.core.images.decodebudget import prepare_decode

_SIZE = 32


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    matrix = np.cos(math.pi * (2 * i + 1) * k / (2 * n)) * math.sqrt(2 / n)
    matrix[0] /= math.sqrt(2)
    return matrix


_DCT = _dct_matrix(_SIZE)
_BITS = (1 << np.arange(64, dtype=np.uint64)).astype(np.uint64)


def image_hash(image: Image.Image) -> int:
    """The 64-bit hash of an image."""
    grey = np.asarray(
        image.convert("L").resize((_SIZE, _SIZE), Image.Resampling.BILINEAR), dtype=np.float64
    )
    low = (_DCT @ grey @ _DCT.T)[:8, :8].ravel()
    bits = low > np.median(low[1:])  # the constant term would skew the median
    return int(_BITS[bits].sum())


def file_hash(path: str) -> int:
    """The hash of an image file (or tar member); raises OSError/ValueError if undecodable
    (TooLargeToDecode, before decoding, if over the pixel budget even when drafted)."""
    with open_image(path) as stream, Image.open(stream) as image:
        prepare_decode(image, "L", (64, 64))
        return image_hash(ImageOps.exif_transpose(image))


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()
