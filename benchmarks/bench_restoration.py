"""Restoration on real old photos: how much the dust detector masks, how fast each step is, and
before/after pictures for a human to judge.

    .venv/bin/python benchmarks/bench_restoration.py [OUT_DIR] [--limit N] [--match TEXT ...]
                                                     [--preset "damaged print"]

Reads ../shared/data/old-bw (historical black-and-white scans, up to 2048 px; skipped with a message
when absent). For every photo it prints the share of pixels masked by the dust/scratch detector (at
the preset's dust strength) and the time per megapixel of each step, run alone on the photo's
lightness: tint (white balance + L*), dust detection, inpainting, denoise, contrast, and the whole
``restore``. It writes OUT_DIR/<photo>.png (default benchmarks/out/restoration, git-ignored): before |
detected defects in red | after, side by side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core import color, imageio
from colorstudio.core.restoration import PRESETS, contrast, denoise, dust, restore, tint

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "old-bw"
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "restoration"
STEPS = ("tint", "detect", "inpaint", "denoise", "contrast", "restore")


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def _u8(L: np.ndarray) -> np.ndarray:
    return np.clip(L * 2.55 + 0.5, 0, 255).astype(np.uint8)


def _side_by_side(before: np.ndarray, mask: np.ndarray | None, after: np.ndarray) -> np.ndarray:
    b = cv2.cvtColor(_u8(before), cv2.COLOR_GRAY2BGR)
    marked = b.copy()
    if mask is not None:
        marked[mask] = (0, 0, 255)
    a = cv2.cvtColor(_u8(after), cv2.COLOR_GRAY2BGR)
    gap = np.full((b.shape[0], 8, 3), 255, np.uint8)
    return np.hstack([b, gap, marked, gap, a])


def bench_photo(path: Path, preset: str, out_dir: Path) -> dict[str, float]:
    pixels = imageio.read_image(path).pixels
    options = PRESETS[preset]
    mp = pixels.shape[0] * pixels.shape[1] / 1e6
    seconds: dict[str, float] = {}
    L, seconds["tint"] = _timed(tint.neutralize, pixels)
    sigma = denoise.estimate_noise(L)
    params = dust.defect_params(L.shape, options.dust or 0.7, sigma)
    mask, seconds["detect"] = _timed(dust.detect_defects, L, params=params)
    _, seconds["inpaint"] = _timed(dust.inpaint, L, mask, dust.inpaint_radius(params))
    _, seconds["denoise"] = _timed(denoise.denoise, L, options.denoise or 0.5, sigma)
    _, seconds["contrast"] = _timed(contrast.restore_contrast, L, options.contrast or 0.5)
    (after, full_mask), seconds["restore"] = _timed(restore, pixels, options)
    before = color.lightness(pixels)
    cv2.imwrite(str(out_dir / f"{path.stem}.png"), _side_by_side(before, full_mask, after))
    row = {name: seconds[name] * 1000 / mp for name in STEPS}
    row.update(mp=mp, masked=float(mask.mean()), sigma=sigma, cast=tint.cast_strength(pixels))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT,
                        help="folder for the before/after PNGs")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photos (0 = all)")
    parser.add_argument("--match", nargs="*", default=[], help="only photos whose name contains one of these")
    parser.add_argument("--preset", default="damaged print", choices=sorted(PRESETS))
    parser.add_argument("--photos", type=Path, default=PHOTOS, help="folder of photos")
    args = parser.parse_args(argv)
    if not args.photos.is_dir():
        print(f"no photos at {args.photos}: nothing to benchmark (skipped)")
        return 0
    files = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in imageio.INPUT_EXTENSIONS)
    if args.match:
        files = [p for p in files if any(m.lower() in p.name.lower() for m in args.match)]
    if args.limit:
        files = files[: args.limit]
    if not files:
        print(f"no photos in {args.photos} (skipped)")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    restore(np.full((64, 64, 3), 128, np.uint8), PRESETS[args.preset])  # warm-up: first calls are slow
    print(f"preset {args.preset!r}: {PRESETS[args.preset]}")
    header = f"{'photo':40s} {'MP':>5s} {'cast':>5s} {'sigma':>5s} {'masked':>7s} " + " ".join(
        f"{s + ' ms/MP':>16s}" for s in STEPS)
    print(header)
    rows = []
    for path in files:
        row = bench_photo(path, args.preset, args.out)
        rows.append(row)
        print(f"{path.stem[:40]:40s} {row['mp']:5.2f} {row['cast']:5.1f} {row['sigma']:5.2f} "
              f"{row['masked']:7.3%} " + " ".join(f"{row[s]:16.0f}" for s in STEPS), flush=True)
    total_mp = sum(r["mp"] for r in rows)
    masked = sum(r["masked"] * r["mp"] for r in rows) / total_mp
    per_mp = {s: sum(r[s] * r["mp"] for r in rows) / total_mp for s in STEPS}
    print(f"{'TOTAL (' + str(len(rows)) + ' photos)':40s} {total_mp:5.2f} {'':5s} {'':5s} {masked:7.3%} "
          + " ".join(f"{per_mp[s]:16.0f}" for s in STEPS))
    print(f"before | defects (red) | after written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
