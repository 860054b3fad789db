"""Training throughput on a GPU, before a long run: photos per second of the real training step
(``Trainer._step``) in a few settings, so that no rented minute trains at a slow setting.

    PYTHONPATH=src python recipes/gpu_throughput.py --data .gpu/photos [--steps 30]

Settings: float16 with NCHW tensors (the first GPU run's), bfloat16 with channels-last tensors (the default
since), the latter without the old-print degradation and without hints (their share of a step), and at
batch 256.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from colorstudio.core.models import registry
from colorstudio.core.training.device_photos import DevicePhotos
from colorstudio.core.training.loop import TrainConfig, Trainer
from colorstudio.core.training.photos import list_photos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--arch", default="unet-lite0")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--limit", type=int, default=1024)
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    data = DevicePhotos(list_photos(args.data / "train")[: args.limit], args.size, device)
    settings = [("float16, NCHW", dict(channels_last=False), torch.float16, 128),
                ("bfloat16, channels-last", {}, torch.bfloat16, 128),
                ("bfloat16, channels-last, no degradation", dict(degrade=False), torch.bfloat16, 128),
                ("bfloat16, channels-last, no hints", dict(hints=False), torch.bfloat16, 128),
                ("bfloat16, channels-last, batch 256", {}, torch.bfloat16, 256)]
    print(f"{args.arch} at {args.size} px on {torch.cuda.get_device_name() if device.type == 'cuda' else device}")
    for name, extra, dtype, batch in settings:
        config = TrainConfig(loss="colourful", size=args.size, batch=batch, lr=5e-4, minutes=60, device=args.device,
                             **{"degrade": True, **extra})
        trainer = Trainer(registry.build(args.arch, context_size=args.size), data, None, Path("/tmp/throughput"),
                          config)
        if device.type == "cuda":
            trainer.amp_dtype = dtype
            trainer.scaler = torch.amp.GradScaler("cuda", enabled=dtype == torch.float16)
        batches = data.epoch_batches(0, batch, 0, 0)
        batches = [next(batches) for _ in range(4)]  # made ahead: the step alone is timed
        for i in range(args.warmup):
            trainer._step(batches[i % 4])
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for i in range(args.steps):
            trainer._step(batches[i % 4])
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        print(f"{name:44s} {args.steps * batch / seconds:8.0f} photos/s  ({seconds / args.steps * 1000:.0f} ms a step)",
              flush=True)


if __name__ == "__main__":
    main()
