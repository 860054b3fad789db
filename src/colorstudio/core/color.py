"""Colour conversion between sRGB and CIELab (D65), on float32 arrays, strip by strip.

Conventions used everywhere in colorstudio:
- L* in [0, 100]; the networks see ``L / L_SCALE`` in [0, 1].
- a*, b* roughly in [-110, 110]; the networks predict ``ab / AB_SCALE``.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

L_SCALE = 100.0
AB_SCALE = 110.0
DARK_LIMIT = 8.0
CONTRAST_PIVOT = 10.0  # the chroma (C*ab) that a colour contrast leaves as it is
MAX_CONTRAST_BOOST = 3.0


def _srgb_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _lightness_from_luminance(y: np.ndarray) -> np.ndarray:
    eps = 216.0 / 24389.0
    kappa = 24389.0 / 27.0
    return np.where(y > eps, 116.0 * np.cbrt(y) - 16.0, kappa * y)


@functools.lru_cache(maxsize=2)
def gray_to_lightness_lut(max_value: int) -> np.ndarray:
    """L* for every code value of an sRGB-encoded gray image with ``max_value`` (255 or 65535)."""
    v = np.arange(max_value + 1, dtype=np.float64) / max_value
    return _lightness_from_luminance(_srgb_to_linear(v)).astype(np.float32)


def max_value_of(dtype: np.dtype) -> int:
    if dtype == np.uint8:
        return 255
    if dtype == np.uint16:
        return 65535
    raise TypeError(f"unsupported pixel type {dtype}; expected uint8 or uint16")


def to_unit_float(pixels: np.ndarray) -> np.ndarray:
    """uint8/uint16 -> float32 in [0, 1]; float input is returned as float32 unchanged."""
    if pixels.dtype in (np.uint8, np.uint16):
        return pixels.astype(np.float32) * np.float32(1.0 / max_value_of(pixels.dtype))
    return pixels.astype(np.float32, copy=False)


def lightness(pixels: np.ndarray) -> np.ndarray:
    """L* (H, W) float32 of a gray (H, W) / (H, W, 1) or RGB (H, W, 3) image (uint8, uint16 or float in [0,1])."""
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    if pixels.ndim == 2:
        if pixels.dtype in (np.uint8, np.uint16):
            table = gray_to_lightness_lut(max_value_of(pixels.dtype))
            # OpenCV's table lookup is several times numpy's for 8 bits (it has none for 16)
            return cv2.LUT(pixels, table) if pixels.dtype == np.uint8 else table[pixels]
        return _lightness_from_luminance(_srgb_to_linear(np.clip(pixels, 0, 1))).astype(np.float32)
    return rgb_to_lab(pixels)[:, :, 0]


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (H, W, 3) uint8/uint16/float[0,1] -> Lab float32 (H, W, 3)."""
    return cv2.cvtColor(np.ascontiguousarray(to_unit_float(rgb)), cv2.COLOR_RGB2Lab)


_XYZ_TO_LINEAR_RGB = np.array([[3.2404542, -1.5371385, -0.4985314],
                               [-0.9692660, 1.8760108, 0.0415560],
                               [0.0556434, -0.2040259, 1.0572252]], np.float32)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883], np.float32)
_DELTA = 6.0 / 29.0


def lab_to_linear_rgb(lab: np.ndarray) -> np.ndarray:
    """Lab (..., 3) -> linear-light sRGB (..., 3), float32, NOT clipped (values outside [0, 1] are
    out of gamut). OpenCV's own conversion clips, which hides those colours."""
    lab = np.asarray(lab, np.float32)
    flat = lab.reshape(-1, 1, 3)
    return _linear_from_planes(flat[..., 0], flat[..., 1:]).reshape(lab.shape)


def linear_to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear light -> sRGB-encoded float32 in [0, 1] (clipped first)."""
    v = np.clip(linear, 0.0, 1.0).astype(np.float32, copy=False)
    return np.where(v <= 0.0031308, v * np.float32(12.92),
                    np.float32(1.055) * np.power(v, np.float32(1 / 2.4)) - np.float32(0.055))


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """Lab float32 (..., 3) -> sRGB float32 in [0, 1] (out-of-gamut colours clipped)."""
    return linear_to_srgb(lab_to_linear_rgb(lab))


def expand_chroma(ab: np.ndarray, contrast: float) -> np.ndarray:
    """ab (..., 2) with each chroma C scaled by (C / CONTRAST_PIVOT) ** contrast (at most 3-fold):
    colours a model is sure of (high chroma) grow bolder, unsure ones (low chroma, the muted average of
    several guesses) fade toward gray. ``contrast`` 0 leaves ``ab`` as it is."""
    if contrast == 0:
        return ab
    chroma = np.sqrt((ab * ab).sum(axis=-1, keepdims=True))
    factor = np.minimum((np.maximum(chroma, np.float32(1e-6)) / np.float32(CONTRAST_PIVOT)) ** np.float32(contrast),
                        np.float32(MAX_CONTRAST_BOOST))
    return ab * factor


# The white point folded into the XYZ -> linear RGB matrix: one pass less over every pixel.
LAB_TO_LINEAR = (_XYZ_TO_LINEAR_RGB * _WHITE_D65[None, :]).astype(np.float32)
GAMUT_TOLERANCE = 1e-4  # slack on linear channels: float32 rounding of an in-gamut colour is not "outside"
# Halvings of the chroma of a colour outside the gamut. 12 (1/4096 of its chroma) and not fewer: a colour just
# outside would otherwise lose a whole step (1/128 at 7) and jump by up to 3 levels at the dark end of the
# sRGB curve from one just inside, which two engines' rounding-level differences were seen to cross.
GAMUT_STEPS = 12


def _finv(t: np.ndarray) -> np.ndarray:
    """The inverse of CIELab's f: the cube everywhere, the linear part only on the (few) dark pixels (numpy's
    ``where`` would compute both everywhere)."""
    dark = t <= np.float32(_DELTA)
    cube = np.multiply(t, t)
    cube *= t
    if dark.any():
        cube[dark] = np.float32(3 * _DELTA * _DELTA) * (t[dark] - np.float32(4.0 / 29.0))
    return cube


def _linear_from_planes(l_channel: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """L* (H, W) and ab (H, W, 2) -> linear RGB (H, W, 3), unclipped, without building a Lab array."""
    fy = l_channel + np.float32(16.0)
    fy *= np.float32(1.0 / 116.0)
    fx = ab[..., 0] * np.float32(1.0 / 500.0)
    fx += fy
    fz = ab[..., 1] * np.float32(-1.0 / 200.0)
    fz += fy
    xyz = cv2.merge([_finv(fx), _finv(fy), _finv(fz)])
    return cv2.transform(xyz, LAB_TO_LINEAR)


def _inside_gamut(linear: np.ndarray) -> np.ndarray:
    """(H, W, 3) linear RGB -> (H, W) bool, every channel within [0, 1] (one OpenCV pass)."""
    low, high = (-GAMUT_TOLERANCE,) * 3, (1 + GAMUT_TOLERANCE,) * 3
    return cv2.inRange(linear, low, high) != 0


@functools.lru_cache(maxsize=1)
def linear_to_srgb8_table() -> np.ndarray:
    """Linear light quantised to 1/65535 -> the rounded 8-bit sRGB code. The quantisation moves a code by
    at most 0.025 of a level (at the darkest, where the curve is steepest), so a gray pixel's code
    comes back exactly."""
    v = np.arange(65536, dtype=np.float64) / 65535
    encoded = np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)
    return np.floor(encoded * 255 + 0.5).astype(np.uint8)


def _encode(linear: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Linear RGB -> rounded sRGB codes of ``dtype``: a table for 8 bits, the formula for 16."""
    if np.dtype(dtype) == np.uint8:
        # OpenCV's saturating conversion clips to [0, 1] and rounds to the table's index in one pass
        return linear_to_srgb8_table()[cv2.multiply(linear, 65535.0, dtype=cv2.CV_16U)]
    rgb = linear_to_srgb(linear)
    rgb *= np.float32(max_value_of(np.dtype(dtype)))
    rgb += np.float32(0.5)
    return rgb.astype(dtype)


def compose_rgb(l_channel: np.ndarray, ab: np.ndarray, dtype: np.dtype, steps: int = GAMUT_STEPS) -> np.ndarray:
    """Join L* (H, W) with ab (H, W, 2) into sRGB of ``dtype`` (uint8 or uint16), rounded.

    Where a colour does not exist at that lightness (outside the sRGB gamut), its chroma is reduced
    (bisection, ``steps`` halvings) instead of clipping the channels, which would change the lightness:
    the photo's own tones are what must survive.
    """
    if np.dtype(dtype) == np.uint8:
        return compose_lab(cv2.merge([np.asarray(l_channel, np.float32), np.asarray(ab, np.float32)]), dtype, steps)
    return _compose_exact(l_channel, ab, dtype, steps)


def compose_lab(lab: np.ndarray, dtype: np.dtype, steps: int = GAMUT_STEPS) -> np.ndarray:
    """``compose_rgb`` of an interleaved Lab array (H, W, 3) float32: the full-resolution join's fast path.

    For 8-bit output most pixels go through OpenCV's own Lab -> sRGB conversion (vectorised and threaded,
    about four times the speed of ``_compose_exact``; within 1 level of it, gray pixels exact). OpenCV clips
    colours outside the gamut, which changes their lightness, so every pixel with a channel at 0 or 255 (all
    clipped ones among them) is composed again exactly, with its chroma reduced where needed
    (benchmarks/bench_join.py).
    """
    if np.dtype(dtype) != np.uint8:
        return _compose_exact(lab[..., 0], lab[..., 1:], dtype, steps)
    out = cv2.multiply(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB), 255.0, dtype=cv2.CV_8U)
    suspect = cv2.inRange(out, (1, 1, 1), (254, 254, 254)) == 0
    if suspect.any():
        sub = lab[suspect][:, None]  # (n, 1, 3)
        out[suspect] = _compose_exact(sub[..., 0], sub[..., 1:], dtype, steps)[:, 0]
    return out


def _compose_exact(l_channel: np.ndarray, ab: np.ndarray, dtype: np.dtype, steps: int = GAMUT_STEPS) -> np.ndarray:
    """The join by the formulas: linear RGB kept unclipped to find the colours outside the gamut, their chroma
    bisected, then the sRGB encoding (a table for 8 bits)."""
    l_channel = np.asarray(l_channel, np.float32)
    ab = np.asarray(ab, np.float32)
    linear = _linear_from_planes(l_channel, ab)
    bad = ~_inside_gamut(linear)
    if bad.any():
        sub_l = l_channel[bad][:, None]  # (n, 1): the bisection works on the outside pixels only
        sub_ab = ab[bad][:, None]  # (n, 1, 2)
        lo = np.zeros((len(sub_l), 1), np.float32)
        hi = np.ones((len(sub_l), 1), np.float32)
        for _ in range(steps):
            mid = (lo + hi) / 2
            inside = _inside_gamut(_linear_from_planes(sub_l, sub_ab * mid[..., None]))
            lo = np.where(inside, mid, lo)
            hi = np.where(inside, hi, mid)
        linear[bad] = _linear_from_planes(sub_l, sub_ab * lo[..., None])[:, 0]
    return _encode(linear, dtype)
