"""Write an "old print" copy of a folder of photos: true colours, degraded lightness (core.training.degrade).

    python benchmarks/make_degraded_val.py SRC DST [--seed 0]

Every photo in SRC becomes DST/<same name>.png; SRC is only read. Photo i (sorted by name) uses seed + i.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from colorstudio.core.training.degrade import degrade_photo

EXTS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.dst.resolve() == args.src.resolve():
        parser.error("DST must differ from SRC (SRC is never written)")
    files = sorted(p for p in args.src.iterdir() if p.is_file() and p.suffix.lower() in EXTS)
    args.dst.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(tqdm(files, desc="degrading")):
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
        Image.fromarray(degrade_photo(rgb, args.seed + i)).save(args.dst / (path.stem + ".png"))


if __name__ == "__main__":
    main()
