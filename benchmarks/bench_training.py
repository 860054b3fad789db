"""Does data loading keep up with the model? Images per second of the real training loop against the same
steps fed from tensors already in memory, on the CPU.

    .venv/bin/python benchmarks/bench_training.py [--arch unet-lite0] [--steps 8] [--batch 16] [--size 224]

The real loop is ``Trainer.run`` over ``PhotoPairs`` (photos decoded once into the cache, then a random
crop, scale, flip, Lab conversion and hint sampling per item, every step). The in-memory run calls the
same ``Trainer._step`` on one prepared batch again and again: the model's speed with no data work at all.
The target ratio (real / in-memory) is at least 0.8.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "photos-train"


class Enough(Exception):
    """Stops the real loop once the timed steps are done."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", default="unet-lite0")
    parser.add_argument("--loss", default="colourful")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--photos", type=int, default=400, help="how many photos of photos-train to load")
    args = parser.parse_args()
    from colorstudio.core import allocator

    allocator.tune()
    import torch

    from colorstudio.core.models import registry
    from colorstudio.core.training.dataset import PhotoPairs
    from colorstudio.core.training.loop import Trainer, TrainConfig, TrainEvent
    from colorstudio.core.training.photos import list_photos

    paths = list_photos(PHOTOS)[: args.photos] if PHOTOS.is_dir() else []
    if len(paths) < args.batch:
        raise SystemExit(f"needs {PHOTOS} (photos for training)")
    started = time.perf_counter()
    data = PhotoPairs(paths, size=args.size)
    print(f"{len(data)} photos decoded into the cache in {time.perf_counter() - started:.1f} s "
          f"(once per run); {torch.get_num_threads()} CPU threads")
    warmup = 2
    config = TrainConfig(loss=args.loss, size=args.size, batch=args.batch, epochs=1, device="cpu")
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(registry.build(args.arch), data, None, Path(tmp), config)
        stamps: list[float] = []

        def on_event(event: TrainEvent) -> None:
            if event.kind == "step":
                stamps.append(time.perf_counter())
                if len(stamps) == warmup + args.steps + 1:
                    raise Enough

        try:
            trainer.run(on_event)
        except Enough:
            pass
        real = args.steps * args.batch / (stamps[-1] - stamps[warmup])

        batch = {k: torch.stack([data[i][k] for i in range(args.batch)]) for k in data[0]}
        for _ in range(warmup):
            trainer._step(batch)
        t0 = time.perf_counter()
        for _ in range(args.steps):
            trainer._step(batch)
        memory = args.steps * args.batch / (time.perf_counter() - t0)
    print(f"{args.arch}, batch {args.batch} at {args.size} px, {args.steps} timed steps after {warmup} warm-up")
    print(f"real training loop:      {real:6.2f} images/s")
    print(f"in-memory tensors:       {memory:6.2f} images/s")
    print(f"ratio real / in-memory:  {real / memory:.3f}  (target >= 0.8)")


if __name__ == "__main__":
    main()
