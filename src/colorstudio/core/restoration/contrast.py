"""Faded prints: a global levels stretch and a conservative local contrast (CLAHE), on L*.

A faded print has lost density at both ends: blacks are gray, whites are dull. ``auto_levels`` maps
robust percentiles of L* back to the full range (linear, gain capped so noise is not blown up).
``local_contrast`` is contrast-limited adaptive histogram equalization with a low clip limit,
blended in by strength: it recovers mid-tone separation that a global stretch cannot.

The CLAHE is implemented here (not ``cv2.createCLAHE``) for two reasons. Its per-cell look-up tables
are computed on a fixed pixel grid of the WHOLE photo and can then be applied tile by tile (or strip
by strip) with identical results, so a large scan is processed in bounded memory without seams; and
the tables are evaluated with linear interpolation between 1024 bins, so 16-bit precision survives.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

CLIP_PERCENT = 0.5  # % of pixels allowed to clip at each end when stretching
MAX_LEVELS_GAIN = 3.0  # a stronger stretch would mostly amplify grain
CLIP_LIMIT = 2.0  # CLAHE: a bin may hold at most this multiple of the mean bin count
LOCAL_AMOUNT = 0.5  # share of the CLAHE result at contrast strength 1
BINS = 1024
CELLS_PER_SHORT_SIDE = 8
MIN_CELL = 32
LEVELS_SIDE = 1024  # levels are measured on a copy downscaled (area average) to this side
STRIP = 512  # rows processed at a time


def measure_levels(L: np.ndarray, clip: float = CLIP_PERCENT) -> tuple[float, float]:
    """(low, high) L* percentiles of the photo, measured on an area-downscaled copy: averaging removes
    grain and dust specks, which would otherwise set the extremes, and it bounds the cost."""
    h, w = L.shape
    scale = LEVELS_SIDE / max(h, w)
    small = L if scale >= 1 else cv2.resize(np.asarray(L, np.float32), (max(1, round(w * scale)),
                                            max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    lo, hi = np.percentile(small, [clip, 100.0 - clip])
    return float(lo), float(hi)


def auto_levels(L: np.ndarray, clip: float = CLIP_PERCENT, levels: tuple[float, float] | None = None,
                amount: float = 1.0) -> np.ndarray:
    """Linear stretch of L* so the ``clip`` % percentiles land on 0 and 100 (``amount`` 1) or partway.

    ``levels`` measured on the whole photo may be passed when working on a tile. The gain is capped at
    ``MAX_LEVELS_GAIN`` around the middle of the measured range.
    """
    L = np.asarray(L, np.float32)
    lo, hi = levels if levels is not None else measure_levels(L, clip)
    amount = float(np.clip(amount, 0.0, 1.0))
    if hi - lo < 1.0 or amount == 0.0:
        return L.copy()
    target_lo, target_hi = (1 - amount) * lo, (1 - amount) * hi + amount * 100.0
    gain = min((target_hi - target_lo) / (hi - lo), MAX_LEVELS_GAIN)
    mid_in, mid_out = (lo + hi) / 2, (target_lo + target_hi) / 2
    out = (L - np.float32(mid_in)) * np.float32(gain) + np.float32(mid_out)
    return np.clip(out, 0.0, 100.0, out=out)


def default_cell(height: int, width: int) -> int:
    """CLAHE cell side in pixels: about ``CELLS_PER_SHORT_SIDE`` cells across the short side."""
    return max(MIN_CELL, -(-min(height, width) // CELLS_PER_SHORT_SIDE))


@dataclass(frozen=True)
class ClaheTables:
    """Per-cell tone curves of a whole photo: ``tables[cy, cx, i]`` is the output L* at bin edge i."""

    cell: int
    tables: np.ndarray  # (cells_y, cells_x, BINS + 1) float32


def _bins(L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.clip(L * np.float32(BINS / 100.0), 0.0, np.float32(BINS))
    b = np.minimum(t.astype(np.int32), BINS - 1)
    return b, t - b


def clahe_tables(L: np.ndarray, cell: int, clip_limit: float = CLIP_LIMIT) -> ClaheTables:
    """Clipped-histogram equalization curves of every ``cell`` x ``cell`` cell (read strip by strip)."""
    h, w = L.shape
    ny, nx = -(-h // cell), -(-w // cell)
    tables = np.empty((ny, nx, BINS + 1), np.float32)
    cell_of_col = (np.arange(w) // cell).astype(np.int64) * BINS
    for cy in range(ny):
        b, _ = _bins(np.asarray(L[cy * cell:(cy + 1) * cell], np.float32))
        hist = np.bincount((b + cell_of_col[None, :]).ravel(), minlength=nx * BINS).reshape(nx, BINS)
        hist = hist.astype(np.float64)
        counts = hist.sum(axis=1, keepdims=True)
        limit = np.maximum(clip_limit * counts / BINS, 1.0)
        excess = np.maximum(hist - limit, 0.0).sum(axis=1, keepdims=True)
        hist = np.minimum(hist, limit) + excess / BINS
        cdf = np.concatenate([np.zeros((nx, 1)), np.cumsum(hist, axis=1)], axis=1)
        tables[cy] = (cdf / np.maximum(cdf[:, -1:], 1.0) * 100.0).astype(np.float32)
    return ClaheTables(cell, tables)


def _axis(start: int, size: int, cell: int, cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pos = (np.arange(start, start + size) + 0.5) / cell - 0.5
    base = np.floor(pos)
    weight = np.clip(pos - base, 0.0, 1.0).astype(np.float32)
    i0 = np.clip(base, 0, cells - 1).astype(np.int64)
    i1 = np.clip(base + 1, 0, cells - 1).astype(np.int64)
    return i0, i1, weight


def apply_clahe(L: np.ndarray, tables: ClaheTables, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The equalized L* of a region whose top-left pixel is ``origin`` in the photo the tables were
    made from: bilinear between the four nearest cells' curves, linear within a bin."""
    L = np.asarray(L, np.float32)
    ny, nx, n = tables.tables.shape
    flat = tables.tables.reshape(-1)
    ry0, ry1, wy = _axis(origin[0], L.shape[0], tables.cell, ny)
    rx0, rx1, wx = _axis(origin[1], L.shape[1], tables.cell, nx)
    b, f = _bins(L)

    def curve(ry: np.ndarray, rx: np.ndarray) -> np.ndarray:
        index = (ry[:, None] * nx + rx[None, :]) * n + b
        return flat[index] * (1 - f) + flat[index + 1] * f

    top = curve(ry0, rx0) * (1 - wx) + curve(ry0, rx1) * wx
    bottom = curve(ry1, rx0) * (1 - wx) + curve(ry1, rx1) * wx
    return top * (1 - wy[:, None]) + bottom * wy[:, None]


def local_contrast(L: np.ndarray, strength: float, cell: int | None = None,
                   clip_limit: float = CLIP_LIMIT) -> np.ndarray:
    """CLAHE of ``L`` blended in by ``strength`` in [0, 1] (``LOCAL_AMOUNT`` of it at most)."""
    L = np.asarray(L, np.float32)
    alpha = float(np.clip(strength, 0.0, 1.0)) * LOCAL_AMOUNT
    if alpha == 0.0:
        return L.copy()
    tables = clahe_tables(L, cell or default_cell(*L.shape), clip_limit)
    out = np.empty_like(L)
    for y in range(0, L.shape[0], STRIP):
        part = L[y:y + STRIP]
        out[y:y + STRIP] = part + np.float32(alpha) * (apply_clahe(part, tables, (y, 0)) - part)
    return out


def levels_amount(strength: float) -> float:
    """How far ``restore_contrast`` stretches the levels: fully from strength 0.5 on."""
    return float(np.clip(2.0 * strength, 0.0, 1.0))


def restore_contrast(L: np.ndarray, strength: float, cell: int | None = None) -> np.ndarray:
    """Auto levels then a conservative local contrast, both scaled by ``strength`` in [0, 1]."""
    if strength <= 0.0:
        return np.asarray(L, np.float32).copy()
    stretched = auto_levels(L, amount=levels_amount(strength))
    return local_contrast(stretched, strength, cell)
