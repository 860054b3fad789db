"""Small pictures of photos for lists (the window's queue), read through the reader and its size guard.

A thumbnail is decoded the way :func:`read_image` decodes the photo, so every file the reader accepts
(a 200-megapixel scan included, up to ``max_pixels``) gets one, and every file it refuses is refused with
the same message. A JPEG is decoded at a reduced scale (1/2 to 1/8, in the decoder itself); other formats
are decoded in full and shrunk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core.imageio.photo import DEFAULT_MAX_PIXELS, ImageInfo
from colorstudio.core.imageio.reader import decode_image, probe_image


@dataclass
class Thumbnail:
    """``pixels``: upright 8-bit RGB (h, w, 3), C-contiguous, longest side at most the size asked for;
    ``info``: the photo's own header facts (its full upright size, format, note)."""

    pixels: np.ndarray
    info: ImageInfo


def _fit(pixels: np.ndarray, size: int) -> np.ndarray:
    """``pixels`` shrunk (area average) so that the longest side is at most ``size``, as 8-bit RGB."""
    height, width = pixels.shape[:2]
    scale = size / max(height, width)
    if scale < 1:
        target = (max(1, round(width * scale)), max(1, round(height * scale)))
        pixels = cv2.resize(pixels, target, interpolation=cv2.INTER_AREA)
    if pixels.dtype == np.uint16:
        pixels = np.round(pixels / 257.0).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    return np.ascontiguousarray(pixels)


def read_thumbnail(
    path: str | os.PathLike[str], size: int, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Thumbnail:
    """An upright RGB picture of the photo at most ``size`` pixels on its longest side, with its header facts.

    Raises ImageReadError for the files :func:`read_image` refuses (same messages). Transparency is
    dropped: a thumbnail shows the colours under it.
    """
    if size < 1:
        raise ValueError(f"a thumbnail needs a size of at least 1 pixel, not {size}")
    path = Path(path)
    info = probe_image(path, max_pixels=max_pixels)
    photo = decode_image(path, max_pixels, draft=2 * size)
    return Thumbnail(_fit(photo.pixels, size), info)
