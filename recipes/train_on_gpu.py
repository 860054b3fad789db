"""Train a colorstudio model on a rented GPU, with the training loop of ``colorstudio train``.

How ``colorstudio-unet-v2`` was trained: photos packed by ``pack_photos.py`` are decoded once into GPU
memory (``DevicePhotos``), and the project's own ``Trainer`` runs with a time budget, mixed precision,
colour hints drawn from the truth and old-print lightness (``--degrade``). Several variants can share one
GPU as separate processes. The EMA weights come back as a half-precision model file (its card inside) and the
run log (``--out``), each file small enough for the rented machine's file return.

    PYTHONPATH=src python recipes/train_on_gpu.py --data .gpu/photos --name v2-lite2 --arch unet-lite2 \\
        --init imagenet:.gpu/lite2_encoder.safetensors --minutes 7 --out $OUT
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import torch

from colorstudio.core import checkpoint
from colorstudio.core.models import registry
from colorstudio.core.training.dataset import PhotoPairs
from colorstudio.core.training.device_photos import DevicePhotos
from colorstudio.core.training.loop import TrainConfig, Trainer
from colorstudio.core.training.photos import list_photos


def build(arch: str, loss: str, init: str, context_size: int):
    """A fresh model of ``arch``: encoder from ImageNet weights ("imagenet:FILE", safetensors of the encoder) or
    all weights from a model file ("model:FILE", which also fixes the architecture)."""
    if init.startswith("model:"):
        model, _ = checkpoint.load_model(init[len("model:"):])
        return model
    head = "classification" if loss == "classification" else "regression"
    model = registry.build(arch, head=head, context_size=context_size)
    if init.startswith("imagenet:"):
        from safetensors.torch import load_file

        state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(init[len("imagenet:"):]).items()}
        model.encoder.load_state_dict(state, strict=True)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="a folder with train/ and val/ (pack_photos.py)")
    parser.add_argument("--name", required=True)
    parser.add_argument("--arch", default="unet-lite2")
    parser.add_argument("--init", default="", help="imagenet:ENCODER.safetensors or model:MODEL.safetensors")
    parser.add_argument("--loss", default="colourful")
    budget = parser.add_mutually_exclusive_group(required=True)
    budget.add_argument("--minutes", type=float, default=0.0)
    budget.add_argument("--epochs", type=int, default=0, help="instead of a time budget (a run over sessions)")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--no-degrade", action="store_true")
    parser.add_argument("--val-every", type=int, default=10)
    parser.add_argument("--val-limit", type=int, default=0, help="validate on this many held-out photos (0: all)")
    parser.add_argument("--context-size", type=int, default=256,
                        help="the scene embedding's input size; equal to --size, the tiles' features are reused")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--limit", type=int, default=0, help="use only this many training photos (smoke tests)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="its checkpoints (default /tmp/colorstudio-runs/NAME)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir exactly")
    args = parser.parse_args()

    started = time.monotonic()
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    train_paths = list_photos(args.data / "train")[: args.limit or None]
    val_paths = list_photos(args.data / "val")
    data = DevicePhotos(train_paths, args.size, device)
    val = PhotoPairs(val_paths, size=args.size, augment=False)
    model = build(args.arch, args.loss, args.init, args.context_size)
    config = TrainConfig(loss=args.loss, size=args.size, batch=args.batch, lr=args.lr, minutes=args.minutes,
                         epochs=args.epochs, warmup_steps=args.warmup, degrade=not args.no_degrade,
                         val_limit=args.val_limit or len(val),
                         val_every=args.val_every, device=args.device)
    run_dir = args.run_dir or Path("/tmp/colorstudio-runs") / args.name
    if not args.resume:
        shutil.rmtree(run_dir, ignore_errors=True)
    card = {"training": {"data": "photos-train (see MODELS.md)", "photos_train": len(data), "photos_val": len(val),
                         "init": args.init or "random", "degrade": not args.no_degrade, "hints": "Zhang et al. 2017"}}
    trainer = Trainer(model, data, val, run_dir, config, card=card)
    if args.resume:
        trainer.resume()
    print(f"[{args.name}] {len(data)} photos on {device} after {time.monotonic() - started:.0f} s; "
          f"{trainer.steps_per_epoch} steps per epoch", flush=True)

    def report(event) -> None:
        if event.kind == "step" and event.step % 200 == 0:
            print(f"[{args.name}] step {event.step} epoch {event.epoch} loss {event.loss:.4f} lr {event.lr:.2e} "
                  f"{event.seconds:.0f} s", flush=True)
        elif event.kind == "epoch" and event.val:
            v = event.val
            print(f"[{args.name}] epoch {event.epoch} val CIEDE2000 {v['ciede2000']:.2f} PSNR {v['psnr']:.2f} "
                  f"colourfulness {v['colourfulness_ratio']:.2f}", flush=True)

    trainer.run(report)
    full = trainer.export(run_dir / f"{args.name}.safetensors", args.name)
    exported, exported_card = checkpoint.load_model(full)
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint.save_model(args.out / f"{args.name}.safetensors", exported, exported_card, half=True)
    log = run_dir / "log.jsonl"
    if log.exists():
        shutil.copy(log, args.out / f"{args.name}-log.jsonl")
    print(f"[{args.name}] done: {trainer.progress.step} steps, {trainer.progress.epoch} epochs, "
          f"{time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
