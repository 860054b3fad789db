"""A reference colour photo guiding colorization (issue 30): "colour it like this photo".

1. **Correspondence** (``reference_match``): the ImageNet EfficientNet-Lite0's features of the photo's and
   the reference's lightness, cell by cell (stride 8), the reference read as it is, mirrored and zoomed
   out; each cell of the photo keeps its best few candidates (ranked by similarity and by how close their
   lightness is).
2. **What a pixel takes.** The colour samples of its four nearest cells' candidates, weighted by the
   cells' nearness, their match and how close the pixel's lightness is to theirs (``PIXEL_SIGMA``;
   ``pixel_chroma``), and a confidence (``reference_confidence``): a logistic model, fitted on photos-train,
   of how well the cell matched, how much its candidates agree and how well the reference shows this scene
   at all. Another scene's reference gets none. On the 53 photos-val pairs of
   ``benchmarks/bench_reference.py`` (CIEDE2000, gray 11.58, automatic 11.03) the hand-set ramps it
   replaced gave 6.22 with the right reference; without the per-pixel choice, and with the colorization
   model's own encoder instead of ImageNet's, the right reference did worse (on photos-train: 5.05 and 5.23
   against 4.95). The choice among samples barely depends on ``PIXEL_SIGMA`` (3: 5.606, 5: 5.608, 8: 5.610
   at the 448 px features of session 16); the radius of the guided filter below does (4 px: 5.65).
3. **Into the photo.** The matched chroma and its confidence are brought to the render size edge-aware
   (a guided filter on the photo's lightness) and blended into the network's own chroma by the confidence
   times the reference strength, before colour hints are spread (hints win where they are) and before the
   full-resolution join (``pipeline``). Where matches are weak, the network's own colour stays.

Why blended after the network rather than fed to it as dense hint planes (a/AB_SCALE, b/AB_SCALE, confidence
as the mask): the shipped model's hint branch learned from sparse points, and dense planes move its output
little. On 8 photos-val split-scene pairs (CIEDE2000, automatic 9.14): dense planes 8.26 (a 0/1 mask at
confidence 0.5: 8.29), the blend 6.22; with another scene's reference 8.95 and 9.14. Session 18 fine-tuned
the network on dense guidance (``recipes/reference_guidance.py``; 342 photos-train pairs, each with its own,
another and the most similar other reference): the hint branch alone moved little in 300 steps; the whole
network, 900 steps (20 minutes of this CPU; an earlier form of the recipe), gave 8.69 on the 53 photos-val pairs of
``benchmarks/bench_reference.py`` given the planes alone, and 5.34 with this module's blend over it (5.53 over
the shipped network), but another scene's reference then did worse (+0.03 against automatic, worst photo
+7.8, against -0.05 and +0.2). Not shipped: a longer run (a GPU's) and that harm are the next step.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core import color, imageio, reference_confidence
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.reference_match import (  # noqa: F401 - FEATURE_SIDE, encoder_of, lightness_features: API
    FEATURE_SIDE,
    Cells,
    Match,
    encoder_of,
    lightness_features,
    match,
    reference_cells,
    sized,
)

MIN_VARIETY = 2.5  # colour variety (``colour_variety``) below which a "reference" is gray, toned or aged: all 76
#                  old-bw scans fall below (the most: 2.23, a stained print; 16 of them above 0.75, the first
#                  threshold); 18 of the 276 photos-val colour photos too (the least: 1.13), photos with so
#                  little colour that they could give little
REFERENCE_SIDE = 1024  # a larger reference is shrunk to this long side when read
PIXEL_SIGMA = 5.0  # L*: how far a pixel's lightness may be from a candidate's and still take its colour
GUIDE_RADIUS = 8  # guided filter's radius, in render pixels (per 1024 px of long side)
GUIDE_EPS = 25.0  # its regulariser, in L* squared


def colour_variety(rgb: np.ndarray) -> float:
    """How much colour a photo has beyond one tint, in Lab chroma units: the spread of its ab across the
    direction of its mean colour, and against it. 0 for a gray photo and close to 0 for a sepia or toned one
    (every pixel on one hue); a colour photo has it well above ``MIN_VARIETY``."""
    small = _shrink(rgb, 256)
    ab = color.rgb_to_lab(small)[..., 1:].reshape(-1, 2).astype(np.float64)
    mean = ab.mean(axis=0)
    norm = np.hypot(*mean)
    axis = mean / norm if norm > 1e-3 else np.array([1.0, 0.0])
    along = ab @ axis
    across = ab @ np.array([-axis[1], axis[0]])
    return float(np.sqrt(np.mean(across**2 + np.minimum(along, 0.0) ** 2)))


def _shrink(pixels: np.ndarray, side: int) -> np.ndarray:
    h, w = pixels.shape[:2]
    if max(h, w) <= side:
        return pixels
    scale = side / max(h, w)
    return cv2.resize(pixels, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True, eq=False)
class Reference:
    """A colour photo whose colours guide a photo's colorization; ``strength`` 0..1 (0: no effect).
    ``pixels``: RGB uint8, at most ``REFERENCE_SIDE`` on its long side. ``name`` and ``sha256`` (of the file)
    go into the output's provenance."""

    pixels: np.ndarray = field(repr=False)
    name: str = ""
    sha256: str = ""
    strength: float = 1.0
    # its cells' features and chroma per encoder, computed once (a batch uses one reference for every photo)
    parts: tuple[Reference, ...] = ()  # a reference made of several (``combine``): their cells together
    _cells: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cells(self, encoder) -> Cells:
        """Every cell of this reference as ``encoder`` sees it (``reference_match.Cells``; cached)."""
        if self.parts:
            return Cells.join([part.cells(encoder) for part in self.parts])
        with self._lock:
            if id(encoder) not in self._cells:
                self._cells[id(encoder)] = reference_cells(encoder, self.pixels)
            return self._cells[id(encoder)]

    @classmethod
    def combine(cls, references: Sequence[Reference], strength: float | None = None) -> Reference:
        """One reference made of several (a photo coloured from the best few of a folder): each cell of the
        photo takes from whichever of them matches it. Its name and sha256 list theirs (", "-joined); its
        strength: ``strength``, or the first one's."""
        references = tuple(references)
        if not references:
            raise ColorStudioError("no reference photos to combine")
        if len(references) == 1 and strength is None:
            return references[0]
        first = references[0]
        return cls(first.pixels, ", ".join(r.name for r in references), ", ".join(r.sha256 for r in references),
                   first.strength if strength is None else float(strength), parts=references)

    def with_strength(self, strength: float) -> Reference:
        """The same reference at another strength (its cached cells shared)."""
        if not 0.0 <= strength <= 1.0:
            raise ColorStudioError(f"reference strength must be between 0 and 1, got {strength:g}")
        return replace(self, strength=float(strength), _cells=self._cells, _lock=self._lock)

    @classmethod
    def from_pixels(cls, pixels: np.ndarray, name: str = "", sha256: str = "", strength: float = 1.0) -> Reference:
        """Checks that it is a colour photo (a gray or sepia one is refused: ColorStudioError)."""
        if not 0.0 <= strength <= 1.0:
            raise ColorStudioError(f"reference strength must be between 0 and 1, got {strength:g}")
        label = name or "the reference"
        if pixels.ndim != 3 or pixels.shape[2] != 3:
            raise ColorStudioError(f"{label} is a gray photo: a reference must be a colour photo")
        if pixels.dtype == np.uint16:
            pixels = (pixels // 257).astype(np.uint8)
        variety = colour_variety(pixels)
        if variety < MIN_VARIETY:
            raise ColorStudioError(
                f"{label} has too little colour to guide a photo (colour variety {variety:.1f}, at least "
                f"{MIN_VARIETY:g} needed): it looks gray, sepia, toned or faded; choose a colour photo")
        return cls(np.ascontiguousarray(_shrink(pixels, REFERENCE_SIDE)), name, sha256, float(strength))

    @classmethod
    def from_file(cls, path: str | Path, strength: float = 1.0) -> Reference:
        """Read a reference photo (ColorStudioError if it cannot be read or is not a colour photo)."""
        path = Path(path)
        if path.is_dir():
            raise ColorStudioError(f"{path} is a folder: choosing a reference per photo from a folder is not "
                                   "available yet; give one colour photo")
        photo = imageio.read_image(path)
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return cls.from_pixels(photo.pixels, path.name, digest.hexdigest(), strength)

    def guide(self, model, lightness: np.ndarray) -> Guide:
        """Where and how this reference colours a photo whose render-size L* is ``lightness`` (h, w)."""
        return make_guide(self, model, lightness)


@dataclass
class Guide:
    """A reference's colour for one photo at the render size: matched chroma and how much it counts."""

    ab: np.ndarray  # (h, w, 2) the reference's chroma matched to each pixel, Lab units
    weight: np.ndarray  # (h, w, 1) confidence times the reference strength, 0..1

    def apply(self, ab: np.ndarray) -> np.ndarray:
        """The network's chroma ``ab`` (h, w, 2) with the reference's blended in by its weight."""
        return ab + self.weight * (self.ab - ab)


def _guided_filter(guide: np.ndarray, source: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter: ``source`` (h, w, c) smoothed with edges taken from ``guide`` (h, w)."""
    size = (2 * radius + 1, 2 * radius + 1)

    def box(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, size, borderType=cv2.BORDER_REFLECT)

    g = guide[..., None]
    mean_g, mean_s = box(guide)[..., None], box(source)
    cov = box(g * source) - mean_g * mean_s
    var = box(guide * guide)[..., None] - mean_g**2
    a = cov / (var + np.float32(eps))
    b = mean_s - a * mean_g
    return box(a) * g + box(b)


def pixel_chroma(found: Match, lightness: np.ndarray) -> np.ndarray:
    """Each pixel's chroma (h, w, 2): the samples of the candidates of its four nearest cells, weighted by
    the cells' nearness (bilinear), their match and how close their lightness is to the pixel's (a Welsh et
    al. 2002 choice among what the features matched). Chosen at ``CHOICE_SCALE`` of the size and enlarged."""
    h, w = lightness.shape
    small = cv2.resize(lightness, (max(8, round(w * CHOICE_SCALE)), max(8, round(h * CHOICE_SCALE))),
                       interpolation=cv2.INTER_AREA)
    return cv2.resize(_chosen(found, small), (w, h), interpolation=cv2.INTER_LINEAR)


def _chosen(found: Match, lightness: np.ndarray) -> np.ndarray:
    h, w = lightness.shape
    (fh, fw), (gh, gw, k, samples) = found.shape, found.lightness.shape
    # every sample of every candidate, weighted by its candidate's match
    chroma, light = found.chroma.reshape(gh, gw, k * samples, 2), found.lightness.reshape(gh, gw, k * samples)
    match_weights = np.repeat(found.weights, samples, axis=-1)
    (ys, y_next, dy), (xs, x_next, dx) = _between(h, fh, gh), _between(w, fw, gw)
    out = np.empty((h, w, 2), np.float32)
    for y0 in range(0, h, STRIP):  # in strips: memory stays bounded at any render size
        rows = slice(y0, y0 + STRIP)
        total, weight = np.zeros((len(ys[rows]), w, 2), np.float32), np.zeros((len(ys[rows]), w), np.float32)
        for cell_y, share_y in ((ys[rows], 1 - dy[rows]), (y_next[rows], dy[rows])):
            for cell_x, share_x in ((xs, 1 - dx), (x_next, dx)):
                near = lightness[rows, :, None] - light[cell_y][:, cell_x]
                weights = match_weights[cell_y][:, cell_x] * np.exp(-0.5 * (near / np.float32(PIXEL_SIGMA)) ** 2)
                weights *= (share_y[:, None] * share_x[None, :])[..., None]
                total += np.einsum("hwk,hwkc->hwc", weights, chroma[cell_y][:, cell_x])
                weight += weights.sum(axis=-1)
        out[rows] = total / (weight[..., None] + np.float32(1e-6))
    return out


def _between(n: int, feature_n: int, cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``n`` pixels along an axis (``feature_n`` at the feature size, ``cells`` cells of 8): each pixel's
    cell before it, the one after, and how far along it is between their centres (0..1)."""
    at = np.clip((np.arange(n) + 0.5) * feature_n / n / 8 - 0.5, 0, cells - 1)
    before = np.floor(at).astype(np.intp)
    return before, np.minimum(before + 1, cells - 1), (at - before).astype(np.float32)


STRIP = 64  # rows of pixels whose chroma is chosen at a time
CHOICE_SCALE = 0.5  # the chroma is chosen at this share of the size, then enlarged (photos-val, 576 px features:
#                     5.408 at full size, 5.410 at half; the guided filter after it smooths more than that)


def make_guide(reference: Reference, model, lightness: np.ndarray) -> Guide:
    """The guide of ``reference`` for a photo with render-size L* ``lightness`` (see the module)."""
    lightness = np.ascontiguousarray(lightness, np.float32)
    h, w = lightness.shape
    encoder = encoder_of(model)
    found = match(reference.cells(encoder), encoder, lightness)
    sure = reference_confidence.confidence(found)
    (fh, fw), (gh, gw) = found.shape, sure.shape
    sure = cv2.resize(sure, (round(gw * 8 * w / fw), round(gh * 8 * h / fh)), interpolation=cv2.INTER_LINEAR)
    sure = sure[:h, :w] if sure.shape[0] >= h and sure.shape[1] >= w else cv2.resize(sure, (w, h))
    # weighted chroma and weight, edge-aware on the photo's lightness
    cells = np.concatenate([pixel_chroma(found, lightness) * sure[..., None], sure[..., None]], axis=-1)
    radius = max(2, round(GUIDE_RADIUS * max(h, w) / 1024))
    smooth = _guided_filter(lightness, cells.astype(np.float32), radius, GUIDE_EPS)
    weight = np.clip(smooth[..., 2:], 0.0, 1.0)
    matched = smooth[..., :2] / np.maximum(smooth[..., 2:], np.float32(1e-3))
    matched = np.clip(matched, -color.AB_SCALE, color.AB_SCALE)
    return Guide(matched.astype(np.float32), (weight * np.float32(reference.strength)).astype(np.float32))
