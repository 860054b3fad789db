"""Dust, specks, hairs, cracks and scratches: find them on L*, then fill them from their surroundings.

Why each test (all tuned on real damaged prints, see benchmarks/bench_restoration.py):
- Top-hat / black-hat with a disc ~0.6 % of the short side (>= 7 px) respond to anything NARROWER
  than the disc; faces, buttons, text and the flat sides of edges give nothing. (An isolated blob
  narrower than that, a catch-light, a 5-px eye in a small group photo, looks like a speck: this is
  why the step is optional and its mask is returned for display.)
- The bar is the larger of a noise-relative threshold (k x sigma, sigma measured once per photo) and
  a multiple of the local activity (mean capped response around the pixel): grain and busy texture
  raise it where they are; a cluster of real cracks does not (responses are capped).
- Specks must be ISOLATED: darker / brighter than every pixel on a ring just outside the disc. This
  removes the top-hat leftovers at corners and along curved high-contrast edges.
- Lines (hairs, cracks, scratches) must be line-shaped (survive an opening with a segment at one of
  12 orientations), two-sided (deeper than most of the ring, whose middle part must vary much less
  than the line is deep, which rejects outlines and sharpening halos running along an edge) and
  long. Dark lines need 3x the contrast and 2x the length: damage to a print's emulsion is bright,
  thin dark lines are mostly the photo's own (a mouth, the gap between two objects).
- Every decision is local (bounded hysteresis, neighbourhood averages), so a tile with ``context``
  pixels of margin gets the same mask as the whole photo.

Inpainting uses OpenCV's Telea method directly on float32 L* (cv2.inpaint accepts 32-bit float), so
nothing is quantized, and only masked pixels change.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from colorstudio.core.restoration.denoise import estimate_noise

KERNEL_FRACTION = 0.006  # disc diameter relative to the short side
MIN_KERNEL = 7
ANGLES = 12  # orientations of the line segments
LINE_FRACTION = 0.03  # a (bright) line defect is at least this long, relative to the short side
DARK_LINE_FACTOR = 3.0  # dark lines need this much more contrast (and twice the length)
SIDE_RATIO = 1.5  # a line's depth over the spread of its ring, averaged around it
RIDGE_QUANTILE = 0.7  # a line may cover up to 30 % of the ring around its pixels
ISOLATION_SHARE = 0.5  # share of the bar a seed must stand out from its ring by
LINE_LOW = 0.35  # lines grow over pixels down to this share of their bar


def _lerp(strength: float, weak: float, strong: float) -> float:
    return weak + (strong - weak) * float(np.clip(strength, 0.0, 1.0))


def _odd(value: float) -> int:
    v = int(round(value))
    return v if v % 2 else v + 1


@dataclass(frozen=True)
class DefectParams:
    """Everything decided once per photo, so that all tiles of a large scan agree."""

    kernel: int  # disc diameter (px, odd): the widest speck or line found
    line_length: int  # segments a line must contain (px)
    speck_threshold: float  # L* a speck must stand out by
    line_threshold: float  # L* a bright line must stand out by
    activity_factor: float  # ... and this multiple of the local mean response
    grow: int  # dilation of the final mask (px): the soft rim of a defect is replaced too
    min_line_extent: int  # shorter line-shaped things are features (an eyelid), not damage

    @property
    def ring(self) -> int:
        return self.kernel // 2 + 2

    @property
    def activity_size(self) -> int:
        return 4 * self.kernel + 1

    @property
    def context(self) -> int:
        """Margin (px) a tile needs around its core to get exactly the whole photo's mask and fill."""
        lines = 2 * self.line_length + max(2 * self.min_line_extent, 2 * self.line_length + 1)
        return self.activity_size // 2 + self.ring + lines + 2 * self.grow + inpaint_radius(self)


def defect_params(shape: tuple[int, int], strength: float, sigma: float,
                  scale: int | None = None) -> DefectParams:
    """Thresholds for a photo of ``shape`` (H, W) with noise ``sigma`` (L*) at ``strength`` in [0, 1];
    ``scale`` overrides the disc diameter in pixels."""
    kernel = max(MIN_KERNEL, _odd(scale if scale else KERNEL_FRACTION * min(shape)))
    speck = max(_lerp(strength, 16.0, 5.0), _lerp(strength, 9.0, 4.0) * sigma)
    return DefectParams(kernel=kernel, line_length=max(11, (3 * kernel) // 2), speck_threshold=speck,
                        line_threshold=0.7 * speck, activity_factor=_lerp(strength, 6.0, 4.0),
                        grow=1 if kernel < 9 else 2,
                        min_line_extent=max(2 * kernel + 1, round(LINE_FRACTION * min(shape))))


def inpaint_radius(params: DefectParams) -> int:
    return max(3, params.kernel // 2)


def _ring(radius: int) -> np.ndarray:
    ring = np.zeros((2 * radius + 1, 2 * radius + 1), np.uint8)
    cv2.circle(ring, (radius, radius), radius, 1, 1)
    return ring


def _segments(length: int) -> list[np.ndarray]:
    c, out = length // 2, []
    for i in range(ANGLES):
        dx, dy = np.cos(np.pi * i / ANGLES) * c, np.sin(np.pi * i / ANGLES) * c
        k = np.zeros((length, length), np.uint8)
        cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1, 1)
        out.append(k)
    return out


def _grow(seeds: np.ndarray, weak: np.ndarray, steps: int) -> np.ndarray:
    """Pixels of ``weak`` within ``steps`` 8-connected steps of ``seeds``: hysteresis with a bounded
    reach, so the result at a pixel depends only on its neighbourhood (tiles agree with the whole)."""
    grown = np.ascontiguousarray(seeds & weak).view(np.uint8)
    weak_u8 = np.ascontiguousarray(weak).view(np.uint8)
    square = np.ones((3, 3), np.uint8)
    for _ in range(steps):
        nxt = cv2.dilate(grown, square) & weak_u8
        if np.array_equal(nxt, grown):
            break
        grown = nxt
    return grown.view(bool)


def _extent(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(labels, extent per label): the longer side of each 8-connected component's bounding box."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    return labels, np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])


def _ridge(L: np.ndarray, where: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """(depth, spread) in L* at the pixels ``where`` (0 elsewhere), from the ring around each pixel.

    depth: how much the pixel is brighter than the ring's ``RIDGE_QUANTILE`` (or darker than the
    opposite quantile): a thin line crosses the ring twice, leaving most of it to the background.
    spread: the ring's variation between those quantiles: small for a scratch (both sides alike, its
    own crossings in the tails), the edge's contrast for an outline that runs along an edge.
    """
    depth = np.zeros(L.shape, np.float32)
    spread = np.zeros(L.shape, np.float32)
    dy, dx = (a - radius for a in np.nonzero(_ring(radius)))
    padded = cv2.copyMakeBorder(np.ascontiguousarray(L, np.float32), radius, radius, radius, radius,
                                cv2.BORDER_REFLECT)
    hi = int(round(RIDGE_QUANTILE * (len(dy) - 1)))
    lo = len(dy) - 1 - hi
    ys, xs = np.nonzero(where)
    for i in range(0, len(ys), 65536):  # bounded temporaries
        y, x = ys[i:i + 65536] + radius, xs[i:i + 65536] + radius
        ring = padded[y[:, None] + dy[None, :], x[:, None] + dx[None, :]]
        ring.partition(sorted({lo, hi}), axis=1)
        centre = padded[y, x]
        depth[y - radius, x - radius] = np.maximum(centre - ring[:, hi], ring[:, lo] - centre)
        spread[y - radius, x - radius] = ring[:, hi] - ring[:, lo]
    return depth, spread


def _lines(resp: np.ndarray, depth: np.ndarray, spread: np.ndarray, polarity: np.ndarray, bar: np.ndarray,
           length: int, min_extent: int) -> np.ndarray:
    """Line defects of one polarity (bright and dark apart, so a mouth never joins a crack crossing it)."""
    weak = polarity & (resp > bar * LINE_LOW) & (depth > bar * LINE_LOW) & (depth > spread * (SIDE_RATIO / 2))
    weak_u8 = weak.view(np.uint8)
    # widened by a pixel first, so a 1-px line between two of the orientations still holds a segment
    widened = cv2.dilate(weak_u8, np.ones((3, 3), np.uint8))
    shaped = np.zeros_like(weak_u8)
    for segment in _segments(length):
        np.maximum(shaped, cv2.morphologyEx(widened, cv2.MORPH_OPEN, segment), out=shaped)
    shaped &= weak_u8
    seeds = (resp > bar) & (depth > bar * ISOLATION_SHARE) & (depth > spread)
    lines = _grow(seeds, shaped.view(bool), 2 * length)
    # on average (over its neighbourhood) clearly deeper than its sides differ, and long enough
    size = (2 * length + 1,) * 2
    ratio = np.where(lines, np.clip(depth / np.maximum(spread, np.float32(1e-3)), 0, 4), 0).astype(np.float32)
    total = cv2.boxFilter(ratio, -1, size, normalize=False, borderType=cv2.BORDER_REFLECT)
    count = cv2.boxFilter(lines.astype(np.float32), -1, size, normalize=False, borderType=cv2.BORDER_REFLECT)
    lines &= total >= SIDE_RATIO * count
    labels, extent = _extent(lines)
    return lines & (extent >= min_extent)[labels]


def detect_defects(L: np.ndarray, strength: float = 0.5, scale: int | None = None, *,
                   params: DefectParams | None = None, sigma: float | None = None) -> np.ndarray:
    """Boolean mask (H, W) of specks, hairs, cracks and scratches in ``L`` (float L* in [0, 100]).

    ``params`` (``defect_params`` of the whole photo) fixes every threshold; without it they come from
    ``L``'s own size and noise (or the given ``sigma``) at ``strength`` in [0, 1].
    """
    L = np.ascontiguousarray(L, np.float32)
    if params is None:
        params = defect_params(L.shape, strength, estimate_noise(L) if sigma is None else sigma, scale)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (params.kernel, params.kernel))
    reflect = {"borderType": cv2.BORDER_REFLECT}
    bright = cv2.morphologyEx(L, cv2.MORPH_TOPHAT, disc, **reflect)
    dark_resp = cv2.morphologyEx(L, cv2.MORPH_BLACKHAT, disc, **reflect)
    dark = dark_resp > bright
    resp = np.maximum(bright, dark_resp)
    del bright, dark_resp
    size = (params.activity_size,) * 2
    capped = np.minimum(resp, np.float32(params.line_threshold))
    activity = cv2.blur(capped, size, **reflect) * np.float32(params.activity_factor)

    # specks: strong, isolated from their whole ring, grown over their rim, no wider than the disc
    ring = _ring(params.ring)
    isolation = np.maximum(L - cv2.dilate(L, ring, **reflect), cv2.erode(L, ring, **reflect) - L)
    speck_bar = np.maximum(activity, np.float32(params.speck_threshold))
    seeds = (resp > speck_bar) & (isolation > speck_bar * ISOLATION_SHARE)
    labels, extent = _extent(resp > speck_bar * 0.5)  # the whole weak blob: texture makes big ones
    keep = np.zeros(len(extent), bool)
    keep[labels[seeds]] = True
    keep &= extent <= params.kernel + 2
    keep[0] = False
    specks = keep[labels]

    line_bar = np.maximum(activity, np.float32(params.line_threshold))
    depth, spread = _ridge(L, resp > line_bar * LINE_LOW, params.ring)
    lines = _lines(resp, depth, spread, ~dark, line_bar, params.line_length, params.min_line_extent)
    lines |= _lines(resp, depth, spread, dark, line_bar * np.float32(DARK_LINE_FACTOR), params.line_length,
                    2 * params.min_line_extent)
    mask = (specks | lines).view(np.uint8)
    if params.grow > 0:
        g = 2 * params.grow + 1
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (g, g)))
    return mask.view(bool)


def inpaint(L: np.ndarray, mask: np.ndarray, radius: int | None = None) -> np.ndarray:
    """``L`` with the masked pixels filled from their surroundings (Telea); other pixels bit-identical."""
    L = np.ascontiguousarray(L, np.float32)
    mask = np.asarray(mask, bool)
    if not mask.any():
        return L.copy()
    if radius is None:
        radius = max(3, _odd(KERNEL_FRACTION * min(L.shape)) // 2)
    filled = cv2.inpaint(L, np.ascontiguousarray(mask).view(np.uint8), float(radius), cv2.INPAINT_TELEA)
    out = L.copy()
    out[mask] = np.clip(filled[mask], 0.0, 100.0)
    return out


def remove_dust(L: np.ndarray, strength: float = 0.5, scale: int | None = None, *,
                params: DefectParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Detect and fill dust and scratches: (cleaned L*, mask of the pixels that were replaced)."""
    L = np.ascontiguousarray(L, np.float32)
    if params is None:
        params = defect_params(L.shape, strength, estimate_noise(L), scale)
    mask = detect_defects(L, params=params)
    return inpaint(L, mask, inpaint_radius(params)), mask
