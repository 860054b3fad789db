"""numpy <-> QImage, and the image pyramid the viewer paints from (built off the GUI thread)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage


def to_display(pixels: np.ndarray) -> np.ndarray:
    """8-bit gray (H, W) or RGB (H, W, 3), contiguous, from 8- or 16-bit; 8-bit contiguous input is
    returned as it is (no copy)."""
    if pixels.dtype == np.uint16:
        # a ufunc with an output buffer: numpy releases the GIL, so the window keeps painting
        pixels = np.right_shift(pixels, 8, out=np.empty_like(pixels)).astype(np.uint8)
    return np.ascontiguousarray(pixels)


def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns a copy of the 8-bit RGB pixels."""
    return wrap_qimage(np.ascontiguousarray(rgb)).copy()


def wrap_qimage(pixels: np.ndarray) -> QImage:
    """A QImage over the buffer of 8-bit contiguous gray (H, W) or RGB (H, W, 3) pixels, without a copy.

    The caller keeps ``pixels`` alive (and unchanged) for as long as the QImage is used.
    """
    h, w = pixels.shape[:2]
    if pixels.ndim == 2:
        return QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8)
    return QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888)


class Pyramid:
    """The image at full size and successive halvings down to ``smallest`` pixels, so the viewer paints
    a level near the screen size instead of scaling a 24-megapixel image on every repaint.

    Built off the GUI thread without holding Python's GIL for long: no full-size copy is made (level 0
    wraps the photo's own 8-bit buffer; gray stays gray), and the halvings are OpenCV's, which release
    the GIL. The pyramid keeps its arrays, so its QImages stay valid while it lives.

    A pyramid may stand for a larger photo than its pixels (``size``: the photo's (width, height)), e.g. the
    hint tool's live preview at screen size: it is drawn over the photo's whole area, just less sharp.
    """

    def __init__(self, pixels: np.ndarray, smallest: int = 256, size: tuple[int, int] | None = None) -> None:
        import cv2

        level = to_display(pixels)
        self._size = size or (level.shape[1], level.shape[0])
        self._arrays = [level]
        while max(level.shape[:2]) > smallest * 2:
            # OpenCV's area averaging: several times faster than QImage.scaled on a 24-megapixel photo
            level = cv2.resize(level, (max(1, level.shape[1] // 2), max(1, level.shape[0] // 2)),
                               interpolation=cv2.INTER_AREA)
            self._arrays.append(level)
        self.levels = [wrap_qimage(a) for a in self._arrays]

    @property
    def width(self) -> int:
        """The photo's width (its level 0's, unless it stands for a larger photo)."""
        return self._size[0]

    @property
    def height(self) -> int:
        return self._size[1]

    def level_for(self, scale: float) -> tuple[QImage, float]:
        """The smallest level still at least as sharp as ``scale`` (screen px per photo px), and its factor
        (level px per photo px)."""
        chosen = self.levels[0]
        factor = chosen.width() / self.width
        for level in self.levels[1:]:
            f = level.width() / self.width
            if f < scale:
                break
            chosen, factor = level, f
        return chosen, factor


def load_pair(source: Path, output: Path | None) -> tuple[Pyramid | None, Pyramid | None, str]:
    """A photo and its colorized output read from disk, for the viewer (run off the GUI thread);
    None for a side that cannot be read, and why the photo could not be."""
    from colorstudio.core import imageio
    from colorstudio.core.errors import ColorStudioError

    pyramids, error = [], ""
    for path in (source, output):
        try:
            pyramids.append(Pyramid(imageio.read_image(path).pixels) if path else None)
        except ColorStudioError as exc:
            pyramids.append(None)
            error = error or str(exc)
    return pyramids[0], pyramids[1], error


def overlay_image(mask, longest: int = 2048):
    """A translucent red QImage of ``mask`` (bool), at most ``longest`` px, for the viewer."""
    import cv2

    h, w = mask.shape
    scale = min(1.0, longest / max(h, w))
    small = cv2.resize(mask.astype(np.uint8) * 255, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1 else mask.astype(np.uint8) * 255
    rgba = np.zeros(small.shape + (4,), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 3] = (small.astype(np.uint16) * 170 // 255).astype(np.uint8)
    return QImage(rgba.data, rgba.shape[1], rgba.shape[0], 4 * rgba.shape[1],
                  QImage.Format.Format_RGBA8888).copy()


def pixel_lab(pyramid: Pyramid | None, x: float, y: float) -> np.ndarray | None:
    """CIELab of the photo point (x, y) as ``pyramid`` shows it at its sharpest level; None outside."""
    from colorstudio.core import color

    if pyramid is None:
        return None
    image, factor = pyramid.level_for(1e9)
    px, py = int(x * factor), int(y * factor)
    if not (0 <= px < image.width() and 0 <= py < image.height()):
        return None
    rgb = image.pixelColor(px, py).getRgb()[:3]
    return color.rgb_to_lab(np.array([[rgb]], np.uint8))[0, 0]
