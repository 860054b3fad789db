"""A reference colour photo guiding colorization (issue 30): "colour it like this photo".

1. **Correspondence.** The network's own encoder (EfficientNet-Lite; for a model without one, the ImageNet
   EfficientNet-Lite0 that ships with colorstudio) reads the lightness of the photo and of the reference,
   each shrunk to ``FEATURE_SIDE`` on its long side. Its features at strides 8, 16 and 32 (texture, parts,
   what things are) are L2-normalised per level and stacked, so a dot product is the mean cosine similarity
   of the three levels. Every cell of the photo's stride-8 grid is compared with every cell of the
   reference, read as it is, mirrored and zoomed out (``REFERENCE_SCALES``): a reference of another
   framing, a flipped or a closer one still matches.
2. **What a cell takes.** The reference's chroma (ab) of the cells that match it, weighted by a softmax of
   their similarity (``TEMPERATURE``), and a confidence: the best similarity, made 0..1 between
   ``SURE_FROM`` and ``SURE_AT``. Chosen on 10 photos-train split-scene pairs (as the benchmark's) with the
   right reference and another scene's: CIEDE2000 5.85 and 10.33 against 10.48 automatic, no pair made worse
   by another scene's reference; lower thresholds (0.35-0.55: 5.09) or a lightness term in the similarity
   (4.52) helped the right reference more but let an unrelated one recolour some photos (up to +1.1).
3. **Into the photo.** The matched chroma and its confidence are brought to the render size edge-aware
   (a guided filter on the photo's lightness) and blended into the network's own chroma by the confidence
   times the reference strength, before colour hints are spread (hints win where they are) and before the
   full-resolution join (``pipeline``). Where matches are weak, the network's own colour stays.

Why blended after the network rather than fed to it as dense hint planes (a/AB_SCALE, b/AB_SCALE, confidence
as the mask): the shipped model's hint branch learned from sparse points, and dense planes move its output
little. On 8 photos-val split-scene pairs (CIEDE2000, automatic 9.14): dense planes 8.26 (a 0/1 mask at
confidence 0.5: 8.29), the blend 6.22; with another scene's reference 8.95 and 9.14. Fine-tuning the hint
branch on dense reference-like guidance might change that; it has not been tried.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core import color, imageio
from colorstudio.core.errors import ColorStudioError

MIN_VARIETY = 0.75  # colour variety (``colour_variety``) below which a "reference" is gray or one tint (sepia: 0.3;
#                   the least varied of the 276 photos-val colour photos: 1.1, a tenth of them below 2.9)
REFERENCE_SIDE = 1024  # a larger reference is shrunk to this long side when read
FEATURE_SIDE = 448  # long side of the lightness the encoder reads for matching
LEVELS = ((2, 0.25), (3, 0.35), (4, 0.40))  # (encoder tap, weight): strides 8, 16 and 32
REFERENCE_SCALES = (1.0, 0.6)  # the reference read at these sizes (of FEATURE_SIDE), each also mirrored
TEMPERATURE = 0.02  # softmax temperature over cosine similarities
SURE_FROM, SURE_AT = 0.45, 0.65  # best similarity at which confidence starts, and is full
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

    def cells(self, encoder):
        """(features (M, C), chroma (M, 2)) of every cell of this reference as ``encoder`` sees it (cached)."""
        if self.parts:
            import torch

            cells = [part.cells(encoder) for part in self.parts]
            return torch.cat([f for f, _ in cells]), torch.cat([ab for _, ab in cells])
        with self._lock:
            if id(encoder) not in self._cells:
                self._cells[id(encoder)] = _reference_cells(encoder, self)
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
                f"{MIN_VARIETY:g} needed): it looks gray, sepia or toned; choose a colour photo")
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


# --- features ---------------------------------------------------------------------------------------------
_fallback_lock = threading.Lock()
_fallback: list = []


def encoder_of(model):
    """The model's own EfficientNet-Lite encoder (an OpenVINO model lends its PyTorch one), or for a model
    without one the ImageNet EfficientNet-Lite0 that ships with colorstudio."""
    encoder = getattr(model, "encoder", None)
    if encoder is not None and hasattr(encoder, "taps"):
        return encoder
    with _fallback_lock:
        if not _fallback:
            from colorstudio.core.models.lite_encoder import LiteEncoder

            _fallback.append(LiteEncoder(pretrained=True).eval())
        return _fallback[0]


def lightness_features(encoder, lightness: np.ndarray):
    """Stacked normalised features (H8, W8, C) of an L* image, on the stride-8 grid of its padded size."""
    import torch
    import torch.nn.functional as F

    h, w = lightness.shape
    ph, pw = -(-h // 32) * 32, -(-w // 32) * 32
    padded = cv2.copyMakeBorder(lightness.astype(np.float32), 0, ph - h, 0, pw - w, cv2.BORDER_REFLECT)
    device = next(encoder.parameters()).device
    l_in = torch.from_numpy(padded / np.float32(color.L_SCALE))[None, None].to(device)
    with torch.inference_mode():
        taps = encoder(encoder.normalise(l_in))
        grid = (ph // 8, pw // 8)
        parts = []
        for index, weight in LEVELS:
            level = F.interpolate(taps[index].float(), size=grid, mode="bilinear", align_corners=False)
            parts.append(F.normalize(level, dim=1) * weight**0.5)
        stacked = torch.cat(parts, dim=1)[0].permute(1, 2, 0)
    return stacked[: -(-h // 8), : -(-w // 8)].cpu()


def _sized(pixels: np.ndarray, side: int) -> np.ndarray:
    h, w = pixels.shape[:2]
    scale = side / max(h, w)
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def _reference_cells(encoder, reference: Reference):
    """(features (M, C), chroma (M, 2)) of every cell of the reference, at each scale, as is and mirrored."""
    import torch

    feats, chroma = [], []
    for scale in REFERENCE_SCALES:
        rgb = _sized(reference.pixels, max(32, round(FEATURE_SIDE * scale)))
        lab = color.rgb_to_lab(rgb)
        for image in (lab, lab[:, ::-1]):
            f = lightness_features(encoder, np.ascontiguousarray(image[..., 0]))
            gh, gw = f.shape[:2]
            cells = cv2.resize(np.ascontiguousarray(image[..., 1:]), (gw, gh), interpolation=cv2.INTER_AREA)
            feats.append(f.reshape(-1, f.shape[-1]))
            chroma.append(torch.from_numpy(cells.reshape(-1, 2)))
    return torch.cat(feats), torch.cat(chroma)


def match(model, reference: Reference, lightness: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(matched ab (gh, gw, 2), best similarity (gh, gw)) on the stride-8 grid of the photo's L* shrunk to
    ``FEATURE_SIDE``."""
    import torch

    encoder = encoder_of(model)
    photo = lightness_features(encoder, _sized(lightness.astype(np.float32), FEATURE_SIDE))
    gh, gw, channels = photo.shape
    ref_feats, ref_ab = reference.cells(encoder)
    similarity = photo.reshape(-1, channels) @ ref_feats.T  # (N, M) mean cosine over the levels
    best = similarity.max(dim=1).values
    weights = torch.softmax(similarity / TEMPERATURE, dim=1)
    ab = weights @ ref_ab.float()
    return ab.reshape(gh, gw, 2).numpy(), best.reshape(gh, gw).numpy()


def confidence(best: np.ndarray) -> np.ndarray:
    """A match's confidence 0..1 from its best similarity."""
    return np.clip((best - SURE_FROM) / (SURE_AT - SURE_FROM), 0.0, 1.0).astype(np.float32)


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


def make_guide(reference: Reference, model, lightness: np.ndarray) -> Guide:
    """The guide of ``reference`` for a photo with render-size L* ``lightness`` (see the module)."""
    h, w = lightness.shape
    ab, best = match(model, reference, lightness)
    sure = confidence(best)[..., None]
    # weighted chroma and weight, bilinear to the render size, then edge-aware on the photo's lightness
    cells = np.concatenate([ab * sure, sure], axis=-1).astype(np.float32)
    fh, fw = _sized(lightness, FEATURE_SIDE).shape
    cells = cv2.resize(cells, (round(ab.shape[1] * 8 * w / fw), round(ab.shape[0] * 8 * h / fh)),
                       interpolation=cv2.INTER_LINEAR)[:h, :w]
    if cells.shape[:2] != (h, w):
        cells = cv2.resize(cells, (w, h), interpolation=cv2.INTER_LINEAR)
    radius = max(2, round(GUIDE_RADIUS * max(h, w) / 1024))
    smooth = _guided_filter(lightness.astype(np.float32), cells, radius, GUIDE_EPS)
    weight = np.clip(smooth[..., 2:], 0.0, 1.0)
    matched = smooth[..., :2] / np.maximum(smooth[..., 2:], np.float32(1e-3))
    matched = np.clip(matched, -color.AB_SCALE, color.AB_SCALE)
    return Guide(matched.astype(np.float32), (weight * np.float32(reference.strength)).astype(np.float32))
