"""The sliding-window grid and its blending weights (pure numpy, no torch).

The grid follows KAIR: every tile has the same size, the stride is ``tile - overlap`` and the last
tile is snapped to the far edge, so one tile shape serves the whole image (tiles batch together).
Pixels outside the image are read by reflection (indices, not a padded copy, so nothing image-sized
is allocated here).

Blending: where two tiles overlap by ``o`` pixels, each tile ignores the outer quarter of the overlap
(its outputs there see the tile edge, not the image), the middle half is a linear cross-fade and the
inner quarter is the tile's alone. The weights of neighbouring tiles sum to one, so a model whose
receptive-field radius is at most ``o / 4`` gives exactly the untiled result, and any model gives a
smooth hand-over instead of a seam. Edges that lie on the image border get full weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def positions(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles of size ``tile`` covering ``[0, length)``; the last one snapped to the end."""
    if length <= tile:
        return [0]
    stride = max(1, tile - overlap)
    starts = list(range(0, length - tile, stride))
    starts.append(length - tile)
    return starts


def reflect_indices(start: int, size: int, length: int) -> np.ndarray:
    """Indices ``start .. start+size-1`` mapped into ``[0, length)`` by mirror reflection (no edge repeat)."""
    idx = np.arange(start, start + size)
    if length == 1:
        return np.zeros_like(idx)
    period = 2 * (length - 1)
    idx = np.mod(idx, period)
    return np.where(idx >= length, period - idx, idx)


def ramp(size: int, overlap_before: int, overlap_after: int) -> np.ndarray:
    """1-D weight of one tile: 1 inside, fading to 0 across the overlaps it shares with its neighbours."""
    w = np.ones(size, np.float32)
    centers = np.arange(size, dtype=np.float32) + 0.5
    for overlap, dist in ((overlap_before, centers), (overlap_after, size - centers)):
        if overlap <= 0:
            continue
        dead = overlap / 4.0
        fade = overlap / 2.0
        w = np.minimum(w, np.clip((dist - dead) / fade, 0.0, 1.0))
    return w


@dataclass(frozen=True)
class Axis:
    """Tiling of one axis of the (margin-padded) image."""

    length: int  # pixels of the padded image along this axis
    tile: int
    starts: tuple[int, ...]

    def overlaps(self, i: int) -> tuple[int, int]:
        """Overlap of tile ``i`` with the previous and the next tile (0 on the image border)."""
        before = self.starts[i - 1] + self.tile - self.starts[i] if i > 0 else 0
        after = self.starts[i] + self.tile - self.starts[i + 1] if i + 1 < len(self.starts) else 0
        return before, after

    def weights(self, i: int) -> np.ndarray:
        return ramp(self.tile, *self.overlaps(i))


def plan_axis(length: int, tile: int, overlap: int, multiple: int) -> Axis:
    """Tile size (a multiple of ``multiple``, never larger than needed) and start offsets for one axis."""
    tile = round_up(max(tile, multiple), multiple)
    if length <= tile:
        tile = round_up(length, multiple)
        return Axis(length, tile, (0,))
    overlap = min(overlap, tile - multiple)
    return Axis(length, tile, tuple(positions(length, tile, overlap)))


@dataclass(frozen=True)
class Grid:
    """All tiles over an image of ``height x width``, read with a reflected ``margin`` around it."""

    height: int
    width: int
    margin: int
    rows: Axis
    cols: Axis

    @property
    def count(self) -> int:
        return len(self.rows.starts) * len(self.cols.starts)

    def row_span(self, r: int) -> tuple[int, int]:
        """Rows of the image (unpadded coordinates, may be negative / beyond) covered by tile row ``r``."""
        y0 = self.rows.starts[r] - self.margin
        return y0, y0 + self.rows.tile

    def col_span(self, c: int) -> tuple[int, int]:
        x0 = self.cols.starts[c] - self.margin
        return x0, x0 + self.cols.tile


def make_grid(height: int, width: int, tile: int, overlap: int, multiple: int) -> Grid:
    """Grid over an image padded by ``overlap // 2`` on every side, so border pixels get context too."""
    overlap = max(0, overlap)
    margin = overlap // 2
    rows = plan_axis(height + 2 * margin, tile, overlap, multiple)
    cols = plan_axis(width + 2 * margin, tile, overlap, multiple)
    return Grid(height, width, margin, rows, cols)


def extract(image: np.ndarray, rows: tuple[int, int], cols: tuple[int, int]) -> np.ndarray:
    """The region ``rows x cols`` of ``image`` (first two axes), reflected where it leaves the image."""
    h, w = image.shape[:2]
    (y0, y1), (x0, x1) = rows, cols
    if 0 <= y0 and y1 <= h and 0 <= x0 and x1 <= w:
        return image[y0:y1, x0:x1]
    yi = reflect_indices(y0, y1 - y0, h)
    xi = reflect_indices(x0, x1 - x0, w)
    return image[yi[:, None], xi[None, :]]
