"""The full-resolution join on its own: chroma at the render size -> the output photo at full size.

Times each stage of the OpenCV path strip by strip on one thread (lightness from the scan, chroma upsampling,
Lab -> sRGB with the gamut fit and 8-bit rounding), the fused join (``core/fused_join.py``: all of that in one
pass a pixel, 8-bit output only) on one thread, and the whole ``_Composer.finish`` on the pipeline's threads
with either path; the memory rate is against the fewest bytes the join must move (read the scan's pixels,
write the RGB output).

    python benchmarks/bench_join.py --megapixels 24 --kind gray8
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

from colorstudio.core import color, fused_join
from colorstudio.core.pipeline import STRIP_ROWS, _Composer, _upsample_rows


def scan(megapixels: float, kind: str, rng: np.random.Generator) -> np.ndarray:
    """A photo-like scan (smooth tones with texture), gray or RGB, 8 or 16 bit."""
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = int(megapixels * 1e6 / width)
    ramp = np.linspace(0, 1, width, dtype=np.float32)[None, :] * np.linspace(0.2, 1, height, dtype=np.float32)[:, None]
    noise = rng.random((height, width), dtype=np.float32) * 0.1
    tones = np.clip(0.08 + 0.84 * ramp + noise, 0, 1)
    max_value = 65535 if kind.endswith("16") else 255
    pixels = (tones * max_value).astype(np.uint16 if max_value > 255 else np.uint8)
    return pixels if kind.startswith("gray") else np.repeat(pixels[:, :, None], 3, axis=2)


def chroma(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Smooth chroma like a model's (regions of colour, C* mostly 5-40), not per-pixel noise: the share of
    out-of-gamut pixels, which the gamut fit works on, is then like a real photo's."""
    coarse = rng.standard_normal((16, 16, 2)).astype(np.float32) * 12
    return cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megapixels", type=float, nargs="+", default=[6, 24, 60])
    parser.add_argument("--kind", choices=["gray8", "gray16", "rgb8"], default="gray8")
    parser.add_argument("--render", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    fused = args.kind != "gray16" and fused_join.available()  # compiled here, not in the timing
    print(f"{'MP':>5} {'lightness':>10} {'upsample':>9} {'compose':>8} {'fused':>6} {'finish':>7} "
          f"{'GB/s':>6} "
          f"{'OpenCV finish':>13} {'GB/s':>6}  (seconds; one thread per stage; finish on the pipeline's "
          f"threads, fused join / OpenCV path)")
    for mp in args.megapixels:
        image = scan(mp, args.kind, rng)
        height, width = image.shape[:2]
        scale = args.render / max(height, width)
        render_hw = (round(height * scale), round(width * scale))
        ab = chroma(render_hw, rng)
        rows = slice(0, STRIP_ROWS)

        def stage_lightness():
            for y0 in range(0, height, STRIP_ROWS):
                color.lightness(image[y0 : y0 + STRIP_ROWS])

        def stage_upsample():
            for y0 in range(0, height, STRIP_ROWS):
                _upsample_rows(ab, y0, min(y0 + STRIP_ROWS, height), height, width)

        l_strip = color.lightness(image[rows])
        ab_strip = _upsample_rows(ab, 0, STRIP_ROWS, height, width)
        dtype = image.dtype

        def stage_compose():
            for _ in range(0, height, STRIP_ROWS):
                color.compose_rgb(l_strip, ab_strip, dtype)

        out = np.empty((STRIP_ROWS, width, 3), np.uint8)

        def stage_fused():
            for y0 in range(0, height, STRIP_ROWS):
                y1 = min(y0 + STRIP_ROWS, height)
                fused_join.join_rows(color.lightness(image[y0:y1]), ab, y0, height, out[: y1 - y0])

        def finish():
            composer = _Composer(image, render_hw, 1.0)
            composer.ab_render[:] = ab
            composer.finish()

        def opencv_finish():
            with fused_join.switched_off():
                finish()

        stages = (stage_lightness, stage_upsample, stage_compose, stage_fused, finish, opencv_finish)
        times = [best_of(stage, args.repeat) if fused or stage is not stage_fused else float("nan")
                 for stage in stages]
        lab = np.dstack([color.lightness(image[rows]), ab_strip])
        share = 1 - color._inside_gamut(color.lab_to_linear_rgb(lab)).mean()
        moved = image.nbytes + height * width * 3 * image.dtype.itemsize
        print(f"{mp:5.0f} {times[0]:10.3f} {times[1]:9.3f} {times[2]:8.3f} {times[3]:6.3f} {times[4]:7.3f} "
              f"{moved / times[4] / 1e9:6.2f} {times[5]:13.3f} {moved / times[5] / 1e9:6.2f}  "
              f"({share:.1%} out of gamut)")


if __name__ == "__main__":
    main()
