"""Thumbnails through the project's reader: its size guard, not Pillow's decompression-bomb limit, decides.

A real 200-megapixel scan is too slow for a test, so Pillow's own limit is lowered instead: a modest photo
then trips Pillow's bomb check while colorstudio's guard (400 MP) allows it, as a 200 MP scan does.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from colorstudio.core.errors import ImageReadError
from colorstudio.core.imageio import read_image, read_thumbnail
from colorstudio.core.imageio.reader import decode_image

H, W = 300, 400  # "large": over twice the lowered Pillow limit below
PILLOW_LIMIT = 10_000


def gradient(h: int = H, w: int = W) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return ((x * 255) // w).astype(np.uint8) // 2 + ((y * 255) // h).astype(np.uint8) // 2


@pytest.fixture
def pillow_refuses_large_photos(monkeypatch):
    """Pillow's decompression-bomb limit lowered: opening a W x H photo with Pillow alone now fails."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", PILLOW_LIMIT)


def pillow_alone_refuses(path: Path) -> bool:
    try:
        Image.open(path).close()
    except Image.DecompressionBombError:
        return True
    return False


@pytest.mark.parametrize("name", ["large.png", "large.jpg", "large.gif"])
def test_a_large_photo_gets_a_thumbnail_through_the_reader(tmp_path, pillow_refuses_large_photos, name):
    path = tmp_path / name
    Image.fromarray(gradient()).save(path)
    assert pillow_alone_refuses(path)
    thumb = read_thumbnail(path, 56)
    assert thumb.pixels.shape == (42, 56, 3) and thumb.pixels.dtype == np.uint8
    assert thumb.pixels.flags.c_contiguous
    assert (thumb.info.width, thumb.info.height) == (W, H)
    small = cv2.resize(gradient(), (56, 42), interpolation=cv2.INTER_AREA)
    assert np.abs(thumb.pixels[..., 0].astype(int) - small).max() <= 6  # the photo, not noise
    assert Image.MAX_IMAGE_PIXELS == PILLOW_LIMIT  # Pillow's setting is the caller's again


def test_a_jpeg_thumbnail_is_decoded_at_a_reduced_scale(tmp_path):
    path = tmp_path / "scan.jpg"
    Image.fromarray(gradient(600, 800)).save(path, quality=90)
    reduced = decode_image(path, 10**9, draft=112)
    assert reduced.pixels.shape == (150, 200)  # 1/4: the smallest DCT scale still >= 112 px a side
    assert read_image(path).pixels.shape == (600, 800)


def test_a_thumbnail_is_upright_and_8_bit(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned: shown turned a quarter clockwise
    Image.fromarray(gradient()).save(tmp_path / "turned.jpg", exif=exif)
    thumb = read_thumbnail(tmp_path / "turned.jpg", 56)
    assert thumb.pixels.shape == (56, 42, 3) and (thumb.info.width, thumb.info.height) == (H, W)
    deep = (np.dstack([gradient()] * 3).astype(np.uint16) * 257)
    _, encoded = cv2.imencode(".png", deep)
    (tmp_path / "deep.png").write_bytes(encoded.tobytes())
    thumb = read_thumbnail(tmp_path / "deep.png", 56)
    assert thumb.pixels.dtype == np.uint8 and thumb.pixels.max() >= 120
    Image.fromarray(gradient(10, 20)).save(tmp_path / "tiny.png")
    assert read_thumbnail(tmp_path / "tiny.png", 56).pixels.shape == (10, 20, 3)  # never enlarged


def test_what_the_reader_refuses_has_no_thumbnail_and_the_same_message(tmp_path):
    path = tmp_path / "large.png"
    Image.fromarray(gradient()).save(path)
    with pytest.raises(ImageReadError) as by_thumbnail:
        read_thumbnail(path, 56, max_pixels=1000)
    with pytest.raises(ImageReadError) as by_reader:
        read_image(path, max_pixels=1000)
    assert str(by_thumbnail.value) == str(by_reader.value) and "megapixels" in str(by_reader.value)


# ------------------------------------------------------------- the window's queue thumbnails


@pytest.fixture
def gui_thumbnail():
    pytest.importorskip("PySide6.QtGui")
    from colorstudio.gui.queue_model import THUMB, thumbnail

    return thumbnail, THUMB


def test_the_queue_shows_a_large_photo_with_its_size(tmp_path, pillow_refuses_large_photos, gui_thumbnail):
    thumbnail, size = gui_thumbnail
    path = tmp_path / "scan.png"
    Image.fromarray(gradient()).save(path)
    assert pillow_alone_refuses(path)
    image, width, height, error, reading = thumbnail(path)
    assert error == "" and reading == ""  # (a still photo: nothing to tell about its reading)
    assert (width, height) == (W, H)
    assert not image.isNull() and max(image.width(), image.height()) == size


def test_the_queue_shows_a_gif_and_says_why_a_file_cannot_be_read(tmp_path, gui_thumbnail):
    thumbnail, _ = gui_thumbnail
    Image.fromarray(gradient(30, 40)).save(tmp_path / "web.gif")
    image, width, height, error, reading = thumbnail(tmp_path / "web.gif")
    assert (width, height, error, reading) == (40, 30, "", "") and not image.isNull()  # a still GIF
    (tmp_path / "notes.jpg").write_text("not a photo")
    image, width, height, error, reading = thumbnail(tmp_path / "notes.jpg")
    assert image.isNull() and (width, height) == (0, 0) and "notes.jpg" in error
