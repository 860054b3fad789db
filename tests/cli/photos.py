"""Small photo folders for command-line tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from PIL import Image


def write_photo(path: Path, size=(48, 40), seed=0, mode="L") -> Path:
    rng = np.random.default_rng(seed)
    w, h = size
    if mode == "L":
        pixels = (rng.random((h, w)) * 255).astype(np.uint8)
    else:
        pixels = (rng.random((h, w, 3)) * 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, mode).save(path)
    return path


def digest(folder: Path) -> dict[str, str]:
    """Content hash and mtime of every file under ``folder`` (to prove inputs are untouched)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}
