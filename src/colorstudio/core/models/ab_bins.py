"""Quantised ab colours for classification heads (Zhang et al. 2016, "Colorful Image Colorization").

The grid has a spacing of 10 in a and b, centres at multiples of 10 in [-110, 110], restricted to
the 262 bins that some sRGB colour falls into (every 8-bit sRGB colour, converted to CIE Lab D65
and rounded to the nearest centre). Predicting a colour no photo can contain wastes capacity,
so out-of-gamut bins are dropped (Zhang et al. keep 313 with a looser rule).

The table is written out rather than computed at import: a recomputation through a different
Lab implementation could gain or lose a bin at a rounding boundary, which would silently change
the size of every classification head and break saved models.
"""

from __future__ import annotations

import functools

import torch
from torch import Tensor

from colorstudio.core.color import AB_SCALE

SPACING = 10
GRID_MAX = 110
_GRID_SIDE = 2 * GRID_MAX // SPACING + 1  # 23 centres per axis

# a -> (lowest b, highest b) of the in-gamut bins in that column; every column is contiguous.
_GAMUT_COLUMNS: dict[int, tuple[int, int]] = {
    -90: (80, 80), -80: (40, 80), -70: (20, 90), -60: (0, 90), -50: (-20, 90),
    -40: (-30, 90), -30: (-40, 90), -20: (-40, 90), -10: (-50, 90), 0: (-60, 90),
    10: (-70, 80), 20: (-80, 80), 30: (-80, 80), 40: (-90, 80), 50: (-90, 70),
    60: (-100, 70), 70: (-110, 70), 80: (-110, 70), 90: (-90, 0), 100: (-70, -50),
}  # fmt: skip

DEFAULT_TEMPERATURE = 0.38


@functools.lru_cache(maxsize=1)
def _centers() -> Tensor:
    pairs = [
        (a, b)
        for a, (b_low, b_high) in sorted(_GAMUT_COLUMNS.items())
        for b in range(b_low, b_high + 1, SPACING)
    ]
    return torch.tensor(pairs, dtype=torch.float32)


def bin_centers() -> Tensor:
    """(Q, 2) float32 ab centres of the bins, in ab units (not divided by AB_SCALE)."""
    return _centers().clone()


def num_bins() -> int:
    return _centers().shape[0]


@functools.lru_cache(maxsize=1)
def _grid_lookup() -> Tensor:
    """(23 * 23,) index of the nearest in-gamut bin for every cell of the full regular grid."""
    axis = torch.arange(-GRID_MAX, GRID_MAX + 1, SPACING, dtype=torch.float32)
    grid = torch.stack(torch.meshgrid(axis, axis, indexing="ij"), dim=-1).reshape(-1, 2)
    return torch.cdist(grid, _centers()).argmin(dim=1)


def encode_nearest(ab: Tensor) -> Tensor:
    """Ground-truth ab / AB_SCALE, (N, 2, H, W) -> (N, H, W) int64 index of the nearest bin.

    Rounds to the regular grid and looks the cell up, so memory stays O(pixels) rather than
    O(pixels x bins); colours outside the kept bins go to the closest kept bin.
    """
    cells = torch.round(ab.float() * (AB_SCALE / SPACING)).long().clamp_(-GRID_MAX // SPACING, GRID_MAX // SPACING)
    cells += GRID_MAX // SPACING
    flat = cells[:, 0] * _GRID_SIDE + cells[:, 1]
    return _grid_lookup().to(ab.device)[flat]


def annealed_mean(logits: Tensor, temperature: float = DEFAULT_TEMPERATURE) -> Tensor:
    """Logits (N, Q, H, W) -> ab / AB_SCALE (N, 2, H, W): expectation under softmax(logits / T).

    T = 1 is the plain mean (desaturated), T -> 0 the mode (vivid but patchy); Zhang et al.'s
    0.38 is the compromise.
    """
    probs = torch.softmax(logits / temperature, dim=1)
    centers = _centers().to(device=logits.device, dtype=probs.dtype) / AB_SCALE
    return torch.einsum("nqhw,qc->nchw", probs, centers)
