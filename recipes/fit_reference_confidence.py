"""Fit the reference confidence model (``core.reference_confidence``) on photos-train split-scene pairs.

Pairs as ``benchmarks/bench_reference.py`` builds them (a photo at 1024 px: its left 45% the reference, its
right 45% in gray the photo), taken evenly through the folder. Each photo is matched with its own reference,
with two other scenes', and with two combined as a folder gives them (its own among two others; three
others): the model must learn both where a match helps and that another scene's does not. For every cell of every photo: the features
(``reference_confidence.features``), the matched chroma (``reference.pixel_chroma``), the automatic colour's
chroma and the truth's, as cell means. The weight ``sigmoid(bias + coefficients . standardised features)`` is
fitted (Adam, full batch) so that the automatic chroma blended towards the matched chroma by it is closest to
the truth (mean ab distance). Prints the coefficients with the standardisation folded in, to paste into
``src/colorstudio/core/reference_confidence.py``, and writes them to ``--out`` as JSON.

    .venv/bin/python recipes/fit_reference_confidence.py [DATA_DIR] [--limit 130] [--seed 0] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def cell_mean(pixels: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    gh, gw = grid
    return cv2.resize(np.ascontiguousarray(pixels, np.float32), (gw, gh), interpolation=cv2.INTER_AREA)


def matched_with(references, i: int):
    """The references photo ``i`` is matched with: its own; two other scenes' (a half and a third of the list
    away); its own among two others, and three others, as a folder chooses them (``Reference.combine``)."""
    from colorstudio.core.reference import Reference

    n = len(references)
    other = [references[(i + offset) % n] for offset in (n // 2, n // 3, n // 4, n // 5, n // 6)]
    return [references[i], other[0], other[1], Reference.combine([references[i], other[2], other[3]]),
            Reference.combine(other[2:])]


def samples(data_dir: Path, limit: int):
    """(features, matched, automatic, truth) for every cell, as (N, F), (N, 2), (N, 2), (N, 2)."""
    from bench_reference import pairs_of

    from colorstudio.core import color, metrics, reference_confidence
    from colorstudio.core.jobs import Colorizer, render_lightness
    from colorstudio.core.pipeline import ColorizeOptions, colorize
    from colorstudio.core.reference import Reference, pixel_chroma
    from colorstudio.core.reference_match import encoder_of, match

    pairs, refused = pairs_of(data_dir, limit)
    print(f"{len(pairs)} pairs from {data_dir} ({refused} left out: reference too colourless)", flush=True)
    model = Colorizer.load(None, "cpu").model
    encoder = encoder_of()
    options = ColorizeOptions(device="cpu")
    references = [Reference.from_pixels(reference, name) for name, reference, _ in pairs]
    columns: list[list[np.ndarray]] = [[], [], [], []]
    started = time.perf_counter()
    for i, (_, _, truth) in enumerate(pairs):
        gray = metrics.lightness_only(truth)
        lightness = render_lightness(gray[..., 0], options.render_size)
        automatic = color.rgb_to_lab(colorize(gray[..., 0], model, options))[..., 1:]
        if automatic.shape[:2] != lightness.shape:
            raise SystemExit("the pairs must be at most the render size")
        for reference in matched_with(references, i):
            found = match(reference.cells(encoder), encoder, lightness)
            grid = found.best.shape
            columns[0].append(reference_confidence.features(found).reshape(-1, len(reference_confidence.FEATURES)))
            columns[1].append(cell_mean(pixel_chroma(found, lightness), grid).reshape(-1, 2))
            columns[2].append(cell_mean(automatic, grid).reshape(-1, 2))
            columns[3].append(cell_mean(color.rgb_to_lab(truth)[..., 1:], grid).reshape(-1, 2))
        if (i + 1) % 10 == 0:
            print(f"  {i + 1}/{len(pairs)} ({time.perf_counter() - started:.0f} s)", flush=True)
    return [np.concatenate(c).astype(np.float32) for c in columns]


def fit(features, matched, automatic, truth, seed: int, steps: int = 1500):
    """(bias, coefficients) on the raw features."""
    import torch

    torch.manual_seed(seed)
    x, m, a, t = (torch.from_numpy(v) for v in (features, matched, automatic, truth))
    mean, std = x.mean(0), x.std(0) + 1e-6
    layer = torch.nn.Linear(x.shape[1], 1)
    optimiser = torch.optim.Adam(layer.parameters(), lr=0.02)
    for _ in range(steps):
        w = torch.sigmoid(layer((x - mean) / std))
        loss = (a + w * (m - a) - t).norm(dim=1).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    unblended = (a - t).norm(dim=1).mean().item()
    print(f"mean ab distance to the truth per cell: automatic {unblended:.3f}, blended {loss.item():.3f}")
    weight = layer.weight.detach()[0] / std
    bias = layer.bias.detach()[0] - (weight * mean).sum()
    return float(bias), [float(v) for v in weight]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data" / "photos-train")
    parser.add_argument("--limit", type=int, default=130, help="pairs, photos taken evenly")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="also write the coefficients here (JSON)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"No photos folder at {args.data}.")
    from colorstudio.core import reference_confidence

    bias, coefficients = fit(*samples(args.data, args.limit), seed=args.seed)
    print(f"BIAS = {bias:.4f}\nCOEFFICIENTS = np.array([{', '.join(f'{c:.4f}' for c in coefficients)}], np.float32)")
    for name, c in zip(reference_confidence.FEATURES, coefficients):
        print(f"  {name}: {c:+.4f}")
    if args.out:
        args.out.write_text(json.dumps({"bias": bias, "coefficients": coefficients,
                                        "features": list(reference_confidence.FEATURES)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
