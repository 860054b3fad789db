"""numpy <-> QImage, and the image pyramid the viewer paints from (built off the GUI thread)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage


def to_display_rgb(pixels: np.ndarray) -> np.ndarray:
    """8-bit RGB (H, W, 3) for display, from gray or RGB, 8- or 16-bit."""
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    return np.ascontiguousarray(pixels)


def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns a copy of the 8-bit RGB pixels."""
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class Pyramid:
    """The image at full size and successive halvings down to ``smallest`` pixels, so the viewer paints
    a level near the screen size instead of scaling a 24-megapixel image on every repaint."""

    def __init__(self, rgb: np.ndarray, smallest: int = 256) -> None:
        import cv2

        level = to_display_rgb(rgb)
        self.levels = [to_qimage(level)]
        while max(level.shape[:2]) > smallest * 2:
            # OpenCV's area averaging: several times faster than QImage.scaled on a 24-megapixel photo
            level = cv2.resize(level, (max(1, level.shape[1] // 2), max(1, level.shape[0] // 2)),
                               interpolation=cv2.INTER_AREA)
            self.levels.append(to_qimage(level))

    @property
    def width(self) -> int:
        return self.levels[0].width()

    @property
    def height(self) -> int:
        return self.levels[0].height()

    def level_for(self, scale: float) -> tuple[QImage, float]:
        """The smallest level still at least as sharp as ``scale`` (screen px per image px), and its factor."""
        factor = 1.0
        chosen = self.levels[0]
        for level in self.levels[1:]:
            f = level.width() / self.width
            if f < scale:
                break
            chosen, factor = level, f
        return chosen, factor


class _LoadSignals(QObject):
    loaded = Signal(int, object, object)  # item id, before Pyramid, after Pyramid (None if unreadable)


class PairLoader(QObject):
    """Reads a photo and its colorized output from disk in the background, for the viewer."""

    loaded = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _LoadSignals()
        self._signals.loaded.connect(self.loaded)

    def load(self, item_id: int, source: Path, output: Path | None) -> None:
        self.pool.start(_LoadTask(item_id, source, output, self._signals))


class _LoadTask(QRunnable):
    def __init__(self, item_id: int, source: Path, output: Path | None, signals: _LoadSignals) -> None:
        super().__init__()
        self.args = (item_id, source, output)
        self.signals = signals

    def run(self) -> None:
        from colorstudio.core import imageio
        from colorstudio.core.errors import ColorStudioError

        item_id, source, output = self.args
        pyramids = []
        for path in (source, output):
            try:
                pyramids.append(Pyramid(imageio.read_image(path).pixels) if path else None)
            except ColorStudioError:
                pyramids.append(None)
        self.signals.loaded.emit(item_id, *pyramids)
