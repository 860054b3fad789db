"""The README's restoration figure: a real scratched scan, the same after the "Damaged print" preset,
and the restored photo colorized by the shipped model, through the same code as `colorstudio colorize`.

    .venv/bin/python docs/make_restoration_figure.py [PHOTO] [--out docs/restoration-before-after.jpg]

PHOTO defaults to ../shared/data/old-bw/bopb_a.jpg (microsoft/Bringing-Old-Photos-Back-to-Life,
test_images/old_w_scratch; repository MIT, the image's own terms unknown).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from colorstudio.core import catalog, color, imageio
from colorstudio.core.pipeline import ColorizeOptions, colorize
from colorstudio.core.restoration import PRESETS, restore

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "old-bw" / "bopb_a.jpg"


def panel(rgb: np.ndarray, height: int, label: str) -> np.ndarray:
    """``rgb`` scaled to ``height`` with its label in a white band underneath (BGR, for OpenCV)."""
    scaled = cv2.resize(rgb, (round(rgb.shape[1] * height / rgb.shape[0]), height), interpolation=cv2.INTER_AREA)
    band = np.full((34, scaled.shape[1], 3), 255, np.uint8)
    cv2.putText(band, label, (8, 23), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (40, 40, 40), 1, cv2.LINE_AA)
    return np.vstack([cv2.cvtColor(scaled, cv2.COLOR_RGB2BGR), band])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("photo", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "restoration-before-after.jpg")
    parser.add_argument("--height", type=int, default=600)
    args = parser.parse_args()
    photo = imageio.read_image(args.photo)
    preset = PRESETS["damaged print"]
    restored_l, _ = restore(photo.pixels, preset)
    restored_gray = color.compose_rgb(restored_l, np.zeros(restored_l.shape + (2,), np.float32), np.uint8)
    entry = catalog.resolve_model(None)
    model, _ = catalog.load(entry)
    colorized = colorize(photo.pixels, model, ColorizeOptions(device="cpu", restore=preset))
    original = photo.pixels if photo.pixels.ndim == 3 else np.dstack([photo.pixels] * 3)
    gap = np.full((args.height + 34, 8, 3), 255, np.uint8)
    sheet = np.hstack([panel(original, args.height, f"scan: {args.photo.stem}"), gap,
                       panel(restored_gray, args.height, "'Damaged print' preset"), gap,
                       panel(colorized, args.height, f"restored + colorized ({entry.name})")])
    cv2.imwrite(str(args.out), sheet, [cv2.IMWRITE_JPEG_QUALITY, 88])
    print(f"wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]})")


if __name__ == "__main__":
    main()
