"""The hint tool's live preview is the batch pipeline at screen size: quick (spread only) and exact (the
network sees the hints too) both match ``colorize`` on the shrunk photo, and the exact one can be stopped."""

from __future__ import annotations

import numpy as np
import pytest
from doubles import ConvDouble, HintEcho

from colorstudio.core import color
from colorstudio.core.errors import Cancelled
from colorstudio.core.hint_preview import HintPreview, screen_size
from colorstudio.core.hints import ColorHint
from colorstudio.core.pipeline import ColorizeOptions, colorize
from colorstudio.core.run_control import RunControl

OPTIONS = ColorizeOptions(device="cpu", render_size=96, tile_size=64, overlap=16)


def photo(h=300, w=400):
    """Two regions of different lightness, side by side, with some texture."""
    rng = np.random.default_rng(0)
    pixels = np.full((h, w), 70, np.uint8)
    pixels[:, w // 2 :] = 190
    return (pixels + rng.integers(0, 6, (h, w))).astype(np.uint8)


def test_quick_preview_is_the_pipeline_at_screen_size_with_the_hints_spread():
    pixels = photo()
    hints = [ColorHint(x=60, y=150, a=40.0, b=25.0, radius=6)]  # photo pixels
    preview = HintPreview(ConvDouble(), pixels, OPTIONS, side=200)
    view = screen_size(pixels, 200)
    assert preview.view.shape == view.shape == (150, 200) and preview.scale == 0.5
    options = ColorizeOptions(device="cpu", render_size=96, tile_size=64, overlap=16)
    expected = colorize(view, ConvDouble(), options, hints=[h.scaled(0.5) for h in hints])
    shown = preview.quick(hints)
    assert np.abs(shown.astype(int) - expected).max() <= 1
    # the hint's region took its colour; without hints, the plain colours
    lab = color.rgb_to_lab(shown)
    np.testing.assert_allclose(np.median(lab[20:130, 10:90, 1:], axis=(0, 1)), [40.0, 25.0], atol=4.0)
    assert np.abs(preview.quick([]).astype(int) - colorize(view, ConvDouble(), options)).max() <= 1


def test_exact_preview_lets_the_network_see_the_hints():
    pixels = photo()
    hints = [ColorHint(x=300, y=100, a=-30.0, b=40.0)]
    preview = HintPreview(HintEcho(), pixels, OPTIONS, side=200)
    scaled = [h.scaled(preview.scale) for h in hints]
    options = ColorizeOptions(device="cpu", render_size=96, tile_size=64, overlap=16, spread_hints=False)
    seen = colorize(preview.view, HintEcho(), options, hints=scaled)  # the network's own answer to the hint
    assert np.abs(color.rgb_to_lab(seen)[..., 1:]).max() > 10  # HintEcho paints the hint's square
    expected = colorize(preview.view, HintEcho(), OPTIONS, hints=scaled)
    assert np.abs(preview.quick(hints).astype(int) - expected).max() > 10  # so the exact one is needed
    assert np.abs(preview.exact(hints).astype(int) - expected).max() <= 1


def test_an_exact_preview_stops_between_tiles_when_a_newer_edit_arrives():
    preview = HintPreview(HintEcho(), photo(), OPTIONS, side=200)
    calls = []

    def newer_edit() -> bool:
        calls.append(1)
        return len(calls) > 1  # the edit arrives while the first tiles run

    with pytest.raises(Cancelled):
        preview.exact([ColorHint(x=10, y=10, a=20.0, b=20.0)], RunControl(should_cancel=newer_edit))


def test_the_preview_never_runs_the_network_larger_than_it_shows():
    preview = HintPreview(ConvDouble(), photo(600, 800), ColorizeOptions(device="cpu", render_size=0), side=256)
    assert preview.options.render_size == 256 and preview.view.shape == (192, 256)
