"""The user's own edits of the dust mask: brush strokes that add to it or erase from it.

Strokes are kept in photo pixel coordinates (resolution independent of the screen, small enough to save
with the queue) and drawn into each tile's mask before inpainting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Stroke:
    x: float
    y: float
    radius: float
    add: bool = True  # False: erase from the mask

    def to_json(self) -> list:
        return [self.x, self.y, self.radius, self.add]

    @classmethod
    def from_json(cls, data: Sequence) -> Stroke:
        x, y, radius, add = data
        return cls(float(x), float(y), float(radius), bool(add))


def apply_strokes(mask: np.ndarray, strokes: Sequence[Stroke], origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """``mask`` (bool, a window of the photo whose top-left is ``origin`` = (y, x)) with the strokes drawn in
    order: later strokes win, so erasing after adding removes what was added."""
    if not strokes:
        return mask
    canvas = mask.astype(np.uint8)
    oy, ox = origin
    h, w = canvas.shape
    for s in strokes:
        r = max(1, int(round(s.radius)))
        cx, cy = int(round(s.x)) - ox, int(round(s.y)) - oy
        if -r <= cx < w + r and -r <= cy < h + r:
            cv2.circle(canvas, (cx, cy), r, 1 if s.add else 0, thickness=-1)
    return canvas.astype(bool)
