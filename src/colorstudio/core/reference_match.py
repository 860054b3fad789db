"""Where a reference colour photo matches a photo (``core.reference``): features, cells and candidates.

The encoder is the ImageNet EfficientNet-Lite0 that ships with colorstudio, whatever model colours the
photo: it reads the lightness of the photo and of the reference, each shrunk to ``FEATURE_SIDE`` on its
long side (a smaller one read as it is). Its features at strides 8, 16 and 32 (texture, parts, what things are) are L2-normalised per
level and stacked, so a dot product is the mean cosine similarity of the three levels. The colorization
model's own encoder was tried first: on 40 photos-train split-scene pairs it told the right reference from
another scene's less clearly (the photo's median best similarity: 0.38-0.91 against 0.17-0.50; ImageNet's:
0.50-0.94 against 0.29-0.47), and coloured with it no better.

Every cell of the photo's stride-8 grid is compared with every cell of the reference, read as it is,
mirrored and zoomed out (``REFERENCE_SCALES``): a reference of another framing, a flipped or a closer one
still matches. A cell keeps its ``TOP`` best candidates, ranked by similarity less ``LIGHTNESS_COST`` per
100 L* between the cells' mean lightness, and weighted by a softmax (``TEMPERATURE``). A candidate brings
its cell's colour as ``SAMPLES`` x ``SAMPLES`` samples, each with its lightness; each pixel then weighs the
samples of its four nearest cells' candidates by how close their lightness is to its own
(``core.reference.pixel_chroma``).

Why ``FEATURE_SIDE`` stays 448 (session 17). A finer grid places colour more exactly with the right
reference: on the 53 photos-val pairs of ``benchmarks/bench_reference.py`` (CIEDE2000, with session 16's
pixel choice) 448 gave 5.61, 576 5.45, 640 5.39, 704 5.38, 832 5.35. But it trusts a merely similar photo
more: another scene's reference harmed more as the side grew (on average -0.04, -0.01, +0.01, +0.10; the worst
photo +0.3, +1.3, +2.2, +4.5), and a folder without the photo's scene (those 53 reference halves, for 32
photos-train pairs) made photos worse by 1.03 on average at 576 (the worst by 10.1) against 0.17 (7.1) at
448, both with the samples below. The guide of a 1024 x 768 photo took 0.33 s at 448, 0.47 s at 576 and
0.89 s at 704. The samples and the four nearest cells took the right reference from 5.61 to 5.54 at 448.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from colorstudio.core import color

FEATURE_SIDE = 448  # long side of the lightness the encoder reads for matching (see the module)
LEVELS = ((2, 0.25), (3, 0.35), (4, 0.40))  # (encoder tap, weight): strides 8, 16 and 32
REFERENCE_SCALES = (1.0, 0.6)  # the reference read at these sizes (of FEATURE_SIDE), each also mirrored
TOP = 8  # candidates a cell keeps
SAMPLES = 2  # a reference cell's colour and lightness kept as SAMPLES x SAMPLES samples (a pixel takes from
#              those closest to its own lightness: a cell across an edge keeps both sides' colours)
TEMPERATURE = 0.02  # softmax temperature over their similarities
LIGHTNESS_COST = 1.0  # similarity lost per 100 L* between a cell's mean lightness and a candidate's
ROWS = 512  # the photo's cells compared at a time: memory stays bounded with a folder's several references

_encoder_lock = threading.Lock()
_encoders: list = []


def encoder_of(model=None):
    """The encoder that finds matches: the ImageNet EfficientNet-Lite0, loaded once (``model`` is not used:
    the same encoder serves every model, so a folder's cached descriptors do not depend on the model)."""
    with _encoder_lock:
        if not _encoders:
            from colorstudio.core.models.lite_encoder import LiteEncoder

            _encoders.append(LiteEncoder(pretrained=True).eval())
        return _encoders[0]


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


def sized(pixels: np.ndarray, side: int) -> np.ndarray:
    """``pixels`` shrunk to ``side`` on the long side; a smaller image is read as it is. (Enlarged, its blur
    matched the smooth parts of any photo: a 256 px photo read at 576 px took colour from soft blobs.)"""
    h, w = pixels.shape[:2]
    if max(h, w) <= side:
        return pixels
    scale = side / max(h, w)
    return cv2.resize(pixels, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA)


def photo_features(encoder, lightness: np.ndarray):
    """The features (H8, W8, C) of a photo's L* as the matching reads it: shrunk to ``FEATURE_SIDE``."""
    return _features_of(encoder, sized(lightness.astype(np.float32), FEATURE_SIDE))


_last_lock = threading.Lock()
_last: list = []  # [(encoder, digest of the shrunk L*), features]: the last photo's, one entry


def _features_of(encoder, small: np.ndarray):
    """``lightness_features`` of a photo's shrunk L*, the last photo's kept: a folder's choice and the guide
    after it read the same photo once."""
    small = np.ascontiguousarray(small, np.float32)
    key = (small.shape, hashlib.blake2b(small.tobytes(), digest_size=16).digest())
    with _last_lock:
        if _last and _last[0][0] is encoder and _last[0][1] == key:
            return _last[1]
    features = lightness_features(encoder, small)
    with _last_lock:
        _last[:] = [(encoder, key), features]
    return features


def _cell_lightness(lightness: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    gh, gw = grid
    return cv2.resize(np.ascontiguousarray(lightness, np.float32), (gw, gh), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class Cells:
    """A reference's cells: features (M, C), and chroma (M, S, 2) and lightness (M, S) of each cell's
    S = ``SAMPLES`` squared samples, torch tensors."""

    features: object
    chroma: object
    lightness: object

    @classmethod
    def join(cls, parts) -> Cells:
        import torch

        return cls(*(torch.cat([getattr(p, name) for p in parts]) for name in ("features", "chroma", "lightness")))


def reference_cells(encoder, pixels: np.ndarray) -> Cells:
    """Every cell of a reference photo (RGB), at each scale, as is and mirrored."""
    import torch

    parts = []
    side = min(FEATURE_SIDE, max(pixels.shape[:2]))  # (a smaller reference is read as it is, and zoomed out)
    for scale in REFERENCE_SCALES:
        lab = color.rgb_to_lab(sized(pixels, max(32, round(side * scale))))
        for image in (lab, lab[:, ::-1]):
            image = np.ascontiguousarray(image)
            f = lightness_features(encoder, image[..., 0])
            gh, gw = f.shape[:2]
            parts.append(Cells(f.reshape(-1, f.shape[-1]), torch.from_numpy(_samples(image[..., 1:], gh, gw)),
                               torch.from_numpy(_samples(image[..., :1], gh, gw)[..., 0])))
    return Cells.join(parts)


def _samples(pixels: np.ndarray, gh: int, gw: int) -> np.ndarray:
    """(gh x gw, S, c): each cell's ``SAMPLES`` x ``SAMPLES`` area means of ``pixels`` (h, w, c)."""
    n, channels = SAMPLES, pixels.shape[-1]
    small = cv2.resize(np.ascontiguousarray(pixels), (gw * n, gh * n), interpolation=cv2.INTER_AREA)
    small = small.reshape(gh, n, gw, n, channels).transpose(0, 2, 1, 3, 4)
    return np.ascontiguousarray(small.reshape(gh * gw, n * n, channels), np.float32)


@dataclass
class Match:
    """Each cell of the photo's stride-8 grid (gh, gw), on its L* shrunk to ``FEATURE_SIDE`` (``shape``):
    its ``TOP`` candidates' chroma (gh, gw, K, S, 2) and lightness (gh, gw, K, S) (S: each candidate's
    samples, ``Cells``), weights (gh, gw, K, summing to 1) and scores (gh, gw, K: similarity less the
    lightness cost, best first), and its best similarity (gh, gw) with any cell of the reference."""

    chroma: np.ndarray
    lightness: np.ndarray
    weights: np.ndarray
    best: np.ndarray
    shape: tuple[int, int]
    scores: np.ndarray


def best_similarity(photo, cells: Cells):
    """Each of a photo's cells' (features (H8, W8, C)) best similarity with any of ``cells`` (a torch tensor
    (H8 x W8,)), a block of the photo's cells at a time."""
    import torch

    flat = photo.reshape(-1, photo.shape[-1])
    return torch.cat([(flat[start:start + ROWS] @ cells.features.T).max(dim=1).values
                      for start in range(0, len(flat), ROWS)])


def match(cells: Cells, encoder, lightness: np.ndarray) -> Match:
    """How the cells of a photo with L* ``lightness`` match a reference's ``cells``."""
    import torch

    small = sized(lightness.astype(np.float32), FEATURE_SIDE)
    photo = _features_of(encoder, small)  # (photo_features, with the shrunk L* kept for its cells)
    gh, gw, channels = photo.shape
    flat = photo.reshape(-1, channels)
    mine = torch.from_numpy(_cell_lightness(small, (gh, gw)).reshape(-1, 1))
    theirs = cells.lightness.float().mean(dim=1)[None, :]
    k = min(TOP, theirs.shape[1])
    best, top = torch.empty(len(flat)), torch.empty(len(flat), k)
    index = torch.empty(len(flat), k, dtype=torch.long)
    for start in range(0, len(flat), ROWS):  # a block of the photo's cells at a time: memory stays bounded
        part = slice(start, start + ROWS)
        similarity = flat[part] @ cells.features.T  # (rows, M) mean cosine over the levels
        best[part] = similarity.max(dim=1).values
        similarity -= LIGHTNESS_COST / 100 * (mine[part] - theirs).abs()
        top[part], index[part] = similarity.topk(k, dim=1)
    weights = torch.softmax(top / TEMPERATURE, dim=1)
    samples = cells.lightness.shape[1]
    return Match(cells.chroma.float()[index].reshape(gh, gw, k, samples, 2).numpy(),
                 cells.lightness.float()[index].reshape(gh, gw, k, samples).numpy(),
                 weights.reshape(gh, gw, k).numpy(), best.reshape(gh, gw).numpy(), small.shape,
                 top.reshape(gh, gw, k).numpy())
