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
