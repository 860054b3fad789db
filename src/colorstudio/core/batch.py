"""Batches of photos: which files to colorize and where each output goes, decided one rule for all.

Shared by ``colorstudio colorize`` and the main window's queue (``OutputPlanner``). Rules that protect the
user's photos: an input is never written (an output that would land on its input is refused); an existing
output is kept unless overwriting was asked for (so a re-run resumes a batch); and two photos never share
an output: when two photos of a batch would be written to the same file (``scan001.png`` from two
folders, or ``Scan001.png`` and ``scan001.png``: one file where names are compared without case, as on
Windows and macOS), the later one is written beside it as ``scan001 (2).png`` and the user is told. The order of the
inputs decides which one keeps the plain name, so a re-run of the same inputs finds the same outputs.
Reading, colorizing and writing one photo is ``jobs.Colorizer``.

Paths are ``pathlib.Path``; the cluster job (``colorstudio.cluster``) also plans over storage URLs
(``s3://...``) given as path-like objects with the same methods (``upath.UPath``), compared by their text.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from colorstudio.core import imageio
from colorstudio.core.options import OutputSettings

__all__ = ["Decision", "Job", "OutputPlanner", "OutputSettings", "Plan", "find_photos", "output_path",
           "plan_batch"]


@dataclass(frozen=True)
class Job:
    source: Path
    output: Path


@dataclass(frozen=True)
class Decision:
    """What the planner decided for one photo: ``action`` is "do", "skip" (its output exists) or "refuse"
    (``message`` says why); ``message`` also tells of a renamed output."""

    action: str
    job: Job
    message: str = ""


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    skipped: list[Job] = field(default_factory=list)  # output exists and overwriting was not asked for
    problems: list[tuple[Path, str]] = field(default_factory=list)  # inputs refused before starting
    notes: list[tuple[Path, str]] = field(default_factory=list)  # renamed outputs, told to the user


def find_photos(inputs: Iterable[Path], recursive: bool) -> tuple[list[tuple[Path, Path]], list[tuple[Path, str]]]:
    """(source, relative output path) for every photo named or found in a folder, plus missing inputs.

    Files named directly are taken whatever their extension (a wrong one gets a clear error later);
    in folders only files with a photo extension are taken, hidden files skipped.
    """
    found: list[tuple[Path, Path]] = []
    missing: list[tuple[Path, str]] = []
    for item in inputs:
        item = Path(item) if isinstance(item, str) else item
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
    folder = settings.folder
    folder = Path(folder).expanduser() if isinstance(folder, (str, PurePath)) else folder
    return folder / relative.with_suffix(suffix).as_posix()


def _key(path: Path) -> Path | str:
    if not isinstance(path, PurePath):  # a storage URL
        return str(path)
    return Path(os.path.normcase(os.path.abspath(path)))


def _output_key(path: Path) -> Path | str:
    """An output's key among the outputs taken: its name compared as the most forgiving file system compares
    names, without case (Windows, macOS, the FAT, exFAT and NTFS drives plugged into Linux) and without
    Unicode normalization (macOS), so two photos never share a file wherever the outputs go; on a
    case-sensitive disk a name that differs only in case gets " (2)" too (harmless, and told)."""
    key = _key(path)
    return key if isinstance(key, str) else unicodedata.normalize("NFC", str(key)).casefold()


def _same_file(a: Path, b: Path) -> bool:
    if not (isinstance(a, PurePath) and isinstance(b, PurePath)):
        return False
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


class OutputPlanner:
    """Gives photos their outputs one at a time, remembering which outputs are taken (see the module)."""

    def __init__(self, settings: OutputSettings) -> None:
        self.settings = settings
        self._taken: dict[Path | str, Path | str] = {}  # output (``_output_key``) -> the source it belongs to
        self._replaceable: set[tuple[Path | str, Path | str]] = set()  # (source, output): its own earlier output

    def claim(self, source: Path, output: Path) -> None:
        """``output`` belongs to ``source`` already (a photo finished earlier in the window's queue)."""
        self._taken[_output_key(output)] = _key(source)

    def replace(self, source: Path, output: Path) -> None:
        """``source`` is colorized again (new colour hints, say): its own earlier ``output`` is its to write
        over, whatever the overwrite setting (no one else's file is)."""
        self.claim(source, output)
        self._replaceable.add((_key(source), _output_key(output)))

    def decide(self, source: Path, relative: Path) -> Decision:
        wanted = out = output_path(source, relative, self.settings)
        if _key(out) == _key(source) or _same_file(out, source):
            return Decision("refuse", Job(source, out),
                            f"its output {out} would overwrite the input; choose another output folder")
        n = 1
        while self._taken.get(_output_key(out), _key(source)) != _key(source):
            n += 1
            out = wanted.with_name(f"{wanted.stem} ({n}){wanted.suffix}")
        self.claim(source, out)
        note = f"another photo is also called {wanted.name}: this one is written as {out.name}" if n > 1 else ""
        if out.exists() and not self.settings.overwrite and (_key(source), _output_key(out)) not in self._replaceable:
            return Decision("skip", Job(source, out), note)
        return Decision("do", Job(source, out), note)


def plan_batch(inputs: Sequence[Path], settings: OutputSettings, recursive: bool = False) -> Plan:
    """Decide every job before starting, so conflicts are reported up front, not half-way."""
    found, missing = find_photos(inputs, recursive)
    plan = Plan(problems=list(missing))
    planner = OutputPlanner(settings)
    seen: set[Path] = set()
    for source, relative in found:
        if _key(source) in seen:  # named twice (a file and its folder): one output
            plan.notes.append((source, "named more than once; colorized once"))
            continue
        seen.add(_key(source))
        decision = planner.decide(source, relative)
        if decision.action == "refuse":
            plan.problems.append((source, decision.message))
            continue
        if decision.message:
            plan.notes.append((source, decision.message))
        (plan.jobs if decision.action == "do" else plan.skipped).append(decision.job)
    return plan
