"""Which photos of a folder can teach colours: skips gray, tiny, unreadable and duplicate photos, with a
reason for each, and splits the rest deterministically into training and validation photos."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core import color, imageio
from colorstudio.core.errors import ColorStudioError

MIN_SIDE = 128


def list_photos(folder: Path) -> list[Path]:
    """Photo files under ``folder`` (recursive), hidden files and folders left out, in a stable order."""
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in imageio.INPUT_EXTENSIONS
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


@dataclass
class ScanReport:
    usable: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, reason in self.skipped:
            key = reason.split(":")[0]
            counts[key] = counts.get(key, 0) + 1
        return counts


def small_rgb(path: Path, side: int = 128) -> np.ndarray:
    """The photo as 8-bit RGB with its longest side at most ``side`` (raises ImageReadError)."""
    photo = imageio.read_image(path)
    pixels = photo.pixels if photo.pixels.dtype == np.uint8 else (photo.pixels >> 8).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    h, w = pixels.shape[:2]
    scale = side / max(h, w)
    if scale < 1:
        pixels = cv2.resize(pixels, (max(1, round(w * scale)), max(1, round(h * scale))),
                            interpolation=cv2.INTER_AREA)
    return pixels


def is_monochrome(rgb: np.ndarray) -> bool:
    """Gray, or uniformly toned (sepia, cyanotype): nothing to learn colours from."""
    ab = color.rgb_to_lab(rgb)[..., 1:].reshape(-1, 2)
    chroma = np.hypot(ab[:, 0], ab[:, 1])
    if np.percentile(chroma, 99) < 9:
        return True
    return bool(ab[:, 0].std() < 3.5 and ab[:, 1].std() < 3.5 and chroma.mean() >= 5)


def dhash(rgb: np.ndarray) -> int:
    """64-bit difference hash of the photo's gray version (near-duplicates differ in a few bits)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(gray, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return int(sum(1 << i for i, b in enumerate(bits) if b))


def scan(paths: list[Path], min_side: int = MIN_SIDE, max_hamming: int = 4,
         progress: Callable[[int, int], None] | None = None) -> ScanReport:
    report = ScanReport()
    seen: list[tuple[int, Path]] = []
    for i, path in enumerate(paths):
        if progress:
            progress(i + 1, len(paths))
        try:
            info = imageio.probe_image(path)
            if min(info.width, info.height) < min_side:
                report.skipped.append((path, f"too small: {info.width}x{info.height}, needs {min_side} px"))
                continue
            rgb = small_rgb(path)
        except ColorStudioError as exc:
            report.skipped.append((path, f"unreadable: {exc}"))
            continue
        if is_monochrome(rgb):
            report.skipped.append((path, "already grayscale or single-toned: no colours to learn"))
            continue
        h = dhash(rgb)
        twin = next((p for other, p in seen if bin(other ^ h).count("1") <= max_hamming), None)
        if twin is not None:
            report.skipped.append((path, f"duplicate: looks the same as {twin.name}"))
            continue
        seen.append((h, path))
        report.usable.append(path)
    return report


def split(paths: list[Path], val_fraction: float, root: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Deterministic split by a hash of each photo's name (relative to ``root``): the same photo lands on
    the same side every run, and adding photos to the folder does not move the others."""
    if not 0 <= val_fraction < 1:
        raise ColorStudioError("the validation share must be at least 0 and below 1")
    train, val = [], []
    for path in paths:
        key = str(path.relative_to(root)) if root else path.name
        bucket = int.from_bytes(hashlib.sha1(key.encode("utf-8")).digest()[:4], "big") / 2**32
        (val if bucket < val_fraction else train).append(path)
    if val_fraction > 0 and not val and len(train) > 1:
        val.append(train.pop())
    return train, val
