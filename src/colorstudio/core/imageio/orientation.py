"""EXIF orientation (tag 0x0112): turning stored pixels into the upright picture.

One numpy implementation serves every decoder (Pillow, tifffile, OpenCV), so 8-bit and 16-bit photos
are turned the same way, and alpha is turned with its pixels.
"""

from __future__ import annotations

import numpy as np

ORIENTATION_TAG = 0x0112


def is_transposed(orientation: int) -> bool:
    """Whether this orientation swaps width and height (the 90-degree cases)."""
    return orientation in (5, 6, 7, 8)


def apply_orientation(array: np.ndarray, orientation: int) -> np.ndarray:
    """Return ``array`` (H, W[, C]) as it should be displayed for EXIF ``orientation`` 1..8.

    Unknown or missing values (0, 9, garbage) mean "as stored", like every viewer treats them.
    The result is C-contiguous.
    """
    if orientation == 2:  # mirrored left-right
        out = array[:, ::-1]
    elif orientation == 3:  # upside down
        out = array[::-1, ::-1]
    elif orientation == 4:  # mirrored top-bottom
        out = array[::-1]
    elif orientation == 5:  # mirrored along the main diagonal
        out = array.swapaxes(0, 1)
    elif orientation == 6:  # stored rotated 90 degrees anticlockwise: turn clockwise
        out = np.rot90(array, k=-1)
    elif orientation == 7:  # mirrored along the anti-diagonal
        out = np.rot90(array, k=2).swapaxes(0, 1)
    elif orientation == 8:  # stored rotated 90 degrees clockwise: turn anticlockwise
        out = np.rot90(array, k=1)
    else:
        out = array
    return np.ascontiguousarray(out)


def orientation_from_value(value: object) -> int:
    """The orientation as an int 1..8 from whatever a tag reader returned, defaulting to 1."""
    if isinstance(value, (tuple, list)) and value:
        value = value[0]
    try:
        orientation = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 1
    return orientation if 1 <= orientation <= 8 else 1
