"""What the window and the engine thread send each other: a request for one photo, and what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from colorstudio.core.hints import ColorHint
from colorstudio.core.options import JobSettings
from colorstudio.core.queue import PhotoReference, QueueItem
from colorstudio.core.restoration.strokes import Stroke
from colorstudio.gui.images import Pyramid


@dataclass(frozen=True)
class FolderChoice:
    """Settings > Colour from a folder of my colour photos, for one batch: the engine opens the folder once
    for each ``batch`` number (a later batch sees photos added to it since)."""

    folder: Path
    batch: int


@dataclass(frozen=True)
class JobRequest:
    """One photo for the engine: colorized and written, previewed, its dust mask or its hints shown."""

    id: int
    source: Path
    output: Path | None  # None: a preview, nothing is written
    settings: JobSettings  # the model, the options and the output settings of this photo's batch
    strokes: tuple[Stroke, ...] = ()  # dust-mask edits
    hints: tuple[ColorHint, ...] = ()
    reference: PhotoReference | None = None  # its reference colour photo (the engine reads it, cached)
    folder: FolderChoice | None = None  # the batch's folder of colour photos (the photo's own reference wins)

    @classmethod
    def for_item(cls, item: QueueItem, settings: JobSettings, output: Path | None = None,
                 folder: FolderChoice | None = None) -> JobRequest:
        """The request for a queue row as it is now (its hints, strokes and reference with it)."""
        return cls(item.id, item.source, output, settings, item.strokes, item.hints, item.reference, folder)


@dataclass(frozen=True)
class HintView:
    """The hint tool's live preview of one edit: ``after`` at screen size, standing for the whole photo."""

    id: int
    version: int  # the edit it shows (the window numbers edits)
    after: Pyramid
    exact: bool  # the network saw the hints (as the batch will); else they were only spread


@dataclass
class JobResult:
    id: int
    output: Path | None
    before: Pyramid | None  # None for a photo the viewer was not showing (see engine.ShownPhoto)
    after: Pyramid | None
    seconds: float  # colorizing (the engine's time; writing overlaps the next photo)
    reference_note: str = ""  # the reference it was colorized with ("reference: beach.jpg"), for its row
    reference_detail: str = ""  # a folder's choice in full (each photo and its match), for its row's tooltip
