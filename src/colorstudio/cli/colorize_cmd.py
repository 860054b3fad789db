"""``colorstudio colorize INPUT... -o OUTDIR``: a headless batch over the core pipeline."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from colorstudio.cli.progress import BatchProgress, format_duration
from colorstudio.cli.common import load_model
from colorstudio.core import batch, imageio
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import load_hints
from colorstudio.core.options import DEVICE_CHOICES, ColorizeOptions
from colorstudio.core.restoration import PRESETS, RestoreOptions


def add_parser(sub) -> None:
    d = ColorizeOptions()
    p = sub.add_parser(
        "colorize", help="colorize photos or folders of photos",
        description="Colorize photos. Outputs go to OUTDIR under the same relative path and name; "
                    "existing outputs are skipped (a re-run resumes), inputs are never written.")
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="photos and/or folders")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="OUTDIR", help="output folder")
    p.add_argument("-r", "--recursive", action="store_true", help="look into sub-folders too")
    p.add_argument("--model", help="model name (see `colorstudio models`) or path to a .safetensors file")
    p.add_argument("--render-size", type=int, default=d.render_size, metavar="PX",
                   help=f"longest side seen by the network; 0 = full resolution (default {d.render_size})")
    p.add_argument("--tile", type=int, default=d.tile_size, metavar="PX", help=f"tile size (default {d.tile_size})")
    p.add_argument("--overlap", type=int, default=d.overlap, metavar="PX",
                   help=f"overlap between tiles (default {d.overlap})")
    p.add_argument("--strength", type=float, default=d.strength,
                   help="colour strength: 0 gray, 1 as predicted, up to 4 (default 1)")
    p.add_argument("--device", choices=DEVICE_CHOICES, default=d.device, help="compute device (default auto)")
    p.add_argument("--format", choices=sorted(imageio.OUTPUT_FORMATS), help="output format (default: as input)")
    p.add_argument("--quality", type=int, default=95, help="JPEG/WebP quality 1-100 (default 95)")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs instead of skipping")
    p.add_argument("--hints", type=Path, metavar="JSON", help="colour hints for a single photo (see README)")
    r = p.add_argument_group("restoration before colour (off unless asked for)")
    r.add_argument("--restore", choices=[k.replace(" ", "-") for k in PRESETS], default="off",
                   help="a preset: clean-scan (tint, light denoise and contrast) or damaged-print (also dust "
                        "and scratches)")
    r.add_argument("--neutralize-tint", action="store_true", default=None,
                   help="make a sepia or yellowed colour scan neutral before colorizing")
    r.add_argument("--dust", type=float, metavar="0-1", help="dust and scratch removal strength")
    r.add_argument("--denoise", type=float, metavar="0-1", help="grain and noise reduction strength")
    r.add_argument("--contrast", type=float, metavar="0-1", help="faded-contrast repair strength")
    p.add_argument("--max-megapixels", type=float, default=imageio.DEFAULT_MAX_PIXELS / 1e6, metavar="MP",
                   help="refuse larger images, a guard against decompression bombs (default %(default).0f)")


def _options(args: argparse.Namespace, parser: argparse.ArgumentParser) -> ColorizeOptions:
    preset = PRESETS[args.restore.replace("-", " ")]
    restore = RestoreOptions(
        tint=preset.tint if args.neutralize_tint is None else True,
        dust=preset.dust if args.dust is None else args.dust,
        denoise=preset.denoise if args.denoise is None else args.denoise,
        contrast=preset.contrast if args.contrast is None else args.contrast)
    options = ColorizeOptions(render_size=args.render_size, tile_size=args.tile, overlap=args.overlap,
                              strength=args.strength, device=args.device, restore=restore)
    from colorstudio.core.device import resolve_device  # torch: only once a command runs

    try:
        options.validate()
        resolve_device(options.device)
    except ColorStudioError as exc:
        parser.error(str(exc))
    if not 1 <= args.quality <= 100:
        parser.error("--quality must be between 1 and 100")
    return options


def main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    options = _options(args, parser)
    settings = batch.OutputSettings(folder=args.output, format=args.format, quality=args.quality,
                                    overwrite=args.overwrite)
    plan = batch.plan_batch(args.inputs, settings, recursive=args.recursive)
    if not plan.jobs and not plan.skipped and not plan.problems:
        parser.error("no photos found in the given inputs" + ("" if args.recursive else " (use -r for sub-folders)"))
    hints = []
    if args.hints:
        if len(plan.jobs) + len(plan.skipped) != 1:
            parser.error("--hints applies to a single photo")
        try:
            hints = load_hints(args.hints)
        except ColorStudioError as exc:
            parser.error(str(exc))
    model, entry = None, None
    if plan.jobs:
        loaded = load_model(args.model)
        if loaded is None:
            return 2
        model, entry = loaded
        from colorstudio.core.device import describe_device, resolve_device

        print(f"Model {entry.name} on {describe_device(resolve_device(options.device))}; "
              f"{len(plan.jobs)} to do, {len(plan.skipped)} already done.", file=sys.stderr)
    return _run(plan, model, entry, options, settings, hints, int(args.max_megapixels * 1e6))


def _run(plan, model, entry, options, settings, hints, max_pixels) -> int:
    failures = list(plan.problems)
    done = 0
    started = time.monotonic()
    bar = BatchProgress(len(plan.jobs))
    interrupted = False
    for index, job in enumerate(plan.jobs):
        bar.start_file(index, str(job.source))
        try:
            batch.colorize_file(job, model, entry.name, options, settings, hints=hints, max_pixels=max_pixels,
                                progress=bar.update, on_notice=bar.note,
                                model_version=str(entry.card.get("version", "")))
        except KeyboardInterrupt:
            bar.end_file("interrupted (no output written)")
            interrupted = True
            break
        except (ColorStudioError, MemoryError) as exc:
            failures.append((job.source, str(exc) or type(exc).__name__))
            bar.end_file(f"FAILED: {exc}")
        except Exception as exc:  # noqa: BLE001 - one photo's unexpected error must not stop the batch
            failures.append((job.source, f"unexpected error: {type(exc).__name__}: {exc}"))
            bar.end_file(f"FAILED: unexpected {type(exc).__name__}: {exc}")
        else:
            done += 1
            bar.end_file(f"-> {job.output}")
    _summary(done, plan, failures, time.monotonic() - started, interrupted)
    if interrupted:
        return 130
    return 1 if failures else 0


def _summary(done: int, plan, failures, seconds: float, interrupted: bool) -> None:
    out = sys.stderr
    parts = [f"{done} colorized", f"{len(plan.skipped)} skipped (output exists; --overwrite to redo)",
             f"{len(failures)} failed"]
    print(("Interrupted: " if interrupted else "Done: ") + ", ".join(parts) + f" in {format_duration(seconds)}.",
          file=out)
    for source, reason in failures:
        print(f"  FAILED {source}: {reason}", file=out)
