"""How far a reference colour photo goes (issue 30): split-scene pairs from photos-val, and the time it adds.

A pair: a colour photo shrunk to 1024 px on its long side (area averaging); its left 45% is the reference
(colour), its right 45% in gray (L* only) is the photo, its right 45% in colour the truth. The two halves
share the scene but not one pixel (the middle 10% is in neither). Photos are taken evenly through the
folder (``--limit``); a pair whose reference half is refused as too colourless (``core.reference``) is left
out and counted. "Another scene's reference": the reference half of the pair half the list away.

One table, the mean over the pairs: the gray floor; the automatic colour (``pipeline.colorize``); two classics
implemented here, chroma only (the photo's lightness kept): Reinhard et al. 2001 (the automatic output's
chroma moved to the reference's mean and spread, per channel) and Welsh et al. 2002 (each pixel takes the
chroma of the reference sample, of 256 on a jittered grid, with the closest lightness and neighbourhood
spread, after the reference's lightness is remapped to the photo's mean and spread); colorstudio with the
right reference and with another scene's (``pipeline.colorize(reference=...)``); colorstudio choosing from a folder
of all the references (every pair's reference half written as a PNG file into one temporary folder, opened
as ``core.reference_folder.ReferenceFolder``; for each photo ``choose`` on its render-size L*, then
``colorize`` with what it chose, the automatic colour when nothing matched; below the table: how often the
photo's own partner was among the chosen). CIEDE2000, CIEDE2000 as a share
of the gray floor's, PSNR and the colourfulness ratio (``core.metrics``).

Then the time a reference adds to a 12 MP photo (a photos-val photo enlarged), render size 1024, on the CPU
with the default engine: median of 5 with and without a reference (the reference's own features are computed
once per batch, as ``colorize --reference`` does: its first photo is timed apart).

    .venv/bin/python benchmarks/bench_reference.py [DATA_DIR] [--limit 60] [--no-timing] [--model NAME]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "photos-val"
LONG_SIDE = 1024
SHARE = 0.45  # of the width: the reference's, and the photo's
WELSH_SAMPLES = 256


def split_pair(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(reference, truth): the left and right ``SHARE`` of the photo at ``LONG_SIDE``."""
    h, w = rgb.shape[:2]
    scale = LONG_SIDE / max(h, w)
    rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    width = rgb.shape[1]
    part = round(SHARE * width)
    return np.ascontiguousarray(rgb[:, :part]), np.ascontiguousarray(rgb[:, width - part :])


def with_chroma(lightness: np.ndarray, ab: np.ndarray) -> np.ndarray:
    from colorstudio.core import color

    return color.compose_rgb(lightness, ab.astype(np.float32), np.uint8)


def reinhard(output: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Reinhard et al. 2001, chroma only: ``output``'s a and b moved to the reference's mean and spread."""
    from colorstudio.core import color

    lab, ref = color.rgb_to_lab(output), color.rgb_to_lab(reference)[..., 1:].reshape(-1, 2)
    ab = lab[..., 1:].reshape(-1, 2)
    moved = (ab - ab.mean(0)) / np.maximum(ab.std(0), 1e-3) * ref.std(0) + ref.mean(0)
    return with_chroma(lab[..., 0], moved.reshape(lab.shape[:2] + (2,)))


def _spread(lightness: np.ndarray) -> np.ndarray:
    """Standard deviation of L* over each pixel's 5 x 5 neighbourhood."""
    mean = cv2.blur(lightness, (5, 5))
    return np.sqrt(np.maximum(cv2.blur(lightness * lightness, (5, 5)) - mean * mean, 0))


def welsh(lightness: np.ndarray, reference: np.ndarray, seed: int = 0) -> np.ndarray:
    """Welsh et al. 2002, "Transferring color to greyscale images" (global matching, jittered samples)."""
    from scipy.spatial import cKDTree

    from colorstudio.core import color

    ref = color.rgb_to_lab(reference)
    ref_l = ref[..., 0]
    ref_l = (ref_l - ref_l.mean()) / max(float(ref_l.std()), 1e-3) * lightness.std() + lightness.mean()
    h, w = ref_l.shape
    side = int(np.sqrt(WELSH_SAMPLES))
    rng = np.random.default_rng(seed)
    ys = ((np.arange(side)[:, None] + rng.random((side, side))) * h / side).astype(int).ravel()
    xs = ((np.arange(side)[None, :] + rng.random((side, side))) * w / side).astype(int).ravel()
    samples = np.stack([0.5 * ref_l[ys, xs], 0.5 * _spread(ref_l)[ys, xs]], axis=1)
    photo = np.stack([0.5 * lightness, 0.5 * _spread(lightness)], axis=-1).reshape(-1, 2)
    _, nearest = cKDTree(samples).query(photo)
    ab = ref[ys, xs, 1:][nearest].reshape(lightness.shape + (2,))
    return with_chroma(lightness, ab)


METHODS = ("gray floor", "colorstudio automatic", "Reinhard et al. 2001 (right reference)",
           "Welsh et al. 2002 (right reference)", "Reinhard, another scene's reference",
           "Welsh, another scene's reference", "colorstudio + reference (right)",
           "colorstudio, choosing from a folder of all the references", "colorstudio + another scene's reference")
FOLDER_ROW, OTHER_ROW = METHODS.index("colorstudio, choosing from a folder of all the references"), len(METHODS) - 1


def pairs_of(data_dir: Path, limit: int) -> tuple[list[tuple[str, np.ndarray, np.ndarray]], int]:
    """(name, reference, truth) for evenly spaced photos, and how many were left out (reference refused)."""
    from colorstudio.core.evaluation import read_truth
    from colorstudio.core.reference import MIN_VARIETY, colour_variety
    from colorstudio.core.training.photos import list_photos

    photos = list_photos(data_dir)
    if limit and limit < len(photos):
        photos = [photos[round(i * len(photos) / limit)] for i in range(limit)]
    pairs, refused = [], 0
    for path in photos:
        truth = read_truth(path)
        if isinstance(truth, str):
            continue
        reference, right = split_pair(truth)
        if colour_variety(reference) < MIN_VARIETY:
            refused += 1
            continue
        pairs.append((path.name, reference, right))
    return pairs, refused


def reference_folder(pairs, model, where: Path):
    """All the pairs' reference halves as PNG files in the folder ``where`` ("007 name.png" for pair 7),
    opened as a ``ReferenceFolder``."""
    from PIL import Image

    from colorstudio.core.reference_folder import ReferenceFolder

    for i, (name, reference, _) in enumerate(pairs):
        Image.fromarray(reference).save(where / f"{i:03d} {Path(name).stem}.png")
    return ReferenceFolder.open(where, model)


def quality_table(data_dir: Path, limit: int, model) -> None:
    import tempfile

    from colorstudio.core import color, metrics
    from colorstudio.core.jobs import render_lightness
    from colorstudio.core.pipeline import ColorizeOptions, colorize
    from colorstudio.core.reference import Reference
    from colorstudio.core.reference_cache import cache_file

    pairs, refused = pairs_of(data_dir, limit)
    if len(pairs) < 2:
        raise SystemExit(f"Too few colour photos in {data_dir}.")
    options = ColorizeOptions(device="cpu")
    scores: dict[str, list] = {name: [] for name in METHODS}
    references = [Reference.from_pixels(reference, name) for name, reference, _ in pairs]
    place = tempfile.TemporaryDirectory(prefix="colorstudio-bench-references-")
    folder = reference_folder(pairs, model, Path(place.name))
    partner_chosen, none_chosen, others_chosen = 0, 0, 0
    started = time.perf_counter()
    for i, (_, reference, truth) in enumerate(pairs):
        other = (i + len(pairs) // 2) % len(pairs)
        gray = metrics.lightness_only(truth)
        lightness = color.lightness(gray)
        automatic = colorize(gray[..., 0], model, options)
        choice = folder.choose(model, render_lightness(gray[..., 0], options.render_size))
        partner = f"{i:03d} {Path(pairs[i][0]).stem}.png"
        partner_chosen += partner in choice.names
        none_chosen += choice.reference is None
        others_chosen += len([n for n in choice.names if n != partner])
        outputs = {
            METHODS[0]: gray, METHODS[1]: automatic,
            METHODS[2]: reinhard(automatic, reference), METHODS[3]: welsh(lightness, reference, i),
            METHODS[4]: reinhard(automatic, pairs[other][1]), METHODS[5]: welsh(lightness, pairs[other][1], i),
            METHODS[6]: colorize(gray[..., 0], model, options, reference=references[i]),
            METHODS[FOLDER_ROW]: colorize(gray[..., 0], model, options, reference=choice.reference),
            METHODS[OTHER_ROW]: colorize(gray[..., 0], model, options, reference=references[other]),
        }
        for method, output in outputs.items():
            scores[method].append(metrics.score(output, truth))
        if (i + 1) % 10 == 0:
            print(f"  {i + 1}/{len(pairs)} pairs ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    cache_file(Path(place.name)).unlink(missing_ok=True)
    place.cleanup()
    means = {method: metrics.mean_scores(items) for method, items in scores.items()}
    floor = means[METHODS[0]].ciede2000
    print(f"\n{len(pairs)} split-scene pairs from {data_dir.name} (photos taken evenly through it; {refused} left "
          f"out: reference half too colourless), long side {LONG_SIDE}, render 1024:\n")
    print("| method | CIEDE2000 | x gray | PSNR | colourfulness ratio |\n|---|---:|---:|---:|---:|")
    for method, s in means.items():
        print(f"| {method} | {s.ciede2000:.2f} | {s.ciede2000 / floor:.2f} | {s.psnr:.2f} | "
              f"{s.colourfulness_ratio:.2f} |")
    ours, welsh_right = means[METHODS[6]].ciede2000, means[METHODS[3]].ciede2000
    harm = means[METHODS[OTHER_ROW]].ciede2000 - means[METHODS[1]].ciede2000
    from_folder = means[METHODS[FOLDER_ROW]].ciede2000 - ours
    print(f"\nIssue 30's targets: right reference <= 0.45 x gray ({ours / floor:.2f}: "
          f"{'PASS' if ours <= 0.45 * floor else 'FAIL'}); at least 0.5 below Welsh ({welsh_right - ours:+.2f}: "
          f"{'PASS' if welsh_right - ours >= 0.5 else 'FAIL'}); another scene's at most 0.3 worse than automatic "
          f"({harm:+.2f}: {'PASS' if harm <= 0.3 else 'FAIL'}); choosing from the folder within 1.0 of the right "
          f"reference ({from_folder:+.2f}: {'PASS' if from_folder <= 1.0 else 'FAIL'})")
    print(f"Choosing from the folder of all {len(pairs)} references: the photo's own partner was among the chosen "
          f"for {partner_chosen} of {len(pairs)} photos ({partner_chosen / len(pairs):.0%}); none was chosen for "
          f"{none_chosen} (automatic colour); {others_chosen} other photos were chosen in all (beside the partner "
          "or instead of it).")


def timing(data_dir: Path, model, runs: int = 5) -> None:
    """Seconds a reference adds to a 12 MP photo (render 1024, CPU), median of ``runs``."""
    from colorstudio.core import metrics
    from colorstudio.core.evaluation import read_truth
    from colorstudio.core.pipeline import ColorizeOptions, colorize
    from colorstudio.core.reference import Reference
    from colorstudio.core.training.photos import list_photos

    photos = list_photos(data_dir)
    truth, reference = read_truth(photos[0]), read_truth(photos[1])
    h, w = truth.shape[:2]
    scale = np.sqrt(12e6 / (h * w))
    big = cv2.resize(metrics.lightness_only(truth)[..., 0], (round(w * scale), round(h * scale)),
                     interpolation=cv2.INTER_CUBIC)
    options = ColorizeOptions(device="cpu")
    colorize(big, model, options)  # warm-up (the engine prepares for the tile shape)

    def seconds(ref) -> float:
        started = time.perf_counter()
        colorize(big, model, options, reference=ref)
        return time.perf_counter() - started

    ref = Reference.from_pixels(reference, photos[1].name)
    first = seconds(ref)  # the reference's features are computed here, once per batch
    plain = [seconds(None) for _ in range(runs)]
    guided = [seconds(ref) for _ in range(runs)]
    base, with_ref = statistics.median(plain), statistics.median(guided)
    print(f"\nA {big.shape[1]} x {big.shape[0]} photo ({big.size / 1e6:.1f} MP), render 1024, CPU, median of {runs}: "
          f"{base:.2f} s automatic, {with_ref:.2f} s with a reference: +{with_ref - base:.2f} s "
          f"(the batch's first photo, with the reference's own features: {first:.2f} s, "
          f"+{first - base:.2f} s)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=PHOTOS, metavar="DATA_DIR")
    parser.add_argument("--limit", type=int, default=60, help="pairs, photos taken evenly (0 = all)")
    parser.add_argument("--timing", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--quality", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--model", default="")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"No photos folder at {args.data}.")
    from colorstudio.core.jobs import Colorizer

    colorizer = Colorizer.load(args.model or None, "cpu")
    print(f"{colorizer.name} ({colorizer.engine}) on the CPU", flush=True)
    if args.quality:
        quality_table(args.data, args.limit, colorizer.model)
    if args.timing:
        timing(args.data, colorizer.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
