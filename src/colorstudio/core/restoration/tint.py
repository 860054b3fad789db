"""A toned (sepia, selenium) or yellowed colour scan of a black-and-white print -> its neutral lightness.

The colorizer only keeps a photo's lightness, so the scan's colour is thrown away anyway. What the
cast still does is darken the tones: a yellowed paper white has an L* of ~90, not ~100, and a sepia
toned print's blue channel barely contributes to its luminance. ``neutralize`` therefore balances the
scan first (white-patch, in linear light: the brightest tones are made neutral by per-channel gains,
which is exact for a multiplicative tint) and then takes CIE L* of the result through
``color.lightness``, i.e. the perceptual lightness, not a channel average.

The gains are a global property of the photo: ``white_balance_gains`` measures them once (on a
subsample) so that every tile of a large scan is balanced alike.
"""

from __future__ import annotations

import numpy as np

from colorstudio.core import color

MAX_GAIN = 2.0  # a cast stronger than this is the print's real tone, not a yellowed white
WHITE_FRACTION = 0.01  # the brightest 1 % of the pixels is taken as the paper / highlight white
SAMPLE_PIXELS = 250_000  # statistics are measured on a strided subsample of about this many pixels


def _is_color(pixels: np.ndarray) -> bool:
    return pixels.ndim == 3 and pixels.shape[2] == 3


def _subsample(pixels: np.ndarray) -> np.ndarray:
    step = max(1, int(np.sqrt(pixels.shape[0] * pixels.shape[1] / SAMPLE_PIXELS)))
    return pixels[::step, ::step]


def _to_linear(pixels: np.ndarray) -> np.ndarray:
    v = np.clip(color.to_unit_float(pixels), 0.0, 1.0)
    return np.where(v <= 0.04045, v / np.float32(12.92),
                    ((v + np.float32(0.055)) / np.float32(1.055)) ** np.float32(2.4)).astype(np.float32)


def white_balance_gains(rgb: np.ndarray) -> np.ndarray:
    """Linear-light gains (3,) that make the scan's brightest tones neutral (ones for a gray image).

    The brightest channel keeps gain 1 and the others are raised to meet it, so balancing never
    pushes the white reference out of range; gains are capped at ``MAX_GAIN``.
    """
    if not _is_color(rgb):
        return np.ones(3, np.float32)
    linear = _to_linear(_subsample(rgb)).reshape(-1, 3)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    cutoff = np.quantile(luminance, 1.0 - WHITE_FRACTION)
    white = linear[luminance >= cutoff].mean(axis=0)
    if white.max() <= 1e-4:
        return np.ones(3, np.float32)
    return np.clip(white.max() / np.maximum(white, 1e-6), 1.0, MAX_GAIN).astype(np.float32)


def neutralize(rgb: np.ndarray, gains: np.ndarray | None = None) -> np.ndarray:
    """L* (H, W) float32 in [0, 100] of a colour-cast scan after white balancing it.

    ``gains`` (from ``white_balance_gains`` on the whole photo) may be passed when working on a
    tile; by default they are measured on ``rgb`` itself. Gray input is returned as its L*.
    """
    if not _is_color(rgb):
        return color.lightness(rgb)
    if gains is None:
        gains = white_balance_gains(rgb)
    if np.allclose(gains, 1.0):
        return color.lightness(rgb)
    balanced = color.linear_to_srgb(_to_linear(rgb) * np.asarray(gains, np.float32))
    return color.lightness(balanced)


def cast_strength(rgb: np.ndarray) -> float:
    """Mean chroma (CIE C*ab) of the scan: ~0 for a neutral scan, ~10-25 for sepia or yellowed paper.

    Meant for telling the user (or choosing a preset) how toned a scan is; measured on a subsample.
    """
    if not _is_color(rgb):
        return 0.0
    lab = color.rgb_to_lab(np.ascontiguousarray(_subsample(rgb)))
    return float(np.mean(np.hypot(lab[..., 1], lab[..., 2])))
