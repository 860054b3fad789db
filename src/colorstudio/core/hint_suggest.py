"""Colours the model suggests for one point of a photo: the hint colour chooser's suggestion strip.

Zhang et al. 2017 ("Real-Time User-Guided Image Colorization") show the modes of their network's colour
distribution at the clicked point. Our networks regress one colour, the mean of what they find possible
there, so the alternatives come from asking the same network about the same point under other views of the
photo, all small views around the point (``VIEW`` pixels) run as one batch:

- other readings of the scene (models with ``uses_context``): the scene embedding of each half of the photo,
  and of the point's neighbourhood (1/4, 1/8 of the long side) taken as the whole scene, each pushed
  past the photo's own embedding (``own + EXTRAPOLATE * (other - own)``) so that what it changes shows;
- other scales: the neighbourhood zoomed out 2 and 4 times (closer to the scale of the training photos),
  with the photo's own embedding, and at 2 times also with the other readings. A model without a scene
  embedding is shown the neighbourhood zoomed in and out (``PLAIN_ZOOMS``), each also a little lighter and
  darker (``PLAIN_GAMMAS``);
- each view's colour both as the application shows it (the model's colour contrast and gain) and as the
  network gives it (contrast 0, gain 1): the same hue, unmuted.

Measured with the shipped default model on photos-val (140 random points, CIEDE2000 from the true colour):
the model's colour alone is 10.3 off, the best of it and 4 alternatives 6.1 (points of chroma above 15:
13.6 and 8.2), while one alternative is 12.6 off on average, against 19-21 for hue rotations of the model's
colour or a fixed palette: the alternatives are what the model finds possible there, not random colours.

The colour of a view is the mean over a small patch at the point, brought into the colours that exist at
the point's lightness (what a hint of it would show). Colours that many views agree on come first; each is
kept only if it is at least ``DISTINCT[0]`` ab units from the model's own colour and from every one kept
before it. Where fewer than ``MIN_ALTERNATIVES`` are that distinct, the distance is relaxed step by step
(``DISTINCT``) to add more: only colours that some view gave are ever returned, so a model that gives the
same colour under every view gets no alternatives.

The model's own colour is computed as the pipeline computes it: the photo's embedding, and up to
``MODEL_WINDOW`` pixels of the pipeline's own tile around the point (the same pixels, the same reflected
margin). For a photo within that window it is what the pipeline renders there; on 1024-pixel renders of old
photos it was within 0.2 ab units of the render (median; at most 3.1 over 150 points): only the tile's edge
beyond the window and the blending of overlapping tiles are missing.

Models that accept hints are shown none (``hints=None``, which the contract defines as all-zero planes): the
point is what the model believes without being told.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from colorstudio.core import color, gamut, tiling
from colorstudio.core import device as devices
from colorstudio.core.inference import lightness_tensor
from colorstudio.core.options import ColorizeOptions
from colorstudio.core.pipeline import colour_response, scene_context

VIEW = 96  # side of the views of the point, render pixels (rounded up to the model's size multiple)
MODEL_WINDOW = 448  # side of the part of the pipeline's tile the model's own colour is computed on, at most
ZOOMS = (2.0, 4.0)  # the neighbourhood zoomed out, with the photo's own scene embedding
PUSHED_MAX_ZOOM = 2.0  # the other readings of the scene are seen up to this zoom
EXTRAPOLATE = 2.5  # how far past the photo's own embedding the other readings are pushed
LOCAL_PARTS = (0.25, 0.125)  # the point's neighbourhood read as a scene: fractions of the long side
MIN_LOCAL = 32  # smallest neighbourhood read as a scene, render pixels
PLAIN_ZOOMS = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)  # a model without a scene embedding: zoomed in and out
PLAIN_GAMMAS = (1.0, 0.7, 1.4)  # ... each also lighter and darker (L / 100 to this power)
DISTINCT = (10.0, 8.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.5, 1.0)  # ab distances tried in turn
AGREE = 4.0  # ab distance within which two views' colours count as agreeing
MIN_ALTERNATIVES = 4


@dataclass(frozen=True)
class Suggestions:
    """The model's colour at a point and its alternatives, CIELab (a, b), displayable at the point's L*."""

    model: tuple[float, float]  # the model's colour at the point, as the pipeline shows it (gain, contrast)
    alternatives: list[tuple[float, float]]  # distinct colours that other views gave, most agreed on first
    distinct: float = 0.0  # ab distance that every two of them, the model's colour included, are apart


def suggest_colours(model, render: np.ndarray, x: float, y: float, *, context=None, device="cpu",
                    count: int = 6, radius: int = 1) -> Suggestions:
    """The model's colour at render pixel (x, y) and up to ``count`` distinct alternatives (see the module).

    ``render``: the photo at the render size as the pipeline feeds the network: gray (h, w) uint8/uint16,
    RGB (h, w, 3), or float32 (h, w) L* (a restored photo). ``context``: the photo's scene embedding (1, C)
    if already computed (``pipeline.scene_context``), else it is computed here. ``device``: a name as the
    options take it, or a ``torch.device``; the model is moved there, as the pipeline does. ``radius``:
    half-width of the patch whose mean colour is taken, render pixels. A point off the photo is moved onto it.
    """
    lightness = _lightness(render)
    h, w = lightness.shape
    col = min(max(math.floor(x), 0), w - 1)
    row = min(max(math.floor(y), 0), h - 1)
    radius = max(0, int(radius))
    point_l = float(_patch_mean(lightness[..., None], row, col, radius)[0])
    dev = devices.resolve_device(device) if isinstance(device, str) else torch.device(device)
    model.eval()
    model.to(dev)
    with torch.inference_mode():
        own = None
        if model.uses_context:
            own = context.to(dev) if context is not None else scene_context(model, render, dev)
        own_ab = _model_colour(model, render, row, col, own, dev, radius)
        views, contexts = _views(model, lightness, row, col, radius, own, dev)
        raw = _sample(model, views, contexts, dev)
    shown = _displayable(point_l, np.nan_to_num(own_ab)[None])[0]
    candidates = _displayable(point_l, np.concatenate([colour_response(model, raw), raw]))
    alternatives, distance = _pick(shown, candidates, count)
    return Suggestions((float(shown[0]), float(shown[1])), [(float(a), float(b)) for a, b in alternatives],
                       distance)


def _lightness(render: np.ndarray) -> np.ndarray:
    """L* (h, w) float32 of the render (a float32 (h, w) render is L*, as ``lightness_tensor`` reads it)."""
    if render.dtype == np.float32 and render.ndim == 2:
        return render
    return color.lightness(render)


def _displayable(lightness: float, ab: np.ndarray) -> np.ndarray:
    """(n, 2) ab within the network's range, brought into the colours that exist at ``lightness`` (the hue
    kept, the chroma reduced, as the pipeline composes them); colours that are not numbers are dropped."""
    ab = np.clip(ab[np.isfinite(ab).all(axis=1)], -color.AB_SCALE, color.AB_SCALE)
    return np.array([gamut.nearest_in_gamut(lightness, a, b) for a, b in ab], np.float32).reshape(-1, 2)


def _patch_mean(values: np.ndarray, row: int, col: int, radius: int) -> np.ndarray:
    """Mean of (..., H, W, C) over the square of half-width ``radius`` at (row, col), clipped to the array."""
    height, width = values.shape[-3:-1]
    rows = slice(max(row - radius, 0), min(row + radius + 1, height))
    cols = slice(max(col - radius, 0), min(col + radius + 1, width))
    return values[..., rows, cols, :].mean(axis=(-3, -2))


def _predict(model, l: torch.Tensor, context: torch.Tensor | None) -> np.ndarray:
    """ab in Lab units, (N, H, W, 2), for L (N, 1, H, W); no hints."""
    out = model.predict_ab(l, hints=None, context=context)
    return out.float().permute(0, 2, 3, 1).cpu().numpy() * np.float32(color.AB_SCALE)


def _pipeline_span(at: int, size: int, axis: tiling.Axis, margin: int) -> tuple[int, int]:
    """Start and size (render pixels; may reach into the reflected margin) of a window of at most ``size``
    around ``at``, inside the pipeline's tile that weighs the most there."""
    padded = at + margin
    covering = [i for i, start in enumerate(axis.starts) if start <= padded < start + axis.tile]
    best = max(covering, key=lambda i: axis.weights(i)[padded - axis.starts[i]])
    first = axis.starts[best] - margin
    side = min(size, axis.tile)
    return min(max(at - side // 2, first), first + axis.tile - side), side


def _model_colour(model, render: np.ndarray, row: int, col: int, own, dev, radius: int) -> np.ndarray:
    """The model's colour at the point as the pipeline shows it: the photo's embedding, a window of the
    pipeline's tile there (the same pixels, the same reflected margin), its colour contrast and gain."""
    h, w = render.shape[:2]
    options = ColorizeOptions()
    grid = tiling.make_grid(h, w, options.tile_size, options.overlap, model.size_multiple)
    side = tiling.round_up(MODEL_WINDOW, model.size_multiple)
    y0, sy = _pipeline_span(row, side, grid.rows, grid.margin)
    x0, sx = _pipeline_span(col, side, grid.cols, grid.margin)
    window = tiling.extract(render, (y0, y0 + sy), (x0, x0 + sx))
    ab = _predict(model, lightness_tensor(window[None]).to(dev), own)[0]
    return _patch_mean(colour_response(model, ab), row - y0, col - x0, radius)


def _zoomed(lightness: np.ndarray, row: int, col: int, side: int, radius: int, zoom: float = 1.0,
            gamma: float = 1.0):
    """(view (side, side) L*, (row, col, patch radius) of the point in it): the neighbourhood of
    ``side * zoom`` pixels around the point (reflected at the borders) resized to ``side``, its L / 100
    raised to ``gamma``."""
    big = max(8, round(side * zoom))
    y0, x0 = row - big // 2, col - big // 2
    view = tiling.extract(lightness, (y0, y0 + big), (x0, x0 + big))
    if big != side:
        view = cv2.resize(np.ascontiguousarray(view), (side, side),
                          interpolation=cv2.INTER_AREA if big > side else cv2.INTER_LINEAR)
    if gamma != 1.0:
        scale = np.float32(color.L_SCALE)
        view = scale * (np.clip(view, 0, None) / scale) ** np.float32(gamma)
    point = (min(int((row - y0) * side / big), side - 1), min(int((col - x0) * side / big), side - 1),
             round(radius * side / big))
    return np.ascontiguousarray(view, np.float32), point


def _scene_parts(lightness: np.ndarray, row: int, col: int) -> list[np.ndarray]:
    """Parts of the photo to read as whole scenes: its halves, the point's neighbourhood at a few sizes."""
    h, w = lightness.shape
    parts = [lightness[:, : max(1, w // 2)], lightness[:, w // 2 :],
             lightness[: max(1, h // 2)], lightness[h // 2 :]]
    longest = max(h, w)
    for fraction in LOCAL_PARTS:
        size = max(MIN_LOCAL, round(longest * fraction))
        sy, sx = min(size, h), min(size, w)
        y0 = min(max(row - sy // 2, 0), h - sy)
        x0 = min(max(col - sx // 2, 0), w - sx)
        parts.append(lightness[y0 : y0 + sy, x0 : x0 + sx])
    return parts


def _embed(model, images: list[np.ndarray], dev) -> torch.Tensor:
    """Scene embeddings (n, C) of L* images, each made as the pipeline makes the photo's (``scene_context``;
    one at a time: on a CPU a batch of them takes longer than the same images in turn)."""
    return torch.cat([scene_context(model, image, dev) for image in images])


def _views(model, lightness: np.ndarray, row: int, col: int, radius: int, own, dev):
    """The views of the point, [(L* view, (row, col, patch radius))], and their scene embeddings (n, C)
    (None for a model without one)."""
    side = tiling.round_up(VIEW, model.size_multiple)
    longest = max(lightness.shape)
    if own is None:
        zooms = [z for z in PLAIN_ZOOMS if z <= 1 or side * z <= 2 * longest]  # not mostly mirrored copies
        return [_zoomed(lightness, row, col, side, radius, zoom, gamma) for zoom in zooms
                for gamma in PLAIN_GAMMAS], None
    others = _embed(model, _scene_parts(lightness, row, col), dev)
    pushed = own + EXTRAPOLATE * (others - own)
    if float(torch.cat([own, others]).min()) >= 0:
        pushed = pushed.clamp(min=0)  # embeddings that come out of a ReLU stay where the network knows them
    views, contexts = [], []
    for zoom in (1.0, *(z for z in ZOOMS if side * z <= 2 * longest)):
        readings = [own, pushed] if zoom <= PUSHED_MAX_ZOOM else [own]
        views += [_zoomed(lightness, row, col, side, radius, zoom)] * sum(len(r) for r in readings)
        contexts += readings
    return views, torch.cat(contexts)


def _sample(model, views, contexts, dev) -> np.ndarray:
    """The network's raw colour (n, 2) at the point of each view, in one batch."""
    ab = _predict(model, lightness_tensor(np.stack([view for view, _ in views])).to(dev), contexts)
    return np.stack([_patch_mean(ab[i], r, c, patch) for i, (_, (r, c, patch)) in enumerate(views)])


def _pick(own: np.ndarray, candidates: np.ndarray, count: int) -> tuple[list[np.ndarray], float]:
    """Greedy, the candidates most others agree with first: each is kept if it is at least the distance from
    the model's colour and from every one kept so far. While fewer than ``MIN_ALTERNATIVES`` are kept, the
    distance is relaxed (``DISTINCT``) and the rest looked through again, so the first ones kept stay the
    most distinct. Returns (the kept ones, most agreed on first; the distance every two keep)."""
    if count <= 0 or not len(candidates):
        return [], DISTINCT[0]
    apart = np.linalg.norm(candidates[:, None] - candidates[None], axis=-1)
    agree = (apart < AGREE).sum(axis=1)
    order = sorted(range(len(candidates)), key=lambda i: (-agree[i], i))
    from_own = np.linalg.norm(candidates - own, axis=1)
    kept: list[int] = []
    for distance in DISTINCT:
        for i in order:
            if len(kept) == count:
                break
            if i not in kept and from_own[i] >= distance and all(apart[i, j] >= distance for j in kept):
                kept.append(i)
        if len(kept) >= min(MIN_ALTERNATIVES, count):
            break
    return [candidates[i] for i in sorted(kept, key=order.index)], distance
