"""Optional clean-up of an old photo's lightness BEFORE it is colorized (no Qt, no torch).

Colorizing damage makes it worse: a white scratch gets a colour, grain turns into colour noise, a
faded print gives washed-out colour. Each step works on L* (float32 (H, W) in [0, 100], never
quantized to 8 bits, so 16-bit scans keep their precision) and has a strength in [0, 1], 0 = off:

1. tint     - a sepia / yellowed colour scan is white-balanced and reduced to its L* (``tint``)
2. dust     - specks, hairs and scratches are found and filled in (``dust``)
3. denoise  - grain and JPEG noise are smoothed, edges kept (``denoise``)
4. contrast - faded levels are stretched, local contrast restored (``contrast``)

``restore_tiled`` processes a large scan in tiles: the local steps (dust, denoise) run on each tile
plus a context margin (toward its neighbours) and only the tile's core is kept; every global quantity (white
balance, noise level, detection thresholds, levels, the CLAHE tone curves) is measured ONCE for the
whole photo and shared by all tiles, so tiles agree and no seam appears (the tiled result equals
the single-tile one exactly). ``restore`` is the same code with tiles of ``WHOLE_TILE`` px.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from colorstudio.core import color
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.restoration import contrast as contrast_
from colorstudio.core.restoration import denoise as denoise_
from colorstudio.core.restoration import dust as dust_
from colorstudio.core.restoration import tint as tint_
from colorstudio.core.restoration.strokes import Stroke, apply_strokes

__all__ = ["PRESETS", "RestoreOptions", "Stroke", "restore", "restore_tiled"]

STRIP = 512  # rows handled at a time by the point-wise steps
WHOLE_TILE = 2048  # ``restore`` works in tiles of this size (so memory stays bounded)


@dataclass(frozen=True)
class RestoreOptions:
    """Which restoration steps run, and how hard. Strengths in [0, 1]; 0 (the default) = off."""

    tint: bool = False  # white-balance a toned / yellowed colour scan before taking its lightness
    dust: float = 0.0  # dust and scratch removal strength, 0 = off
    denoise: float = 0.0  # grain reduction strength, 0 = off
    contrast: float = 0.0  # levels + local contrast strength, 0 = off

    @property
    def enabled(self) -> bool:
        """Whether anything would change: when False, ``restore`` returns the plain L*."""
        return self.tint or self.dust > 0 or self.denoise > 0 or self.contrast > 0

    def validate(self) -> None:
        for name in ("dust", "denoise", "contrast"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ColorStudioError(f"restoration strength '{name}' must be between 0 and 1")


PRESETS: dict[str, RestoreOptions] = {
    "off": RestoreOptions(),
    "clean scan": RestoreOptions(tint=True, denoise=0.3, contrast=0.3),
    "damaged print": RestoreOptions(tint=True, dust=0.7, denoise=0.5, contrast=0.5),
}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Plan:
    """The global quantities, measured once for the whole photo."""

    gains: np.ndarray | None
    sigma: float
    defects: dust_.DefectParams | None
    margin: int


def _check(pixels: np.ndarray) -> None:
    if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] in (1, 3))):
        raise ColorStudioError(f"expected a gray (H, W) or RGB (H, W, 3) image, got shape {pixels.shape}")
    if pixels.dtype not in (np.uint8, np.uint16) and not np.issubdtype(pixels.dtype, np.floating):
        raise ColorStudioError(f"expected 8- or 16-bit pixels (or float in [0, 1]), got {pixels.dtype}")


def _lightness(pixels: np.ndarray, gains: np.ndarray | None) -> np.ndarray:
    if gains is not None:
        return tint_.neutralize(pixels, gains)
    return color.lightness(pixels)


def _plan(pixels: np.ndarray, options: RestoreOptions, overlap: int) -> _Plan:
    h, w = pixels.shape[:2]
    gains = tint_.white_balance_gains(pixels) if options.tint else None
    sigma, defects, margin = 0.0, None, 0
    if options.dust > 0 or options.denoise > 0:
        crops = [_lightness(pixels[r], gains) for r in denoise_.sample_regions(h, w)]
        sigma = denoise_.noise_of_crops(crops)
        margin = max(overlap, denoise_.CONTEXT + 2) if options.denoise > 0 else overlap
        if options.dust > 0:
            defects = dust_.defect_params((h, w), options.dust, sigma)
            margin = max(margin, defects.context + (denoise_.CONTEXT if options.denoise > 0 else 0))
    return _Plan(gains, sigma, defects, margin)


def _local_steps(window: np.ndarray, plan: _Plan, options: RestoreOptions, strokes: Sequence[Stroke] = (),
                 origin: tuple[int, int] = (0, 0)) -> tuple[np.ndarray, np.ndarray | None]:
    """Lightness, dust (detected, plus the user's brush strokes) and denoise of one tile window."""
    L = _lightness(window, plan.gains)
    mask = None
    if plan.defects is not None or strokes:
        mask = dust_.detect_defects(L, params=plan.defects) if plan.defects is not None else np.zeros(L.shape, bool)
        mask = apply_strokes(mask, strokes, origin)
        radius = dust_.inpaint_radius(plan.defects) if plan.defects is not None else None
        if mask.any():
            L = dust_.inpaint(L, mask, radius)
    if options.denoise > 0:
        L = denoise_.denoise(L, options.denoise, sigma=plan.sigma)
    return L, mask


def restore_tiled(pixels: np.ndarray, options: RestoreOptions, tile: int = 2048, overlap: int = 128,
                  progress: Progress | None = None,
                  strokes: Sequence[Stroke] = ()) -> tuple[np.ndarray, np.ndarray | None]:
    """Restored L* (H, W) float32 and the dust mask (bool, or None when dust removal is off).

    ``pixels``: gray (H, W) / (H, W, 1) or RGB (H, W, 3), uint8 or uint16 (or float in [0, 1]).
    Tiles of ``tile`` px are read with at least ``overlap`` px of context on each side (more if the
    steps need it); only the tile cores are kept. ``progress(done, total)`` is called after each
    tile (when dust or denoise is on: the other steps are point-wise and fast). The result is the
    same as ``restore`` (tested to match exactly) because every statistic is global and every local
    decision needs less context than the margin. ``strokes`` are the user's edits of the dust mask
    (painted areas are inpainted even when automatic dust removal is off).
    """
    pixels = np.asarray(pixels)
    _check(pixels)
    options.validate()
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    h, w = pixels.shape[:2]
    plan = _plan(pixels, options, max(0, int(overlap)))
    out = np.empty((h, w), np.float32)
    strokes = list(strokes)
    if strokes:
        plan = _Plan(plan.gains, plan.sigma, plan.defects,
                     max(plan.margin, int(max(s.radius for s in strokes)) + 8))
    mask = np.zeros((h, w), bool) if plan.defects is not None or strokes else None
    tile = max(32, int(tile))
    local = options.dust > 0 or options.denoise > 0 or bool(strokes)
    cores = [(y, x) for y in range(0, h, tile) for x in range(0, w, tile)] if local else []
    m = plan.margin
    for i, (y, x) in enumerate(cores):
        y1, x1 = min(y + tile, h), min(x + tile, w)
        # context on the sides that face another tile; on the photo's own border the steps see the
        # same border as they do on the whole photo, so a single tile needs no margin at all
        wy, wx = max(0, y - m), max(0, x - m)
        L, tile_mask = _local_steps(pixels[wy:min(h, y1 + m), wx:min(w, x1 + m)], plan, options, strokes, (wy, wx))
        core = (slice(y - wy, y1 - wy), slice(x - wx, x1 - wx))
        out[y:y1, x:x1] = L[core]
        if mask is not None and tile_mask is not None:
            mask[y:y1, x:x1] = tile_mask[core]
        if progress is not None:
            progress(i + 1, len(cores))
    if not local:
        for y in range(0, h, STRIP):
            out[y:y + STRIP] = _lightness(pixels[y:y + STRIP], plan.gains)
    if options.contrast > 0:
        _contrast_in_place(out, options.contrast)
    return out, mask


def _contrast_in_place(L: np.ndarray, strength: float) -> None:
    """Levels then CLAHE on the assembled L*, strip by strip; both use whole-photo statistics."""
    levels = contrast_.measure_levels(L)
    amount = contrast_.levels_amount(strength)
    for y in range(0, L.shape[0], STRIP):
        L[y:y + STRIP] = contrast_.auto_levels(L[y:y + STRIP], levels=levels, amount=amount)
    alpha = np.float32(min(1.0, strength) * contrast_.LOCAL_AMOUNT)
    tables = contrast_.clahe_tables(L, contrast_.default_cell(*L.shape))
    for y in range(0, L.shape[0], STRIP):
        part = L[y:y + STRIP]
        part += alpha * (contrast_.apply_clahe(part, tables, (y, 0)) - part)


def restore(pixels: np.ndarray, options: RestoreOptions = RestoreOptions(),
            strokes: Sequence[Stroke] = ()) -> tuple[np.ndarray, np.ndarray | None]:
    """Restored L* (H, W) float32 and the dust mask (or None when dust removal is off).

    A photo up to ``WHOLE_TILE`` px is processed as one piece; a larger one
    in tiles of that size, which gives the same result in bounded memory. With every option off
    this is exactly ``color.lightness(pixels)``.
    """
    return restore_tiled(pixels, options, tile=WHOLE_TILE, overlap=0, strokes=strokes)
