"""``colorstudio train DATA_DIR --out NAME``: teach a model the colours of a folder of colour photos."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from colorstudio import paths
from colorstudio.cli.progress import format_duration
from colorstudio.core import catalog
from colorstudio.core.errors import Cancelled, ColorStudioError
from colorstudio.core.options import ARCHITECTURE_NAMES, DEVICE_CHOICES, LOSSES
from colorstudio.core.training.photos import list_photos, scan, split


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train or fine-tune a model on a folder of colour photos",
                       description="Train a model on your own colour photos. Checkpoints are written every "
                                   "epoch; --resume continues an interrupted run exactly.")
    p.add_argument("data", type=Path, metavar="DATA_DIR", help="folder of colour photos (searched recursively)")
    p.add_argument("--out", required=True, metavar="NAME_OR_PATH",
                   help="model name (saved in your models folder) or a .safetensors path")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--base", metavar="MODEL", help="fine-tune this model (name or file)")
    start.add_argument("--arch", choices=ARCHITECTURE_NAMES, help="train this architecture from its start")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="time budget (default 30 when no --epochs)")
    budget.add_argument("--epochs", type=int)
    p.add_argument("--loss", choices=LOSSES, help="default: colourful for unet-lite0, mse for the seeds")
    p.add_argument("--size", type=int, default=224, help="training photo size in pixels (default 224)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, help="learning rate (default 5e-4 for unet-lite0, 1e-3 otherwise; "
                                            "a third of that when fine-tuning)")
    p.add_argument("--val-split", type=float, default=0.1, help="share of photos held out (default 0.1)")
    p.add_argument("--resume", action="store_true", help="continue the interrupted run of this --out")
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    p.add_argument("--seed", type=int, default=0)


def output_path(out: str) -> Path:
    path = Path(out).expanduser()
    if path.suffix == ".safetensors" or len(path.parts) > 1:
        return path.with_suffix(".safetensors")
    return paths.user_models_dir() / f"{out}.safetensors"


def _model_and_config(args):
    from colorstudio.core.models import registry
    from colorstudio.core.training.loop import TrainConfig

    card: dict = {}
    if args.base:
        entry = catalog.resolve_model(args.base)
        model, base_card = catalog.load(entry)
        card["base_model"] = entry.name
        head = model.config().get("head", "regression")
        loss = args.loss or ("classification" if head == "classification" else
                             base_card.get("training", {}).get("loss", "colourful"))
        lr = args.lr or (5e-4 if model.arch == "unet-lite0" else 1e-3) / 3
    else:
        arch = args.arch or registry.DEFAULT_ARCH
        loss = args.loss or ("colourful" if arch == "unet-lite0" else "mse")
        config = {}
        if arch == "unet-lite0":
            config = {"pretrained": True, "head": "classification" if loss == "classification" else "regression"}
        model = registry.build(arch, **config)
        lr = args.lr or (5e-4 if arch == "unet-lite0" else 1e-3)
    if (loss == "classification") != (model.config().get("head") == "classification"):
        raise ColorStudioError(f"the {loss} loss does not fit this model's head")
    minutes = args.minutes if args.minutes is not None else (0 if args.epochs else 30)
    config = TrainConfig(loss=loss, size=args.size, batch=args.batch, lr=lr, epochs=args.epochs or 0,
                         minutes=minutes, seed=args.seed, device=args.device)
    config.validate()
    return model, config, card


def main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.data.is_dir():
        parser.error(f"{args.data} is not a folder")
    out = output_path(args.out)
    run_dir = paths.user_data_dir() / "runs" / out.stem
    if (run_dir / "state.safetensors").exists() and not args.resume:
        parser.error(f"an earlier run of {out.stem} exists in {run_dir}: add --resume to continue it, "
                     f"or choose another --out")
    from colorstudio.core.training.dataset import PhotoPairs  # torch: only once the command runs
    from colorstudio.core.training.loop import Trainer

    try:
        model, config, card = _model_and_config(args)
        err = sys.stderr
        print(f"Looking at the photos in {args.data} ...", file=err)
        report = scan(list_photos(args.data))
        for path, reason in report.skipped:
            print(f"  skipped {path.name}: {reason}", file=err)
        train_paths, val_paths = split(report.usable, args.val_split, root=args.data)
        print(f"{len(report.usable)} usable photos ({len(report.skipped)} skipped): "
              f"{len(train_paths)} for training, {len(val_paths)} for validation.", file=err)
        train_data = PhotoPairs(train_paths, size=config.size, augment=True, seed=config.seed)
        val_data = PhotoPairs(val_paths, size=config.size, augment=False) if val_paths else None
        card["training"] = {"data": str(args.data), "photos_train": len(train_paths),
                            "photos_val": len(val_paths)}
        trainer = Trainer(model, train_data, val_data, run_dir, config, card)
        if args.resume:
            trainer.resume()
            print(f"Resuming at step {trainer.progress.step}, epoch {trainer.progress.epoch}.", file=err)
        trainer.run(on_event=_printer(err))
        trainer.export(out, out.stem)
    except KeyboardInterrupt:
        if "trainer" in locals():
            trainer.save_state()
        print(f"\nStopped; continue with the same command plus --resume.", file=sys.stderr)
        return 130
    except Cancelled:
        return 130
    except ColorStudioError as exc:
        print(f"colorstudio: error: {exc}", file=sys.stderr)
        return 1
    print(f"Saved {out}", file=sys.stderr)
    return 0


def _printer(stream):
    last = [0.0]

    def show(event) -> None:
        now = time.monotonic()
        if event.kind == "step" and now - last[0] < 10:
            return
        last[0] = now
        eta = format_duration(event.eta_seconds) if event.eta_seconds == event.eta_seconds else "--:--"
        prefix = "finished: " if event.kind == "done" else ""
        line = (f"{prefix}step {event.step} epoch {event.epoch} loss {event.loss:.4f} lr {event.lr:.2g} "
                f"elapsed {format_duration(event.seconds)} left {eta}")
        if event.val:
            v = event.val
            line += (f" | val PSNR {v['psnr']:.2f} SSIM {v['ssim']:.3f} CIEDE2000 {v['ciede2000']:.2f} "
                     f"colour {v['colourfulness_ratio']:.2f}")
        print(line, file=stream, flush=True)

    return show
