"""The decoded photo and the cheap header probe returned by the reader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Default refusal threshold, in pixels. Well above a 600-dpi A4 scan (~35 MP) and a 1200-dpi one
#: (~140 MP), but below what would exhaust a typical desktop's memory once converted to float.
DEFAULT_MAX_PIXELS = 400_000_000

#: ``source_mode`` values, describing how the file stores its pixels (not how they are returned).
SOURCE_MODES = ("bilevel", "gray", "gray+alpha", "RGB", "RGBA", "palette", "CMYK")


@dataclass
class Photo:
    """A decoded image, ready for the colorizer, with the metadata that should travel to the output.

    ``pixels`` is (H, W) gray or (H, W, 3) RGB, uint8 or uint16, with the EXIF orientation already
    applied, so that row 0 is the top of the picture as the photographer meant it. ``exif`` is the
    source's EXIF with Orientation reset to 1 (the pixels are upright now); ``icc_profile`` is None
    when the colours were converted on reading (CMYK). ``note`` is what the user should be told about
    the reading ("" when nothing): an animation's first frame stands for the file.
    """

    pixels: np.ndarray
    alpha: np.ndarray | None
    source_format: str
    source_mode: str
    exif: bytes | None
    icc_profile: bytes | None
    path: Path | None = None
    note: str = ""

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def bit_depth(self) -> int:
        return 16 if self.pixels.dtype == np.uint16 else 8

    @property
    def is_gray(self) -> bool:
        return self.pixels.ndim == 2

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1e6


@dataclass
class ImageInfo:
    """What :func:`probe_image` learns from a file's header without decoding its pixels.

    ``width`` and ``height`` are the upright size (EXIF orientation applied), as :class:`Photo` has them;
    ``bit_depth`` is the depth :func:`read_image` will return (8 or 16); ``note`` is the note
    :func:`read_image` will give (see :class:`Photo`).
    """

    width: int
    height: int
    source_format: str
    source_mode: str
    bit_depth: int
    note: str = ""

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1e6
