"""Ship a trained model: copy it into models/ with its colour gain and its photos-val numbers in the card.

    .venv/bin/python benchmarks/ship_model.py MODEL.safetensors --name NAME --eval SWEEP.json --strength S
        [--half] [--title TEXT] [--summary TEXT] [--default] [--version V] [--keep-from OLD_CARD.json]
        [--beside LABEL=SWEEP.json@S ...]

SWEEP.json is what ``colorstudio evaluate ../shared/data/photos-val --model MODEL.safetensors
--strength a,b,c --json SWEEP.json`` wrote; S is the strength chosen from it (by CIEDE2000 and PSNR with
the colourfulness ratio held in 0.7-1.0). The shipped file's ``colour_gain`` becomes S times the model's
own and its ``colour_contrast`` the one the sweep was run with (``evaluate --contrast``), so that ``colorstudio evaluate`` of the shipped model at the default strength 1 reproduces the numbers
written into its card. Everything else in the card is kept from the model file; --keep-from adds the fields
of an older card that the new one lacks (the hand-written data sources and licence notes). --beside puts
another model's photos-val numbers (from its own sweep, at strength S) next to this one's in the card: the seed
model, the other loss.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chosen_run(sweep: dict, strength: float) -> dict:
    runs = sweep.get("strengths", [sweep])
    for run in runs:
        if abs(run["strength"] - strength) < 1e-9:
            return run
    raise SystemExit(f"strength {strength} is not in the sweep (it has {[r['strength'] for r in runs]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument("--eval", type=Path, required=True, metavar="SWEEP.json")
    parser.add_argument("--strength", type=float, required=True)
    parser.add_argument("--half", action="store_true", help="store float16 weights")
    parser.add_argument("--title")
    parser.add_argument("--summary")
    parser.add_argument("--version")
    parser.add_argument("--default", action="store_true", help="mark it as the default model")
    parser.add_argument("--keep-from", type=Path, metavar="OLD_CARD.json")
    parser.add_argument("--beside", action="append", default=[], metavar="LABEL=SWEEP.json@S")
    args = parser.parse_args()
    from colorstudio.core import checkpoint

    model, card = checkpoint.load_model(args.model)
    sweep = json.loads(args.eval.read_text())
    run = chosen_run(sweep, args.strength)
    model.colour_gain = float(run.get("colour_gain", 1.0)) * args.strength
    model.colour_contrast = float(run.get("colour_contrast", 0.0))
    card = card | {"name": args.name}  # save_model writes the new colour gain into it
    if args.keep_from:
        card = {k: v for k, v in json.loads(args.keep_from.read_text()).items() if k not in card} | card
    for key in ("title", "summary", "version"):
        if getattr(args, key):
            card[key] = getattr(args, key)
    card["default"] = bool(args.default)
    card["metrics_photos_val"] = {
        "photos": run["photos"], "model": run["mean"]["model"], "gray_floor": run["mean"]["gray_floor"],
        "render_size": run["render_size"], "chosen_strength": args.strength,
        "swept": {f"{r['strength']:g}": r["mean"]["model"] for r in sweep.get("strengths", [run])},
    }
    for entry in args.beside:
        label, _, where = entry.partition("=")
        path, _, strength = where.rpartition("@")
        other = chosen_run(json.loads(Path(path).read_text()), float(strength))
        card["metrics_photos_val"].setdefault("beside", {})[label] = {
            **other["mean"]["model"], "model": other["model"], "strength": float(strength),
            "colour_gain": other.get("colour_gain"), "colour_contrast": other.get("colour_contrast")}
    out = ROOT / "models" / f"{args.name}.safetensors"
    checkpoint.save_model(out, model, card, half=args.half)
    card = checkpoint.read_model_header(out)["card"]  # with the colour gain, as stored
    out.with_suffix(".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    m = run["mean"]["model"]
    print(f"{out.relative_to(ROOT)}: colour gain {model.colour_gain:.3f}, contrast {model.colour_contrast:g}; photos-val PSNR {m['psnr']:.2f}, "
          f"CIEDE2000 {m['ciede2000']:.2f}, colourfulness {m['colourfulness_ratio']:.2f}")


if __name__ == "__main__":
    main()
