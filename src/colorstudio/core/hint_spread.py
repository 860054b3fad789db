"""Spreading colour hints over the regions they belong to.

A hint says "here the colour is this". The network sees the hints too, but a point of a few pixels moves its
prediction only nearby; a person who clicks once on a dress expects the whole dress to turn blue, and not
the sky. So after the network has predicted the chroma, the hints are spread over the photo, edge-aware, as
colours are in Levin et al. 2004 ("Colorization using Optimization"). With the operator

    E(c) = sum over neighbours p, q of  w_pq |c_p - c_q|^2  +  sum_p lambda_p |c_p|^2  +  pin * sum_hints |c_h - r_h|^2

three fields minimise it (one sparse system; by linearity ``H - (1 - replace) P`` is solved as one field):
``H`` meets the hints' colours, ``P`` the prediction under each hint, ``m`` meets 1 at every hint (how much a
cell belongs to some hint's region).
The correction is ``H - (1 - replace) P - replace * m * prediction``: within a hint's region its colour
replaces ``replace`` of the prediction (the rest is shifted by the hint's correction, keeping the
network's shading of colour inside the region); outside every region the prediction stays. ``replace`` 0
is the plain spread of the correction ``hint - prediction``.

``w_pq = exp(-(L_p - L_q)^2 / sigma^2)`` is near 1 between neighbours of like lightness and near 0 across
an edge. Two things keep one hint in its region (with one hint there is no other hint to stop it, and a
correction that only fades with distance floods the photo through weak edges):

- the grid is coarse (64 cells on the long side). An edge's conductance grows with the grid's resolution
  while what it must hold back does not, and on a fine grid a soft edge is many small, leaky steps; on a
  coarse one it is one step, and texture is averaged away inside the cells;
- ``lambda_p`` grows where a cell looks like no hint (its lightness and the network's colour there, against
  those at each hint: ``likeness``; after An and Pellacini's 2008 appearance-space edit propagation): a
  region unlike every hint keeps the network's colour. With more hints fewer cells are unlike all of them,
  so with 10 hints it hardly acts and the hints fill the photo between them.

The fields are solved on the small grid and upsampled (about 0.02 s for a 1024-px render): chroma is
low-frequency. A hint with a radius pins every grid cell of its square patch, and its ``P`` is the mean
prediction over the patch; a point (radius 0) pins the one cell it is in, against the pixel it is on.

Settings were chosen on photos-train (1, 2, 5, 10 and 20 hints sampled from the truth; see
``colorstudio evaluate --hints`` and ``benchmarks/bench_hints.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from colorstudio.core.hints import ColorHint


@dataclass(frozen=True)
class SpreadSettings:
    grid: int = 64  # long side of the grid the field is solved on (coarse: edges hold, texture averages out)
    reach: float = 3.0  # fade distance in a flat region, in long sides of the photo (edges stop it sooner)
    lightness_sigma: float = 3.5  # L* step across which the spread weakens (an edge)
    likeness: float = 3e-4  # how strongly a cell unlike every hint keeps the network's colour (0: not at all)
    likeness_lightness: float = 16.0  # L* difference from a hint at which a cell stops looking like it
    likeness_chroma: float = 16.0  # difference of predicted ab from a hint's at which a cell stops looking like it
    replace: float = 0.75  # share of the prediction a hint's colour replaces in its region (0: shift only)
    pin: float = 1e4  # how exactly the field meets a hint on its cells


@dataclass
class _Pins:
    """The grid cells the hints hold, with what each holds them to."""

    weight: np.ndarray  # (n,) sum of pins per cell
    colour: np.ndarray  # (n, 2) pin * hint ab
    predicted: np.ndarray  # (n, 2) pin * mean prediction over the hint's patch
    unlike: np.ndarray  # (n,) how unlike the nearest-looking hint each cell is (0: alike)


def _neighbour_weights(lightness: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index_p, index_q, weight) for the right and down neighbours of a (h, w) lightness grid."""
    h, w = lightness.shape
    index = np.arange(h * w).reshape(h, w)
    scaled = lightness.astype(np.float64) / sigma
    parts = [(index[:, :-1], index[:, 1:], np.diff(scaled, axis=1)),
             (index[:-1], index[1:], np.diff(scaled, axis=0))]
    return tuple(np.concatenate(arrays) for arrays in zip(
        *((p.ravel(), q.ravel(), np.exp(-(step**2)).ravel()) for p, q, step in parts)))


def _hint_cells(hint: ColorHint, shape: tuple[int, int], grid_shape: tuple[int, int]) -> tuple[slice, slice, slice, slice]:
    """(rows, cols) of the hint's patch in render pixels, then (rows, cols) of the grid cells it pins.
    A point (radius 0) is its one pixel and the one cell that holds it."""
    (h, w), (gh, gw) = shape, grid_shape
    y, x, r = int(hint.y), int(hint.x), max(0, round(hint.radius))
    y0, y1, x0, x1 = max(y - r, 0), min(y + r + 1, h), max(x - r, 0), min(x + r + 1, w)
    to_row, to_col = (lambda v: min(v * gh // h, gh - 1)), (lambda v: min(v * gw // w, gw - 1))
    return (slice(y0, y1), slice(x0, x1),
            slice(to_row(y0), to_row(y1 - 1) + 1), slice(to_col(x0), to_col(x1 - 1) + 1))


def _pins(hints: Sequence[ColorHint], ab: np.ndarray, small_l: np.ndarray, small_ab: np.ndarray,
          settings: SpreadSettings) -> _Pins:
    gh, gw = small_l.shape
    weight, colour, predicted = np.zeros((gh, gw)), np.zeros((gh, gw, 2)), np.zeros((gh, gw, 2))
    unlike = np.full((gh, gw), np.inf)
    for hint in hints:
        rows, cols, cell_rows, cell_cols = _hint_cells(hint, ab.shape[:2], (gh, gw))
        prediction = ab[rows, cols].reshape(-1, 2).mean(axis=0)
        weight[cell_rows, cell_cols] += settings.pin
        colour[cell_rows, cell_cols] += settings.pin * np.array([hint.a, hint.b])
        predicted[cell_rows, cell_cols] += settings.pin * prediction
        if settings.likeness:
            lightness = small_l[cell_rows, cell_cols].mean()
            chroma = small_ab[cell_rows, cell_cols].reshape(-1, 2).mean(axis=0)
            distance = (((small_l - lightness) / settings.likeness_lightness) ** 2
                        + ((small_ab - chroma) ** 2).sum(axis=-1) / settings.likeness_chroma**2)
            unlike = np.minimum(unlike, distance)
    unlike = 1.0 - np.exp(-unlike) if settings.likeness else np.zeros((gh, gw))
    return _Pins(weight.ravel(), colour.reshape(-1, 2), predicted.reshape(-1, 2), unlike.ravel())


def correction_field(lightness: np.ndarray, ab: np.ndarray, hints: Sequence[ColorHint],
                     settings: SpreadSettings = SpreadSettings()) -> np.ndarray:
    """The chroma correction (h, w, 2) that makes ``ab`` (the prediction at render size, as it will be shown)
    meet ``hints`` (in render pixels), spread over their regions. ``lightness``: L* (h, w)."""
    h, w = ab.shape[:2]
    inside = [hint for hint in hints if 0 <= hint.x < w and 0 <= hint.y < h]
    if not inside:
        return np.zeros((h, w, 2), np.float32)
    from scipy import sparse  # only when there are hints: it takes a tenth of a second to import
    from scipy.sparse.linalg import factorized

    shrink = min(1.0, settings.grid / max(h, w))
    gh, gw = max(1, round(h * shrink)), max(1, round(w * shrink))
    small_l = cv2.resize(lightness.astype(np.float32), (gw, gh), interpolation=cv2.INTER_AREA)
    small_ab = cv2.resize(ab.astype(np.float32), (gw, gh), interpolation=cv2.INTER_AREA).reshape(gh, gw, 2)
    pins = _pins(inside, ab, small_l, small_ab, settings)
    p, q, weight = _neighbour_weights(small_l, settings.lightness_sigma)
    n = gh * gw
    adjacency = sparse.coo_matrix((np.concatenate([weight, weight]), (np.concatenate([p, q]), np.concatenate([q, p]))),
                                  shape=(n, n)).tocsr()
    fade = 1.0 / max(settings.reach * max(gh, gw), 1.0) ** 2 + settings.likeness * pins.unlike
    diagonal = np.asarray(adjacency.sum(axis=1)).ravel() + fade + pins.weight
    solve = factorized((sparse.diags(diagonal) - adjacency).tocsc())
    keep = 1.0 - settings.replace
    shifted = pins.colour - keep * pins.predicted  # H - (1 - replace) P, solved as one field
    fields = np.stack([solve(shifted[:, 0]), solve(shifted[:, 1]), solve(pins.weight)], axis=-1)
    fields = fields.reshape(gh, gw, 3).astype(np.float32)
    if (gh, gw) != (h, w):
        fields = cv2.resize(fields, (w, h), interpolation=cv2.INTER_LINEAR)
    return fields[..., :2] - np.float32(settings.replace) * fields[..., 2:] * ab
