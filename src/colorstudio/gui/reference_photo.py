"""A photo's reference colour photo in the window (issue 30), the parts that do not draw: the loaded references
kept for the engine (``ReferenceCache``), the live preview with a reference (``GuidedPreview``), and what the
queue says of a reference that went missing between sessions.

The queue keeps a photo's reference as ``core.queue.PhotoReference`` (its path and strength). The engine reads
it as ``core.reference.Reference`` once: the cache holds the last few read, at full strength, and gives them at
the strength asked (``Reference.with_strength`` shares the features computed for the reference, so a second
photo, a preview or a strength change does not compute them again). The window reads a dropped photo through
the same cache (off the GUI thread): the check that it is a colour photo is the read the engine uses next.

Torch is imported inside the functions that run on the engine thread, never at module level.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from colorstudio.core.errors import ColorStudioError
from colorstudio.core.queue import JobQueue, PhotoReference

MAX_REFERENCES = 4  # references kept read (each up to 1024 px and its features: a few MB)


class ReferenceCache:
    """The last ``MAX_REFERENCES`` reference photos read, by path (a file changed on disk is read again).
    Used from the GUI's reading pool and the engine thread: one lock."""

    def __init__(self, size: int = MAX_REFERENCES) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, object] = OrderedDict()  # (path, mtime, size) -> Reference at strength 1
        self._lock = threading.Lock()
        self.reads = 0  # how many files were read (the rest came from the cache)

    @staticmethod
    def _key(path: Path) -> tuple:
        try:
            stat = path.stat()
        except OSError as exc:
            raise ColorStudioError(f"the reference photo {path.name} cannot be read: it is no longer at "
                                   f"{path.parent}") from exc
        return str(path), stat.st_mtime_ns, stat.st_size

    def get(self, choice: PhotoReference | Path):
        """The reference at the choice's strength (a bare path: at full strength); ``ColorStudioError`` if it
        cannot be read or is not a colour photo (gray, sepia), with the core's words."""
        from colorstudio.core.reference import Reference

        path, strength = (choice, 1.0) if isinstance(choice, Path) else (choice.path, choice.strength)
        key = self._key(path)
        with self._lock:
            reference = self._kept.get(key)
            if reference is not None:
                self._kept.move_to_end(key)
        if reference is None:
            reference = Reference.from_file(path)  # (outside the lock: the engine's photo does not wait)
            with self._lock:
                self.reads += 1
                self._kept[key] = reference
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return reference if strength == 1.0 else reference.with_strength(strength)

    def read(self, path: Path) -> tuple[Path, object, str]:
        """For a reading pool: (path, the reference or None, why it was refused)."""
        try:
            return path, self.get(path), ""
        except ColorStudioError as exc:
            return path, None, str(exc)
        except (OSError, ValueError) as exc:
            return path, None, f"{path.name} cannot be read: {exc}"


class FolderOpener:
    """The folder of colour photos the batch takes references from (``core.reference_folder.ReferenceFolder``),
    opened once per batch and model on the engine thread (its descriptors are cached on disk by the core: a
    second batch reads only new or changed photos)."""

    def __init__(self) -> None:
        self._opened: tuple[tuple, object] | None = None

    def get(self, choice, model, control):
        """The opened folder of ``choice`` (``messages.FolderChoice``); ``control`` counts the photos read."""
        key = (choice.folder, choice.batch, id(model))
        if self._opened is None or self._opened[0] != key:
            from colorstudio.core.reference_folder import ReferenceFolder

            self._opened = None
            self._opened = (key, ReferenceFolder.open(choice.folder, model, control=control))
        return self._opened[1]


def note_for(reference) -> str:
    """What a photo's row says of a reference (a ``core.reference.Reference`` or a ``PhotoReference``):
    "reference: beach.jpg", "reference (70%): beach.jpg"; several a folder chose, the best first:
    "references: beach.jpg +2" (the row's tooltip lists them all). The name comes last, or nearly: the row
    elides a long line in the middle, and the end of the name stays readable."""
    if reference is None:
        return ""
    share = f" ({reference.strength:.0%})" if reference.strength < 1 else ""
    parts = getattr(reference, "parts", ())
    if len(parts) > 1:
        return f"references{share}: {parts[0].name} +{len(parts) - 1}"
    return f"reference{share}: {reference.name}"


def forget_missing(queue: JobQueue) -> list[str]:
    """References of queued photos no longer on disk (moved or deleted since the queue was saved): each photo
    goes on without its own, and its row says so. The messages, one a photo."""
    said = []
    for item in queue.items:
        if item.reference is not None and not item.reference.path.is_file():
            gone = item.reference
            item.reference, item.reference_detail = None, ""
            item.reference_note = f"its reference photo {gone.name} is no longer at {gone.path.parent}"
            said.append(f"The reference photo of {item.source.name}, {gone.name}, is no longer at "
                        f"{gone.path.parent}: it is colorized without one.")
    return said


def blend_lab(plain: np.ndarray, guided: np.ndarray, weight: float) -> np.ndarray:
    """RGB ``plain`` with ``weight`` of the chroma of ``guided`` (same size) in CIELAB, its lightness kept:
    a reference at strength ``weight`` when ``guided`` is it at full strength (its blend is linear in the
    strength, before the hints' spread)."""
    from colorstudio.core import color

    lab = color.rgb_to_lab(plain)
    lab[..., 1:] += np.float32(weight) * (color.rgb_to_lab(guided)[..., 1:] - lab[..., 1:])
    return color.compose_lab(lab, np.dtype(np.uint8))


class GuidedPreview:
    """A photo's live preview (``core.hint_preview.HintPreview``) with its reference photo. Without one it is
    the hint preview. With one:

    - quick: the hint preview's quick view and the same with the reference at full strength (the network run
      once more for a reference, kept), blended at the strength asked: dragging the strength slider costs no
      network run;
    - exact: the batch's own ``pipeline.predict`` at screen size with the reference at its strength.
    """

    def __init__(self, preview) -> None:
        self.preview = preview
        self.photo_shape = preview.photo_shape
        self._full: tuple[object, object] | None = None  # (the reference at full strength, its Prediction)

    def suggest(self, x: float, y: float, radius: float = 0.0):
        return self.preview.suggest(x, y, radius)

    def _scaled(self, hints) -> list:
        return [h.scaled(self.preview.scale) for h in hints]

    def _guided(self, reference):
        """The network's chroma with ``reference`` at full strength blended in (kept for the last reference)."""
        from colorstudio.core import pipeline

        full = reference.with_strength(1.0)
        if self._full is None or self._full[0].sha256 != full.sha256 or self._full[0].name != full.name:
            p = self.preview
            self._full = (full, pipeline.predict(p.view, p.model, p.options, reference=full))
        return self._full[1]

    def quick(self, hints, reference=None) -> np.ndarray:
        plain = self.preview.quick(hints)
        if reference is None or reference.strength <= 0:
            return plain
        guided = self._guided(reference).compose(self._scaled(hints))
        return guided if reference.strength >= 1 else blend_lab(plain, guided, reference.strength)

    def exact(self, hints, reference=None, control=None) -> np.ndarray:
        from colorstudio.core.run_control import RunControl

        control = control or RunControl()
        if reference is None or reference.strength <= 0:
            return self.preview.exact(hints, control)
        from colorstudio.core import pipeline

        p, scaled = self.preview, self._scaled(hints)
        seen = scaled if p.model.accepts_hints else []
        return pipeline.predict(p.view, p.model, p.options, hints=seen, reference=reference,
                                control=control).compose(scaled)
