"""How close is the "old print" degradation (core.training.degrade) to real old scans?

Compares the lightness (L*) of the real old scans (--old; colour, sepia or gray files) with the clean
validation photos (--val) and with those photos degraded by ``degrade_photo`` on statistics that
characterise old prints, and prints the quartiles of each:

- noise: std estimate (1.2533 mean |.|) of L* minus its 3x3 median, on the flattest quarter of the image
- sharpness: mean gradient magnitude (Sobel / 8, L* per px) after resizing the long side to 512
- p1, p99, std: contrast (percentiles and std of L*)
- blockiness: mean |step| across 8-px block boundaries / mean |step| inside blocks (1 = no blocks)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from tqdm import tqdm

from colorstudio.core import color
from colorstudio.core.training.degrade import degrade_photo

EXTS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp"}
STATS = ("noise", "sharpness", "p1", "p99", "std", "blockiness")


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def statistics(lightness: np.ndarray) -> dict[str, float]:
    L = np.ascontiguousarray(lightness, np.float32)
    residual = L - cv2.medianBlur(L, 3)
    smooth = cv2.GaussianBlur(L, (0, 0), 2.0)
    activity = np.hypot(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
    flat = activity <= np.quantile(activity, 0.25)
    flat[:2], flat[-2:], flat[:, :2], flat[:, -2:] = False, False, False, False
    noise = 1.2533 * float(np.abs(residual[flat]).mean())  # a median is 0 on 8-bit steps
    scale = 512 / max(L.shape)
    small = cv2.resize(L, (max(1, round(L.shape[1] * scale)), max(1, round(L.shape[0] * scale))),
                       interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    sharpness = float(np.hypot(cv2.Sobel(small, cv2.CV_32F, 1, 0), cv2.Sobel(small, cv2.CV_32F, 0, 1)).mean()) / 8
    steps = []
    for d in (np.abs(np.diff(L, axis=1)), np.abs(np.diff(L, axis=0)).T):
        at = (np.arange(d.shape[1]) % 8) == 7  # between pixel 8k+7 and 8k+8
        steps.append((d[:, at].mean(), d[:, ~at].mean()))
    blockiness = sum(b for b, _ in steps) / max(1e-6, sum(i for _, i in steps))
    p1, p99 = np.percentile(L, [1, 99])
    return {"noise": noise, "sharpness": sharpness, "p1": float(p1), "p99": float(p99), "std": float(L.std()),
            "blockiness": float(blockiness)}


def photos(folder: Path, limit: int) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in EXTS)
    return files[:limit] if limit else files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, default=Path("../shared/data/old-bw"))
    parser.add_argument("--val", type=Path, default=Path("../shared/data/photos-val"))
    parser.add_argument("--limit", type=int, default=0, help="at most this many photos per folder (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sets: dict[str, list[dict[str, float]]] = {"old-bw": [], "val clean": [], "val degraded": []}
    for path in tqdm(photos(args.old, args.limit), desc="old-bw"):
        sets["old-bw"].append(statistics(color.lightness(load_rgb(path))))
    for i, path in enumerate(tqdm(photos(args.val, args.limit), desc="photos-val")):
        rgb = load_rgb(path)
        sets["val clean"].append(statistics(color.lightness(rgb)))
        sets["val degraded"].append(statistics(color.lightness(degrade_photo(rgb, args.seed + i))))
    print(f"\n{'statistic':<11} {'set':<13} {'n':>4} {'q25':>8} {'median':>8} {'q75':>8} {'q5':>8} {'q95':>8}")
    for stat in STATS:
        for name, rows in sets.items():
            v = np.array([r[stat] for r in rows])
            q = np.percentile(v, [25, 50, 75, 5, 95])
            print(f"{stat:<11} {name:<13} {len(v):>4} " + " ".join(f"{x:8.3f}" for x in q))
        print()


if __name__ == "__main__":
    main()
