"""Colour arithmetic on chroma."""

from __future__ import annotations

import numpy as np

from colorstudio.core import color


def test_colour_contrast_makes_sure_colours_bolder_and_unsure_ones_fainter_keeping_the_hue():
    ab = np.array([[[3.0, 4.0], [6.0, 8.0], [12.0, 16.0], [0.0, 0.0], [300.0, 0.0]]], np.float32)  # C 5, 10, 20, 0, 300
    assert color.expand_chroma(ab, 0.0) is ab
    out = color.expand_chroma(ab, 1.0)
    chroma = np.hypot(out[..., 0], out[..., 1])[0]
    np.testing.assert_allclose(chroma[:3], [2.5, 10.0, 40.0], rtol=1e-5)  # C * (C / 10)
    assert chroma[3] == 0.0 and chroma[4] == 900.0  # gray stays gray; the boost is capped at 3-fold
    np.testing.assert_allclose(out[0, :3] / chroma[:3, None], ab[0, :3] / np.array([5.0, 10.0, 20.0])[:, None],
                               rtol=1e-5)  # same hue


def _reference_join(l_channel: np.ndarray, ab: np.ndarray, max_value: int) -> np.ndarray:
    """The join by the textbook formulas in float64: Lab -> linear sRGB, the chroma reduced to the gamut's
    edge where a channel leaves [0, 1] (bisected to convergence), then the sRGB curve, rounded."""
    def linear(l, a, b):
        fy = (l + 16) / 116
        f = np.stack([fy + a / 500, fy, fy - b / 200], axis=-1)
        d = 6 / 29
        xyz = np.where(f > d, f ** 3, 3 * d * d * (f - 4 / 29)) * np.array([0.95047, 1.0, 1.08883])
        m = np.array([[3.2404542, -1.5371385, -0.4985314], [-0.9692660, 1.8760108, 0.0415560],
                      [0.0556434, -0.2040259, 1.0572252]])
        return xyz @ m.T

    l, a, b = (np.asarray(v, np.float64) for v in (l_channel, ab[..., 0], ab[..., 1]))
    lo, hi = np.zeros_like(l), np.ones_like(l)
    def inside(s):
        return ((linear(l, a * s, b * s) >= -1e-4) & (linear(l, a * s, b * s) <= 1 + 1e-4)).all(-1)
    whole = inside(np.ones_like(l))
    for _ in range(30):
        mid = (lo + hi) / 2
        ok = inside(mid)
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    s = np.where(whole, 1.0, lo)
    v = np.clip(linear(l, a * s, b * s), 0, 1)
    encoded = np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)
    return np.floor(encoded * max_value + 0.5).astype(np.int64)


def test_the_join_matches_the_formulas_and_keeps_gray_exact():
    rng = np.random.default_rng(5)
    l_channel = rng.uniform(0, 100, (64, 300)).astype(np.float32)
    ab = (rng.normal(0, 25, (64, 300, 2))).astype(np.float32)  # many colours outside the gamut too
    for dtype, max_value in ((np.uint8, 255), (np.uint16, 65535)):
        got = color.compose_rgb(l_channel, ab, dtype).astype(np.int64)
        want = _reference_join(l_channel, ab, max_value)
        inside = (np.abs(got - want) <= max_value / 255).all(-1)  # within one 8-bit level
        assert inside.mean() > 0.995, (dtype, inside.mean())
        # the rest are colours at the bisection's edge: one halving more or less of a tiny channel
        gray = np.arange(max_value + 1, dtype=dtype)[None, ::1 if dtype == np.uint8 else 97]
        back = color.compose_rgb(color.lightness(gray), np.zeros(gray.shape + (2,), np.float32), dtype)
        assert np.array_equal(back, np.repeat(gray[..., None], 3, axis=2))  # the photo's own tones, exactly


def test_colours_outside_the_gamut_lose_chroma_not_lightness():
    # saturated blue at L* 90 and green at L* 15 exist on no screen: the join must keep their lightness
    l_channel = np.array([[90.0, 15.0]], np.float32)
    ab = np.array([[[20.0, -90.0], [-80.0, 60.0]]], np.float32)
    out = color.compose_rgb(l_channel, ab, np.uint8)
    l_back = color.rgb_to_lab(out)[0, :, 0]
    np.testing.assert_allclose(l_back, l_channel[0], atol=1.0)
    ab_back = color.rgb_to_lab(out)[0, :, 1:]
    assert (np.sign(ab_back) == np.sign(ab[0])).all()  # the hue's direction survives, less saturated
    assert (np.hypot(*ab_back.T) < np.hypot(*ab[0].T)).all()


def test_a_colour_just_outside_the_gamut_comes_out_like_one_just_inside():
    # seen on photos-val: PyTorch and OpenVINO gave this pixel ab differing by 5e-6, one a hair inside the
    # gamut, the other a hair outside; the outside one lost a whole bisection step of chroma (1/128) and its
    # red channel jumped from 0 to 3 at the steep dark end of the sRGB curve
    l_channel = np.array([[36.853027]], np.float32)
    inside = np.array([[[-1.9114827, -124.448654]]], np.float32) * np.float32(0.3)
    outside = np.array([[[-1.9114771, -124.4487]]], np.float32) * np.float32(0.3)
    a = color.compose_rgb(l_channel, inside, np.uint8).astype(int)
    b = color.compose_rgb(l_channel, outside, np.uint8).astype(int)
    assert np.abs(a - b).max() <= 1, (a, b)
