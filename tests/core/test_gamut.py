"""The ab plane the hint colour chooser shows: orientation, which colours exist at a lightness, picking."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from colorstudio.core import color, gamut


def test_the_plane_has_red_to_the_right_yellow_up_and_the_lightness_gray_in_the_middle():
    rgb, mask = gamut.ab_plane(60.0, size=200, extent=110.0)
    assert rgb.shape == (200, 200, 3) and rgb.dtype == np.uint8
    assert mask.shape == (200, 200) and mask.dtype == bool
    right, left = rgb[100, 150].astype(int), rgb[100, 50].astype(int)  # a = +-55, b about 0
    assert right[0] > right[1] + 60 and right[0] > left[0] + 60  # +a is reddish, -a is not
    up, down = rgb[50, 100].astype(int), rgb[150, 100].astype(int)  # b = +-55, a about 0
    assert up[0] > up[2] + 60 and up[1] > up[2] + 60  # +b is yellowish (red and green over blue)
    assert down[2] > down[0] and down[2] > up[2] + 60  # -b is bluish
    centre = rgb[99:101, 99:101].reshape(-1, 3).astype(int)
    assert mask[99:101, 99:101].all()
    assert (centre.max(axis=1) - centre.min(axis=1) <= 2).all()  # gray...
    lab = color.rgb_to_lab(rgb[99:101, 99:101])
    np.testing.assert_allclose(lab[..., 0], 60.0, atol=0.5)  # ...of that lightness


def test_only_the_colours_srgb_can_show_are_marked_displayable():
    _, mask = gamut.ab_plane(50.0, size=100)
    assert mask[45:55, 45:55].all()  # near gray: |a|, |b| < 11
    assert not mask[0, 0] and not mask[0, -1] and not mask[-1, 0] and not mask[-1, -1]  # |a| = |b| = 109
    assert 0.1 < mask.mean() < 0.6
    for extreme in (0.0, 100.0):
        assert gamut.ab_plane(extreme, size=100)[1].mean() < 0.005  # black and white have (almost) no colour
    # the mask agrees with the unclipped conversion
    _, mask = gamut.ab_plane(70.0, size=40)
    a, b = gamut.ab_at(30, 5, 40)
    linear = color.lab_to_linear_rgb(np.array([70.0, a, b], np.float32))
    assert mask[5, 30] == bool(((linear > -1e-4) & (linear < 1 + 1e-4)).all())


def test_the_plane_is_quick_enough_to_redraw_when_the_lightness_changes():
    gamut.ab_plane(40.0)
    started = time.perf_counter()
    for lightness in (20.0, 50.0, 80.0):
        gamut.ab_plane(lightness, size=200)
    assert (time.perf_counter() - started) / 3 < 0.06  # 20 ms is the aim; slack for a busy test machine


@pytest.mark.parametrize("size, extent", [(200, 110.0), (37, 80.0)])
def test_pixel_positions_and_ab_are_inverses(size, extent):
    assert gamut.ab_at(-0.5, -0.5, size, extent) == pytest.approx((-extent, extent))  # top-left corner
    assert gamut.ab_at(size - 0.5, size - 0.5, size, extent) == pytest.approx((extent, -extent))
    assert gamut.pixel_of(0.0, 0.0, size, extent) == pytest.approx(((size - 1) / 2, (size - 1) / 2))
    for px, py in [(0, 0), (3, size - 1), (size / 3, 12.25)]:
        assert gamut.pixel_of(*gamut.ab_at(px, py, size, extent), size, extent) == pytest.approx((px, py))


def test_the_nearest_displayable_colour_keeps_the_hue_and_only_loses_chroma():
    assert gamut.nearest_in_gamut(50.0, 10.0, -5.0) == (10.0, -5.0)  # already displayable: unchanged
    for lightness, a, b in [(50.0, 100.0, 100.0), (85.0, -90.0, 40.0), (20.0, 20.0, -110.0)]:
        assert not gamut.is_displayable(lightness, a, b)
        na, nb = gamut.nearest_in_gamut(lightness, a, b)
        assert gamut.is_displayable(lightness, na, nb)
        assert math.atan2(nb, na) == pytest.approx(math.atan2(b, a), abs=1e-4)
        chroma = math.hypot(na, nb)
        assert 5.0 < chroma < math.hypot(a, b)
        assert not gamut.is_displayable(lightness, na * 1.02, nb * 1.02)  # as much chroma as there is
    assert math.hypot(*gamut.nearest_in_gamut(100.0, 60.0, 60.0)) < 1.0  # white has no colour


def test_hex_colours_are_the_colours_a_result_would_show():
    assert gamut.rgb_hex(60.0, 0.0, 0.0) == "#919191"
    red = gamut.rgb_hex(50.0, 60.0, 40.0)
    r, g, b = (int(red[i:i + 2], 16) for i in (1, 3, 5))
    assert r > 200 and g < 90 and b < 90
    lab = color.rgb_to_lab(np.array([[[r, g, b]]], np.uint8))[0, 0]
    np.testing.assert_allclose(lab, [50, 60, 40], atol=1.5)
