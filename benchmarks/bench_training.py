"""Does data loading keep up with the model? Images per second of the real training loop against the same
steps fed from tensors already in memory, on the CPU (or a GPU with --device cuda).

    .venv/bin/python benchmarks/bench_training.py [--arch unet-lite0] [--steps 8] [--batch 16] [--size 224]
                                                  [--device cpu|cuda]

Photos come from ../shared/data/photos-train; where it is missing (as on a GPU machine), from generated
colour photos (smooth random colour fields with edges), so the data work per item is the same kind.

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


def generated_photos(folder: Path, count: int) -> list[Path]:
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        field = cv2.resize(rng.uniform(0, 255, (6, 8, 3)).astype(np.uint8), (400, 300), interpolation=cv2.INTER_CUBIC)
        cv2.rectangle(field, tuple(int(v) for v in rng.integers(0, 300, 2)), (399, 299),
                      tuple(int(v) for v in rng.integers(0, 255, 3)), -1)
        noisy = np.clip(field + rng.normal(0, 6, field.shape), 0, 255).astype(np.uint8)
        paths.append(folder / f"generated_{i:04d}.jpg")
        cv2.imwrite(str(paths[-1]), noisy, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", default="unet-lite0")
    parser.add_argument("--loss", default="colourful")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--photos", type=int, default=400, help="how many photos of photos-train to load")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    from colorstudio.core import allocator

    allocator.tune()
    import torch

    from colorstudio.core.device import describe_device
    from colorstudio.core.models import registry
    from colorstudio.core.training.batches import loader_threads
    from colorstudio.core.training.dataset import PhotoPairs
    from colorstudio.core.training.loop import TrainConfig, Trainer, TrainEvent
    from colorstudio.core.training.photos import list_photos

    with tempfile.TemporaryDirectory() as tmp:
        paths = list_photos(PHOTOS)[: args.photos] if PHOTOS.is_dir() else generated_photos(Path(tmp), args.photos)
        if len(paths) < args.batch:
            raise SystemExit(f"{len(paths)} photos is fewer than one batch")
        started = time.perf_counter()
        data = PhotoPairs(paths, size=args.size)
        print(f"{len(data)} photos ({'photos-train' if PHOTOS.is_dir() else 'generated'}) decoded into the cache "
              f"in {time.perf_counter() - started:.1f} s (once per run); {torch.get_num_threads()} CPU threads")
        warmup = 3
        epochs = -(-(warmup + args.steps + 1) // (len(data) // args.batch)) + 1  # enough for all timed steps
        config = TrainConfig(loss=args.loss, size=args.size, batch=args.batch, epochs=epochs, device=args.device)
        torch.manual_seed(0)
        trainer = Trainer(registry.build(args.arch), data, None, Path(tmp) / "run", config)
        print(f"device: {describe_device(trainer.device)}, batches made ahead on "
              f"{loader_threads(trainer.device)} threads")
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
        else:
            raise SystemExit(f"the run ended after {len(stamps)} steps, before the {args.steps} timed ones")
        real = args.steps * args.batch / (stamps[-1] - stamps[warmup])  # event after step: .item() synced

        batch = {k: torch.stack([data[i][k] for i in range(args.batch)]) for k in data[0]}
        for _ in range(warmup):
            trainer._step(batch)
        t0 = time.perf_counter()
        for _ in range(args.steps):
            trainer._step(batch)  # returns float(loss): waits for the GPU
        memory = args.steps * args.batch / (time.perf_counter() - t0)
    print(f"{args.arch}, batch {args.batch} at {args.size} px, {args.steps} timed steps after {warmup} warm-up")
    print(f"real training loop:      {real:6.2f} images/s")
    print(f"in-memory tensors:       {memory:6.2f} images/s")
    print(f"ratio real / in-memory:  {real / memory:.3f}  (target >= 0.8)")


if __name__ == "__main__":
    main()
