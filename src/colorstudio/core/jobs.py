"""One photo, the same way everywhere: read it, colorize it, write the result with its provenance.

``colorstudio colorize``, the window's engine thread and the benchmarks all go through a ``Colorizer``:
the model loaded once, and the read-colorize-write of every photo. The window splits one job in two
(``render`` on the engine thread, ``write`` on a helper thread, so the next photo starts while the last is
written); the command line calls ``colorize_file``, which is the two in a row.
Torch is imported when a model is loaded, not when this module is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from colorstudio.core import catalog, color, imageio
from colorstudio.core.batch import Job
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import ColorHint
from colorstudio.core.options import ColorizeOptions, JobSettings
from colorstudio.core.reference import Reference
from colorstudio.core.reference_folder import ReferenceFolder
from colorstudio.core.run_control import RunControl


@dataclass
class Rendered:
    """A colorized photo not yet written: the source as read (its alpha and metadata travel to the output)
    and the colorized pixels."""

    photo: imageio.Photo
    pixels: np.ndarray
    hints: int = 0  # how many colour hints guided it (recorded in the output's provenance)
    reference: Reference | None = None  # the reference photo that guided it (its name and SHA-256 recorded)
    reference_note: str = ""  # with a reference folder: which of its photos it took, or that none matched


@dataclass(frozen=True)
class Written:
    """A photo colorized and written: its output; with a reference folder, the name(s) of the reference it
    took ("" for none) and the note saying which, or that none matched."""

    output: Path
    reference: str = ""
    reference_note: str = ""


def render_lightness(pixels: np.ndarray, render_size: int) -> np.ndarray:
    """L* (h, w) of a photo at the size the network sees it (``pipeline.render_shape``)."""
    import cv2

    from colorstudio.core.pipeline import render_shape

    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    height, width = pixels.shape[:2]
    shape = render_shape(height, width, render_size)
    small = pixels if shape == (height, width) else cv2.resize(pixels, shape[::-1], interpolation=cv2.INTER_AREA)
    return color.lightness(small)


def _same_place(a: Path, b: Path) -> bool:
    if os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class Colorizer:
    """A loaded model and the one read-colorize-write path of a photo."""

    def __init__(self, model, entry: catalog.ModelEntry, device: str = "auto") -> None:
        self.model, self.entry, self.device = model, entry, device

    @classmethod
    def load(cls, name: str | Path | None = None, device: str = "auto", engine: str = "auto",
             precision: str = "float32", control: RunControl = RunControl(), threads: int = 0) -> Colorizer:
        """The model by name or file ("" or None: the default one) on ``device``, run by ``engine``
        (``core.engines``; a failing OpenVINO falls back to PyTorch, told to ``control.notice``), on ``threads``
        CPU threads (0: the libraries' own choice; a cluster worker gets its share); raises ColorStudioError."""
        import torch

        from colorstudio.core import engines
        from colorstudio.core.device import resolve_device

        if threads:
            torch.set_num_threads(threads)
        entry = catalog.resolve_model(name or None)
        dev = resolve_device(device)
        model, _ = catalog.load(entry, device="cpu")
        # what every photo needs, imported now rather than inside the first photo's time
        from colorstudio.core import pipeline  # noqa: F401

        model.to(dev)
        return cls(engines.runtime_model(model, entry.path, engine, dev, precision, control, threads), entry, device)

    @property
    def engine(self) -> str:
        """"OpenVINO" or "PyTorch"."""
        from colorstudio.core.engines import engine_name

        return engine_name(self.model)

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def version(self) -> str:
        return str(self.entry.card.get("version", ""))

    def render(self, source: Path, options: ColorizeOptions, *, hints: Sequence[ColorHint] = (),
               strokes: Sequence = (), reference: Reference | ReferenceFolder | None = None,
               max_pixels: int = imageio.DEFAULT_MAX_PIXELS, control: RunControl = RunControl()) -> Rendered:
        """Read and colorize ``source`` on this colorizer's device (nothing is written); ``reference`` and
        ``control``: see ``pipeline.colorize``. A ``ReferenceFolder`` chooses this photo's reference from
        its render-size lightness (``Rendered.reference``: the one used, None if none matched;
        ``Rendered.reference_note`` says which, or that none matched)."""
        from colorstudio.core.pipeline import colorize

        photo = imageio.read_image(source, max_pixels=max_pixels)
        if photo.note and control.on_notice is not None:  # e.g. an animation: only its first frame is colorized
            control.on_notice(photo.note)  # (the reader has logged it for when no one listens)
        note = ""
        if isinstance(reference, ReferenceFolder):
            choice = reference.choose(self.model, render_lightness(photo.pixels, options.render_size))
            reference, note = choice.reference, choice.why
        pixels = colorize(photo.pixels, self.model, replace(options, device=self.device), hints=hints,
                          strokes=strokes, reference=reference, control=control)
        return Rendered(photo, pixels, len(hints), reference, note)

    def provenance(self, hints: int = 0, reference: Reference | None = None) -> imageio.Provenance:
        return imageio.Provenance(model=self.name, model_version=self.version, hints=hints,
                                  reference=reference.name if reference else "",
                                  reference_sha256=reference.sha256 if reference else "")

    def write(self, output: Path, rendered: Rendered, quality: int) -> Path:
        """Write ``rendered`` atomically, in the format ``output``'s extension names, with the source's alpha,
        EXIF and ICC profile and the provenance record."""
        fmt = imageio.format_from_extension(output)
        if fmt is None:
            raise ColorStudioError(f"cannot tell the output format from {output.name}")
        photo = rendered.photo
        if photo.path is not None and _same_place(Path(output), Path(photo.path)):
            raise ColorStudioError(f"{output} is the photo itself; an input is never written over")
        imageio.write_image(output, rendered.pixels, alpha=photo.alpha, format=fmt, quality=quality,
                            exif=photo.exif, icc_profile=photo.icc_profile,
                            provenance=self.provenance(rendered.hints, rendered.reference))
        return output

    def colorize_file(self, job: Job, settings: JobSettings, *, hints: Sequence[ColorHint] = (),
                      strokes: Sequence = (), reference: Reference | ReferenceFolder | None = None,
                      control: RunControl = RunControl()) -> Written:
        """Read, colorize and write one photo of a batch; returns its output path and, with a reference
        folder, which reference it took. Raises ColorStudioError."""
        rendered = self.render(job.source, settings.options, hints=hints, strokes=strokes, reference=reference,
                               max_pixels=settings.max_pixels, control=control)
        output = self.write(job.output, rendered, settings.output.quality)
        return Written(output, rendered.reference.name if rendered.reference else "", rendered.reference_note)
