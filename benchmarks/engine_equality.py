"""Do the engines give the same photos? Every photo of a folder colorized from its gray version with PyTorch and
with OpenVINO (float32, or the fast precision), through the whole pipeline, the 8-bit outputs compared.

    python benchmarks/engine_equality.py ../shared/data/photos-val [--precision float32|fast] [--limit N]

Prints the largest difference in levels over all photos and pixels, the share of pixels that differ at
all, and the photo with the largest difference. For the fast precision's colour error against the truth,
run ``colorstudio evaluate --precision fast`` beside ``--precision float32``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from colorstudio.core import catalog, engines, imageio, metrics
from colorstudio.core.pipeline import ColorizeOptions, colorize
from colorstudio.core.training.photos import list_photos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", default="")
    parser.add_argument("--precision", default="float32", choices=["float32", "fast"])
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    entry = catalog.resolve_model(args.model or None)
    cpu = torch.device("cpu")
    reference, _ = catalog.load(entry)
    other = engines.runtime_model(catalog.load(entry)[0], entry.path, "openvino", cpu, args.precision)
    print(f"{entry.name}: PyTorch vs {engines.engine_name(other)} ({args.precision})")
    options = ColorizeOptions(device="cpu")
    worst, worst_photo, differing, pixels = 0, None, 0, 0
    histogram = np.zeros(256, np.int64)
    for path in tqdm(list_photos(args.folder)[: args.limit or None]):
        photo = imageio.read_image(path)
        gray = metrics.lightness_only(photo.pixels)  # as `colorstudio evaluate` makes its inputs
        a = colorize(gray, reference, options).astype(np.int16)
        b = colorize(gray, other, options).astype(np.int16)
        diff = np.abs(a - b).max(axis=-1)
        histogram += np.bincount(diff.ravel(), minlength=256)[:256]
        differing += int((diff > 0).sum())
        pixels += diff.size
        if diff.max() > worst:
            worst, worst_photo = int(diff.max()), path.name
    print(f"largest difference: {worst} levels (on {worst_photo}); pixels differing at all: "
          f"{differing / max(pixels, 1):.4%} of {pixels / 1e6:.1f} million")
    print("pixels by difference (levels: share): " + ", ".join(
        f"{d}: {histogram[d] / max(pixels, 1):.4%}" for d in range(min(worst, 6) + 1)))


if __name__ == "__main__":
    main()
