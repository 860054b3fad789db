"""Batches of photos: which files to colorize, where each output goes, and doing one of them.

Shared by ``colorstudio colorize`` and the main window's queue. Rules that protect the user's photos:
an input is never written, an output is written atomically (a temporary file renamed into place),
and an existing output is kept unless overwriting was asked for (so a re-run resumes a batch).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from colorstudio.core import imageio
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import ColorHint


@dataclass(frozen=True)
class Job:
    source: Path
    output: Path


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    skipped: list[Job] = field(default_factory=list)  # output exists and overwriting was not asked for
    problems: list[tuple[Path, str]] = field(default_factory=list)  # inputs refused before starting


@dataclass(frozen=True)
class OutputSettings:
    folder: Path
    format: str | None = None  # "png", "jpeg", "tiff", "webp"; None = same as the input
    quality: int = 95
    overwrite: bool = False


def find_photos(inputs: Iterable[Path], recursive: bool) -> tuple[list[tuple[Path, Path]], list[tuple[Path, str]]]:
    """(source, relative output path) for every photo named or found in a folder, plus missing inputs.

    Files named directly are taken whatever their extension (a wrong one gets a clear error later);
    in folders only files with a photo extension are taken, hidden files skipped.
    """
    found: list[tuple[Path, Path]] = []
    missing: list[tuple[Path, str]] = []
    for item in inputs:
        item = Path(item)
        if item.is_file():
            found.append((item, Path(item.name)))
        elif item.is_dir():
            pattern = "**/*" if recursive else "*"
            for path in sorted(item.glob(pattern)):
                rel = path.relative_to(item)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if path.is_file() and path.suffix.lower() in imageio.INPUT_EXTENSIONS:
                    found.append((path, rel))
        else:
            missing.append((item, "no such file or folder"))
    return found, missing


def output_path(source: Path, relative: Path, settings: OutputSettings) -> Path:
    """``folder/<relative path>``: same format and suffix as the input unless another format was asked
    for; inputs in a format that cannot carry the provenance record (BMP) become PNG."""
    source_format = imageio.format_from_extension(source)
    fmt = settings.format or (source_format if source_format in imageio.OUTPUT_FORMATS else "png")
    suffix = source.suffix if fmt == source_format else imageio.OUTPUT_FORMATS[fmt]
    return settings.folder / relative.with_suffix(suffix)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def plan_batch(inputs: Sequence[Path], settings: OutputSettings, recursive: bool = False) -> Plan:
    """Decide every job before starting, so conflicts are reported up front, not half-way."""
    found, missing = find_photos(inputs, recursive)
    plan = Plan(problems=list(missing))
    claimed: dict[Path, Path] = {}
    for source, relative in found:
        out = output_path(source, relative, settings)
        key = Path(os.path.normcase(os.path.abspath(out)))
        if key == Path(os.path.normcase(os.path.abspath(source))) or _same_file(out, source):
            plan.problems.append((source, f"its output {out} would overwrite the input; choose another output folder"))
        elif key in claimed:
            plan.problems.append((source, f"{claimed[key].name} already writes {out}"))
        elif out.exists() and not settings.overwrite:
            claimed[key] = source
            plan.skipped.append(Job(source, out))
        else:
            claimed[key] = source
            plan.jobs.append(Job(source, out))
    return plan


def colorize_file(
    job: Job,
    model,
    model_name: str,
    options,
    settings: OutputSettings,
    *,
    hints: Sequence[ColorHint] = (),
    max_pixels: int = imageio.DEFAULT_MAX_PIXELS,
    progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    on_notice: Callable[[str], None] | None = None,
    model_version: str = "",
) -> Path:
    """Read, colorize and write one photo; returns the output path. Raises ColorStudioError subclasses.

    ``options`` is a ``pipeline.ColorizeOptions``; torch is imported here, not when this module is,
    so the window can plan batches before the engine has loaded."""
    from colorstudio.core.pipeline import colorize

    photo = imageio.read_image(job.source, max_pixels=max_pixels)
    result = colorize(photo.pixels, model, options, hints=hints, progress=progress,
                      should_cancel=should_cancel, on_notice=on_notice)
    write_result(job.output, result, photo, model_name, settings.quality, model_version)
    return job.output


def write_result(output: Path, result, photo: imageio.Photo, model_name: str, quality: int,
                 model_version: str = "") -> None:
    """Write a colorized ``result`` atomically, in the format ``output``'s extension names, carrying the
    source ``photo``'s alpha, EXIF and ICC profile and a provenance record (the CLI's and the window's path)."""
    fmt = imageio.format_from_extension(output)
    if fmt is None:
        raise ColorStudioError(f"cannot tell the output format from {output.name}")
    provenance = imageio.Provenance(model=model_name, model_version=model_version,
                                    when=datetime.now(timezone.utc).astimezone())
    imageio.write_image(output, result, alpha=photo.alpha, format=fmt, quality=quality,
                        exif=photo.exif, icc_profile=photo.icc_profile, provenance=provenance)
