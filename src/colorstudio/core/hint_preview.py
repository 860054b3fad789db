"""The hint tool's live preview: each edit of a photo's colour hints shown within a fraction of a second.

A batch render of a 12-megapixel photo takes seconds (the network at the render size, then the join at full
resolution). The preview instead works at screen size (``VIEW_SIDE``), and in two steps:

- ``prepare`` (when the hint tool is switched on for the photo): read it once, shrink it to screen size, run
  the network once without hints, keep its chroma (``pipeline.predict``).
- ``quick(hints)`` (every edit): spread the hints over the kept chroma and compose at screen size: no network.
- ``exact(hints)`` (once the edits pause): the network again, now seeing the hints, as the batch will; it
  stops between tiles when a newer edit arrives (its ``RunControl.should_cancel``).

Both are the batch pipeline's own steps (``pipeline.predict``, ``Prediction.compose``) at screen size, so
what the preview shows is what the batch writes, shrunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from colorstudio.core import pipeline
from colorstudio.core.hints import ColorHint
from colorstudio.core.options import ColorizeOptions
from colorstudio.core.run_control import RunControl

VIEW_SIDE = 1280  # long side of the preview: about a laptop screen's viewer pane at "fit"


def screen_size(pixels: np.ndarray, side: int = VIEW_SIDE) -> np.ndarray:
    """The photo shrunk (area averaging) to at most ``side`` pixels on its long side."""
    h, w = pixels.shape[:2]
    if max(h, w) <= side:
        return pixels
    scale = side / max(h, w)
    return cv2.resize(pixels, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


class HintPreview:
    """One photo's live preview (see the module's text). ``pixels``: the photo as read, full size."""

    def __init__(self, model, pixels: np.ndarray, options: ColorizeOptions, side: int = VIEW_SIDE,
                 control: RunControl = RunControl()) -> None:
        self.model = model
        self.photo_shape = pixels.shape[:2]
        self.view = screen_size(pixels, side)
        self.scale = self.view.shape[1] / pixels.shape[1]  # photo pixels -> preview pixels
        # the network never sees more than the preview has; never enlarged (render_shape)
        render = min(options.render_size or side, side)
        self.options = replace(options, render_size=render)  # restoration too runs at screen size
        self.base = pipeline.predict(self.view, model, self.options, control=control)

    def _scaled(self, hints: Sequence[ColorHint]) -> list[ColorHint]:
        return [h.scaled(self.scale) for h in hints]

    def quick(self, hints: Sequence[ColorHint]) -> np.ndarray:
        """The preview (RGB, screen size) with ``hints`` spread over the network's hint-less chroma."""
        return self.base.compose(self._scaled(hints))

    def suggest(self, x: float, y: float, radius: float = 0.0):
        """The model's colour at photo point (x, y) and its alternatives (``hint_suggest``)."""
        from colorstudio.core.device import resolve_device
        from colorstudio.core.hint_suggest import suggest_colours

        k = self.scale * self.base.scale  # photo pixels -> the network's
        return suggest_colours(self.model, self.base.render, x * k, y * k, device=resolve_device(self.options.device),
                               radius=max(1, round(radius * k)))

    def exact(self, hints: Sequence[ColorHint], control: RunControl = RunControl()) -> np.ndarray:
        """The preview as the batch renders it: the network sees the hints, then they are spread. Raises
        ``Cancelled`` when ``control.should_cancel()`` turns true between tiles."""
        scaled = self._scaled(hints)
        if not scaled or not self.model.accepts_hints:
            return self.base.compose(scaled)  # the network would give what it gave
        prediction = pipeline.predict(self.view, self.model, self.options, hints=scaled, control=control)
        return prediction.compose(scaled)
