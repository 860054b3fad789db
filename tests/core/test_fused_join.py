"""The full-resolution join in one pass a pixel (``core/fused_join.py``): the same colours as the formulas and
as the OpenCV path it replaces, and that path kept where numba cannot run."""

from __future__ import annotations

import logging
import sys

import cv2
import numpy as np
import pytest
from test_color import _reference_join

from colorstudio.core import color, fused_join, pipeline


def _fused(l_channel: np.ndarray, ab_render: np.ndarray, out_h: int | None = None, y0: int = 0) -> np.ndarray:
    out = np.empty(l_channel.shape + (3,), np.uint8)
    fused_join.join_rows(l_channel, ab_render, y0, out_h or l_channel.shape[0], out)
    return out


def _opencv(l_channel: np.ndarray, ab_render: np.ndarray, out_h: int, y0: int = 0) -> np.ndarray:
    """The path the fused join replaces: ``_upsample_rows`` with a dummy L, the photo's L in, ``compose_lab``."""
    lab = np.zeros(ab_render.shape[:2] + (3,), np.float32)
    lab[..., 1:] = ab_render
    strip = pipeline._upsample_rows(lab, y0, y0 + l_channel.shape[0], out_h, l_channel.shape[1])
    strip[..., 0] = l_channel
    return color.compose_lab(strip, np.uint8)


@pytest.fixture(autouse=True)
def _kernel():
    assert fused_join.available(), fused_join._state  # numba is a dependency: here it must run


def test_the_fused_join_matches_the_formulas_and_keeps_gray_exact():
    rng = np.random.default_rng(5)
    l_channel = rng.uniform(0, 100, (64, 300)).astype(np.float32)
    ab = rng.normal(0, 25, (64, 300, 2)).astype(np.float32)  # many colours outside the gamut too
    got = _fused(l_channel, ab).astype(np.int64)  # chroma at the output size: no upsampling
    want = _reference_join(l_channel, ab, 255)
    assert np.abs(got - want).max() <= 1
    assert (got == want).all(-1).mean() > 0.99  # the rest: a bisection of 12 halvings against one to convergence
    gray = np.arange(256, dtype=np.uint8)[None]
    back = _fused(color.lightness(gray), np.zeros((1, 256, 2), np.float32))
    assert np.array_equal(back, np.repeat(gray[..., None], 3, axis=2))  # the photo's own tones, exactly


def test_colours_outside_the_gamut_lose_chroma_not_lightness():
    l_channel = np.array([[90.0, 15.0, 36.853027, 36.853027]], np.float32)
    ab = np.array([[[20.0, -90.0], [-80.0, 60.0],
                    [-1.9114827 * 0.3, -124.448654 * 0.3], [-1.9114771 * 0.3, -124.4487 * 0.3]]], np.float32)
    out = _fused(l_channel, ab)
    lab = color.rgb_to_lab(out[:, :2])[0]
    np.testing.assert_allclose(lab[:, 0], l_channel[0, :2], atol=1.0)
    assert (np.sign(lab[:, 1:]) == np.sign(ab[0, :2])).all()
    assert (np.hypot(*lab[:, 1:].T) < np.hypot(*ab[0, :2].T)).all()
    # a colour a hair outside comes out like one a hair inside (test_color's bisection edge)
    assert np.abs(out[0, 2].astype(int) - out[0, 3]).max() <= 1


@pytest.mark.parametrize("shape, render", [((1537, 2050), (768, 1024)), ((300, 200), (300, 200)),
                                           ((97, 1301), (13, 160))])
def test_the_upsampled_join_gives_the_opencv_paths_colours(shape, render):
    rng = np.random.default_rng(1)
    # smooth chroma like a model's, bold enough that some of it leaves the gamut; a textured scan
    coarse = rng.normal(0, 30, (6, 8, 2)).astype(np.float32)
    ab = cv2.resize(coarse, render[::-1], interpolation=cv2.INTER_CUBIC)
    scan = cv2.resize(rng.integers(0, 256, (40, 50), dtype=np.uint8), shape[::-1], interpolation=cv2.INTER_CUBIC)
    height = shape[0]
    for y0, y1 in ((0, min(256, height)), (height // 2, height // 2 + 7), (height - 5, height)):
        l_channel = color.lightness(scan[y0:y1])
        got = _fused(l_channel, ab, height, y0).astype(int)
        want = _opencv(l_channel, ab, height, y0)
        assert np.abs(got - want).max() <= 1, (y0, y1)
        assert (got == want).all(-1).mean() > 0.99  # OpenCV rounds its own way: 1 level apart, now and then


def test_the_composer_uses_it_and_keeps_the_opencv_path_where_numba_cannot_run(monkeypatch, caplog):
    rng = np.random.default_rng(2)
    image = cv2.resize(rng.integers(0, 256, (30, 40), dtype=np.uint8), (1600, 1200), interpolation=cv2.INTER_CUBIC)
    ab = cv2.resize(rng.normal(0, 30, (5, 6, 2)).astype(np.float32), (512, 384), interpolation=cv2.INTER_CUBIC)

    def finish():
        composer = pipeline._Composer(image, (384, 512), 1.0)
        composer.ab_render[:] = ab
        return composer.finish()

    calls = []
    kernel = fused_join.join_rows
    monkeypatch.setattr(fused_join, "join_rows", lambda *args: calls.append(args[2]) or kernel(*args))
    fast = finish()
    assert sorted(calls) == list(range(0, 1200, pipeline.STRIP_ROWS))  # every strip, once

    # numba missing (or failing to compile): said once in the log, and the OpenCV path gives the colours
    monkeypatch.setattr(fused_join, "_state", None)
    monkeypatch.setitem(sys.modules, "numba", None)
    monkeypatch.delitem(sys.modules, "colorstudio.core._join_kernel", raising=False)
    with caplog.at_level(logging.INFO, logger="colorstudio.core.fused_join"):
        slow = finish()
        finish()
    assert not fused_join.available()
    assert len(calls) == len(range(0, 1200, pipeline.STRIP_ROWS))  # not called again
    assert sum("not available" in r.getMessage() for r in caplog.records) == 1
    assert np.abs(fast.astype(int) - slow).max() <= 1
    assert (fast == slow).all(-1).mean() > 0.99


def test_the_compiled_kernel_is_kept_in_colorstudios_cache_folder_and_nowhere_else(tmp_path):
    import os
    import subprocess

    home, user = tmp_path / "colorstudio-home", tmp_path / "user-home"
    user.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(COLORSTUDIO_HOME=str(home), HOME=str(user), XDG_CACHE_HOME=str(user / ".cache"))
    code = "from colorstudio.core import fused_join; assert fused_join.available(), fused_join._state"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    assert any((home / "cache" / "numba").rglob("*.nbi"))  # numba's index of the cached machine code
    assert not any(user.iterdir())  # not ~/.cache/numba, nothing else in the user's home
