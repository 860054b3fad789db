"""``colorstudio train DATA_DIR --out NAME``: teach a model the colours of a folder of colour photos."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from colorstudio import paths
from colorstudio.cli import score_table
from colorstudio.cli.common import cluster_target
from colorstudio.cli.progress import format_duration
from colorstudio.core.errors import Cancelled, ColorStudioError
from colorstudio.core.options import ARCHITECTURE_NAMES, DEVICE_CHOICES, LOSSES
from colorstudio.core.training import recipe
from colorstudio.core.training.photos import list_photos, scan


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train or fine-tune a model on a folder of colour photos",
                       description="Train a model on your own colour photos. Checkpoints are written every "
                                   "epoch; --resume continues an interrupted run exactly.")
    p.add_argument("data", type=Path, metavar="DATA_DIR", help="folder of colour photos (searched recursively)")
    p.add_argument("--out", required=True, metavar="NAME_OR_PATH",
                   help="model name (saved in your models folder) or a .safetensors path")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--base", metavar="MODEL", help="fine-tune this model (name or file; default: the default model)")
    start.add_argument("--arch", choices=ARCHITECTURE_NAMES, help="train this architecture from its start")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="time budget (default 30 when no --epochs)")
    budget.add_argument("--epochs", type=int)
    p.add_argument("--loss", choices=LOSSES, help="default: the base model's own when fine-tuning, else "
                                                  "colourful for the unet-lite models and mse for the seeds")
    p.add_argument("--size", type=int, default=224, help="training photo size in pixels (default 224)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, help="learning rate (default 5e-4 for the unet-lite models, 1e-3 otherwise; "
                                            "a third of that when fine-tuning)")
    p.add_argument("--val-split", type=float, default=0.1, help="share of photos held out (default 0.1)")
    p.add_argument("--resume", action="store_true", help="continue the interrupted run of this --out")
    p.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    p.add_argument("--seed", type=int, default=0)
    c = p.add_argument_group("data-parallel on a Ray cluster (pip install 'colorstudio[cluster]'; see the README)")
    c.add_argument("--workers", type=int, default=0, metavar="N",
                   help="train in N processes at once (Ray Train, DDP), each on --batch photos a step; the default "
                        "learning rate grows by sqrt(N) (default with --cluster: one per GPU, else 2)")
    c.add_argument("--cluster", nargs="?", const="auto", type=cluster_target, metavar="auto|local|ADDRESS",
                   help="the Ray cluster for --workers: auto joins the running one (or starts one here), local "
                        "starts one on this machine, or a cluster's address (default with --workers: local)")


def output_path(out: str) -> Path:
    path = Path(out).expanduser()
    if path.suffix == ".safetensors" or len(path.parts) > 1:
        return path.with_suffix(".safetensors")
    return paths.user_models_dir() / f"{out}.safetensors"


def main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not args.data.is_dir():
        parser.error(f"{args.data} is not a folder")
    if args.workers < 0:
        parser.error("--workers must be positive")
    cluster = args.cluster or ("local" if args.workers > 1 else None)
    out = output_path(args.out)
    run_dir = recipe.runs_dir() / out.stem
    if (run_dir / recipe.STATE_FILE).exists() and not args.resume:
        parser.error(f"an earlier run of {out.stem} exists in {run_dir}: add --resume to continue it, "
                     f"or choose another --out")
    minutes = args.minutes if args.minutes is not None else (0 if args.epochs else 30)
    settings = dict(base=args.base or "", arch=args.arch or "",
                    loss=args.loss or "", minutes=minutes, epochs=args.epochs or 0, size=args.size,
                    batch=args.batch, lr=args.lr or 0.0, seed=args.seed, device=args.device)
    err = sys.stderr
    try:
        begin = recipe.start(settings["base"], settings["arch"], settings["loss"], settings["lr"])
        recipe.train_config(recipe.TrainingRun(out.stem, str(args.data), [], [], **settings), begin)  # checks
        print(f"Looking at the photos in {args.data} ...", file=err)
        report = scan(list_photos(args.data.resolve()))  # the run's photos by full path: a worker's folder differs
        for path, reason in report.skipped:
            print(f"  skipped {path.name}: {reason}", file=err)
        if not report.usable:
            raise ColorStudioError(f"no usable colour photos in {args.data}")
        run = recipe.plan_run(out.stem, args.data.resolve(), report.usable, args.val_split, **settings)
        print(f"{len(report.usable)} usable photos ({len(report.skipped)} skipped): "
              f"{len(run.train)} for training, {len(run.val)} for validation.", file=err)
        _print_estimate(begin.model, run, err)
        if cluster:
            return _train_on_cluster(run, out, cluster, args, err)
        _check_workers(run, 1, args.resume)
        trainer = recipe.build_trainer(run, begin)
        run.save()
        if args.resume:
            trainer.resume()
            print(f"Resuming at step {trainer.progress.step}, epoch {trainer.progress.epoch}.", file=err)
        trainer.run(on_event=_printer(err))
        recipe.finish(trainer, run, out)
        print(f"Saved {out}", file=err)
        if not run.arch:  # a fine-tune: how it compares with where it started
            _print_comparison(run, trainer, err)
    except KeyboardInterrupt:
        if "trainer" in locals():
            trainer.save_state()
        print("\nStopped; continue with the same command plus --resume.", file=err)
        return 130
    except Cancelled:
        return 130
    except ColorStudioError as exc:
        print(f"colorstudio: error: {exc}", file=err)
        return 1
    return 0


def _check_workers(run, workers: int, resume: bool) -> None:
    """A run resumes on as many processes as it started with (its batches and learning rate depend on it)."""
    if resume and (run.run_dir / recipe.RUN_FILE).exists():
        before = recipe.TrainingRun.load(run.run_dir).workers
        if before != workers:
            how = f"--workers {before}" if before > 1 else "no --workers"
            raise ColorStudioError(f"{run.name} was trained on {before} process(es): resume it with {how}")


def _train_on_cluster(run, out: Path, cluster: str, args, err) -> int:
    """The run in several processes on a Ray cluster (``colorstudio.cluster.train_job``)."""
    from colorstudio.cluster import connect, train_job

    with connect.connect(cluster, on_notice=lambda message: print(message, file=err)):
        shape = train_job.plan_shape(args.workers, args.device)
        _check_workers(run, shape.count, args.resume)
        run.workers = shape.count
        run.save()
        print(f"Training on {shape.describe(('process', 'processes'))}; the checkpoint is in {run.run_dir}.", file=err)
        train_job.train(run.run_dir, out, shape, show=_stdout_printer)
    records = train_job.worker_records(run.run_dir)
    print(f"Saved {out}: {len(records)} processes ended at step {records[0]['step'] if records else '?'} with the "
          f"same weights.", file=err)
    return 0


def _stdout_printer():
    """The progress lines of a cluster run's rank 0, on the worker's own standard output, which Ray shows in
    this terminal (``sys.__stdout__``: Ray Train's patched ``print`` would show each line twice)."""
    return _printer(sys.__stdout__)


def _print_estimate(model, run, stream) -> None:
    try:
        seconds = recipe.seconds_per_step(model, run.size, run.batch, run.device)
    except RuntimeError:  # out of memory...: training says so itself; an estimate is optional
        seconds = float("nan")
    print(recipe.describe_estimate(seconds, len(run.train) // run.batch, run.minutes, run.epochs), file=stream)


def _print_comparison(run, trainer, stream) -> None:
    """The new model against the one it started from, on the validation photos, with the full pipeline."""
    if not run.val:
        return
    from colorstudio.core.metrics import Scores

    base = trainer.card["base_model"]
    print(f"Comparing with {base} on {min(len(run.val), 24)} validation photos ...", file=stream)
    result = recipe.compare(recipe.base_model(run), trainer.ema, run.val, run.device)
    print(score_table.header("model"))
    print(score_table.row(f"started from: {base}", Scores(**result.base)))
    print(score_table.row(f"new: {run.name}", Scores(**result.new)))
    print("The new model's colours are closer to the originals." if result.improved else
          "The new model is not closer to the originals than the one it started from; more photos or more "
          "time may help.")


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
