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

``w_pq = exp(-(L_p - L_q)^2 / sigma^2 - edge_pq^2)`` is near 1 between neighbours of like lightness and
near 0 across an edge. Three things keep one hint in its region (with one hint there is no other hint to
stop it, and a correction that only fades with distance floods the photo through weak edges):

- the grid is coarse (64 cells on the long side). An edge's conductance grows with the grid's resolution
  while what it must hold back does not, and on a fine grid a soft edge is many small, leaky steps; on a
  coarse one it is one step, and texture is averaged away inside the cells;
- ``edge_pq``: what the photo's fine detail says between the cells (``_detail``), for the edges lightness
  does not show. A dark woven suit against a dark smooth shadow, or two regions parted by a thin seam, have
  one mean lightness, so their cells look alike; at 8 pixels a cell the suit's texture and the seam are
  there. Detail that rises well above the lesser of the two cells' on the way between their centres
  (``detail_gate``: a texture's own ups and downs do not) closes the way;
- ``lambda_p`` grows where a cell looks like no hint (its lightness, the network's colour there and its
  detail, against those at each hint: ``likeness``; after An and Pellacini's 2008 appearance-space edit
  propagation): a region unlike every hint keeps the network's colour. With more hints fewer cells are
  unlike all of them, so with 10 hints it hardly acts and the hints fill the photo between them.

The fields are solved on the small grid and upsampled (about 0.03 s for a 1024-px render): chroma is
low-frequency. A hint with a radius pins every grid cell of its square patch, and its ``P`` is the mean
prediction over the patch; a point (radius 0) pins the one cell it is in, against the pixel it is on.

Settings were chosen on photos-train (1, 2, 5, 10 and 20 hints sampled from the truth; see
``colorstudio evaluate --hints`` and ``benchmarks/bench_hints.py``). The detail's were chosen to hold
same-lightness edges (a change of texture, a thin line: tests/core/test_hint_spread.py) at the least cost
there: sampled hints carry the truth's colours, so every edge that holds one back also costs where the
truth runs on across it (a zipper down a hoodie). On 40 photos each of photos-train / photos-val, the
CIEDE2000 with 1, 2, 5 and 10 hints rose by 0.09, 0.08, 0.01, 0.03 / 0.04, 0.10, 0.14, 0.11 with them
(about 1-2 %).
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
    detail_cell: int = 8  # fine detail (texture, thin lines) is measured at (at most) this many pixels a cell
    detail_blur: float = 1.5  # detail: L* less L* blurred by this many of those pixels
    detail_box: int = 13  # ... its size averaged over this many pixels across the way between two cells
    detail_along: int = 5  # ... and this many along it (a step of texture stays sharp)
    detail_floor: float = 0.5  # mean |detail| (L*) below which a part counts as smooth (noise, grain)
    detail_gate: float = 0.5  # a rise of log(detail) this small is a texture's own ups and downs: no edge
    detail_sigma: float = 0.1  # rise of log(detail) beyond the gate across which the spread weakens
    likeness: float = 3e-4  # how strongly a cell unlike every hint keeps the network's colour (0: not at all)
    likeness_lightness: float = 16.0  # L* difference from a hint at which a cell stops looking like it
    likeness_chroma: float = 16.0  # difference of predicted ab from a hint's at which a cell stops looking like it
    likeness_detail: float = 2.5  # log(detail) difference from a hint's at which a cell stops looking like it
    replace: float = 0.75  # share of the prediction a hint's colour replaces in its region (0: shift only)
    pin: float = 1e4  # how exactly the field meets a hint on its cells


@dataclass
class _Pins:
    """The grid cells the hints hold, with what each holds them to."""

    weight: np.ndarray  # (n,) sum of pins per cell
    colour: np.ndarray  # (n, 2) pin * hint ab
    predicted: np.ndarray  # (n, 2) pin * mean prediction over the hint's patch
    unlike: np.ndarray  # (n,) how unlike the nearest-looking hint each cell is (0: alike)


@dataclass
class _Detail:
    """The photo's fine detail on the grid (``_detail``), as log(mean |detail| + floor)."""

    cells: np.ndarray  # (gh, gw) each cell's
    right: np.ndarray  # (3, gh, gw - 1) its rise on the way to the right neighbour: from the centre to the border,
    #                    from the border to the neighbour's centre, all the way
    down: np.ndarray  # (3, gh - 1, gw) ... to the lower neighbour


def _rises(work: np.ndarray, k: int, settings: SpreadSettings) -> tuple[np.ndarray, np.ndarray]:
    """For neighbours along the rows of ``work`` (L*, cells of k x k pixels): each cell's level of detail
    along the rows (its median), and the rises (3, gh, gw - 1) on the way to the right neighbour."""
    gh, gw = work.shape[0] // k, work.shape[1] // k
    radius = int(np.ceil(3 * settings.detail_blur))
    detail = np.abs(work - cv2.GaussianBlur(work, (2 * radius + 1, 1), settings.detail_blur))
    level = np.log(cv2.blur(detail, (settings.detail_along, settings.detail_box)) + np.float32(settings.detail_floor))
    middle = k * k // 2  # the cell's median (of its k * k pixels, the upper one)
    cells = np.partition(level.reshape(gh, k, gw, k).transpose(0, 2, 1, 3).reshape(gh, gw, k * k), middle)[..., middle]
    half = np.ones((1, k // 2 + 1), np.uint8)
    near = cv2.dilate(level, half, anchor=(k // 2, 0))[:, k::k][:, : gw - 1]  # each row's, centre to border
    far = cv2.dilate(level, half, anchor=(0, 0))[:, k::k][:, : gw - 1]  # border to the next centre
    # along each row of the cells, then the mean over the cells' rows (a texture's dips and peaks even out)
    ways = np.stack([near, far, np.maximum(near, far)]).reshape(3, gh, k, gw - 1).mean(axis=2)
    return cells, ways - np.minimum(cells[:, :-1], cells[:, 1:])


def _detail(lightness: np.ndarray, grid_shape: tuple[int, int], settings: SpreadSettings) -> _Detail:
    """What the fine scale says about each pair of neighbouring cells: the most detail on the straight way
    between their centres, above the less detailed of the two cells (a cell's median, which a line through
    a corner of it leaves be). A change of texture (a woven suit against a smooth shadow) is a step of it
    wherever it falls between the centres, a thin line a peak, both there in full (a difference of cell
    means would halve a step that splits a cell); a step of lightness makes a peak too. The detail is of
    lightness along the way only, so a line along it is no edge; within one texture it only goes up and
    down a little (``detail_gate``)."""
    (h, w), (gh, gw) = lightness.shape, grid_shape
    k = int(np.clip(round(max(h, w) / max(gh, gw)), 1, settings.detail_cell))  # pixels a cell
    work = cv2.resize(lightness.astype(np.float32), (gw * k, gh * k),
                      interpolation=cv2.INTER_AREA if k * max(gh, gw) < max(h, w) else cv2.INTER_LINEAR)
    across, right = _rises(work, k, settings)
    along, down = _rises(np.ascontiguousarray(work.T), k, settings)
    return _Detail((across + along.T) / 2, right, down.transpose(0, 2, 1))


def _neighbour_weights(lightness: np.ndarray, detail: _Detail, pinned: np.ndarray, settings: SpreadSettings
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index_p, index_q, weight) for the right and down neighbours of a (h, w) lightness grid. A hint's
    cells are its own: detail inside them (the hint on a zipper, a seam) does not hold it back."""
    h, w = lightness.shape
    index = np.arange(h * w).reshape(h, w)
    scaled = lightness.astype(np.float64) / settings.lightness_sigma

    def weight(step: np.ndarray, rises: np.ndarray, pinned_p: np.ndarray, pinned_q: np.ndarray) -> np.ndarray:
        rise = np.where(pinned_p, np.where(pinned_q, -np.inf, rises[1]), np.where(pinned_q, rises[0], rises[2]))
        edge = np.maximum(rise - settings.detail_gate, 0.0) / settings.detail_sigma
        return np.exp(-(step**2) - edge**2).ravel()

    parts = [(index[:, :-1], index[:, 1:], weight(np.diff(scaled, axis=1), detail.right, pinned[:, :-1], pinned[:, 1:])),
             (index[:-1], index[1:], weight(np.diff(scaled, axis=0), detail.down, pinned[:-1], pinned[1:]))]
    return tuple(np.concatenate(arrays) for arrays in zip(*((p.ravel(), q.ravel(), w_) for p, q, w_ in parts)))


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
          small_detail: np.ndarray, settings: SpreadSettings) -> _Pins:
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
            detail = small_detail[cell_rows, cell_cols].mean()
            distance = (((small_l - lightness) / settings.likeness_lightness) ** 2
                        + ((small_ab - chroma) ** 2).sum(axis=-1) / settings.likeness_chroma**2
                        + ((small_detail - detail) / settings.likeness_detail) ** 2)
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
    detail = _detail(lightness, (gh, gw), settings)
    pins = _pins(inside, ab, small_l, small_ab, detail.cells, settings)
    p, q, weight = _neighbour_weights(small_l, detail, pins.weight.reshape(gh, gw) > 0, settings)
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
