"""Colour photos -> (L, ab) training pairs, made on the fly with random crops, scales and flips (hints are drawn
by the training loop: ``hint_sampling``)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from colorstudio.core import color, imageio
from colorstudio.core.errors import ColorStudioError


def prepared(path: Path, short_side: int) -> np.ndarray | None:
    """The photo as 8-bit RGB, its short side scaled to ``short_side`` (None if unreadable or gray)."""
    try:
        photo = imageio.read_image(path)
    except ColorStudioError:
        return None
    if photo.is_gray:
        return None
    rgb = photo.pixels if photo.pixels.dtype == np.uint8 else (photo.pixels >> 8).astype(np.uint8)
    h, w = rgb.shape[:2]
    scale = short_side / min(h, w)
    size = (max(short_side, round(w * scale)), max(short_side, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


class PhotoPairs(Dataset):
    """Photos decoded once and kept in memory at a modest size; each item is a fresh random crop.

    ``augment`` off gives the centre crop (validation).
    """

    def __init__(self, paths: list[Path], size: int = 224, augment: bool = True, seed: int = 0) -> None:
        self.size = size
        self.augment = augment
        self.seed = seed
        self.epoch = 0
        kept = [(p, img) for p, img in ((p, prepared(p, int(size * 1.25))) for p in paths) if img is not None]
        if not kept:
            raise ColorStudioError("no usable colour photos")
        self.paths = [p for p, _ in kept]
        self.images = [img for _, img in kept]

    def __len__(self) -> int:
        return len(self.images)

    def _rng(self, index: int) -> np.random.Generator:
        # Seeded by (seed, epoch, index): the same across DataLoader workers and after a resume.
        return np.random.default_rng([self.seed, self.epoch, index])

    def crop(self, index: int, rng: np.random.Generator) -> np.ndarray:
        img = self.images[index]
        s = self.size
        if not self.augment:
            h, w = img.shape[:2]
            return img[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]
        scale = rng.uniform(0.8, 1.0)
        h, w = img.shape[:2]
        side = max(s, int(min(h, w) * scale))
        y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        crop = cv2.resize(img[y : y + side, x : x + side], (s, s), interpolation=cv2.INTER_AREA)
        return crop[:, ::-1] if rng.random() < 0.5 else crop

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        rng = self._rng(index)
        lab = color.rgb_to_lab(np.ascontiguousarray(self.crop(index, rng)))
        l_chan = lab[None, :, :, 0] / np.float32(color.L_SCALE)
        ab = np.ascontiguousarray(lab[:, :, 1:].transpose(2, 0, 1)) / np.float32(color.AB_SCALE)
        return {"l": torch.from_numpy(l_chan), "ab": torch.from_numpy(ab)}
