"""Run a colorization network over an image tile by tile, streaming finished rows out.

Memory is bounded by the tile size: tiles are read from the source by index (no padded copy), and the
blend accumulators hold one band of tile rows. As soon as no later tile can touch a row, that row's
chroma is handed to ``sink(y0, ab_rows)`` and forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from colorstudio.core import color, tiling
from colorstudio.core import hints as hint_maps
from colorstudio.core.run_control import RunControl

Sink = Callable[[int, np.ndarray], None]


@dataclass
class TileJob:
    """Everything the tile loop needs about one photo at render resolution."""

    render: np.ndarray  # (h, w) or (h, w, 3), uint8/uint16: the photo as the network sees it
    context: torch.Tensor | None  # scene embedding (1, C) or None
    hints: list[hint_maps.ColorHint]
    hint_scale: float  # original-photo pixels -> render pixels


def lightness_tensor(pixels: np.ndarray) -> torch.Tensor:
    """(N, 1, H, W) network input L / L_SCALE from a stack of tiles (N, H, W[, 3]): 8/16-bit pixels, or
    float32 (N, H, W) that already is L* (a restored photo)."""
    if pixels.dtype == np.float32 and pixels.ndim == 3:
        return torch.from_numpy(np.ascontiguousarray(pixels)[:, None] / np.float32(color.L_SCALE))
    planes = [color.lightness(tile) for tile in pixels]
    return torch.from_numpy(np.stack(planes)[:, None] / np.float32(color.L_SCALE))


class TileRunner:
    """Runs one photo through ``model`` on ``device`` with a fixed tile size and batch."""

    def __init__(self, model, device: torch.device, tile: int, overlap: int, batch: int) -> None:
        self.model = model
        self.device = device
        self.tile = tile
        self.overlap = overlap
        self.batch = max(1, batch)

    def grid(self, height: int, width: int) -> tiling.Grid:
        return tiling.make_grid(height, width, self.tile, self.overlap, self.model.size_multiple)

    def run(self, job: TileJob, sink: Sink, control: RunControl = RunControl()) -> None:
        """Every tile of ``job``, its rows handed to ``sink`` as they are finished; ``control`` is told the
        progress and asked whether to stop before every batch of tiles."""
        h, w = job.render.shape[:2]
        grid = self.grid(h, w)
        rows, cols = grid.rows, grid.cols
        self.model.plan_tiles((min(self.batch, len(cols.starts)), 1, rows.tile, cols.tile), grid.count)
        acc = np.zeros((rows.tile, cols.length + cols.tile, 2), np.float32)
        weight = np.zeros((rows.tile, cols.length + cols.tile, 1), np.float32)
        band_top = rows.starts[0]
        done = 0
        for r, top in enumerate(rows.starts):
            shift = top - band_top
            if shift:
                _shift_up(acc, shift)
                _shift_up(weight, shift)
                band_top = top
            row_w = rows.weights(r)
            col_ws = [cols.weights(c) for c in range(len(cols.starts))]
            for first in range(0, len(cols.starts), self.batch):
                control.check_cancelled()
                chunk = range(first, min(first + self.batch, len(cols.starts)))
                ab = self._predict(job, grid, r, chunk)
                for k, c in enumerate(chunk):
                    x = cols.starts[c]
                    tw = (row_w[:, None] * col_ws[c][None, :])[:, :, None]
                    acc[:, x : x + cols.tile] += ab[k] * tw
                    weight[:, x : x + cols.tile] += tw
                done += len(chunk)
                control.progress(done, grid.count)
            end = rows.starts[r + 1] if r + 1 < len(rows.starts) else top + rows.tile
            self._emit(grid, acc, weight, top, end, sink)

    def _predict(self, job: TileJob, grid: tiling.Grid, r: int, chunk: range) -> np.ndarray:
        """ab (N, th, tw, 2) in Lab units for the tiles ``chunk`` of tile row ``r``."""
        span_y = grid.row_span(r)
        spans_x = [grid.col_span(c) for c in chunk]
        tiles = np.stack([tiling.extract(job.render, span_y, sx) for sx in spans_x])
        l_in = lightness_tensor(tiles).to(self.device)
        hints = None
        if job.hints and self.model.accepts_hints:
            planes = [hint_maps.rasterize(job.hints, job.hint_scale, span_y, sx) for sx in spans_x]
            hints = torch.from_numpy(np.stack(planes)).to(self.device)
        context = None
        if job.context is not None:
            context = job.context.to(self.device).expand(len(chunk), -1)
        with torch.inference_mode():
            out = self.model.predict_ab(l_in, hints=hints, context=context)
        return out.float().permute(0, 2, 3, 1).cpu().numpy() * np.float32(color.AB_SCALE)

    @staticmethod
    def _emit(grid: tiling.Grid, acc, weight, top: int, end: int, sink: Sink) -> None:
        """Hand rows ``[top, end)`` of the padded image (cropped to the photo) to the sink."""
        y0 = max(top, grid.margin)
        y1 = min(end, grid.margin + grid.height)
        if y1 <= y0:
            return
        band = slice(y0 - top, y1 - top)
        xs = slice(grid.margin, grid.margin + grid.width)
        ab = acc[band, xs] / np.maximum(weight[band, xs], np.float32(1e-6))
        sink(y0 - grid.margin, ab)


def _shift_up(buffer: np.ndarray, rows: int) -> None:
    """Move the band up by ``rows`` and clear the rows that come free at the bottom."""
    if rows >= buffer.shape[0]:
        buffer.fill(0)
        return
    buffer[:-rows] = buffer[rows:]
    buffer[-rows:] = 0
