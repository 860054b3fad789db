"""Tests for colorstudio.core.imageio: every image is made here, small, in tmp_path."""

from __future__ import annotations

import errno
import functools
import re
import struct
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from PIL import Image, ImageCms, ImageFile, ImageOps, JpegImagePlugin

from colorstudio import __version__
from colorstudio.core.errors import ImageReadError, ImageWriteError
from colorstudio.core.imageio import (
    DEFAULT_MAX_PIXELS,
    INPUT_EXTENSIONS,
    OUTPUT_FORMATS,
    ImageInfo,
    Photo,
    Provenance,
    default_output_format,
    format_from_extension,
    probe_image,
    read_image,
    read_provenance,
    write_image,
)

H, W = 30, 40
WHEN = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone(timedelta(hours=1)))
PILLOW_SAVE = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF", "bmp": "BMP", "webp": "WEBP"}
EXT = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif", "bmp": ".bmp", "webp": ".webp"}


# ---------------------------------------------------------------- helpers


def noise(shape: tuple[int, ...], dtype: type = np.uint8, seed: int = 0) -> np.ndarray:
    """Random pixels: any lossless bug shows up as a mismatch."""
    return np.random.default_rng(seed).integers(0, np.iinfo(dtype).max, shape, endpoint=True, dtype=dtype)


def gradient_rgb() -> np.ndarray:
    """Smooth and asymmetric (red grows rightwards, green downwards): fine for JPEG, shows any flip."""
    y, x = np.mgrid[0:H, 0:W]
    return np.dstack([x * 6, y * 8, np.full_like(x, 90)]).astype(np.uint8)


def gradient_gray() -> np.ndarray:
    y, x = np.mgrid[0:H, 0:W]
    return (x * 4 + y * 2 + 10).astype(np.uint8)


def save_pillow(im: Image.Image, path: Path, fmt: str, **options) -> Path:
    if fmt == "webp":
        options.setdefault("lossless", True)
        options.setdefault("exact", True)
    if fmt == "jpeg":
        options.setdefault("quality", 95)
    im.save(path, format=PILLOW_SAVE[fmt], **options)
    return path


def provenance(**kw) -> Provenance:
    return Provenance(model=kw.pop("model", "seed-resnet18-mini"), model_version="1.2", when=WHEN, **kw)


@functools.lru_cache(maxsize=1)
def srgb_icc() -> bytes:
    """Made once: the profile's header records its creation time, so two calls can differ."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def assert_close(actual: np.ndarray, expected: np.ndarray, mean_tol: float, max_tol: int) -> None:
    assert actual.shape == expected.shape
    diff = np.abs(actual.astype(np.int32) - expected.astype(np.int32))
    assert diff.mean() <= mean_tol and diff.max() <= max_tol, (diff.mean(), diff.max())


def png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))


# ---------------------------------------------------------------- reading: every input kind


@pytest.mark.parametrize("fmt", ["png", "tiff", "bmp"])
def test_gray8_lossless_formats(tmp_path, fmt):
    gray = noise((H, W))
    photo = read_image(save_pillow(Image.fromarray(gray), tmp_path / f"g{EXT[fmt]}", fmt))
    assert photo.source_mode == "gray" and photo.source_format == PILLOW_SAVE[fmt]
    assert photo.pixels.dtype == np.uint8 and photo.is_gray and photo.alpha is None
    np.testing.assert_array_equal(photo.pixels, gray)
    assert photo.pixels.flags.c_contiguous


def test_gray8_jpeg(tmp_path):
    gray = gradient_gray()
    photo = read_image(save_pillow(Image.fromarray(gray), tmp_path / "g.jpg", "jpeg"))
    assert photo.source_mode == "gray" and photo.pixels.shape == (H, W) and photo.pixels.dtype == np.uint8
    assert_close(photo.pixels, gray, mean_tol=1.5, max_tol=8)


def test_gray8_webp_is_read_as_rgb_with_equal_channels(tmp_path):
    """WebP has no gray layout: Pillow writes it as RGB, and it is reported as such."""
    gray = noise((H, W))
    photo = read_image(save_pillow(Image.fromarray(gray), tmp_path / "g.webp", "webp"))
    assert photo.source_format == "WEBP" and photo.source_mode == "RGB"
    for channel in range(3):
        np.testing.assert_array_equal(photo.pixels[:, :, channel], gray)


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_gray16(tmp_path, fmt):
    gray = noise((H, W), np.uint16)
    photo = read_image(save_pillow(Image.fromarray(gray), tmp_path / f"g16{EXT[fmt]}", fmt))
    assert photo.source_mode == "gray" and photo.bit_depth == 16 and photo.pixels.dtype == np.uint16
    np.testing.assert_array_equal(photo.pixels, gray)


def test_gray32_tiff_is_clipped_to_16_bits(tmp_path):
    values = np.array([[-5, 0, 1000, 70000]], dtype=np.int32)
    photo = read_image(save_pillow(Image.fromarray(values), tmp_path / "i32.tif", "tiff"))
    assert photo.pixels.dtype == np.uint16
    np.testing.assert_array_equal(photo.pixels, [[0, 0, 1000, 65535]])


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_gray_alpha8(tmp_path, fmt):
    gray, alpha = noise((H, W), seed=1), noise((H, W), seed=2)
    im = Image.fromarray(np.dstack([gray, alpha]))
    assert im.mode == "LA"
    photo = read_image(save_pillow(im, tmp_path / f"la{EXT[fmt]}", fmt))
    assert photo.source_mode == "gray+alpha" and photo.is_gray
    np.testing.assert_array_equal(photo.pixels, gray)
    np.testing.assert_array_equal(photo.alpha, alpha)


@pytest.mark.parametrize("fmt", ["png", "tiff", "bmp", "webp"])
def test_rgb8_lossless_formats(tmp_path, fmt):
    rgb = noise((H, W, 3))
    photo = read_image(save_pillow(Image.fromarray(rgb), tmp_path / f"c{EXT[fmt]}", fmt))
    assert photo.source_mode == "RGB" and photo.pixels.dtype == np.uint8 and not photo.is_gray
    assert (photo.width, photo.height, photo.bit_depth) == (W, H, 8)
    np.testing.assert_array_equal(photo.pixels, rgb)


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_rgb8_lossy_formats(tmp_path, fmt):
    rgb = gradient_rgb()
    options = {"quality": 95} if fmt == "jpeg" else {"lossless": False, "quality": 90}
    photo = read_image(save_pillow(Image.fromarray(rgb), tmp_path / f"c{EXT[fmt]}", fmt, **options))
    assert photo.source_mode == "RGB" and photo.pixels.shape == (H, W, 3)
    assert_close(photo.pixels, rgb, mean_tol=3, max_tol=40)


def test_mpo_camera_jpeg_is_reported_as_jpeg(tmp_path):
    first, second = Image.fromarray(gradient_rgb()), Image.fromarray(255 - gradient_rgb())
    path = tmp_path / "camera.jpg"
    first.save(path, format="MPO", save_all=True, append_images=[second], quality=95)
    with Image.open(path) as im:
        assert im.format == "MPO"
    photo = read_image(path)
    assert photo.source_format == "JPEG"
    assert_close(photo.pixels, gradient_rgb(), mean_tol=3, max_tol=40)


def test_rgb16_png_is_read_at_16_bits(tmp_path):
    rgb = noise((H, W, 3), np.uint16)
    ok, encoded = cv2.imencode(".png", rgb[:, :, ::-1])  # OpenCV wants BGR
    assert ok
    (tmp_path / "c16.png").write_bytes(encoded.tobytes())
    photo = read_image(tmp_path / "c16.png")
    assert photo.source_mode == "RGB" and photo.bit_depth == 16 and photo.alpha is None
    np.testing.assert_array_equal(photo.pixels, rgb)


def test_rgba16_png_is_read_at_16_bits(tmp_path):
    rgba = noise((H, W, 4), np.uint16)
    ok, encoded = cv2.imencode(".png", rgba[:, :, [2, 1, 0, 3]])
    assert ok
    (tmp_path / "c16a.png").write_bytes(encoded.tobytes())
    photo = read_image(tmp_path / "c16a.png")
    assert photo.source_mode == "RGBA" and photo.pixels.dtype == np.uint16
    np.testing.assert_array_equal(photo.pixels, rgba[:, :, :3])
    np.testing.assert_array_equal(photo.alpha, rgba[:, :, 3])


@pytest.mark.parametrize("planar", ["contig", "separate"])
def test_rgb16_tiff_is_read_at_16_bits(tmp_path, planar):
    rgb = noise((H, W, 3), np.uint16)
    data = rgb if planar == "contig" else np.moveaxis(rgb, -1, 0)
    tifffile.imwrite(tmp_path / "c16.tif", data, photometric="rgb", planarconfig=planar)
    photo = read_image(tmp_path / "c16.tif")
    assert photo.source_mode == "RGB" and photo.bit_depth == 16
    np.testing.assert_array_equal(photo.pixels, rgb)


def test_rgba16_tiff_is_read_at_16_bits(tmp_path):
    rgba = noise((H, W, 4), np.uint16)
    tifffile.imwrite(tmp_path / "c16a.tif", rgba, photometric="rgb", extrasamples=["unassalpha"])
    photo = read_image(tmp_path / "c16a.tif")
    assert photo.source_mode == "RGBA"
    np.testing.assert_array_equal(photo.pixels, rgba[:, :, :3])
    np.testing.assert_array_equal(photo.alpha, rgba[:, :, 3])


@pytest.mark.parametrize("channels", [3, 4])
def test_lzw_16bit_tiff_falls_back_to_opencv(tmp_path, channels):
    """tifffile needs the imagecodecs package for LZW, which scanners use a lot; OpenCV decodes it."""
    samples = noise((H, W, channels), np.uint16)
    bgr_order = [2, 1, 0, 3][:channels]
    ok, encoded = cv2.imencode(".tif", samples[:, :, bgr_order])  # OpenCV writes LZW
    assert ok
    (tmp_path / "lzw.tif").write_bytes(encoded.tobytes())
    with Image.open(tmp_path / "lzw.tif") as im:
        assert im.tag_v2[259] == 5  # really LZW
    photo = read_image(tmp_path / "lzw.tif")
    assert photo.bit_depth == 16 and photo.source_mode == ("RGB" if channels == 3 else "RGBA")
    np.testing.assert_array_equal(photo.pixels, samples[:, :, :3])
    if channels == 4:
        np.testing.assert_array_equal(photo.alpha, samples[:, :, 3])


def test_premultiplied_alpha_16bit_tiff_is_unpremultiplied(tmp_path):
    colour = np.full((H, W, 3), 1000, dtype=np.uint16)
    alpha = np.full((H, W, 1), 32768, dtype=np.uint16)
    tifffile.imwrite(
        tmp_path / "pm.tif",
        np.concatenate([colour, alpha], axis=2),
        photometric="rgb",
        extrasamples=["assocalpha"],
    )
    photo = read_image(tmp_path / "pm.tif")
    assert photo.source_mode == "RGBA"
    np.testing.assert_array_equal(photo.pixels, np.full((H, W, 3), 2000))  # 1000 * 65535 / 32768
    np.testing.assert_array_equal(photo.alpha, alpha[:, :, 0])


def test_gray_png_colour_key_becomes_alpha(tmp_path):
    gray = noise((H, W))
    path = save_pillow(Image.fromarray(gray), tmp_path / "key.png", "png", transparency=int(gray[0, 0]))
    photo = read_image(path)
    assert photo.source_mode == "gray+alpha"
    np.testing.assert_array_equal(photo.pixels, gray)
    np.testing.assert_array_equal(photo.alpha, np.where(gray == gray[0, 0], 0, 255))


@pytest.mark.parametrize("fmt", ["png", "tiff", "webp"])
def test_rgba8(tmp_path, fmt):
    rgba = noise((H, W, 4))
    photo = read_image(save_pillow(Image.fromarray(rgba), tmp_path / f"a{EXT[fmt]}", fmt))
    assert photo.source_mode == "RGBA"
    np.testing.assert_array_equal(photo.pixels, rgba[:, :, :3])
    np.testing.assert_array_equal(photo.alpha, rgba[:, :, 3])


def _palette_image(palette: np.ndarray) -> tuple[Image.Image, np.ndarray]:
    indices = (np.arange(H * W) % len(palette)).astype(np.uint8).reshape(H, W)
    im = Image.frombytes("P", (W, H), indices.tobytes())
    im.putpalette(palette.astype(np.uint8).flatten().tolist())
    return im, indices


def test_palette_png_without_transparency(tmp_path):
    palette = noise((16, 3), seed=3)
    im, indices = _palette_image(palette)
    photo = read_image(save_pillow(im, tmp_path / "p.png", "png"))
    assert photo.source_mode == "palette" and photo.alpha is None
    np.testing.assert_array_equal(photo.pixels, palette[indices])


def test_palette_png_with_transparency(tmp_path):
    palette, alphas = noise((16, 3), seed=4), noise((16,), seed=5)
    im, indices = _palette_image(palette)
    photo = read_image(save_pillow(im, tmp_path / "pt.png", "png", transparency=alphas.tobytes()))
    assert photo.source_mode == "palette"
    np.testing.assert_array_equal(photo.pixels, palette[indices])
    np.testing.assert_array_equal(photo.alpha, alphas[indices])


def test_gray_palette_is_returned_as_gray(tmp_path):
    levels = np.arange(0, 256, 16, dtype=np.uint8)
    im, indices = _palette_image(np.stack([levels] * 3, axis=1))
    photo = read_image(save_pillow(im, tmp_path / "pg.png", "png"))
    assert photo.source_mode == "palette" and photo.is_gray
    np.testing.assert_array_equal(photo.pixels, levels[indices])


@pytest.mark.parametrize("fmt", ["jpeg", "tiff"])
def test_cmyk_is_converted_to_rgb(tmp_path, fmt):
    cmyk = Image.fromarray(gradient_rgb()).convert("CMYK")
    path = save_pillow(cmyk, tmp_path / f"k{EXT[fmt]}", fmt)
    with Image.open(path) as im:
        assert im.mode == "CMYK"
        expected = np.asarray(im.convert("RGB"))
    photo = read_image(path)
    assert photo.source_mode == "CMYK" and photo.icc_profile is None
    assert photo.pixels.shape == (H, W, 3) and photo.pixels.dtype == np.uint8
    np.testing.assert_array_equal(photo.pixels, expected)
    assert_close(photo.pixels, gradient_rgb(), mean_tol=3, max_tol=40)


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_bilevel(tmp_path, fmt):
    bits = noise((H, W)) > 127
    im = Image.fromarray(bits)
    assert im.mode == "1"
    photo = read_image(save_pillow(im, tmp_path / f"b{EXT[fmt]}", fmt))
    assert photo.source_mode == "bilevel" and photo.pixels.dtype == np.uint8
    np.testing.assert_array_equal(photo.pixels, np.where(bits, 255, 0))


LOSSLESS_SOURCES = {
    "gray8": lambda: Image.fromarray(noise((H, W))),
    "gray16": lambda: Image.fromarray(noise((H, W), np.uint16)),
    "gray+alpha8": lambda: Image.fromarray(noise((H, W, 2))),
    "rgb8": lambda: Image.fromarray(noise((H, W, 3))),
    "rgba8": lambda: Image.fromarray(noise((H, W, 4))),
    "bilevel": lambda: Image.fromarray(noise((H, W)) > 127),
    "palette+alpha": lambda: _palette_image(noise((16, 3)))[0],
}


@pytest.mark.parametrize("out_fmt", ["png", "tiff"])
@pytest.mark.parametrize("kind", sorted(LOSSLESS_SOURCES))
def test_lossless_rewrite_keeps_depth_and_alpha(tmp_path, kind, out_fmt):
    source = LOSSLESS_SOURCES[kind]()
    options = {"transparency": 3} if kind == "palette+alpha" else {}
    photo = read_image(save_pillow(source, tmp_path / "src.png", "png", **options))
    out = tmp_path / f"out{OUTPUT_FORMATS[out_fmt]}"
    write_image(out, photo.pixels, alpha=photo.alpha, format=out_fmt, provenance=provenance())
    again = read_image(out)
    assert again.pixels.dtype == photo.pixels.dtype
    np.testing.assert_array_equal(again.pixels, photo.pixels)
    assert (again.alpha is None) == (photo.alpha is None)
    if photo.alpha is not None:
        np.testing.assert_array_equal(again.alpha, photo.alpha)


@pytest.mark.parametrize("out_fmt", ["png", "tiff"])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("with_alpha", [False, True])
def test_16bit_rewrite_keeps_depth_and_alpha(tmp_path, out_fmt, channels, with_alpha):
    pixels = noise((H, W) if channels == 1 else (H, W, 3), np.uint16, seed=7)
    alpha = noise((H, W), np.uint16, seed=8) if with_alpha else None
    out = tmp_path / f"o{OUTPUT_FORMATS[out_fmt]}"
    write_image(out, pixels, alpha=alpha, format=out_fmt, provenance=provenance())
    photo = read_image(out)
    assert photo.pixels.dtype == np.uint16 and photo.bit_depth == 16
    if channels == 1 and with_alpha and out_fmt == "tiff":
        # Stored as RGBA: nothing in the Python world opens a 16-bit gray+alpha TIFF.
        for c in range(3):
            np.testing.assert_array_equal(photo.pixels[:, :, c], pixels)
    else:
        np.testing.assert_array_equal(photo.pixels, pixels)
    if with_alpha:
        np.testing.assert_array_equal(photo.alpha, alpha)
    else:
        assert photo.alpha is None


# ---------------------------------------------------------------- EXIF orientation

# How each EXIF orientation is displayed (Pillow's exif_transpose), and its inverse, used to make
# stored pixels that display as the original.
DISPLAY = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
INVERSE = {**DISPLAY, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def _stored_for(original: Image.Image, orientation: int) -> Image.Image:
    return original if orientation == 1 else original.transpose(INVERSE[orientation])


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", ["png", "jpeg", "tiff", "webp"])
def test_exif_orientation_is_applied(tmp_path, fmt, orientation):
    original = Image.fromarray(gradient_rgb())
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "ScanMaker"
    path = save_pillow(_stored_for(original, orientation), tmp_path / f"o{EXT[fmt]}", fmt, exif=exif)
    with Image.open(path) as im:  # the test's own premise: a viewer shows the original
        shown = np.asarray(ImageOps.exif_transpose(im))
    assert_close(shown, gradient_rgb(), mean_tol=3, max_tol=40)

    photo = read_image(path)
    if fmt != "jpeg":
        np.testing.assert_array_equal(photo.pixels, gradient_rgb())
    else:
        assert_close(photo.pixels, gradient_rgb(), mean_tol=3, max_tol=40)
    carried = Image.Exif()
    carried.load(photo.exif)
    assert carried[0x0112] == 1 and carried[0x010F] == "ScanMaker"
    info = probe_image(path)
    assert (info.width, info.height) == (W, H)


@pytest.mark.parametrize("orientation", [2, 5, 6, 7, 8])
def test_orientation_turns_16bit_pixels_and_alpha(tmp_path, orientation):
    """The numpy path (16-bit TIFF via tifffile) turns pixels and alpha alike."""
    rgba = noise((H, W, 4), np.uint16)
    # The stored RGBA: the same inverse transform applied to every channel.
    stored = np.dstack(
        [np.asarray(_stored_for(Image.fromarray(rgba[:, :, c]), orientation)) for c in range(4)]
    )
    tifffile.imwrite(
        tmp_path / "o16.tif",
        stored,
        photometric="rgb",
        extrasamples=["unassalpha"],
        extratags=[(274, "H", 1, orientation, True)],
    )
    photo = read_image(tmp_path / "o16.tif")
    np.testing.assert_array_equal(photo.pixels, rgba[:, :, :3])
    np.testing.assert_array_equal(photo.alpha, rgba[:, :, 3])


# ---------------------------------------------------------------- metadata and provenance


def _source_with_metadata(tmp_path: Path) -> Photo:
    exif = Image.Exif()
    exif[0x010F] = "Epson"
    exif[0x010E] = "Grandma Rose, 1932"
    exif.get_ifd(0x8769)[0x9003] = "1932:05:01 10:00:00"  # DateTimeOriginal
    path = tmp_path / "source.jpg"
    Image.fromarray(gradient_rgb()).save(path, quality=95, exif=exif, icc_profile=srgb_icc())
    return read_image(path)


@pytest.mark.parametrize("depth", [8, 16])
@pytest.mark.parametrize("fmt", sorted(OUTPUT_FORMATS))
def test_exif_icc_and_provenance_are_written(tmp_path, fmt, depth):
    source = _source_with_metadata(tmp_path)
    assert source.icc_profile == srgb_icc()
    pixels = source.pixels if depth == 8 else source.pixels.astype(np.uint16) * 257
    out = tmp_path / f"colorized{OUTPUT_FORMATS[fmt]}"
    prov = provenance()
    write_image(out, pixels, format=fmt, exif=source.exif, icc_profile=source.icc_profile, provenance=prov)

    with Image.open(out) as im:
        assert im.info.get("icc_profile") == srgb_icc()
        exif = im.getexif()
        assert exif[0x010F] == "Epson"
        assert exif.get_ifd(0x8769)[0x9003] == "1932:05:01 10:00:00"
        description = exif[0x010E]
        assert description.startswith("Grandma Rose, 1932")  # the family caption survives
        assert prov.description() in description
        assert exif[0x0131] == f"colorstudio {__version__}"
        assert exif[0x0132] == "2026:11:22 10:00:00"
        assert exif.get_ifd(0x8769)[0x9010] == "+01:00"  # OffsetTime of DateTime
        assert exif.get(0x0112, 1) == 1

    record = read_provenance(out)
    assert record == {
        "colorized": True,
        "model": "seed-resnet18-mini",
        "model_version": "1.2",
        "software": f"colorstudio {__version__}",
        "when": "2026-11-22T10:00:00+01:00",
        "hints": 0,
        "description": prov.description(),
    }
    again = read_image(out)
    assert again.icc_profile == srgb_icc()
    assert again.bit_depth == (depth if fmt in ("png", "tiff") else 8)


@pytest.mark.parametrize("fmt", sorted(OUTPUT_FORMATS))
def test_accented_exif_text_survives(tmp_path, fmt):
    """Pillow alone would turn every non-ASCII letter of an EXIF caption into '?'."""
    exif = Image.Exif()
    exif[0x010E] = "Grand-mère Zoë, Lódź 1932".encode()
    exif[0x013B] = "Studio Müller".encode()  # Artist
    source = tmp_path / "source.jpg"
    Image.fromarray(gradient_rgb()).save(source, exif=exif)
    photo = read_image(source)
    out = tmp_path / f"out{OUTPUT_FORMATS[fmt]}"
    write_image(out, photo.pixels, format=fmt, exif=photo.exif, provenance=provenance(model="m-ü"))
    with Image.open(out) as im:
        written = im.getexif()
        description = written[0x010E].encode("latin-1").decode("utf-8")
        artist = written[0x013B].encode("latin-1").decode("utf-8")
        if fmt == "png":
            im.load()
            assert im.text["Description"] == description
    assert description.startswith("Grand-mère Zoë, Lódź 1932\nColorized by")
    assert "model m-ü 1.2" in description
    assert artist == "Studio Müller"


def test_provenance_is_written_without_source_metadata(tmp_path):
    for fmt, ext in OUTPUT_FORMATS.items():
        out = tmp_path / f"plain{ext}"
        write_image(out, gradient_gray(), format=fmt, provenance=provenance(model="m-ü"))
        record = read_provenance(out)
        assert record is not None and record["model"] == "m-ü", fmt
        with Image.open(out) as im:
            assert im.getexif()[0x010E].startswith("Colorized by colorstudio"), fmt


def test_png_text_chunks(tmp_path):
    out = tmp_path / "t.png"
    prov = provenance()
    write_image(out, gradient_rgb(), format="png", provenance=prov)
    with Image.open(out) as im:
        im.load()
        assert im.text["Software"] == prov.software
        assert im.text["Description"] == prov.description()
        assert im.text["Comment"] == prov.description()
        assert b"colorstudio:Colorized" in im.info["xmp"]


def test_provenance_description_and_xmp_namespace(tmp_path):
    prov = Provenance(model="seed-resnet18-mini")
    assert prov.when.tzinfo is not None
    assert prov.software == f"colorstudio {__version__}"
    text = prov.description()
    assert "seed-resnet18-mini" in text and prov.software in text and prov.when_iso() in text
    assert "machine's guess" in text
    out = tmp_path / "x.jpg"
    write_image(out, gradient_rgb(), format="jpeg", provenance=prov)
    data = out.read_bytes()
    assert b'xmlns:colorstudio="https://colorstudio.invalid/ns/1.0/"' in data
    assert b'colorstudio:Colorized="True"' in data


def test_read_provenance_of_an_original_is_none(tmp_path):
    path = save_pillow(Image.fromarray(gradient_rgb()), tmp_path / "original.png", "png")
    assert read_provenance(path) is None
    (tmp_path / "empty.png").write_bytes(b"")
    assert read_provenance(tmp_path / "empty.png") is None
    with pytest.raises(ImageReadError, match="missing.png"):
        read_provenance(tmp_path / "missing.png")


def test_recolorizing_replaces_the_old_note(tmp_path):
    first, second = tmp_path / "1.jpg", tmp_path / "2.jpg"
    write_image(first, gradient_rgb(), format="jpeg", provenance=provenance(model="old"))
    photo = read_image(first)
    write_image(second, photo.pixels, format="jpeg", exif=photo.exif, provenance=provenance(model="new"))
    with Image.open(second) as im:
        description = im.getexif()[0x010E]
    assert "new" in description and "model old" not in description
    assert read_provenance(second)["model"] == "new"


def test_tiff_source_exif_drops_structure_tags(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "Nikon"
    path = save_pillow(Image.fromarray(noise((H, W, 3))), tmp_path / "s.tif", "tiff", exif=exif)
    carried = Image.Exif()
    carried.load(read_image(path).exif)
    assert carried[0x010F] == "Nikon"
    for tag in (256, 257, 258, 259, 273, 279):  # width, height, bits, compression, strips
        assert tag not in carried


def test_exif_after_the_pixel_data_of_a_png_is_found(tmp_path):
    path = save_pillow(Image.fromarray(gradient_rgb()).transpose(INVERSE[6]), tmp_path / "late.png", "png")
    exif = Image.Exif()
    exif[0x0112] = 6
    data = path.read_bytes()
    iend = data.rindex(b"IEND") - 4
    path.write_bytes(data[:iend] + png_chunk(b"eXIf", exif.tobytes()[6:]) + data[iend:])
    assert data.index(b"IDAT") < iend
    np.testing.assert_array_equal(read_image(path).pixels, gradient_rgb())


# ---------------------------------------------------------------- writer specifics


def test_jpeg_drops_alpha_rounds_16bit_and_picks_subsampling(tmp_path):
    rgb16 = gradient_rgb().astype(np.uint16) * 257 + 100
    out = tmp_path / "a.jpg"
    write_image(out, rgb16, alpha=noise((H, W)), format="jpeg", quality=95, provenance=provenance())
    with Image.open(out) as im:
        assert im.mode == "RGB" and JpegImagePlugin.get_sampling(im) == 0  # 4:4:4
    assert_close(read_image(out).pixels, gradient_rgb(), mean_tol=3, max_tol=40)
    write_image(out, gradient_rgb(), format="jpeg", quality=80, provenance=provenance())
    with Image.open(out) as im:
        assert JpegImagePlugin.get_sampling(im) == 2  # 4:2:0


def test_webp_quality_100_is_lossless_and_16bit_is_rounded(tmp_path):
    rgb16 = noise((H, W, 3), np.uint16)
    alpha = noise((H, W), seed=9)
    out = tmp_path / "l.webp"
    write_image(out, rgb16, alpha=alpha, format="webp", quality=100, provenance=provenance())
    photo = read_image(out)
    expected = np.floor(rgb16 / 257 + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(photo.pixels, expected)
    np.testing.assert_array_equal(photo.alpha, alpha)


def test_tiff_is_deflate_compressed(tmp_path):
    out = tmp_path / "c.tif"
    write_image(out, gradient_rgb(), format="tiff", provenance=provenance())
    with Image.open(out) as im:
        assert im.tag_v2[259] == 8
    with tifffile.TiffFile(out) as tif:
        np.testing.assert_array_equal(tif.pages[0].asarray(), gradient_rgb())


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_tiff_with_several_strips_reads_back_everywhere(tmp_path, dtype):
    pixels = noise((300, 500, 3), dtype, seed=11)
    out = tmp_path / "strips.tif"
    write_image(out, pixels, format="tiff", provenance=provenance())
    with tifffile.TiffFile(out) as tif:
        page = tif.pages[0]
        assert len(page.dataoffsets) > 1
        np.testing.assert_array_equal(page.asarray(), pixels)
    decoded = cv2.imdecode(np.fromfile(out, dtype=np.uint8), cv2.IMREAD_UNCHANGED)  # libtiff
    np.testing.assert_array_equal(decoded[:, :, ::-1], pixels)
    np.testing.assert_array_equal(read_image(out).pixels, pixels)


def test_write_creates_parent_folders_and_accepts_aliases(tmp_path):
    out = tmp_path / "a" / "b" / "c.tif"
    write_image(out, gradient_rgb(), format="TIF", provenance=provenance())
    np.testing.assert_array_equal(read_image(out).pixels, gradient_rgb())


@pytest.mark.parametrize(
    "pixels, kwargs, message",
    [
        (noise((H, W, 4)), {}, "shape"),
        (noise((H, W)).astype(np.float32), {}, "uint8 or uint16"),
        (noise((H, W)), {"alpha": noise((H + 1, W))}, "alpha"),
        (noise((H, W)), {"quality": 0}, "quality"),
        (noise((H, W)), {"format": "gif"}, "output format"),
    ],
)
def test_write_rejects_invalid_arguments(tmp_path, pixels, kwargs, message):
    kwargs = {"format": "png", **kwargs}
    with pytest.raises(ValueError, match=message):
        write_image(tmp_path / "x.png", pixels, provenance=provenance(), **kwargs)
    assert list(tmp_path.iterdir()) == []


def _failing_save(self, fp, *args, **kwargs):
    fp.write(b"\x89PNG half a file")
    raise RuntimeError("simulated encoder crash")


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_failed_write_leaves_no_file(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(Image.Image, "save", _failing_save)
    out = tmp_path / f"new{OUTPUT_FORMATS[fmt]}"
    with pytest.raises(ImageWriteError, match=re.escape(out.name)) as excinfo:
        write_image(out, gradient_rgb(), format=fmt, provenance=provenance())
    assert "simulated encoder crash" in str(excinfo.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_existing_target(tmp_path, monkeypatch):
    out = tmp_path / "existing.tif"
    write_image(out, gradient_rgb(), format="tiff", provenance=provenance())
    before = out.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zlib, "compress", disk_full)
    with pytest.raises(ImageWriteError, match="disk is full"):
        write_image(out, noise((H, W, 3)), format="tiff", provenance=provenance())
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["existing.tif"]


def test_failure_midway_through_the_16bit_png_encoder(tmp_path, monkeypatch):
    out = tmp_path / "c16.png"

    class Exploding:
        def compress(self, data):
            raise MemoryError("simulated")

    monkeypatch.setattr(zlib, "compressobj", lambda *a, **k: Exploding())
    with pytest.raises(ImageWriteError):
        write_image(out, noise((H, W, 3), np.uint16), format="png", provenance=provenance())
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_a_write_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"x")
    with pytest.raises(ImageWriteError, match="could not be created"):
        write_image(blocker / "out.png", gradient_rgb(), format="png", provenance=provenance())


# ---------------------------------------------------------------- refusals


def _message(path: Path, **kwargs) -> str:
    with pytest.raises(ImageReadError) as excinfo:
        read_image(path, **kwargs)
    message = str(excinfo.value)
    assert path.name in message
    return message


def test_refuses_missing_file(tmp_path):
    assert "does not exist" in _message(tmp_path / "nothing-here.jpg")


def test_refuses_empty_file(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    assert "is empty (0 bytes)" in _message(tmp_path / "empty.png")


def test_refuses_folder(tmp_path):
    (tmp_path / "album.jpg").mkdir()
    assert "folder" in _message(tmp_path / "album.jpg")


def test_refuses_text_file_named_jpg(tmp_path):
    (tmp_path / "notes.jpg").write_text("Aunt Mary's recipes, not a photo\n")
    message = _message(tmp_path / "notes.jpg")
    assert "is not an image file" in message and "PNG" in message


@pytest.mark.parametrize("fmt", ["jpeg", "png"])
def test_refuses_truncated_file(tmp_path, fmt):
    path = save_pillow(Image.fromarray(noise((H, W, 3))), tmp_path / f"cut{EXT[fmt]}", fmt)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "damaged or incomplete" in _message(path)


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_refuses_truncated_16bit_file(tmp_path, fmt):
    path = tmp_path / f"cut16{OUTPUT_FORMATS[fmt]}"
    write_image(path, noise((H, W, 3), np.uint16), format=fmt, provenance=provenance())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 3 // 4])
    assert "damaged or incomplete" in _message(path)


def test_truncated_file_is_refused_even_if_pillow_was_told_to_pad(tmp_path, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    path = save_pillow(Image.fromarray(noise((H, W, 3))), tmp_path / "cut.jpg", "jpeg")
    path.write_bytes(path.read_bytes()[:400])
    assert "damaged" in _message(path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored


def test_refuses_image_over_max_pixels_before_decoding(tmp_path, monkeypatch):
    path = save_pillow(Image.fromarray(noise((H, W, 3))), tmp_path / "big.png", "png")

    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    message = _message(path, max_pixels=100)
    assert "megapixels" in message and "40 x 30" in message and "--max-megapixels" in message
    with pytest.raises(ImageReadError, match="megapixels"):
        probe_image(path, max_pixels=100)


def test_pillow_global_limit_does_not_refuse_what_max_pixels_allows(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)  # 40 x 30 is more than twice this
    path = save_pillow(Image.fromarray(noise((H, W, 3))), tmp_path / "ok.png", "png")
    assert read_image(path).pixels.shape == (H, W, 3)
    assert probe_image(path).width == W
    assert Image.MAX_IMAGE_PIXELS == 500  # restored


def test_refuses_unsupported_format(tmp_path):
    path = tmp_path / "paintbrush.pcx"
    Image.fromarray(noise((H, W, 3))).save(path)
    message = _message(path)
    assert "PCX" in message and "PNG, JPEG, TIFF, BMP, WebP, GIF and PNM (PBM/PGM/PPM)" in message


def test_damaged_png_header_is_called_damaged(tmp_path):
    path = tmp_path / "header.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    assert "damaged" in _message(path)


# ---------------------------------------------------------------- probe


def test_probe_reads_the_header_only(tmp_path, monkeypatch):
    rgb16 = noise((H, W, 3), np.uint16)
    ok, encoded = cv2.imencode(".png", rgb16)
    (tmp_path / "c16.png").write_bytes(encoded.tobytes())
    tifffile.imwrite(tmp_path / "c16.tif", rgb16, photometric="rgb")
    exif = Image.Exif()
    exif[0x0112] = 6
    save_pillow(Image.fromarray(gradient_gray()), tmp_path / "turned.jpg", "jpeg", exif=exif)
    save_pillow(_palette_image(noise((8, 3)))[0], tmp_path / "p.png", "png")
    save_pillow(Image.fromarray(noise((H, W)) > 127), tmp_path / "b.tif", "tiff")

    def no_decoding(*args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(cv2, "imdecode", no_decoding)
    monkeypatch.setattr(tifffile.TiffPage, "asarray", no_decoding)

    assert probe_image(tmp_path / "c16.png") == ImageInfo(W, H, "PNG", "RGB", 16)
    assert probe_image(tmp_path / "c16.tif") == ImageInfo(W, H, "TIFF", "RGB", 16)
    assert probe_image(tmp_path / "turned.jpg") == ImageInfo(H, W, "JPEG", "gray", 8)
    assert probe_image(tmp_path / "p.png") == ImageInfo(W, H, "PNG", "palette", 8)
    assert probe_image(tmp_path / "b.tif") == ImageInfo(W, H, "TIFF", "bilevel", 8)


# ---------------------------------------------------------------- formats


def test_format_tables():
    assert DEFAULT_MAX_PIXELS == 400_000_000
    assert OUTPUT_FORMATS == {"png": ".png", "jpeg": ".jpg", "tiff": ".tif", "webp": ".webp"}
    assert INPUT_EXTENSIONS == {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif",
                                ".pbm", ".pgm", ".ppm", ".pnm"}
    expected = {"JPEG": "jpeg", "PNG": "png", "TIFF": "tiff", "WEBP": "webp", "BMP": "png", "GIF": "png",
                "PPM": "png"}
    assert {name: default_output_format(name) for name in expected} == expected
    assert format_from_extension("a/b/Photo.JPG") == "jpeg"
    assert format_from_extension(Path("x.tiff")) == "tiff"
    assert format_from_extension("x.webp") == "webp"
    assert format_from_extension("x.gif") is None


def test_photo_properties():
    photo = Photo(noise((H, W, 3), np.uint16), None, "PNG", "RGB", None, None)
    assert (photo.width, photo.height, photo.bit_depth, photo.is_gray) == (W, H, 16, False)
    assert photo.megapixels == pytest.approx(H * W / 1e6)

