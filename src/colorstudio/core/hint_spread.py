"""Spreading colour hints over the regions they belong to.

A hint says "here the colour is this". The network sees the hints too, but a point of a few pixels moves its
prediction only nearby; a person who clicks once on a dress expects the whole dress to turn blue. So after
the network has predicted the chroma, each hint's *correction* (the hint's colour minus the prediction at
that point) is spread over the photo, edge-aware, as colours are in Levin et al. 2004 ("Colorization using
Optimization"): the correction field ``c`` minimises

    sum over neighbours p, q of  w_pq |c_p - c_q|^2  +  sum_p |c_p|^2 / reach^2  +  pin * sum_hints |c_h - r_h|^2

where ``w_pq = exp(-(L_p - L_q)^2 / sigma^2)`` is near 1 between neighbours of like lightness and near 0
across an edge. So a correction flows freely within its region, hardly across edges, fades over ``reach``,
and is exact at the hint. The field is solved on a small grid (one sparse linear system, a fraction of a
second whatever the photo's size) and upsampled: chroma is low-frequency.

Settings were chosen on photos-train (10 hints sampled from the truth; see ``colorstudio evaluate --hints``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from colorstudio.core.hints import ColorHint


@dataclass(frozen=True)
class SpreadSettings:
    grid: int = 256  # long side of the grid the field is solved on
    reach: float = 3.0  # fade distance in a flat region, in long sides of the photo (edges stop it sooner)
    lightness_sigma: float = 4.0  # L* step across which the spread weakens (an edge)
    pin: float = 1e4  # how exactly the field meets a hint at its point


def _neighbour_weights(lightness: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index_p, index_q, weight) for the right and down neighbours of a (h, w) lightness grid."""
    h, w = lightness.shape
    index = np.arange(h * w).reshape(h, w)
    scaled = lightness.astype(np.float64) / sigma
    parts = [(index[:, :-1], index[:, 1:], np.diff(scaled, axis=1)),
             (index[:-1], index[1:], np.diff(scaled, axis=0))]
    return tuple(np.concatenate(arrays) for arrays in zip(
        *((p.ravel(), q.ravel(), np.exp(-(step**2)).ravel()) for p, q, step in parts)))


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
    small = cv2.resize(lightness.astype(np.float32), (gw, gh), interpolation=cv2.INTER_AREA)
    p, q, weight = _neighbour_weights(small, settings.lightness_sigma)
    n = gh * gw
    adjacency = sparse.coo_matrix((np.concatenate([weight, weight]), (np.concatenate([p, q]), np.concatenate([q, p]))),
                                  shape=(n, n)).tocsr()
    diagonal = np.asarray(adjacency.sum(axis=1)).ravel() + 1.0 / max(settings.reach * max(gh, gw), 1.0) ** 2
    target = np.zeros((n, 2))
    for hint in inside:
        y, x = int(hint.y), int(hint.x)
        cell = min(int(y * shrink), gh - 1) * gw + min(int(x * shrink), gw - 1)
        diagonal[cell] += settings.pin
        target[cell] += settings.pin * (np.array([hint.a, hint.b]) - ab[y, x])
    solve = factorized((sparse.diags(diagonal) - adjacency).tocsc())
    field = np.stack([solve(target[:, k]) for k in range(2)], axis=-1).reshape(gh, gw, 2).astype(np.float32)
    return field if (gh, gw) == (h, w) else cv2.resize(field, (w, h), interpolation=cv2.INTER_LINEAR)
