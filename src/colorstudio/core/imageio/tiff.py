"""TIFF: decoding 16-bit colour (which Pillow reduces to 8 bits) and writing every TIFF output.

Writing uses Pillow's own EXIF/IFD serializer to lay out the single image directory, so a TIFF output
carries the full EXIF (Exif and GPS sub-IFDs included), ICC profile and XMP, at 8 or 16 bits, with
alpha. Neither Pillow's TIFF encoder (8-bit colour only) nor tifffile (no EXIF sub-IFDs) can do all of
that, and one writer for both depths keeps the outputs alike.
"""

from __future__ import annotations

import itertools
import logging
import zlib
from typing import BinaryIO

import cv2
import numpy as np
import tifffile
from PIL import Image

log = logging.getLogger(__name__)

# Baseline TIFF tags written for the pixels themselves.
_WIDTH, _HEIGHT, _BITS, _COMPRESSION, _PHOTOMETRIC = 256, 257, 258, 259, 262
_STRIP_OFFSETS, _SAMPLES, _ROWS_PER_STRIP, _STRIP_BYTES, _PLANAR = 273, 277, 278, 279, 284
_PREDICTOR, _EXTRA_SAMPLES, _SAMPLE_FORMAT = 317, 338, 339
_ICC_PROFILE, _XMP = 34675, 700
_DEFLATE, _HORIZONTAL_DIFFERENCING = 8, 2
_BLACK_IS_ZERO, _RGB = 1, 2
_ASSOCIATED_ALPHA, _UNASSOCIATED_ALPHA = 1, 2
_STRIP_BYTES_TARGET = 1 << 18  # 256 KiB of raw samples per strip: readers can stream big scans
_COMPRESS_LEVEL = 3  # as for 16-bit PNG: nearly level 6's size, twice as fast on scans


def needs_16bit_decoder(im: Image.Image) -> bool:
    """16-bit TIFFs with more than one sample (RGB, RGBA, gray+alpha): Pillow gives them 8 bits."""
    tags = getattr(im, "tag_v2", {})
    bits = tags.get(_BITS, (8,))
    bits = bits if isinstance(bits, tuple) else (bits,)
    formats = tags.get(_SAMPLE_FORMAT, (1,))
    formats = formats if isinstance(formats, tuple) else (formats,)
    return (
        len(bits) >= 2
        and all(b == 16 for b in bits)
        and all(f == 1 for f in formats)
        and tags.get(_PHOTOMETRIC) in (_BLACK_IS_ZERO, _RGB)
    )


def _unpremultiply(colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Undo associated (premultiplied) alpha, so alpha means the same in every Photo."""
    maximum = np.iinfo(colour.dtype).max
    a = alpha.astype(np.float64)[..., None] if colour.ndim == 3 else alpha.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        straight = np.where(a > 0, colour * (maximum / a), 0.0)
    return np.clip(np.rint(straight), 0, maximum).astype(colour.dtype)


def _split_samples(
    samples: np.ndarray, colour_channels: int, extra_samples: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray | None]:
    """(colour, alpha) from (H, W, S) samples; extra samples that are not alpha are dropped."""
    colour = samples[:, :, 0] if colour_channels == 1 else samples[:, :, :colour_channels]
    alpha = None
    first_extra = extra_samples[0] if extra_samples else None
    if samples.shape[2] > colour_channels and first_extra in (_ASSOCIATED_ALPHA, _UNASSOCIATED_ALPHA):
        alpha = samples[:, :, colour_channels]
        if first_extra == _ASSOCIATED_ALPHA:
            colour = _unpremultiply(colour, alpha)
    return np.ascontiguousarray(colour), None if alpha is None else np.ascontiguousarray(alpha)


def _decode_with_tifffile(path: str) -> tuple[np.ndarray, int, tuple[int, ...]]:
    with tifffile.TiffFile(path) as tif:
        page = tif.pages.first
        samples = page.asarray()
        if page.planarconfig == tifffile.PLANARCONFIG.SEPARATE:
            samples = np.moveaxis(samples, 0, -1)
        colour_channels = 3 if page.photometric == tifffile.PHOTOMETRIC.RGB else 1
        extra = tuple(int(x) for x in page.extrasamples)
    return samples, colour_channels, extra


def _decode_with_opencv(path: str) -> tuple[np.ndarray, int, tuple[int, ...]]:
    """OpenCV's libtiff decodes LZW/JPEG-compressed TIFFs that tifffile needs imagecodecs for."""
    decoded = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise ValueError("the 16-bit pixel data could not be decoded")
    if decoded.ndim == 2:
        return decoded[:, :, None], 1, ()
    if decoded.shape[2] == 3:
        return decoded[:, :, ::-1], 3, ()
    if decoded.shape[2] == 4:
        return decoded[:, :, [2, 1, 0, 3]], 3, (_UNASSOCIATED_ALPHA,)
    raise ValueError(f"unexpected {decoded.shape[2]}-channel layout")


def decode_16bit(path: str, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray | None]:
    """Pixels and alpha of a 16-bit multi-sample TIFF as uint16, checked against the header ``size``.

    tifffile first (exact, any sample layout); OpenCV when tifffile lacks the codec. Raises ValueError
    when neither can decode the file to the promised size (damaged file).
    """
    width, height = size
    try:
        samples, colour_channels, extra = _decode_with_tifffile(path)
    except Exception as exc:  # noqa: BLE001 - tifffile raises many types; the fallback decides
        log.debug("tifffile could not decode %s (%s); trying OpenCV", path, exc)
        samples, colour_channels, extra = _decode_with_opencv(path)
    if samples.ndim != 3 or samples.shape[:2] != (height, width) or samples.dtype != np.uint16:
        raise ValueError("the 16-bit pixel data does not match the image header")
    return _split_samples(samples, colour_channels, extra)


def _horizontal_difference(samples: np.ndarray) -> np.ndarray:
    """TIFF predictor 2: each sample minus its left neighbour (wrapping), which deflate packs far better."""
    diff = samples.copy()
    diff[:, 1:] -= samples[:, :-1]
    return diff


def write_tiff(
    fp: BinaryIO,
    pixels: np.ndarray,
    alpha: np.ndarray | None,
    *,
    exif: Image.Exif,
    icc_profile: bytes | None,
    xmp: bytes,
) -> None:
    """Write a deflate-compressed, strip-organised TIFF: gray or RGB, optional unassociated alpha.

    ``exif`` supplies IFD0's metadata (ImageDescription, Software, DateTime...) and its sub-IFDs as
    dicts. 16-bit gray+alpha is written as RGBA, because Pillow (and so most of the Python world)
    cannot open a 16-bit gray+alpha TIFF.
    """
    if pixels.ndim == 2 and alpha is not None and pixels.dtype == np.uint16:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    samples = pixels[:, :, None] if pixels.ndim == 2 else pixels
    if alpha is not None:
        samples = np.concatenate([samples, alpha[:, :, None]], axis=2)
    height, width, count = samples.shape
    bits = samples.dtype.itemsize * 8

    ifd = Image.Exif()
    ifd.endian = "<"  # "II": little-endian directory, so the samples below are little-endian too
    for tag, value in exif.items():
        ifd[tag] = value
    ifd[_WIDTH], ifd[_HEIGHT] = width, height
    ifd[_BITS] = (bits,) * count
    ifd[_COMPRESSION] = _DEFLATE
    ifd[_PHOTOMETRIC] = _RGB if count - (alpha is not None) == 3 else _BLACK_IS_ZERO
    ifd[_SAMPLES] = count
    ifd[_PLANAR] = 1
    ifd[_PREDICTOR] = _HORIZONTAL_DIFFERENCING
    ifd[_SAMPLE_FORMAT] = (1,) * count
    if alpha is not None:
        ifd[_EXTRA_SAMPLES] = (_UNASSOCIATED_ALPHA,)
    if icc_profile:
        ifd[_ICC_PROFILE] = icc_profile
    ifd[_XMP] = xmp

    row_bytes = width * count * samples.dtype.itemsize
    rows_per_strip = max(1, min(height, _STRIP_BYTES_TARGET // max(1, row_bytes)))
    ifd[_ROWS_PER_STRIP] = rows_per_strip
    little_endian = samples.dtype.newbyteorder("<")
    strips = [  # strip by strip, so big scans need little temporary memory
        zlib.compress(
            _horizontal_difference(samples[top : top + rows_per_strip]).astype(little_endian).tobytes(),
            _COMPRESS_LEVEL,
        )
        for top in range(0, height, rows_per_strip)
    ]
    # Offsets are relative to the end of the directory; Pillow's serializer rebases them.
    ifd[_STRIP_OFFSETS] = (0, *itertools.accumulate(len(s) for s in strips[:-1]))
    ifd[_STRIP_BYTES] = tuple(len(s) for s in strips)
    fp.write(ifd.tobytes(8)[len(b"Exif\0\0") :])
    for strip in strips:
        fp.write(strip)
