"""Reading photos: refuse clearly what cannot be read, decode the rest to upright uint8/uint16 arrays."""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from colorstudio.core.errors import ImageReadError
from colorstudio.core.imageio import png, tiff
from colorstudio.core.imageio.exif import clean_source_exif, load_exif
from colorstudio.core.imageio.formats import ANIMATED_FORMATS
from colorstudio.core.imageio.opening import DECODE_ERRORS, damaged_error, open_image
from colorstudio.core.imageio.orientation import (
    ORIENTATION_TAG,
    apply_orientation,
    is_transposed,
    orientation_from_value,
)
from colorstudio.core.imageio.photo import DEFAULT_MAX_PIXELS, ImageInfo, Photo

log = logging.getLogger(__name__)

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


def _decode_with_pillow(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """Pixels and alpha of everything Pillow decodes at full depth (all but 16-bit colour), and whether
    Pillow already turned them upright (recent Pillow, 13 included, does so for TIFF and then drops
    the Orientation tag).
    """
    tags = getattr(im, "tag_v2", {})
    had_orientation = ORIENTATION_TAG in tags
    im.load()
    upright = had_orientation and ORIENTATION_TAG not in tags
    return *_pillow_arrays(im), upright


def _pillow_arrays(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
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


def _stored_size(im: Image.Image) -> tuple[int, int]:
    """(width, height) as the pixels are stored in the file.

    Recent Pillow (13 included) reports a TIFF's size already turned upright (it turns the pixels on
    load), so for TIFF the size tags are the stored truth: what tifffile/OpenCV decode, and what EXIF
    orientation applies to.
    """
    tags = getattr(im, "tag_v2", {})
    if 256 in tags and 257 in tags:
        return int(tags[256]), int(tags[257])
    return im.size


def _source_exif(im: Image.Image, source_format: str, path: Path) -> tuple[int, bytes | None]:
    """The file's EXIF orientation and its cleaned EXIF block (see clean_source_exif), header only.

    Must run while ``im`` is open: for TIFF, Pillow reads sub-IFDs lazily from the file. For PNG the
    eXIf chunk is looked up directly, because Pillow only sees one placed after the pixel data by
    decoding the whole image first.
    """
    try:
        exif = load_exif(png.read_exif_chunk(str(path))) if source_format == "PNG" else im.getexif()
        return orientation_from_value(exif.get(ORIENTATION_TAG)), clean_source_exif(exif)
    except DECODE_ERRORS as exc:  # damaged EXIF should not cost the user the photo
        log.warning("ignoring unreadable EXIF in %s: %s", path, exc)
        return 1, None


def _frames_note(im: Image.Image, source_format: str, path: Path) -> str:
    """What the user should know about a file that holds more than one picture ("" when it holds one).

    Only animations (GIF, APNG, animated WebP) are told: a camera JPEG's second picture (MPO) is a
    preview, not another photo. Counting frames walks the file's headers; no pixel is decoded.
    """
    if source_format not in ANIMATED_FORMATS:
        return ""
    try:
        if not getattr(im, "is_animated", False):
            return ""
    except DECODE_ERRORS as exc:  # damaged after the first frame: decoding the first one decides
        log.info("could not tell whether %s is animated: %s", path, exc)
        return ""
    try:
        frames = int(getattr(im, "n_frames", 0))
    except DECODE_ERRORS as exc:
        log.info("could not count the frames of %s: %s", path, exc)
        frames = 0
    count = f" ({frames} frames)" if frames > 1 else ""
    return f"{path.name} is an animation{count}: only its first frame is colorized."


def probe_image(path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Size, format, layout and bit depth from the file's header, without decoding the pixels.

    Raises ImageReadError for the same files :func:`read_image` would refuse before decoding.
    """
    path = Path(path)
    with open_image(path, max_pixels) as (im, source_format):
        layout = _layout(im, source_format, path)
        orientation, _ = _source_exif(im, source_format, path)
        width, height = _stored_size(im)
        note = _frames_note(im, source_format, path)
    if is_transposed(orientation):
        width, height = height, width
    return ImageInfo(width, height, source_format, layout.source_mode, layout.bit_depth, note)


def read_image(path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Photo:
    """Decode a photo to upright (H, W) gray or (H, W, 3) RGB, uint8 or uint16, with its alpha and the
    metadata to carry to the output.

    Raises ImageReadError, with a message for the user, for anything that cannot be read faithfully:
    missing, empty, not an image, unsupported format, damaged/truncated, or more than ``max_pixels``.
    An animation is read as its first frame, and ``note`` says so (it is also logged).
    """
    photo = decode_image(Path(path), max_pixels)
    if photo.note:
        log.info("%s", photo.note)
    return photo


def decode_image(path: Path, max_pixels: int, draft: int = 0) -> Photo:
    """:func:`read_image`'s decoding. ``draft`` > 0 lets a JPEG decode at a reduced scale (1/2 to 1/8, still
    at least ``draft`` pixels on each side), which is much cheaper for a preview; the Photo is then smaller
    than the file."""
    try:
        with open_image(path, max_pixels) as (im, source_format):
            layout = _layout(im, source_format, path)
            orientation, exif = _source_exif(im, source_format, path)
            note = _frames_note(im, source_format, path)
            icc_profile = im.info.get("icc_profile") or None
            stored_size = _stored_size(im)
            if layout.decoder == "pillow":
                if draft > 0 and source_format == "JPEG":
                    im.draft(im.mode, (draft, draft))
                pixels, alpha, upright = _decode_with_pillow(im)
                if upright:
                    orientation = 1
        if layout.decoder == "png16":
            pixels, alpha = png.decode_16bit(str(path))
        elif layout.decoder == "tiff16":
            pixels, alpha = tiff.decode_16bit(str(path), stored_size)
    except ImageReadError:
        raise
    except MemoryError:
        raise ImageReadError(
            f"Cannot read {path}: there is not enough memory to decode it. Close other programs, "
            "or lower the limit with --max-megapixels so such images are refused up front."
        ) from None
    except DECODE_ERRORS as exc:
        raise damaged_error(path, exc) from exc

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
        note=note,
    )
