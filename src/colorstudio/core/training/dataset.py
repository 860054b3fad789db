"""Colour photos -> (L, ab) training pairs, made on the fly with random crops and flips."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from colorstudio.core import color, imageio
from colorstudio.core.errors import ColorStudioError


def list_photos(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and p.suffix.lower() in imageio.INPUT_EXTENSIONS and not p.name.startswith("."))


def _prepared(path: Path, short_side: int) -> np.ndarray | None:
    """The photo as 8-bit RGB with its short side scaled to ``short_side`` (None if gray or unreadable)."""
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
    """Decoded photos kept in memory (small: a few thousand at ~300 px); each item is a random crop."""

    def __init__(self, paths: list[Path], size: int = 224, augment: bool = True, seed: int = 0) -> None:
        self.size = size
        self.augment = augment
        self.images = [img for img in (_prepared(p, int(size * 1.15)) for p in paths) if img is not None]
        self.rng = np.random.default_rng(seed)
        if not self.images:
            raise ColorStudioError("no usable colour photos found")

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        img = self.images[index]
        h, w = img.shape[:2]
        s = self.size
        if self.augment:
            y, x = self.rng.integers(0, h - s + 1), self.rng.integers(0, w - s + 1)
        else:
            y, x = (h - s) // 2, (w - s) // 2
        crop = img[y : y + s, x : x + s]
        if self.augment and self.rng.random() < 0.5:
            crop = crop[:, ::-1]
        lab = color.rgb_to_lab(np.ascontiguousarray(crop))
        l_chan = torch.from_numpy(lab[None, :, :, 0] / color.L_SCALE)
        ab = torch.from_numpy(np.ascontiguousarray(lab[:, :, 1:].transpose(2, 0, 1)) / color.AB_SCALE)
        return l_chan, ab
