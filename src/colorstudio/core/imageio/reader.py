"""Reading photos: refuse clearly what cannot be read, decode the rest to upright uint8/uint16 arrays."""

from __future__ import annotations

import io
import logging
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageFile, UnidentifiedImageError

from colorstudio.core.errors import ImageReadError

from . import png, tiff
from .exif import clean_source_exif, load_exif
from .formats import canonical_input_format
from .orientation import ORIENTATION_TAG, apply_orientation, is_transposed, orientation_from_value
from .photo import DEFAULT_MAX_PIXELS, ImageInfo, Photo

log = logging.getLogger(__name__)

#: What Pillow and the plugins raise on damaged data (struct.error, IndexError and EOFError come out of
#: header parsers fed garbage).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError)

_SUPPORTED_TEXT = "PNG, JPEG, TIFF, BMP and WebP"

#: File signatures, to tell "damaged PNG" from "not an image" when Pillow cannot identify a file.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)

#: Pillow mode -> source_mode, for files Pillow decodes at their full depth.
_SOURCE_MODES = {
    "1": "bilevel",
    "L": "gray",
    "LA": "gray+alpha",
    "La": "gray+alpha",
    "I": "gray",
    "I;16": "gray",
    "I;16L": "gray",
    "I;16B": "gray",
    "I;16N": "gray",
    "P": "palette",
    "PA": "palette",
    "RGB": "RGB",
    "RGBX": "RGB",
    "YCbCr": "RGB",
    "RGBA": "RGBA",
    "RGBa": "RGBA",
    "CMYK": "CMYK",
}

# Image.MAX_IMAGE_PIXELS and ImageFile.LOAD_TRUNCATED_IMAGES are process-wide; see _pillow_settings.
_PILLOW_SETTINGS_LOCK = threading.Lock()


@contextmanager
def _pillow_settings() -> Iterator[None]:
    """Pillow's global settings as the reader needs them, restored afterwards.

    The size limit is colorstudio's own (``max_pixels``, checked against the header), so Pillow's
    decompression-bomb check is lifted: it would refuse a legitimate 200 MP scan. Truncated files must
    raise instead of being padded with gray. Reads hold the lock while Pillow decodes; that serialises
    Pillow decodes across threads, which costs little next to colorization.
    """
    with _PILLOW_SETTINGS_LOCK:
        saved = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = None, False
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _damaged(path: Path, detail: object) -> ImageReadError:
    return ImageReadError(
        f"Cannot read {path}: the file is damaged or incomplete ({detail}). "
        "If it was copied or downloaded, try copying it again from the original."
    )


def _check_file(path: Path) -> None:
    """Refuse missing, unreadable, folder and empty paths before Pillow sees them."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ImageReadError(f"Cannot read {path}: the file does not exist.") from None
    except OSError as exc:
        raise ImageReadError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if path.is_dir():
        raise ImageReadError(f"Cannot read {path}: it is a folder, not an image file.")
    if st.st_size == 0:
        raise ImageReadError(f"Cannot read {path}: the file is empty (0 bytes).")


def _unidentified(path: Path) -> ImageReadError:
    """Pillow could not identify the file: damaged image or not an image at all?"""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        head = b""
    signature_format = next((name for magic, name in _SIGNATURES if head.startswith(magic)), None)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        signature_format = "WebP"
    if signature_format == "TIFF":
        return ImageReadError(
            f"Cannot read {path}: it is a TIFF file colorstudio cannot decode "
            "(it is damaged, or uses a kind of TIFF that is not supported)."
        )
    if signature_format is not None:
        return _damaged(path, f"it starts like a {signature_format} file but cannot be decoded")
    return ImageReadError(
        f"Cannot read {path}: it is not an image file Pillow/colorstudio can read "
        f"(supported formats: {_SUPPORTED_TEXT})."
    )


@contextmanager
def _open(path: Path, max_pixels: int) -> Iterator[tuple[Image.Image, str]]:
    """Open ``path`` with Pillow (header only) and refuse unsupported formats and oversized images.

    Yields the image and colorstudio's name for its format, inside :func:`_pillow_settings`.
    """
    _check_file(path)
    with _pillow_settings():
        try:
            im = Image.open(path)
        except UnidentifiedImageError:
            raise _unidentified(path) from None
        except PermissionError as exc:
            raise ImageReadError(f"Cannot read {path}: permission denied.") from exc
        except _DECODE_ERRORS as exc:
            raise _damaged(path, exc) from exc
        with im:
            source_format = canonical_input_format(im.format)
            if source_format is None:
                raise ImageReadError(
                    f"Cannot read {path}: it is a {im.format} image; colorstudio reads {_SUPPORTED_TEXT}. "
                    "Convert it to one of these (PNG or TIFF keep every detail) and try again."
                )
            width, height = im.size
            if width * height > max_pixels:
                raise ImageReadError(
                    f"Cannot read {path}: the image is {width} x {height} pixels "
                    f"({width * height / 1e6:.3g} megapixels), more than the limit of "
                    f"{max_pixels / 1e6:.3g} megapixels. If this computer has enough memory, raise the "
                    "limit (for example with --max-megapixels)."
                )
            if width == 0 or height == 0:
                raise _damaged(path, f"the header says {width} x {height} pixels")
            yield im, source_format


@dataclass(frozen=True)
class _Layout:
    """How the file stores its pixels, and which decoder returns them at full depth."""

    source_mode: str
    bit_depth: int
    decoder: str  # "pillow", "png16" or "tiff16"


def _layout(im: Image.Image, source_format: str, path: Path) -> _Layout:
    """Classify from the header alone: no pixel is decoded here."""
    if source_format == "PNG":
        header = png.read_header(str(path))
        if header is not None and png.needs_16bit_decoder(header):
            mode = {png.RGB: "RGB", png.RGBA: "RGBA", png.GRAY_ALPHA: "gray+alpha"}[header.colour_type]
            return _Layout(mode, 16, "png16")
    if source_format == "TIFF" and tiff.needs_16bit_decoder(im):
        return _Layout("RGBA" if im.mode in ("RGBA", "RGBa") else "RGB", 16, "tiff16")
    source_mode = _SOURCE_MODES.get(im.mode)
    if source_mode is None:
        raise ImageReadError(
            f"Cannot read {path}: its pixel format (Pillow mode {im.mode}) is not supported; "
            "colorstudio reads 1-bit, 8-bit and 16-bit gray, RGB, palette and CMYK images."
        )
    if im.mode in ("L", "RGB") and "transparency" in im.info:  # a tRNS colour key
        source_mode = {"L": "gray+alpha", "RGB": "RGBA"}[im.mode]
    return _Layout(source_mode, 16 if im.mode.startswith("I") else 8, "pillow")


def _cmyk_to_rgb(im: Image.Image) -> Image.Image:
    """CMYK -> RGB through the embedded profile when there is a usable one, else Pillow's naive formula."""
    icc = im.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(im, source, srgb, outputMode="RGB")
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
            log.info("could not use the embedded CMYK profile (%s); converting without it", exc)
    return im.convert("RGB")


def _split_alpha(array: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(colour, alpha) from an (H, W, 2 or 4) array; (array, None) when it has no alpha."""
    if array.ndim == 3 and array.shape[2] in (2, 4):
        colour = array[:, :, 0] if array.shape[2] == 2 else array[:, :, :3]
        return colour, array[:, :, -1]
    return array, None


def _gray_if_neutral(rgb: np.ndarray) -> np.ndarray:
    """A palette image whose colours are all grays is a gray photo: return (H, W)."""
    if (rgb[:, :, 0] == rgb[:, :, 1]).all() and (rgb[:, :, 1] == rgb[:, :, 2]).all():
        return rgb[:, :, 0]
    return rgb


def _decode_with_pillow(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Pixels and alpha of everything Pillow decodes at full depth (all but 16-bit colour)."""
    im.load()
    mode = im.mode
    if mode == "1":
        return np.asarray(im.convert("L")), None
    if mode.startswith("I"):
        values = np.asarray(im)
        if mode == "I":  # 32-bit integer samples: keep the 16-bit range
            return np.clip(values, 0, 65535).astype(np.uint16), None
        return values.astype(np.uint16), None  # native byte order
    if mode == "CMYK":
        return np.asarray(_cmyk_to_rgb(im)), None
    has_alpha = mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in im.info
    if mode in ("L", "LA", "La"):
        return _split_alpha(np.asarray(im.convert("LA" if has_alpha else "L")))
    colour, alpha = _split_alpha(np.asarray(im.convert("RGBA" if has_alpha else "RGB")))
    if mode in ("P", "PA"):
        colour = _gray_if_neutral(colour)
    return colour, alpha


def _source_exif(im: Image.Image, source_format: str, path: Path) -> tuple[int, bytes | None]:
    """The file's EXIF orientation and its cleaned EXIF block (see clean_source_exif), header only.

    Must run while ``im`` is open: for TIFF, Pillow reads sub-IFDs lazily from the file. For PNG the
    eXIf chunk is looked up directly, because Pillow only sees one placed after the pixel data by
    decoding the whole image first.
    """
    try:
        exif = load_exif(png.read_exif_chunk(str(path))) if source_format == "PNG" else im.getexif()
        return orientation_from_value(exif.get(ORIENTATION_TAG)), clean_source_exif(exif)
    except _DECODE_ERRORS as exc:  # damaged EXIF should not cost the user the photo
        log.warning("ignoring unreadable EXIF in %s: %s", path, exc)
        return 1, None


def probe_image(path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Size, format, layout and bit depth from the file's header, without decoding the pixels.

    Raises ImageReadError for the same files :func:`read_image` would refuse before decoding.
    """
    path = Path(path)
    with _open(path, max_pixels) as (im, source_format):
        layout = _layout(im, source_format, path)
        orientation, _ = _source_exif(im, source_format, path)
        width, height = im.size
    if is_transposed(orientation):
        width, height = height, width
    return ImageInfo(width, height, source_format, layout.source_mode, layout.bit_depth)


def read_image(path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Photo:
    """Decode a photo to upright (H, W) gray or (H, W, 3) RGB, uint8 or uint16, with its alpha and the
    metadata to carry to the output.

    Raises ImageReadError, with a message for the user, for anything that cannot be read faithfully:
    missing, empty, not an image, unsupported format, damaged/truncated, or more than ``max_pixels``.
    """
    path = Path(path)
    try:
        with _open(path, max_pixels) as (im, source_format):
            layout = _layout(im, source_format, path)
            orientation, exif = _source_exif(im, source_format, path)
            icc_profile = im.info.get("icc_profile") or None
            size = im.size
            if layout.decoder == "pillow":
                pixels, alpha = _decode_with_pillow(im)
        if layout.decoder == "png16":
            header = png.read_header(str(path))
            assert header is not None  # _layout found it
            pixels, alpha = png.decode_16bit(str(path), header)
        elif layout.decoder == "tiff16":
            pixels, alpha = tiff.decode_16bit(str(path), size)
    except ImageReadError:
        raise
    except MemoryError:
        raise ImageReadError(
            f"Cannot read {path}: there is not enough memory to decode it. Close other programs, "
            "or lower the limit with --max-megapixels so such images are refused up front."
        ) from None
    except _DECODE_ERRORS as exc:
        raise _damaged(path, exc) from exc

    pixels = apply_orientation(pixels, orientation)
    if alpha is not None:
        alpha = apply_orientation(alpha, orientation)
    return Photo(
        pixels=pixels,
        alpha=alpha,
        source_format=source_format,
        source_mode=layout.source_mode,
        exif=exif,
        icc_profile=None if layout.source_mode == "CMYK" else icc_profile,
        path=path,
    )

