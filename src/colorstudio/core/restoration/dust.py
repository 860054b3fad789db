"""Dust, hair, specks and scratches: find them on L*, then fill them in from their surroundings.

Detection (``detect_defects``):
- A speck is a small bright or dark blob narrower than the structuring element, so the morphological
  top-hat (L - opening) and black-hat (closing - L) isolate it; anything wider (a face, a button, the
  flat side of an edge) is untouched by them. The element is ~0.6 % of the short side (>= 5 px), so
  the same physical dust is found at any scan resolution.
- Responses are compared with the photo's noise level (``sigma``, a wavelet MAD estimate measured once
  for the whole photo) and with the local activity (mean response around the pixel): grain and busy
  texture (foliage, hair, fabric) raise the bar where they are, while a speck on a smooth sky stands
  out. Hysteresis then grows each strong seed over its weaker rim.
- Compact components larger than the element are dropped (real structure); long thin ones are
  kept only if the line detector agrees: openings of the candidate map with short line segments at
  12 orientations keep what is line-shaped (scratches, hairs) and remove isolated noise, so lines
  may be fainter than specks.
- The mask is dilated by 1-2 px so the soft rim of a defect is replaced too.

All thresholds come from ``DefectParams``, computed once per photo, so tiles of a large scan agree.
Inpainting (``inpaint``) uses OpenCV's Telea method on the float32 L* itself (``cv2.inpaint``
accepts 32-bit float), so there is no 8-bit quantization, and only masked pixels are changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from colorstudio.core.restoration.denoise import estimate_noise

KERNEL_FRACTION = 0.006  # structuring element, relative to the short side
MIN_KERNEL = 7
ANGLES = 12
DARK_LINE_FACTOR = 3.0  # damage to a print's emulsion is bright; thin DARK lines are mostly the
# photo's own (a mouth, an outline, the gap between two objects), so they must stand out much more
# (and be twice as long, see ``detect_defects``)
LINE_LOW = 0.35  # hysteresis: a line grows over pixels down to this share of its bar
SIDE_RATIO = 1.0  # a line seed must be deeper than its two sides differ (see ``_ridge``)
LINE_FRACTION = 0.03  # a scratch or hair is at least this long, relative to the short side
RIDGE_QUANTILE = 0.7  # a line may cover up to 30 % of the ring around its pixels
DEBUG: dict | None = None  # set to a dict to receive the intermediate maps (for tuning)
ISOLATION_SHARE = 0.5  # a speck seed must stand out from its whole ring by this share of the bar


def _lerp(strength: float, weak: float, strong: float) -> float:
    s = float(np.clip(strength, 0.0, 1.0))
    return weak + (strong - weak) * s


def _odd(value: float) -> int:
    v = int(round(value))
    return v if v % 2 else v + 1


@dataclass(frozen=True)
class DefectParams:
    """Everything the detector decides once per photo (so tiles of one photo agree)."""

    kernel: int  # top-hat element side (px, odd)
    line_length: int  # line segments used to recognize scratches (px)
    speck_threshold: float  # L* response a compact speck must reach
    line_threshold: float  # L* response a line-shaped defect must reach
    activity_factor: float  # ... and this multiple of the local mean response
    grow: int  # dilation of the final mask (px)
    min_line_extent: int  # shorter line-shaped things are features (a mouth, an eyelid), not damage

    @property
    def ring(self) -> int:
        """Radius of the ring a speck or line pixel is compared with: just outside the element."""
        return self.kernel // 2 + 2

    @property
    def activity_size(self) -> int:
        return 4 * self.kernel + 1

    @property
    def context(self) -> int:
        """Pixels of context a tile needs around its core to be detected and filled as in the whole."""
        reach = max(self.activity_size, self.min_line_extent, 2 * self.line_length)
        return reach + self.kernel + 2 * self.grow + inpaint_radius(self)


def defect_params(shape: tuple[int, int], strength: float, sigma: float,
                  scale: int | None = None) -> DefectParams:
    """Thresholds for a photo of ``shape`` with noise ``sigma`` (L*) at ``strength`` in [0, 1].

    ``scale`` overrides the structuring element size in pixels (the largest speck width found).
    """
    kernel = max(MIN_KERNEL, _odd(scale if scale else KERNEL_FRACTION * min(shape)))
    speck = max(_lerp(strength, 16.0, 5.0), _lerp(strength, 9.0, 4.0) * sigma)
    return DefectParams(
        kernel=kernel,
        line_length=max(11, (3 * kernel) // 2),
        speck_threshold=speck,
        line_threshold=0.7 * speck,
        activity_factor=_lerp(strength, 6.0, 4.0),
        grow=1 if kernel < 9 else 2,
        min_line_extent=max(2 * kernel + 1, round(LINE_FRACTION * min(shape))),
    )


def inpaint_radius(params: DefectParams) -> int:
    return max(3, params.kernel // 2)


def _line_elements(length: int) -> list[np.ndarray]:
    elements = []
    c = length // 2
    for i in range(ANGLES):
        angle = np.pi * i / ANGLES
        dx, dy = np.cos(angle) * c, np.sin(angle) * c
        k = np.zeros((length, length), np.uint8)
        cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1, 1)
        elements.append(k)
    return elements


def _hysteresis(weak: np.ndarray, strong: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components of ``weak`` that contain a ``strong`` pixel: (mask, labels, stats)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(weak.view(np.uint8), connectivity=8)
    seeded = np.zeros(count, bool)
    seeded[np.unique(labels[strong & weak])] = True
    seeded[0] = False
    return seeded[labels], labels, stats


def responses(L: np.ndarray, params: DefectParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shape, isolation, dark): responses in L*, each the larger of its bright and dark version, and
    where the dark one is the larger.

    shape: top-hat / black-hat, the full extent and depth of anything narrower than the element.
    isolation: how much a pixel is brighter (darker) than EVERY pixel on a ring around it. A speck is
    isolated; the leftovers of the top-hat at corners and along curved high-contrast edges are not
    (the ring reaches the structure they belong to), nor are thin lines (the ring crosses the line).
    """
    src = np.ascontiguousarray(L, np.float32)
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (params.kernel, params.kernel))
    border = {"borderType": cv2.BORDER_REFLECT}
    bright = cv2.morphologyEx(src, cv2.MORPH_TOPHAT, element, **border)
    dark = cv2.morphologyEx(src, cv2.MORPH_BLACKHAT, element, **border)
    ring = np.zeros((2 * params.ring + 1, 2 * params.ring + 1), np.uint8)
    cv2.circle(ring, (params.ring, params.ring), params.ring, 1, 1)
    isolation = np.maximum(src - cv2.dilate(src, ring, **border), cv2.erode(src, ring, **border) - src)
    return np.maximum(bright, dark), isolation, dark > bright


def _ring_offsets(radius: int) -> tuple[np.ndarray, np.ndarray]:
    ring = np.zeros((2 * radius + 1, 2 * radius + 1), np.uint8)
    cv2.circle(ring, (radius, radius), radius, 1, 1)
    dy, dx = np.nonzero(ring)
    return dy - radius, dx - radius


def _ridge(L: np.ndarray, where: np.ndarray, params: DefectParams) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided line test at the pixels ``where`` (0 elsewhere): (depth, spread) in L*.

    depth: how much a pixel is brighter than the ``RIDGE_QUANTILE`` of the ring around it (or darker
    than the opposite quantile). A thin line crosses the ring twice and leaves most of it to the
    background, so it passes; the leftovers of the top-hat along a curved high-contrast edge do not,
    a good part of their ring lying on the dark (bright) side of that edge.
    spread: how much the middle of the ring itself varies (between the two quantiles). A scratch
    crosses whatever lies under it, both sides alike, and its own crossings (even with the dark rims
    a crack in the emulsion has) stay in the ring's tails; a thin dark outline or a sharpening halo
    runs ALONG an edge, half of its ring on either side, so its spread is the edge's contrast.
    """
    depth = np.zeros(L.shape, np.float32)
    spread = np.zeros(L.shape, np.float32)
    ys, xs = np.nonzero(where)
    if len(ys) == 0:
        return depth, spread
    r = params.ring
    dy, dx = _ring_offsets(r)
    padded = cv2.copyMakeBorder(np.ascontiguousarray(L, np.float32), r, r, r, r, cv2.BORDER_REFLECT)
    n = len(dy)
    hi_k = int(round(RIDGE_QUANTILE * (n - 1)))
    lo_k = n - 1 - hi_k
    for i in range(0, len(ys), 65536):
        y, x = ys[i:i + 65536], xs[i:i + 65536]
        ring = padded[y[:, None] + r + dy[None, :], x[:, None] + r + dx[None, :]]
        ring.partition(sorted({lo_k, hi_k}), axis=1)
        centre = padded[y + r, x + r]
        bright, dark = centre - ring[:, hi_k], ring[:, lo_k] - centre
        depth[y, x] = np.maximum(bright, dark)
        spread[y, x] = ring[:, hi_k] - ring[:, lo_k]
    return depth, spread


def _lines(resp: np.ndarray, ridge: np.ndarray, spread: np.ndarray, polarity: np.ndarray, bar: np.ndarray,
           length: int, min_extent: int) -> np.ndarray:
    """Line-shaped defects of one polarity: candidates (down to ``LINE_LOW`` of the bar) that survive
    an opening with a line segment at some orientation, grown from seeds that pass every test, and
    at least ``min_extent`` long. The candidates are widened by a pixel before the openings, so a
    1-px line drawn at an angle between two of the segments still contains one."""
    candidates = polarity & (resp > bar * LINE_LOW) & (ridge > bar * LINE_LOW) & (ridge > spread * (SIDE_RATIO / 2))
    candidates = candidates.view(np.uint8)
    widened = cv2.dilate(candidates, np.ones((3, 3), np.uint8))
    lines = np.zeros_like(candidates)
    for element in _line_elements(length):
        np.maximum(lines, cv2.morphologyEx(widened, cv2.MORPH_OPEN, element), out=lines)
    lines &= candidates
    seeds = (resp > bar) & (ridge > bar * ISOLATION_SHARE) & (ridge > spread * SIDE_RATIO)
    lines, labels, stats = _hysteresis(lines.view(bool), seeds)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    return lines & (extent >= min_extent)[labels]


def detect_defects(L: np.ndarray, strength: float = 0.5, scale: int | None = None, *,
                   params: DefectParams | None = None, sigma: float | None = None) -> np.ndarray:
    """Boolean mask (H, W) of specks, hairs and scratches in ``L`` (float L* in [0, 100]).

    ``params`` (from ``defect_params`` on the whole photo) fixes every threshold; without it they are
    derived from ``L``'s own size and noise (or the given ``sigma``).
    """
    L = np.asarray(L, np.float32)
    if params is None:
        params = defect_params(L.shape, strength, estimate_noise(L) if sigma is None else sigma, scale)
    resp, isolation, dark = responses(L, params)
    size = params.activity_size
    # local activity: the mean response around a pixel, each response capped at the line threshold so
    # that a cluster of real defects (a crazed corner) does not raise its own bar; texture, made of
    # many moderate responses, does
    capped = np.minimum(resp, np.float32(params.line_threshold))
    activity = cv2.blur(capped, (size, size), borderType=cv2.BORDER_REFLECT) * np.float32(params.activity_factor)

    # compact specks: isolated strong seeds grown over their rim, no wider than the element allows
    speck_bar = np.maximum(activity, np.float32(params.speck_threshold))
    seeds = (resp > speck_bar) & (isolation > speck_bar * ISOLATION_SHARE)
    specks, labels, stats = _hysteresis(resp > speck_bar * 0.5, seeds)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    specks &= (extent <= params.kernel + 2)[labels]

    # line-shaped defects, bright and dark apart (so a mouth is never joined to a crack crossing it)
    line_bar = np.maximum(activity, np.float32(params.line_threshold))
    candidates = resp > line_bar * LINE_LOW
    ridge, spread = _ridge(L, candidates, params)
    bright_lines = _lines(resp, ridge, spread, ~dark, line_bar, params.line_length, params.min_line_extent)
    dark_lines = _lines(resp, ridge, spread, dark, line_bar * np.float32(DARK_LINE_FACTOR), params.line_length,
                        2 * params.min_line_extent)
    lines = bright_lines | dark_lines
    if DEBUG is not None:
        DEBUG.update(specks=specks, lines=lines, resp=resp, isolation=isolation, ridge=ridge, spread=spread,
                     dark=dark)

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
    filled = cv2.inpaint(L, mask.view(np.uint8), float(radius), cv2.INPAINT_TELEA)
    out = L.copy()
    out[mask] = np.clip(filled[mask], 0.0, 100.0)
    return out


def remove_dust(L: np.ndarray, strength: float = 0.5, scale: int | None = None, *,
                params: DefectParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Detect and fill dust and scratches: (cleaned L*, mask of the changed pixels)."""
    L = np.asarray(L, np.float32)
    if params is None:
        params = defect_params(L.shape, strength, estimate_noise(L), scale)
    mask = detect_defects(L, params=params)
    return inpaint(L, mask, inpaint_radius(params)), mask
