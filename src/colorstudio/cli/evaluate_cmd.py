"""``colorstudio evaluate DATA_DIR``: how close a model gets to the true colours of colour photos."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from colorstudio.cli import score_table
from colorstudio.cli.common import load_colorizer
from colorstudio.core.options import (
    COLOUR_CONTRAST_MAX,
    DEVICE_CHOICES,
    ENGINE_CHOICES,
    PRECISION_CHOICES,
    ColorizeOptions,
)
from colorstudio.core.training.photos import list_photos


def add_parser(sub) -> None:
    p = sub.add_parser(
        "evaluate", help="score a model on a folder of colour photos",
        description="Turn each colour photo into its lightness-only gray version, colorize it with the full "
                    "pipeline and compare with the original: PSNR, RMSE (0-255 RGB), SSIM, CIEDE2000, "
                    "colourfulness ratio, beside the gray floor (a = b = 0) on the same photos.")
    p.add_argument("data", type=Path, metavar="DATA_DIR", help="folder of colour photos (searched recursively)")
    p.add_argument("--model", help="model name or .safetensors file (default: the shipped default)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write all numbers to this JSON file")
    p.add_argument("--limit", type=int, default=0, help="only the first N photos (0 = all)")
    p.add_argument("--render-size", type=int, default=ColorizeOptions().render_size, metavar="PX")
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    p.add_argument("--engine", choices=ENGINE_CHOICES, default=ColorizeOptions().engine,
                   help="what runs the network (as colorize)")
    p.add_argument("--precision", choices=PRECISION_CHOICES, default=ColorizeOptions().precision, help="as colorize")
    p.add_argument("--strength", type=_strengths, default=[ColorizeOptions().strength], metavar="S[,S...]",
                   help="colour strength, as in colorize (default 1); several, comma-separated, score each "
                        "with one run of the network (to choose a model's colour gain)")
    p.add_argument("--contrast", type=_contrast, metavar="C",
                   help="score with this colour contrast instead of the model's own (0 to the largest a card may hold; to choose one to ship)")
    p.add_argument("--hints", type=int, default=0, metavar="N",
                   help="give the model N colour hints per photo, sampled from its true colours (default 0)")
    p.add_argument("--quiet", action="store_true", help="print only the means")


def _strengths(text: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if not values or not all(0.0 <= v <= 4.0 for v in values):
        raise argparse.ArgumentTypeError("each strength must be between 0 and 4")
    return values


def _contrast(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 <= value <= COLOUR_CONTRAST_MAX:
        raise argparse.ArgumentTypeError(f"the colour contrast must be between 0 and {COLOUR_CONTRAST_MAX:g}")
    return value


def main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.data.is_dir():
        parser.error(f"{args.data} is not a folder")
    photos = list_photos(args.data)
    if args.limit:
        photos = photos[: args.limit]
    if not photos:
        parser.error(f"no photos found in {args.data}")
    loaded = load_colorizer(args.model, args.device, args.engine, args.precision)
    if loaded is None:
        return 2
    model, entry = loaded.model, loaded.entry
    if args.contrast is not None:
        model.colour_contrast = args.contrast
    strengths = args.strength
    options = ColorizeOptions(render_size=args.render_size, device=args.device, strength=strengths[0])
    with_hints = f", {args.hints} true-colour hints per photo" if args.hints else ""
    print(f"Evaluating {entry.name} ({loaded.engine}) on {len(photos)} photos from {args.data}{with_hints}")
    print(score_table.header("photo (model / gray floor)", rmse=True))

    def show(item, done, total):
        if item is not None and not args.quiet:
            print(score_table.row(item.path.name, item.model, rmse=True))
            print(score_table.row("  gray floor", item.gray, rmse=True))

    from colorstudio.core.evaluation import evaluate_strengths  # torch: only once the command runs

    results = evaluate_strengths(photos, model, options, strengths, on_photo=show, hints=args.hints)
    first = results[0]
    if not first.photos:
        print("No colour photos to evaluate.", file=sys.stderr)
        return 1
    print(f"\nMean over {len(first.photos)} photos ({len(first.skipped)} skipped):")
    for strength, result in zip(strengths, results):
        at = f" strength {strength:g}" if len(strengths) > 1 else ""
        print(score_table.row(f"model {entry.name}{at}", result.mean("model"), rmse=True))
    print(score_table.row("gray floor (a = b = 0)", first.mean("gray"), rmse=True))
    for path, reason in first.skipped:
        print(f"  skipped {path}: {reason}", file=sys.stderr)
    if args.json:
        common = {"model": entry.name, "data": str(args.data), "hints": args.hints, "render_size": args.render_size,
                  "colour_gain": model.colour_gain, "colour_contrast": model.colour_contrast}
        runs = [result.as_dict() | common | {"strength": strength} for strength, result in zip(strengths, results)]
        data = runs[0] if len(runs) == 1 else {"strengths": runs}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2))
    return 0
