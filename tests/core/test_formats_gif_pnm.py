"""GIF (first frame of an animation, with a note) and PNM (PBM/PGM/PPM) through the project's reader."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from colorstudio.core import batch
from colorstudio.core.errors import ImageReadError
from colorstudio.core.imageio import (
    INPUT_EXTENSIONS,
    SUPPORTED_INPUT_FORMATS,
    ImageInfo,
    default_output_format,
    probe_image,
    read_image,
)
from colorstudio.core.options import OutputSettings

H, W = 30, 40


def noise(shape, dtype=np.uint8, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, np.iinfo(dtype).max, shape, endpoint=True, dtype=dtype)


def gray_gif(path: Path, pixels: np.ndarray | None = None) -> Path:
    Image.fromarray(noise((H, W)) if pixels is None else pixels).save(path)
    return path


def animated_gif(path: Path) -> tuple[Path, np.ndarray]:
    """A 3-frame gray animation; returns its first frame."""
    frames = [noise((H, W), seed=i) for i in range(3)]
    images = [Image.fromarray(f) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=100, loop=0)
    return path, frames[0]


def test_a_gray_gif_is_read_as_gray_pixels_without_a_note(tmp_path):
    pixels = noise((H, W))
    photo = read_image(gray_gif(tmp_path / "grandma.gif", pixels))
    assert photo.source_format == "GIF" and photo.is_gray and photo.pixels.dtype == np.uint8
    np.testing.assert_array_equal(photo.pixels, pixels)
    assert photo.alpha is None and photo.note == ""
    assert probe_image(tmp_path / "grandma.gif") == ImageInfo(W, H, "GIF", "palette", 8)


def test_an_animated_gif_is_read_as_its_first_frame_with_a_note(tmp_path, caplog):
    path, first = animated_gif(tmp_path / "wave.gif")
    with caplog.at_level(logging.INFO, logger="colorstudio"):
        photo = read_image(path)
    np.testing.assert_array_equal(photo.pixels, first)
    assert "wave.gif" in photo.note and "first frame" in photo.note and "3 frames" in photo.note
    assert photo.note in caplog.text  # told where there is no one to hand the note to
    assert probe_image(path).note == photo.note


def test_the_probe_counts_frames_without_decoding(tmp_path, monkeypatch):
    path, _ = animated_gif(tmp_path / "wave.gif")

    def no_decoding(*args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    info = probe_image(path)
    assert (info.width, info.height, info.source_format) == (W, H, "GIF") and "3 frames" in info.note


def test_a_colour_gif_with_transparency_keeps_its_colours_and_alpha(tmp_path):
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[:, : W // 2] = (200, 40, 30)
    rgb[:, W // 2 :] = (20, 60, 220)
    im = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    see_through = im.getpixel((0, 0))
    im.save(tmp_path / "flag.gif", transparency=see_through)
    photo = read_image(tmp_path / "flag.gif")
    assert photo.pixels.shape == (H, W, 3) and photo.source_mode == "palette"
    np.testing.assert_array_equal(photo.pixels[:, W // 2 :], rgb[:, W // 2 :])
    assert photo.alpha is not None
    assert (photo.alpha[:, : W // 2] == 0).all() and (photo.alpha[:, W // 2 :] == 255).all()


def test_other_animations_get_the_note_but_a_camera_jpeg_with_a_preview_does_not(tmp_path):
    frames = [Image.fromarray(noise((H, W, 3), seed=i)) for i in range(2)]
    frames[0].save(tmp_path / "moving.png", save_all=True, append_images=frames[1:])
    frames[0].save(tmp_path / "moving.webp", save_all=True, append_images=frames[1:], lossless=True)
    frames[0].save(tmp_path / "camera.jpg", format="MPO", save_all=True, append_images=frames[1:])
    for name in ("moving.png", "moving.webp"):
        photo = read_image(tmp_path / name)
        assert "first frame" in photo.note
        np.testing.assert_array_equal(photo.pixels, np.asarray(frames[0]))
    camera = read_image(tmp_path / "camera.jpg")
    assert camera.source_format == "JPEG" and camera.note == ""


def test_the_size_guard_applies_to_gifs(tmp_path, monkeypatch):
    path = gray_gif(tmp_path / "big.gif")
    with pytest.raises(ImageReadError, match="megapixels"):
        read_image(path, max_pixels=100)
    with pytest.raises(ImageReadError, match="megapixels"):
        probe_image(path, max_pixels=100)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)  # Pillow's own bomb check would refuse it
    assert read_image(path).pixels.shape == (H, W)
    assert Image.MAX_IMAGE_PIXELS == 500


def test_a_damaged_gif_is_called_damaged(tmp_path):
    path = gray_gif(tmp_path / "cut.gif")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageReadError, match="damaged"):
        read_image(path)
    (tmp_path / "header.gif").write_bytes(b"GIF89a" + b"\xff" * 10)
    with pytest.raises(ImageReadError, match="damaged"):
        read_image(tmp_path / "header.gif")


@pytest.mark.parametrize("name, kind", [("scan.pgm", "gray"), ("scan.ppm", "RGB"), ("scan.pbm", "bilevel")])
def test_netpbm_files_from_scanner_tools_are_read(tmp_path, name, kind):
    pixels = {"gray": noise((H, W)), "RGB": noise((H, W, 3)), "bilevel": noise((H, W)) > 127}[kind]
    Image.fromarray(pixels).save(tmp_path / name)
    photo = read_image(tmp_path / name)
    assert (photo.source_format, photo.source_mode, photo.pixels.dtype) == ("PPM", kind, np.uint8)
    expected = pixels.astype(np.uint8) * 255 if kind == "bilevel" else pixels
    np.testing.assert_array_equal(photo.pixels, expected)


def test_a_16_bit_pgm_stays_16_bit_and_a_plain_pgm_is_read(tmp_path):
    deep = noise((H, W), np.uint16)
    (tmp_path / "deep.pgm").write_bytes(b"P5\n%d %d\n65535\n" % (W, H) + deep.astype(">u2").tobytes())
    photo = read_image(tmp_path / "deep.pgm")
    assert photo.pixels.dtype == np.uint16 and photo.bit_depth == 16
    np.testing.assert_array_equal(photo.pixels, deep)
    (tmp_path / "plain.pnm").write_bytes(b"P2\n2 2\n255\n0 50\n100 255\n")
    np.testing.assert_array_equal(read_image(tmp_path / "plain.pnm").pixels, [[0, 50], [100, 255]])


def test_folders_pick_up_gifs_and_pnm_and_they_are_written_as_png(tmp_path):
    assert {"GIF", "PPM"} <= set(SUPPORTED_INPUT_FORMATS)
    assert {".gif", ".pgm", ".ppm", ".pbm", ".pnm"} <= INPUT_EXTENSIONS
    (tmp_path / "in").mkdir()
    gray_gif(tmp_path / "in" / "a.gif")
    Image.fromarray(noise((H, W))).save(tmp_path / "in" / "b.pgm")
    found, missing = batch.find_photos([tmp_path / "in"], recursive=False)
    assert [rel.name for _, rel in found] == ["a.gif", "b.pgm"] and missing == []
    settings = OutputSettings(folder=tmp_path / "out")
    outputs = [batch.output_path(source, rel, settings) for source, rel in found]
    assert [p.name for p in outputs] == ["a.png", "b.png"]
    assert default_output_format("GIF") == default_output_format("PPM") == "png"
