"""Do the tiles of one photo agree? The default tiled run against a single pass at the same render size.

Each photo of ../shared/data/photos-val is turned into its lightness-only gray version and upscaled to
3000 px on the long side (a scan-sized photo); it is colorized twice at the same render size: with the
default tiles (512 px, overlap 64) and in one pass (one tile as large as the render). Printed: the mean
CIEDE2000 between the two outputs per photo and over all (target: under 1.5), and the worst photos.

    .venv/bin/python benchmarks/bench_tile_agreement.py [--limit 40] [--model NAME] [--render-size 2048]

The default render size (1024) fits in two 512-px tiles per side; --render-size 2048 gives 4 x 3 tiles.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "photos-val"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--model", default="")
    parser.add_argument("--render-size", type=int, default=1024)
    parser.add_argument("--long-side", type=int, default=3000)
    args = parser.parse_args()
    from colorstudio.core import allocator, catalog, imageio, metrics
    from colorstudio.core.pipeline import ColorizeOptions, colorize
    from colorstudio.core.training.photos import list_photos

    allocator.tune()
    entry = catalog.resolve_model(args.model or None)
    model, _ = catalog.load(entry)
    tiled = ColorizeOptions(render_size=args.render_size, device="cpu")
    single = ColorizeOptions(render_size=args.render_size, tile_size=max(args.render_size, 512), device="cpu")
    photos = list_photos(PHOTOS)
    step = max(1, len(photos) // args.limit)
    photos = photos[::step][: args.limit]  # spread over the subsets
    rows = []
    started = time.perf_counter()
    for path in photos:
        truth = imageio.read_image(path).pixels
        if truth.ndim != 3:
            continue
        h, w = truth.shape[:2]
        scale = args.long_side / max(h, w)
        big = cv2.resize(metrics.lightness_only(truth)[..., 0], (round(w * scale), round(h * scale)),
                         interpolation=cv2.INTER_CUBIC)
        a = colorize(big, model, tiled)
        b = colorize(big, model, single)
        rows.append((metrics.score(a, b).ciede2000, path.name))
    rows.sort(reverse=True)
    mean = float(np.mean([r[0] for r in rows]))
    print(f"{entry.name}: {len(rows)} photos of photos-val at {args.long_side} px, render size {args.render_size}, "
          f"tiles {tiled.tile_size}/{tiled.overlap} vs one pass ({time.perf_counter() - started:.0f} s)")
    print("worst photos (CIEDE2000 tiled vs one pass):")
    for value, name in rows[:5]:
        print(f"  {value:6.3f}  {name}")
    print(f"mean CIEDE2000 tiled vs one pass: {mean:.3f}  (target < 1.5)")


if __name__ == "__main__":
    main()
