"""Does fine-tuning on a person's own photos help? A measured demonstration.

Takes one coherent subset of the shared photos (by file-name prefix, e.g. `sunhays` = natural scenes,
`urban100` = buildings), splits it 80/20 deterministically, scores the base model on the held-out 20% with
the full pipeline, fine-tunes the base model on the 80% for at most --minutes on the CPU with the same
engine as the wizard, and scores the fine-tuned model on the same held-out photos.

    .venv/bin/python benchmarks/bench_finetune.py --subset urban100 --minutes 20 [--base MODEL]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subset", default="urban100", help="file-name prefix of the subset")
    parser.add_argument("--folder", default="photos-val", help="photos-val or photos-train")
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--base", default="")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    from colorstudio.core import catalog
    from colorstudio.core.evaluation import evaluate
    from colorstudio.core.pipeline import ColorizeOptions
    from colorstudio.core.training import recipe
    from colorstudio.core.training.dataset import PhotoPairs
    from colorstudio.core.training.loop import Trainer

    photos = sorted((DATA / args.folder).glob(f"{args.subset}_*"))
    if len(photos) < 10:
        raise SystemExit(f"only {len(photos)} photos match {args.subset}_* in {DATA / args.folder}")
    held_out = photos[::5]  # every fifth photo: 20%, spread over the subset
    train = [p for p in photos if p not in held_out]
    entry = catalog.resolve_model(args.base or None)
    options = ColorizeOptions(device="cpu")
    base_model, _ = catalog.load(entry)
    started = time.perf_counter()
    before = evaluate(held_out, base_model, options).mean("model")
    print(f"{args.subset}: {len(train)} photos to fine-tune on, {len(held_out)} held out; base model {entry.name}")
    print(f"base model on held-out:       CIEDE2000 {before.ciede2000:.2f}  PSNR {before.psnr:.2f}  "
          f"colourfulness {before.colourfulness_ratio:.2f}  ({time.perf_counter() - started:.0f} s)")
    begin = recipe.start(entry.name)  # the wizard's and `colorstudio train --base`'s start rule
    plan = recipe.TrainingRun("bench", "", [], [], minutes=args.minutes, size=args.size, batch=args.batch,
                              device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(begin.model, PhotoPairs(train, size=args.size), None, Path(tmp),
                          recipe.train_config(plan, begin))
        trainer.run()
        steps, minutes = trainer.progress.step, trainer.progress.seconds / 60
        after = evaluate(held_out, trainer.ema, options).mean("model")
    print(f"fine-tuned ({steps} steps, {minutes:.1f} min): CIEDE2000 {after.ciede2000:.2f}  PSNR {after.psnr:.2f}  "
          f"colourfulness {after.colourfulness_ratio:.2f}")
    change = (after.ciede2000 - before.ciede2000) / before.ciede2000
    print(f"CIEDE2000 change on held-out photos: {change:+.1%} ({'better' if change < 0 else 'not better'})")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 2))
    main()
