"""Colour hints spread over their region (edge-aware), exactly met at their point, and stopped by edges,
those of the photo's fine detail too (a change of texture, a thin line) where the lightness is the same on
both sides; one hint stays in its region; a patch hint holds its whole patch."""

from __future__ import annotations

import cv2
import numpy as np
from doubles import ConvDouble

from colorstudio.core import color
from colorstudio.core.hint_spread import SpreadSettings, correction_field
from colorstudio.core.hints import ColorHint
from colorstudio.core.pipeline import ColorizeOptions, colorize

CPU = {"device": "cpu"}


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


def soft_edge(h=300, w=500, step=16.0, blur=6):
    """L* 40 on the left, 40 + ``step`` on the right, the edge a ``blur``-pixel ramp (an out-of-focus
    border, as in a photo; a finer grid sees it as many small, leaky steps)."""
    x = np.arange(w, dtype=np.float32)
    ramp = np.clip((x - (w / 2 - blur / 2)) / blur, 0.0, 1.0)
    return np.repeat((40.0 + step * ramp)[None], h, axis=0)


def test_one_hint_does_not_flood_a_region_across_a_weak_edge():
    # The case a person meets with the first click: the former settings (reach 3 on a 256-cell grid)
    # tinted the right half with 0.92 of the hint's correction across this edge; its L* step is weak
    # against the photo's texture on a fine grid, and a single hint has no other hint to stop it.
    lightness = soft_edge()
    ab = np.full(lightness.shape + (2,), [4.0, 8.0], np.float32)  # a muted prediction on both sides
    hint = ColorHint(x=75, y=150, a=44.0, b=-12.0)
    field = correction_field(lightness, ab, [hint])
    correction = np.hypot(40.0, -20.0)
    moved = np.hypot(field[..., 0], field[..., 1]) / correction
    assert np.median(moved[:, :225]) > 0.9  # its own region takes the colour
    assert moved[:, 275:].max() < 0.1  # the other does not


def test_one_hint_does_not_tint_the_far_side_of_a_faint_edge():
    # A long photo, a sharp but faint edge (L* 50 | 60) halfway: the former settings gave the far half 0.86
    # of the correction of a hint near the left end.
    lightness = np.full((200, 800), 50.0, np.float32)
    lightness[:, 400:] = 60.0
    ab = np.zeros((200, 800, 2), np.float32)
    field = correction_field(lightness, ab, [ColorHint(x=60, y=100, a=40.0, b=-10.0)])
    np.testing.assert_allclose(field[100, 60], [40.0, -10.0], atol=1.0)
    moved = np.hypot(field[..., 0], field[..., 1]) / np.hypot(40.0, -10.0)
    assert np.median(moved[:, 20:360]) > 0.9
    assert moved[:, 440:].max() < 0.15


def same_lightness(h=768, w=1024, textured_left=0.0, line=0.0, seed=0):
    """Two regions of one mean L* (25, dark) meeting at x = 543 (a pixel off a grid cell's border): the left
    woven (fine texture of ``textured_left`` L* standard deviation) and/or a 2-pixel line ``line`` L*
    brighter between them; a little grain everywhere. Returns (L*, x of the border)."""
    rng = np.random.default_rng(seed)

    def grain(amount, blur):
        noise = cv2.GaussianBlur(rng.normal(0.0, 1.0, (h, w)).astype(np.float32), (0, 0), blur)
        return noise * np.float32(amount / noise.std())

    lightness = 25.0 + grain(0.7, 1.0)
    border = 543
    lightness[:, :border] += grain(textured_left, 1.5)[:, :border] if textured_left else 0.0
    lightness[:, border : border + 2] += line
    return lightness, border


def moved_share(lightness, hint, prediction=(3.0, 6.0)):
    """How much of the hint's correction each pixel gets (1: all of it), with a muted, uniform prediction."""
    ab = np.full(lightness.shape + (2,), prediction, np.float32)
    field = correction_field(lightness, ab, [hint])
    return np.hypot(field[..., 0], field[..., 1]) / np.hypot(hint.a - prediction[0], hint.b - prediction[1])


def test_a_hint_on_a_dark_suit_stays_off_the_dark_shadow_beside_it():
    # Issue 32 (15): a blue hint on a dark suit turned the dark wall shadow beside it blue-violet. Same
    # lightness on both sides: only the suit's texture tells them apart. The lightness-only spread gave the
    # shadow 0.89 of the hint's correction (41 of its 47 ab units); the fine detail's edge holds it to 0.00.
    lightness, border = same_lightness(textured_left=6.0)
    assert abs(lightness[:, :border].mean() - lightness[:, border:].mean()) < 0.5
    moved = moved_share(lightness, ColorHint(x=200, y=380, a=-5.0, b=-40.0))
    assert np.median(moved[:, : border - 40]) > 0.9  # the whole suit, texture and all
    assert moved[:, border + 40 :].max() < 0.15  # not the shadow


def test_a_thin_line_between_two_regions_of_one_lightness_holds_a_hint():
    # A 2-pixel light line (a seam, an outline) between two smooth regions of the same lightness: the cells'
    # mean lightness hardly sees it; the lightness-only spread gave the far side 0.93 of the correction
    # (43 ab units), the fine detail's edge 0.00.
    lightness, border = same_lightness(line=18.0)
    moved = moved_share(lightness, ColorHint(x=200, y=380, a=-5.0, b=-40.0))
    assert np.median(moved[:, : border - 40]) > 0.9
    assert moved[:, border + 40 :].max() < 0.15


def test_a_patch_hint_pins_its_patch_to_the_patch_mean_correction():
    lightness = np.full((128, 128), 50.0, np.float32)
    ab = np.zeros((128, 128, 2), np.float32)
    ab[:, 64:, 0] = 20.0  # the prediction changes inside the patch: 0 on its left, 20 on its right
    patch = ColorHint(x=64, y=64, a=30.0, b=10.0, radius=16)
    inner = (slice(52, 77), slice(52, 77))  # the patch, less a cell at its border
    mean_prediction = ab[48:81, 48:81].reshape(-1, 2).mean(axis=0)  # the 33 x 33 patch
    shift_only = correction_field(lightness, ab, [patch], SpreadSettings(replace=0.0))
    # every cell of the patch holds the hint minus the patch's mean prediction, not minus its centre pixel
    np.testing.assert_allclose(shift_only[inner].reshape(-1, 2), np.tile([30.0, 10.0] - mean_prediction, (625, 1)),
                               atol=0.5)
    point = correction_field(lightness, ab, [ColorHint(x=64, y=64, a=30.0, b=10.0)], SpreadSettings(replace=0.0))
    np.testing.assert_allclose(point[64, 64], [10.0, 10.0], atol=0.5)  # a point: minus the pixel it is on
    # as shown (the default share of the prediction replaced), the patch's mean colour is the hint's
    shown = ab + correction_field(lightness, ab, [patch])
    np.testing.assert_allclose(shown[48:81, 48:81].reshape(-1, 2).mean(axis=0), [30.0, 10.0], atol=1.0)


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
