"""Opening a file with Pillow, or refusing it with a message that names the file and says why.

Everything here happens before any pixel is decoded: existence, emptiness, format, and the size limit
checked against the header.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

from colorstudio.core.errors import ImageReadError
from colorstudio.core.imageio.formats import SUPPORTED_TEXT, canonical_input_format

#: What Pillow and the plugins raise on damaged data (struct.error, IndexError and EOFError come out of
#: header parsers fed garbage).
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError)

#: File signatures, to tell "damaged PNG" from "not an image" when Pillow cannot identify a file.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)

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


def damaged_error(path: Path, detail: object) -> ImageReadError:
    """The refusal for a file that starts like an image but cannot be decoded."""
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
        return damaged_error(path, f"it starts like a {signature_format} file but cannot be decoded")
    return ImageReadError(
        f"Cannot read {path}: it is not an image file colorstudio can read "
        f"(supported formats: {SUPPORTED_TEXT})."
    )


@contextmanager
def open_image(path: Path, max_pixels: int) -> Iterator[tuple[Image.Image, str]]:
    """Open ``path`` with Pillow (header only) and refuse unsupported formats and oversized images.

    Yields the open image and colorstudio's name for its format. The body runs inside
    :func:`_pillow_settings`, so Pillow decodes there with the reader's settings; the image is closed
    on exit.
    """
    _check_file(path)
    with _pillow_settings():
        try:
            im = Image.open(path)
        except UnidentifiedImageError:
            raise _unidentified(path) from None
        except PermissionError as exc:
            raise ImageReadError(f"Cannot read {path}: permission denied.") from exc
        except DECODE_ERRORS as exc:
            raise damaged_error(path, exc) from exc
        with im:
            source_format = canonical_input_format(im.format)
            if source_format is None:
                raise ImageReadError(
                    f"Cannot read {path}: it is a {im.format} image; colorstudio reads {SUPPORTED_TEXT}. "
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
                raise damaged_error(path, f"the header says {width} x {height} pixels")
            yield im, source_format
