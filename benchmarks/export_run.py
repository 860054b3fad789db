"""Export the EMA weights of a training run's latest checkpoint as a model file, without stopping the run:
for evaluating a long run's progress (``colorstudio evaluate DIR --model FILE``) while it trains.

    .venv/bin/python benchmarks/export_run.py RUN_NAME_OR_DIR OUT.safetensors [--half]

RUN_NAME is looked up in the user data folder's runs/ (where `colorstudio train` keeps its state).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run")
    parser.add_argument("out", type=Path)
    parser.add_argument("--half", action="store_true", help="store float16 weights")
    args = parser.parse_args()
    from colorstudio.core import checkpoint
    from colorstudio.core.models import registry
    from colorstudio.core.training import recipe, state_io

    run_dir = Path(args.run) if Path(args.run).is_dir() else recipe.runs_dir() / args.run
    groups, info, _ = state_io.load(run_dir / recipe.STATE_FILE)
    config = dict(info["model_config"])
    config.pop("pretrained", None)  # the weights come from the run, not from ImageNet
    model = registry.build(info["arch"], **config)
    model.load_state_dict(groups["ema"])
    progress = info["progress"]
    card = {**info.get("card", {}), "name": args.out.stem, "architecture": info["arch"],
            "training": {**info.get("card", {}).get("training", {}), "steps": progress["step"],
                         "epochs": progress["epoch"], "minutes": round(progress["seconds"] / 60, 1),
                         "loss": info["config"]["loss"]},
            "validation": progress.get("best", {})}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    checkpoint.save_model(args.out, model.eval(), card, half=args.half)
    args.out.with_suffix(".json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    print(f"{run_dir.name}: step {progress['step']}, epoch {progress['epoch']}, "
          f"{progress['seconds'] / 60:.1f} min -> {args.out}")


if __name__ == "__main__":
    main()
