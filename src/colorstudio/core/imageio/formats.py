"""Which file formats colorstudio reads and writes, and how names and extensions map onto them."""

from __future__ import annotations

import os
from pathlib import Path

#: Pillow format names colorstudio decodes. Everything else (GIF, PSD, HEIC...) is refused with a
#: message, rather than half-supported.
SUPPORTED_INPUT_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "TIFF", "BMP", "WEBP")

#: Pillow opens some camera JPEGs (those with an MPF second picture) as "MPO"; they are JPEGs to a user.
_FORMAT_ALIASES = {"MPO": "JPEG"}

INPUT_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".webp"}
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
    """The output format that keeps a source's character: same format, except BMP.

    BMP goes to PNG because BMP has nowhere to store the provenance record (and PNG is lossless too).
    """
    key = source_format.upper()
    return {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "TIFF": "tiff", "WEBP": "webp"}.get(key, "png")


def format_from_extension(path: str | os.PathLike[str]) -> str | None:
    """The output format key for a file name's extension (``.jpg`` -> ``"jpeg"``), or None if unknown."""
    return _EXTENSION_TO_OUTPUT.get(Path(path).suffix.lower())


def normalize_output_format(name: str) -> str:
    """Accept ``"JPEG"``, ``"jpg"``, ``"tif"``... and return the key in :data:`OUTPUT_FORMATS`."""
    key = name.strip().lower()
    key = _OUTPUT_ALIASES.get(key, key)
    if key not in OUTPUT_FORMATS:
        supported = ", ".join(OUTPUT_FORMATS)
        raise ValueError(f"unknown output format {name!r}; use one of: {supported}")
    return key
