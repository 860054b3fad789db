"""Colour hints spread over their region (edge-aware), exactly met at their point, and stopped by edges."""

from __future__ import annotations

import numpy as np

from colorstudio.core import color
from colorstudio.core.hint_spread import SpreadSettings, correction_field
from colorstudio.core.hints import ColorHint
from colorstudio.core.pipeline import ColorizeOptions, colorize

from doubles import ConvDouble

CPU = dict(device="cpu")


def two_regions(h=120, w=200):
    """L* 30 on the left, 80 on the right: one sharp edge at x = w / 2."""
    lightness = np.full((h, w), 30.0, np.float32)
    lightness[:, w // 2 :] = 80.0
    return lightness


def test_no_hints_no_correction():
    field = correction_field(two_regions(), np.zeros((120, 200, 2), np.float32), [])
    assert field.shape == (120, 200, 2) and not field.any()


def test_a_hint_recolours_its_region_and_hardly_crosses_an_edge():
    ab = np.full((120, 200, 2), [5.0, 5.0], np.float32)  # a muted prediction
    field = correction_field(two_regions(), ab, [ColorHint(x=30, y=60, a=45.0, b=-20.0)])
    np.testing.assert_allclose((ab + field)[60, 30], [45.0, -20.0], atol=1.0)  # exact at the hint
    left, right = field[:, :95], field[:, 105:]
    assert np.median(left[..., 0]) > 0.9 * 40.0  # the whole region, not only the point
    assert np.abs(right).max() < 0.1 * 40.0  # the edge holds it back


def test_hints_in_two_regions_each_keep_their_own_colour():
    ab = np.zeros((120, 200, 2), np.float32)
    hints = [ColorHint(x=20, y=20, a=30.0, b=0.0), ColorHint(x=180, y=100, a=0.0, b=-30.0)]
    field = correction_field(two_regions(), ab, hints)
    np.testing.assert_allclose(field[60, 50], [30.0, 0.0], atol=3.0)
    np.testing.assert_allclose(field[60, 150], [0.0, -30.0], atol=3.0)


def test_the_field_fades_with_distance_in_a_flat_photo():
    flat = np.full((100, 400), 50.0, np.float32)
    field = correction_field(flat, np.zeros((100, 400, 2), np.float32), [ColorHint(x=5, y=50, a=40.0, b=0.0)],
                             SpreadSettings(reach=0.1))
    near, far = field[50, 20, 0], field[50, 390, 0]
    assert near > 5.0 and far < 0.05 * near


def test_hints_outside_the_photo_are_ignored():
    field = correction_field(two_regions(), np.zeros((120, 200, 2), np.float32), [ColorHint(x=500, y=-3, a=9, b=9)])
    assert not field.any()


def test_colorize_spreads_hints_at_any_render_size_and_only_when_asked():
    image = (two_regions(90, 160) * 2.55).astype(np.uint8)  # gray values with the same edge
    hint = ColorHint(x=20, y=45, a=40.0, b=30.0)
    for render_size in (0, 100):
        options = ColorizeOptions(render_size=render_size, tile_size=64, overlap=16, **CPU)
        lab = color.rgb_to_lab(colorize(image, ConvDouble(), options, hints=[hint]))
        plain = color.rgb_to_lab(colorize(image, ConvDouble(), options))
        assert np.abs(plain[10:80, 5:70, 1:] - [40.0, 30.0]).min() > 10.0  # the model alone is far from it
        np.testing.assert_allclose(np.median(lab[10:80, 5:70, 1:], axis=(0, 1)), [40.0, 30.0], atol=3.0)
        assert np.abs(lab[:, 90:, 1:] - plain[:, 90:, 1:]).mean() < 4.0
    unspread = ColorizeOptions(render_size=0, tile_size=64, overlap=16, spread_hints=False, **CPU)
    lab = color.rgb_to_lab(colorize(image, ConvDouble(), unspread, hints=[hint]))
    plain = color.rgb_to_lab(colorize(image, ConvDouble(), unspread))
    assert np.array_equal(lab, plain)  # ConvDouble takes no hints: without the spread they change nothing
