"""``colorstudio colorize INPUT... -o OUTDIR``: a headless batch over the core pipeline."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from colorstudio import logs
from colorstudio.cli.batch_summary import finish
from colorstudio.cli.colorize_cluster import ReferenceTally
from colorstudio.cli.common import cluster_target, load_colorizer
from colorstudio.cli.progress import BatchProgress, say
from colorstudio.core import batch, imageio
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import hints_file_for, load_hints
from colorstudio.core.options import (
    DEVICE_CHOICES,
    ENGINE_CHOICES,
    PRECISION_CHOICES,
    ColorizeOptions,
    JobSettings,
    OutputSettings,
)
from colorstudio.core.reference import Reference
from colorstudio.core.reference_folder import ReferenceFolder, list_files
from colorstudio.core.restoration import PRESETS, RestoreOptions
from colorstudio.core.run_control import RunControl
from colorstudio.core.text import plural


def add_parser(sub) -> None:
    d = ColorizeOptions()
    p = sub.add_parser(
        "colorize", help="colorize photos or folders of photos",
        description="Colorize photos. Outputs go to OUTDIR under the same relative path and name; "
                    "existing outputs are skipped (a re-run resumes), inputs are never written.")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="photos and/or folders (with --cluster also storage URLs: s3://bucket/scans/...)")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder (or, with --cluster, URL)")
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
    p.add_argument("--engine", choices=ENGINE_CHOICES, default=d.engine,
                   help="what runs the network: auto = OpenVINO on the CPU, PyTorch on a GPU (default auto)")
    p.add_argument("--precision", choices=PRECISION_CHOICES, default=d.precision,
                   help="OpenVINO on the CPU: float32 (PyTorch's results) or fast (bfloat16 where the CPU has "
                        "it; see the README for its colour difference) (default float32)")
    p.add_argument("--format", choices=sorted(imageio.OUTPUT_FORMATS), help="output format (default: as input)")
    p.add_argument("--quality", type=int, default=95, help="JPEG/WebP quality 1-100 (default 95)")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs instead of skipping")
    p.add_argument("--hints", type=Path, metavar="JSON", help="colour hints for a single photo (see README)")
    p.add_argument("--hints-dir", type=Path, metavar="DIR",
                   help="colour hints for each photo: DIR/<photo name>.json (or DIR/<name without extension>"
                        ".json), as the window exports them; photos without one get none")
    g = p.add_argument_group("a reference colour photo (colour it like this photo)")
    g.add_argument("--reference", type=Path, metavar="PHOTO|FOLDER",
                   help="a colour photo whose colours guide every photo where they match (the same house, street, "
                        "beach or person in colour); elsewhere the model's own colour stays; hints win over it. "
                        "A folder of colour photos: for each photo the best few that match it well enough are "
                        "chosen (none: automatic colour); each photo's line says which")
    g.add_argument("--reference-strength", type=float, metavar="0-1",
                   help="how much the reference's colours count where they match: 0 none, 1 fully (default 1)")
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
    c = p.add_argument_group("on a Ray cluster (pip install 'colorstudio[cluster]'; see the README)")
    c.add_argument("--cluster", nargs="?", const="auto", type=cluster_target, metavar="auto|local|ADDRESS",
                   help="run the batch as a Ray Data job: auto joins the running cluster (or starts one here), "
                        "local starts one on this machine, or a cluster's address (default: auto)")
    c.add_argument("--workers", type=int, default=0, metavar="N",
                   help="with --cluster: this many workers, each loading the model once (default: one per GPU, "
                        "else one per CPU, as many as the memory holds at 2 GiB each)")


def _settings(args: argparse.Namespace, parser: argparse.ArgumentParser) -> JobSettings:
    preset = PRESETS[args.restore.replace("-", " ")]
    restore = RestoreOptions(
        tint=preset.tint if args.neutralize_tint is None else True,
        dust=preset.dust if args.dust is None else args.dust,
        denoise=preset.denoise if args.denoise is None else args.denoise,
        contrast=preset.contrast if args.contrast is None else args.contrast)
    options = ColorizeOptions(render_size=args.render_size, tile_size=args.tile, overlap=args.overlap,
                              strength=args.strength, device=args.device, restore=restore, engine=args.engine,
                              precision=args.precision)
    output = OutputSettings(folder=_place(args.output, args, parser), format=args.format, quality=args.quality,
                            overwrite=args.overwrite)
    settings = JobSettings(model=args.model or "", options=options, output=output,
                           max_pixels=int(args.max_megapixels * 1e6))
    from colorstudio.core.device import resolve_device  # torch: only once a command runs

    try:
        settings.validate()
        resolve_device(options.device)
    except ColorStudioError as exc:
        parser.error(str(exc))
    return settings


def _place(text: str, args: argparse.Namespace, parser: argparse.ArgumentParser):
    """A path, or with --cluster a storage URL's path object (``cluster.storage``)."""
    if args.cluster is None:
        if "://" in text:
            parser.error(f"{text}: storage URLs are read and written by a cluster job: add --cluster")
        return Path(text)
    from colorstudio.cluster.storage import place

    try:
        return place(text)
    except ColorStudioError as exc:
        parser.error(str(exc))


def main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.workers and args.cluster is None:
        parser.error("--workers applies to a cluster job: add --cluster")
    settings = _settings(args, parser)
    inputs = [_place(text, args, parser) for text in args.inputs]
    plan = batch.plan_batch(inputs, settings.output, recursive=args.recursive)
    if not plan.jobs and not plan.skipped and not plan.problems:
        parser.error("no photos found in the given inputs" + ("" if args.recursive else " (use -r for sub-folders)"))
    hints = _hints(args, parser, plan)
    reference = _reference(args, parser)
    for source, note in plan.notes:
        say(f"  note: {source}: {note}")
    if args.cluster is not None:
        from colorstudio.cli.colorize_cluster import run_on_cluster

        shipped = (args.reference, reference.strength if isinstance(reference, Reference) else reference[1]) \
            if reference is not None else None
        return run_on_cluster(plan, settings, hints, args.cluster, args.workers, reference=shipped)
    colorizer = None
    if plan.jobs:
        options = settings.options
        colorizer = load_colorizer(settings.model, options.device, options.engine, options.precision)
        if colorizer is None:
            return 2
        from colorstudio.core.device import describe_device, resolve_device

        device = f"{describe_device(resolve_device(options.device))}, {colorizer.engine}"
        logs.engine_ready(colorizer.name, device)
        say(f"Model {colorizer.name} on {device}; {plural(len(plan.jobs), 'photo')} to do, "
            f"{len(plan.skipped)} already done.")
    if isinstance(reference, Reference):
        say(f"Reference photo: {reference.name} (strength {reference.strength:g}).")
    elif reference is not None:
        reference = _open_folder(args.reference, reference[1], colorizer, parser) if colorizer else None
    return _run(plan, colorizer, settings, hints, reference)


def _reference(args, parser):
    """What --reference names: None, the reference photo (``core.reference.Reference``), or for a folder
    (folder, strength), opened once the model is loaded (``_open_folder``)."""
    if args.reference is None:
        if args.reference_strength is not None:
            parser.error("--reference-strength needs --reference")
        return None
    strength = 1.0 if args.reference_strength is None else args.reference_strength
    if not 0.0 <= strength <= 1.0:
        parser.error(f"--reference-strength must be between 0 and 1, got {strength:g}")
    if args.reference.is_dir():
        if not list_files(args.reference):
            parser.error(f"--reference: the reference folder {args.reference} has no photos in it")
        return args.reference, strength
    try:
        return Reference.from_file(args.reference, strength)
    except ColorStudioError as exc:
        parser.error(f"--reference: {exc}")


def _open_folder(folder: Path, strength: float, colorizer, parser):
    """The reference folder's photos read (or their descriptors from the cache), said; exits 2 when it has
    no colour photo."""
    say(f"Reference folder: {folder}: reading its colour photos (a second run reads them from the cache)...")
    try:
        with BatchProgress(1) as bar:  # a bar on a terminal while the photos are read
            bar.start_file(0, str(folder))
            opened = ReferenceFolder.open(folder, colorizer.model, strength=strength, control=RunControl(
                progress=bar.update, on_notice=lambda message: say(f"  note: {message}")))
    except ColorStudioError as exc:
        parser.error(f"--reference: {exc}")
    skipped = f", {plural(len(opened.skipped), 'file')} skipped" if opened.skipped else ""
    say(f"Reference folder: {plural(len(opened), 'colour photo')}{skipped}; a reference is chosen per photo "
        f"(strength {strength:g}).")
    return opened


def _hints(args, parser, plan):
    """hints(job): the colour hints of a photo (--hints for the one photo, --hints-dir per photo)."""
    if args.hints and args.hints_dir:
        parser.error("--hints and --hints-dir cannot be used together")
    if args.hints:
        if len(plan.jobs) + len(plan.skipped) != 1:
            parser.error("--hints applies to a single photo")
        try:
            hints = load_hints(args.hints)
        except ColorStudioError as exc:
            parser.error(str(exc))
        return lambda job: hints
    if args.hints_dir:
        if not args.hints_dir.is_dir():
            parser.error(f"--hints-dir {args.hints_dir} is not a folder")
        return lambda job: load_hints(found) if (found := hints_file_for(job.source, args.hints_dir)) else []
    return lambda job: []


def _run(plan, colorizer, settings: JobSettings, hints, reference=None) -> int:
    failures = list(plan.problems)
    done = 0
    started = time.monotonic()
    interrupted = unexpected = False
    tally = ReferenceTally()
    with BatchProgress(len(plan.jobs)) as bar:
        for index, job in enumerate(plan.jobs):
            bar.start_file(index, str(job.source))
            try:
                written = colorizer.colorize_file(job, settings, hints=hints(job), reference=reference,
                                                  control=RunControl(progress=bar.update, on_notice=bar.note))
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
                logs.report_unexpected(f"while colorizing {job.source}", exc, on_console=True)
                unexpected = True
            else:
                done += 1
                bar.end_file(f"-> {job.output}{tally.count(written)}")
    tally.say()
    return finish(done, plan, failures, time.monotonic() - started, interrupted, unexpected)
