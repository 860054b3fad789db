"""Does the fused join give the OpenCV path's photos? Every photo of the folders colorized once (the network
run once, its chroma kept), then joined with its full-resolution lightness by both paths
(``core/fused_join.py`` and the OpenCV path it replaces), the 8-bit outputs compared. Only photos larger than
the render size go through the join (smaller ones take their chroma as it is).

    python benchmarks/join_equality.py ../shared/data/large ../shared/data/old-bw [--limit N]

Prints the largest difference in levels, the share of pixels that differ at all, and each path's time.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from colorstudio.core import catalog, engines, fused_join, imageio
from colorstudio.core.pipeline import ColorizeOptions, predict, render_shape
from colorstudio.core.training.photos import list_photos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    entry = catalog.resolve_model(None)
    model = engines.runtime_model(catalog.load(entry)[0], entry.path, "auto", torch.device("cpu"), "float32")
    options = ColorizeOptions(device="cpu")
    assert fused_join.available(), fused_join._state
    photos = [p for folder in args.folders for p in list_photos(folder)][: args.limit or None]
    worst, worst_photo, differing, pixels, joined = 0, None, 0, 0, 0
    seconds = {"fused": 0.0, "OpenCV": 0.0}
    for path in tqdm(photos):
        image = imageio.read_image(path).pixels
        if render_shape(*image.shape[:2], options.render_size) == image.shape[:2]:
            continue  # no join: the chroma is the photo's size
        prediction = predict(image, model, options)
        outputs = {}
        for name, way in (("fused", contextlib.nullcontext()), ("OpenCV", fused_join.switched_off())):
            with way:
                start = time.perf_counter()
                outputs[name] = prediction.compose().astype(np.int16)
                seconds[name] += time.perf_counter() - start
        diff = np.abs(outputs["fused"] - outputs["OpenCV"]).max(axis=-1)
        differing += int((diff > 0).sum())
        pixels += diff.size
        joined += 1
        if diff.max() > worst:
            worst, worst_photo = int(diff.max()), path.name
    levels = "level" if worst == 1 else "levels"
    print(f"{joined} photos joined ({pixels / 1e6:.1f} million pixels); largest difference: {worst} {levels} "
          f"(on {worst_photo}); pixels differing at all: {differing / max(pixels, 1):.4%}")
    print("join time in all: " + ", ".join(f"{name} {s:.2f} s" for name, s in seconds.items()))


if __name__ == "__main__":
    main()
