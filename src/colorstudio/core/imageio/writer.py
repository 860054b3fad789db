"""Writing outputs atomically, at the best depth the format allows, always with the provenance record."""

from __future__ import annotations

import errno
import glob
import io
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from colorstudio.core.errors import ColorStudioError, ImageWriteError
from colorstudio.core.imageio import png, tiff
from colorstudio.core.imageio.exif import IMAGE_DESCRIPTION, exif_text, provenance_exif
from colorstudio.core.imageio.formats import normalize_output_format
from colorstudio.core.imageio.provenance import Provenance, build_xmp

log = logging.getLogger(__name__)

_JPEG_MAX_EXIF = 65533 - len(b"Exif\0\0")  # one APP1 segment


@dataclass(frozen=True)
class _Job:
    """Everything an encoder needs; the pixels are validated, alpha has the pixels' dtype."""

    pixels: np.ndarray
    alpha: np.ndarray | None
    quality: int
    exif: Image.Exif
    icc_profile: bytes | None
    xmp: bytes
    provenance: Provenance


def _validated(pixels: np.ndarray, alpha: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Check the caller's arrays (programming errors raise ValueError) and give alpha the pixels' dtype."""
    pixels = np.asarray(pixels)
    if pixels.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"pixels must be uint8 or uint16, not {pixels.dtype}")
    if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise ValueError(f"pixels must be (H, W) gray or (H, W, 3) RGB, not shape {pixels.shape}")
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise ValueError(f"pixels are empty (shape {pixels.shape})")
    if alpha is None:
        return pixels, None
    alpha = np.asarray(alpha)
    if alpha.shape != pixels.shape[:2]:
        raise ValueError(f"alpha must have shape {pixels.shape[:2]}, not {alpha.shape}")
    if alpha.dtype == pixels.dtype:
        return pixels, alpha
    if alpha.dtype == np.uint8 and pixels.dtype == np.uint16:
        return pixels, alpha.astype(np.uint16) * 257
    if alpha.dtype == np.uint16 and pixels.dtype == np.uint8:
        return pixels, _to_8bit(alpha)
    raise ValueError(f"alpha must be uint8 or uint16, not {alpha.dtype}")


def _to_8bit(values: np.ndarray) -> np.ndarray:
    """uint16 -> uint8 with rounding (v / 257 rounded; 257 is odd, so there are no ties)."""
    if values.dtype == np.uint8:
        return values
    return ((values.astype(np.uint32) + 128) // 257).astype(np.uint8)


def _to_pillow(pixels: np.ndarray, alpha: np.ndarray | None) -> Image.Image:
    """An 8-bit Pillow image: L, LA, RGB or RGBA."""
    if alpha is None:
        return Image.fromarray(pixels)
    layers = [pixels[:, :, None] if pixels.ndim == 2 else pixels, alpha[:, :, None]]
    return Image.fromarray(np.ascontiguousarray(np.concatenate(layers, axis=2)))


def _write_png(fp: BinaryIO, job: _Job) -> None:
    """8-bit through Pillow; 16-bit through the numpy encoder (Pillow has no 16-bit colour PNG).

    The metadata chunks are added the same way to both, right after IHDR.
    """
    if job.pixels.dtype == np.uint16:
        samples = job.pixels if job.alpha is None else np.dstack([job.pixels, job.alpha])
        encoded: bytes | memoryview = png.encode_16bit(samples)
    else:
        buffer = io.BytesIO()
        _to_pillow(job.pixels, job.alpha).save(buffer, format="PNG", compress_level=6)
        encoded = buffer.getbuffer()
    texts = {
        "Software": job.provenance.software,
        "Description": exif_text(job.exif[IMAGE_DESCRIPTION]),  # the note, after the source's caption
        "Comment": job.provenance.description(),
    }
    chunks = png.metadata_chunks(
        icc_profile=job.icc_profile, exif=job.exif.tobytes(), texts=texts, xmp=job.xmp
    )
    png.write_with_chunks(fp, encoded, chunks)


def _write_jpeg(fp: BinaryIO, job: _Job) -> None:
    """8-bit baseline JPEG; alpha is dropped (JPEG has none). 4:4:4 chroma at quality >= 90."""
    exif_bytes = job.exif.tobytes()
    if len(exif_bytes) > _JPEG_MAX_EXIF:
        log.warning("source EXIF too big for a JPEG (%d bytes); writing the provenance only", len(exif_bytes))
        exif_bytes = provenance_exif(
            None, job.provenance, width=job.pixels.shape[1], height=job.pixels.shape[0]
        ).tobytes()
    options: dict[str, object] = {
        "quality": job.quality,
        "subsampling": 0 if job.quality >= 90 else 2,
        "exif": exif_bytes,
        "xmp": job.xmp,
    }
    if job.icc_profile:
        options["icc_profile"] = job.icc_profile
    _to_pillow(_to_8bit(job.pixels), None).save(fp, format="JPEG", **options)


def _write_webp(fp: BinaryIO, job: _Job) -> None:
    """8-bit WebP with alpha; quality 100 means lossless (exact, even under transparent pixels)."""
    pixels = _to_8bit(job.pixels)
    if pixels.ndim == 2:  # WebP has no gray mode
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    alpha = None if job.alpha is None else _to_8bit(job.alpha)
    lossless = job.quality >= 100
    options: dict[str, object] = {
        "quality": job.quality,
        "lossless": lossless,
        "exact": lossless,
        "method": 4,
        "exif": job.exif.tobytes(),
        "xmp": job.xmp,
    }
    if job.icc_profile:
        options["icc_profile"] = job.icc_profile
    _to_pillow(pixels, alpha).save(fp, format="WEBP", **options)


def _write_tiff(fp: BinaryIO, job: _Job) -> None:
    tiff.write_tiff(
        fp, job.pixels, job.alpha, exif=job.exif, icc_profile=job.icc_profile, xmp=job.xmp
    )


_ENCODERS: dict[str, Callable[[BinaryIO, _Job], None]] = {
    "png": _write_png,
    "jpeg": _write_jpeg,
    "tiff": _write_tiff,
    "webp": _write_webp,
}


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (is the folder writable, or the file open in another program?)"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    return exc.strerror or str(exc)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temporary_files(path: Path) -> list[Path]:
    """Temporary files of ``atomic_write`` for ``path`` left behind by a process killed while writing (a
    worker lost on a cluster): a process that dies at once runs no clean-up. Only its own kind of name."""
    return sorted(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))


def atomic_write(path: Path, write: Callable[[BinaryIO], None], *, what: str = "file") -> None:
    """Run ``write`` on a temporary file next to ``path``, then rename it onto ``path``.

    The target is either the complete new file or untouched (an older file stays as it was); the
    temporary file never outlives a failure. Errors become ImageWriteError with a user-facing message.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImageWriteError(
            f"Cannot write {path}: the folder {path.parent} could not be created ({_os_reason(exc)})."
        ) from exc
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"  # as temporary_files() finds them
    try:
        with open(temporary, "xb") as fp:
            write(fp)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove the temporary file %s", temporary)
        if isinstance(exc, ColorStudioError) or not isinstance(exc, Exception):
            raise  # cancellation, Ctrl-C...: not a write error
        if isinstance(exc, OSError) and exc.errno is not None:
            raise ImageWriteError(f"Cannot write {path}: {_os_reason(exc)}.") from exc
        raise ImageWriteError(f"Cannot write {path}: the {what} encoder failed ({exc}).") from exc
    _fsync_folder(path.parent)


def write_image(
    path: str | os.PathLike[str],
    pixels: np.ndarray,
    *,
    alpha: np.ndarray | None = None,
    format: str,  # noqa: A002 - the public name callers use
    quality: int = 95,
    exif: bytes | None = None,
    icc_profile: bytes | None = None,
    provenance: Provenance,
) -> None:
    """Write ``pixels`` ((H, W) gray or (H, W, 3) RGB, uint8/uint16) as ``format`` at ``path``, atomically.

    Keeps 16 bits in PNG and TIFF (JPEG and WebP are 8-bit: rounded), keeps alpha except in JPEG,
    carries ``exif`` (upright) and ``icc_profile``, and always stamps ``provenance`` into EXIF, XMP and,
    for PNG, text chunks. ``quality`` (1..100) applies to JPEG and WebP; WebP at 100 is lossless.
    Raises ValueError for invalid arguments, ImageWriteError when the file cannot be written.
    """
    key = normalize_output_format(format)
    if not 1 <= int(quality) <= 100:
        raise ValueError(f"quality must be between 1 and 100, not {quality}")
    pixels, alpha = _validated(pixels, alpha)
    height, width = pixels.shape[:2]
    job = _Job(
        pixels=pixels,
        alpha=alpha,
        quality=int(quality),
        exif=provenance_exif(exif, provenance, width=width, height=height),
        icc_profile=icc_profile or None,
        xmp=build_xmp(provenance),
        provenance=provenance,
    )
    atomic_write(Path(path), lambda fp: _ENCODERS[key](fp, job), what=key.upper())
