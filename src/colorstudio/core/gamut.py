"""The colours that exist at one lightness: the CIELab ab plane at a given L*, and which of its colours
sRGB can show. The hint colour chooser lets the user pick from this plane.

Plane geometry (``size`` x ``size`` pixels, ``extent`` ab units from the centre to an edge): a* grows to
the right, b* grows upward, the centre is a* = b* = 0 (the gray of that lightness). Pixel (px, py) is
the square [px, px + 1) x [py, py + 1); its colour is the one at its centre, so ``ab_at`` and
``pixel_of`` take and give fractional pixel positions and are exact inverses.

White point and ranges are color.py's (D65, L* in [0, 100], a*/b* about +-110).
"""

from __future__ import annotations

import numpy as np

from colorstudio.core import color

GAMUT_TOLERANCE = 1e-4  # slack on linear sRGB channels, as color.compose_rgb allows (float32 rounding)
_SCALE_STEPS = 1024  # nearest_in_gamut tries this many chroma scales at once (C / 1024 apart)


def _displayable(linear: np.ndarray) -> np.ndarray:
    """(..., 3) linear sRGB -> (...) bool: every channel within [0, 1] up to GAMUT_TOLERANCE."""
    return ((linear >= -GAMUT_TOLERANCE) & (linear <= 1.0 + GAMUT_TOLERANCE)).all(axis=-1)


def _clip_lightness(lightness: float) -> np.float32:
    return np.float32(min(max(float(lightness), 0.0), color.L_SCALE))


def ab_at(px: float, py: float, size: int = 200, extent: float = 110.0) -> tuple[float, float]:
    """The (a*, b*) at pixel position (px, py) of the plane (integers are pixel centres)."""
    step = 2.0 * extent / size
    return (px + 0.5) * step - extent, extent - (py + 0.5) * step


def pixel_of(a: float, b: float, size: int = 200, extent: float = 110.0) -> tuple[float, float]:
    """The (fractional) pixel position of (a*, b*) on the plane: the inverse of ``ab_at``."""
    step = 2.0 * extent / size
    return (a + extent) / step - 0.5, (extent - b) / step - 0.5


def ab_plane(lightness: float, size: int = 200, extent: float = 110.0) -> tuple[np.ndarray, np.ndarray]:
    """The ab plane at L* ``lightness``: (sRGB uint8 (size, size, 3), displayable bool (size, size)).

    Where the mask is False the colour does not exist in sRGB at this lightness; its RGB there is the
    clipped conversion and is meant to be covered up, not shown.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1 pixel, not {size}")
    axis = ((np.arange(size, dtype=np.float32) + np.float32(0.5)) * np.float32(2.0 * extent / size)
            - np.float32(extent))
    lab = np.empty((size, size, 3), np.float32)
    lab[..., 0] = _clip_lightness(lightness)
    lab[..., 1] = axis[None, :]  # a* to the right
    lab[..., 2] = axis[::-1, None]  # b* up
    linear = color.lab_to_linear_rgb(lab)
    mask = _displayable(linear)
    rgb = color.linear_to_srgb(linear)
    rgb *= np.float32(255.0)
    rgb += np.float32(0.5)
    return rgb.astype(np.uint8), mask


def is_displayable(lightness: float, a: float, b: float) -> bool:
    """Whether sRGB can show (L*, a*, b*) as it is."""
    lab = np.array([_clip_lightness(lightness), a, b], np.float32)
    return bool(_displayable(color.lab_to_linear_rgb(lab)))


def nearest_in_gamut(lightness: float, a: float, b: float) -> tuple[float, float]:
    """(a, b) itself if displayable at this lightness, else the same hue with its chroma scaled down
    (to within 1/1024 of the chroma) until it is: a picked colour is then shown as it will be."""
    a, b = float(a), float(b)
    if is_displayable(lightness, a, b):
        return a, b
    scales = np.linspace(0.0, 1.0, _SCALE_STEPS + 1, dtype=np.float32)
    lab = np.empty((len(scales), 3), np.float32)
    lab[:, 0] = _clip_lightness(lightness)
    lab[:, 1] = scales * np.float32(a)
    lab[:, 2] = scales * np.float32(b)
    inside = _displayable(color.lab_to_linear_rgb(lab))
    # the last scale before the first one out (the gray at scale 0 is in for every L* in [0, 100])
    last_in = (int(np.argmin(inside)) if not inside.all() else len(scales)) - 1
    return float(lab[max(last_in, 0), 1]), float(lab[max(last_in, 0), 2])


def rgb_hex(lightness: float, a: float, b: float) -> str:
    """``"#rrggbb"`` of (L*, a*, b*) as a result would show it (chroma reduced as color.compose_rgb does)."""
    l_channel = np.full((1, 1), _clip_lightness(lightness), np.float32)
    ab = np.array([[[a, b]]], np.float32)
    r, g, bl = (int(v) for v in color.compose_rgb(l_channel, ab, np.uint8)[0, 0])
    return f"#{r:02x}{g:02x}{bl:02x}"
