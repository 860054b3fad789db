"""Which file formats colorstudio reads and writes, and how names and extensions map onto them."""

from __future__ import annotations

import os
from pathlib import Path

#: Pillow format names colorstudio decodes. GIF (the first frame; a still photo on the web is often a
#: gray GIF) and PPM (the Netpbm family PBM/PGM/PPM, what scanner tools such as SANE's ``scanimage``
#: write) are plain single-image formats Pillow decodes in full with its own code, under the same size
#: guard. Everything else (PSD, HEIC, AVIF, JPEG 2000, ICO...) is refused with a message, rather than
#: half-supported.
SUPPORTED_INPUT_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "TIFF", "BMP", "WEBP", "GIF", "PPM")

#: The supported formats as the user knows them, for messages.
SUPPORTED_TEXT = "PNG, JPEG, TIFF, BMP, WebP, GIF and PNM (PBM/PGM/PPM)"

#: Formats that can hold an animation; only its first frame is read (and the user is told).
ANIMATED_FORMATS: frozenset[str] = frozenset({"GIF", "PNG", "WEBP"})

#: Pillow opens some camera JPEGs (those with an MPF second picture) as "MPO"; they are JPEGs to a user.
_FORMAT_ALIASES = {"MPO": "JPEG"}

INPUT_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif",
     ".pbm", ".pgm", ".ppm", ".pnm"}
)

#: Output format key -> the extension written by default.
OUTPUT_FORMATS: dict[str, str] = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif", "webp": ".webp"}

_EXTENSION_TO_OUTPUT = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".webp": "webp",
}

_OUTPUT_ALIASES = {"jpg": "jpeg", "tif": "tiff"}


def canonical_input_format(pillow_format: str | None) -> str | None:
    """Pillow's format name as colorstudio reports it (``MPO`` is a JPEG), or None if not supported."""
    if pillow_format is None:
        return None
    name = _FORMAT_ALIASES.get(pillow_format, pillow_format)
    return name if name in SUPPORTED_INPUT_FORMATS else None


def default_output_format(source_format: str) -> str:
    """The output format that keeps a source's character: same format, except BMP, GIF and PNM.

    They go to PNG: BMP and PNM have nowhere to store the provenance record, GIF neither, and it holds
    at most 256 colours (PNG is lossless too).
    """
    key = source_format.upper()
    return {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "TIFF": "tiff", "WEBP": "webp"}.get(key, "png")


def format_from_extension(path: str | os.PathLike[str]) -> str | None:
    """The output format key for a file name's extension (``.jpg`` -> ``"jpeg"``), or None if unknown."""
    suffix = path.suffix if hasattr(path, "suffix") else Path(path).suffix  # a Path, or a storage URL's path object
    return _EXTENSION_TO_OUTPUT.get(suffix.lower())


def normalize_output_format(name: str) -> str:
    """Accept ``"JPEG"``, ``"jpg"``, ``"tif"``... and return the key in :data:`OUTPUT_FORMATS`."""
    key = name.strip().lower()
    key = _OUTPUT_ALIASES.get(key, key)
    if key not in OUTPUT_FORMATS:
        supported = ", ".join(OUTPUT_FORMATS)
        raise ValueError(f"unknown output format {name!r}; use one of: {supported}")
    return key
