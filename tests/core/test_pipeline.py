"""The colorize pipeline: tiling is invisible, memory is bounded, lightness is kept, errors are handled."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from doubles import ContextEcho, ConvDouble, HintEcho, OutOfMemoryDouble
from torch import nn

from colorstudio.core import color, tiling
from colorstudio.core import device as devices
from colorstudio.core.errors import Cancelled, ColorStudioError
from colorstudio.core.hints import ColorHint
from colorstudio.core.models.runtime import RuntimeModel
from colorstudio.core.pipeline import ColorizeOptions, colorize, render_shape
from colorstudio.core.run_control import RunControl

CPU = dict(device="cpu")


def smooth_image(h=256, w=700, dtype=np.uint8):
    y, x = np.mgrid[0:h, 0:w]
    v = (40 + 170 * (x / w) ** 1.5 + 20 * np.sin(y / 40.0)) / 255.0
    return np.round(v * np.iinfo(dtype).max).astype(dtype)


def textured_image(h=300, w=437, seed=0):
    rng = np.random.default_rng(seed)
    noise = rng.random((h // 8 + 1, w // 8 + 1)).astype(np.float32)
    return (np.kron(noise, np.ones((8, 8)))[:h, :w] * 255).astype(np.uint8)


class Blur(RuntimeModel, nn.Module):
    """Colour from a box blur of L with zero padding: strong tile-edge effects within ``r`` pixels."""

    size_multiple = 8
    uses_context = False
    accepts_hints = False

    def __init__(self, r: int) -> None:
        super().__init__()
        self.r = r

    def predict_ab(self, l, hints=None, context=None):
        m = F.avg_pool2d(l, 2 * self.r + 1, stride=1, padding=self.r, count_include_pad=True)
        return torch.cat([m * 0.6 - 0.1, 0.3 - m * 0.5], 1)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("render_size", [0, 200])
def test_tiled_equals_untiled_when_the_receptive_field_fits_in_the_overlap(dtype, render_size):
    model = ConvDouble(depth=3, kernel=5)  # radius 6 <= overlap / 4
    image = textured_image().astype(dtype) * (257 if dtype == np.uint16 else 1)
    untiled = colorize(image, model, ColorizeOptions(render_size=render_size, tile_size=1024, overlap=32, **CPU))
    tiled = colorize(image, model, ColorizeOptions(render_size=render_size, tile_size=96, overlap=32, **CPU))
    assert tiling.make_grid(*render_shape(300, 437, render_size), 96, 32, 8).count >= 6
    scale = 1.0 / np.iinfo(dtype).max
    assert np.abs(tiled.astype(np.float64) - untiled).max() * scale <= 1 / 255


def _column_gradient(rgb: np.ndarray) -> np.ndarray:
    ab = color.rgb_to_lab(rgb)[:, :, 1:]
    return np.abs(np.diff(ab, axis=1)).sum(-1).mean(0)


def _tile_edge_columns(height, width, options) -> np.ndarray:
    grid = tiling.make_grid(height, width, options.tile_size, options.overlap, 8)
    mask = np.zeros(width - 1, bool)
    for start in grid.cols.starts:
        for edge in (start - grid.margin, start + grid.cols.tile - grid.margin):
            for d in (-2, -1, 0, 1):
                if 0 <= edge + d < width - 1:
                    mask[edge + d] = True
    return mask


@pytest.mark.parametrize("radius", [12, 24, 40])
def test_no_seam_along_tile_borders(radius, monkeypatch):
    """The colour gradient at tile edges is no larger than elsewhere, even where tiles disagree."""
    image = smooth_image()
    options = ColorizeOptions(render_size=0, tile_size=128, overlap=64, **CPU)
    at_edges = _tile_edge_columns(*image.shape, options)
    gradient = _column_gradient(colorize(image, Blur(radius), options))
    assert gradient[at_edges].max() <= gradient[~at_edges].max()
    # The check is able to fail: with uniform weights (a plain average of overlapping tiles) it does.
    monkeypatch.setattr(tiling, "ramp", lambda size, before, after: np.ones(size, np.float32))
    gradient = _column_gradient(colorize(image, Blur(radius), options))
    assert gradient[at_edges].max() > 5 * gradient[~at_edges].max()


def test_lightness_is_kept_and_colour_input_is_recolorized_from_its_lightness():
    seen = []

    class Spy(ConvDouble):
        def predict_ab(self, l, hints=None, context=None):
            seen.append(l.clone())
            return super().predict_ab(l)

    rng = np.random.default_rng(1)
    sepia = np.stack([np.full((64, 80), v) for v in (200, 160, 110)], -1).astype(np.uint8)
    sepia = np.clip(sepia + rng.integers(-40, 40, (64, 80, 1)), 0, 255).astype(np.uint8)
    out = colorize(sepia, Spy(), ColorizeOptions(render_size=0, tile_size=128, overlap=0, **CPU))
    l_in = color.lightness(sepia)
    # the network saw the lightness only, and the output keeps it
    np.testing.assert_allclose(seen[0][0, 0, :64, :80].numpy() * color.L_SCALE, l_in, atol=1e-3)
    assert np.abs(color.rgb_to_lab(out)[:, :, 0] - l_in).mean() < 0.5
    # the sepia cast is gone: the output's colour is the model's, not the input's
    sepia_ab = color.rgb_to_lab(sepia)[:, :, 1:].mean((0, 1))
    assert np.abs(color.rgb_to_lab(out)[:, :, 1:].mean((0, 1)) - sepia_ab).max() > 5


def test_strength_scales_chroma_and_zero_gives_gray():
    image = textured_image()
    chroma = {}
    for strength in (0.0, 0.5, 1.0):
        out = colorize(image, ConvDouble(), ColorizeOptions(render_size=0, strength=strength, **CPU))
        ab = color.rgb_to_lab(out)[:, :, 1:]
        chroma[strength] = np.hypot(ab[..., 0], ab[..., 1]).mean()
    assert chroma[0.0] < 1.0
    assert 1.8 < chroma[1.0] / chroma[0.5] < 2.2


def test_render_size_shrinks_what_the_network_sees_but_not_the_output():
    seen = []

    class Spy(ConvDouble):
        def predict_ab(self, l, hints=None, context=None):
            seen.append(tuple(l.shape[-2:]))
            return super().predict_ab(l)

    image = textured_image(600, 900)
    out = colorize(image, Spy(), ColorizeOptions(render_size=300, tile_size=1024, overlap=0, **CPU))
    assert out.shape == (600, 900, 3)
    assert seen == [(200, 304)]  # 200 x 300 rounded up to the model's multiple of 8
    l_in = color.lightness(image)
    mid = (l_in > 15) & (l_in < 90)  # extreme tones can leave the sRGB gamut once coloured, and are clipped
    np.testing.assert_allclose(color.rgb_to_lab(out)[:, :, 0][mid], l_in[mid], atol=1.5)  # 8-bit rounding


def test_progress_per_tile_and_cancel_between_tiles():
    calls = []
    options = ColorizeOptions(render_size=0, tile_size=64, overlap=16, **CPU)
    colorize(textured_image(), ConvDouble(), options, control=RunControl(progress=lambda d, t: calls.append((d, t))))
    total = calls[-1][1]
    assert total > 10 and [d for d, _ in calls] == list(range(1, total + 1))

    checks = []

    def cancel_on_third():
        checks.append(1)
        return len(checks) >= 3

    with pytest.raises(Cancelled):
        colorize(textured_image(), ConvDouble(), options, control=RunControl(should_cancel=cancel_on_third))
    assert len(checks) == 3


def test_hints_reach_the_model_at_their_place_in_every_tile():
    image = np.full((200, 300), 128, np.uint8)
    hints = [ColorHint(x=40, y=30, a=50.0, b=-30.0), ColorHint(x=250, y=170, a=-30.0, b=40.0)]
    unspread = dict(render_size=0, tile_size=64, overlap=16, spread_hints=False, **CPU)
    out = colorize(image, HintEcho(), ColorizeOptions(**unspread), hints=hints)
    lab = color.rgb_to_lab(out)
    for hint in hints:
        np.testing.assert_allclose(lab[hint.y, hint.x, 1:], [hint.a, hint.b], atol=3.0)
    assert np.abs(lab[100, 150, 1:]).max() < 1.0  # no hint there
    half = colorize(image, HintEcho(), ColorizeOptions(**unspread | dict(render_size=150)), hints=hints)
    np.testing.assert_allclose(color.rgb_to_lab(half)[30, 40, 1:], [50.0, -30.0], atol=3.0)


def test_scene_context_is_computed_once_and_shared_by_all_tiles():
    model = ContextEcho()
    image = np.concatenate([np.full((128, 200), 30, np.uint8), np.full((128, 200), 220, np.uint8)], axis=1)
    out = colorize(image, model, ColorizeOptions(render_size=0, tile_size=64, overlap=16, **CPU))
    assert model.context_calls == 1
    ab = color.rgb_to_lab(out)[:, :, 1:]
    assert np.ptp(ab[..., 0]) < 1.0  # dark and bright tiles agree on the colour


def test_out_of_memory_retries_with_smaller_tiles_then_the_cpu(monkeypatch):
    image = textured_image()
    model = OutOfMemoryDouble(max_tile=128)
    notices = []
    options = ColorizeOptions(render_size=0, tile_size=512, overlap=32, tile_batch=2, min_tile_size=64, **CPU)
    out = colorize(image, model, options, control=RunControl(on_notice=notices.append))
    assert notices and "Out of memory" in notices[0]
    assert max(model.sizes[-3:]) <= 128  # finished with tiles that fit
    expected = colorize(image, ConvDouble(), ColorizeOptions(render_size=0, tile_size=128, overlap=32, **CPU))
    assert np.abs(out.astype(int) - expected).max() <= 1  # no stale or missing tile

    # On a GPU the last resort is the CPU; pretend this device is one.
    monkeypatch.setattr(devices, "is_accelerator", lambda device: True)
    model = OutOfMemoryDouble(max_tile=10_000, always=True)
    notices = []

    def notice(message):
        notices.append(message)
        if "on the CPU" in message:
            model.always = False

    colorize(image, model, options, control=RunControl(on_notice=notice))
    assert [n.split("again ")[1] for n in notices] == [
        "one tile at a time.", "with 256px tiles.", "with 128px tiles.", "with 64px tiles.", "on the CPU."]


def test_out_of_memory_on_the_cpu_with_smallest_tiles_is_a_clear_error():
    model = OutOfMemoryDouble(max_tile=0, always=True)
    with pytest.raises(ColorStudioError, match="Out of memory even with"):
        colorize(textured_image(), model, ColorizeOptions(render_size=0, tile_size=256, min_tile_size=64, **CPU))


def test_bad_input_and_options_are_refused():
    with pytest.raises(ColorStudioError):
        colorize(np.zeros((10, 10), np.float32), ConvDouble(), ColorizeOptions(**CPU))
    with pytest.raises(ColorStudioError):
        colorize(np.zeros((10, 10, 4), np.uint8), ConvDouble(), ColorizeOptions(**CPU))
    with pytest.raises(ColorStudioError, match="overlap"):
        colorize(np.zeros((10, 10), np.uint8), ConvDouble(), ColorizeOptions(tile_size=64, overlap=64, **CPU))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu():
    image = textured_image(h=900)  # several strips, composed on the GPU path's pool
    cpu = colorize(image, ConvDouble(), ColorizeOptions(render_size=0, tile_size=128, overlap=32, **CPU))
    gpu = colorize(image, ConvDouble(), ColorizeOptions(render_size=0, tile_size=128, overlap=32, device="cuda"))
    assert np.abs(cpu.astype(int) - gpu).max() <= 1


def test_rows_composed_on_threads_beside_the_network_are_the_rows_composed_in_line(monkeypatch):
    """On a GPU, streamed rows are composed on a pool while the network goes on; the photo is the same."""
    from concurrent.futures import ThreadPoolExecutor

    from colorstudio.core import pipeline

    image = textured_image(h=900, w=437)
    model = ConvDouble()
    model.colour_contrast = 0.8  # the colour response is applied on the pool's threads too
    options = ColorizeOptions(render_size=0, tile_size=128, overlap=32, **CPU)
    in_line = colorize(image, model, options)
    pools = []
    monkeypatch.setattr(pipeline, "_compose_pool", lambda device: pools.append(ThreadPoolExecutor(2)) or pools[-1])
    threaded = colorize(image, model, options)
    assert len(pools) == 1 and pools[0]._shutdown  # used, and no thread left behind
    assert np.array_equal(in_line, threaded)
    assert np.abs(in_line.astype(int) - colorize(image, ConvDouble(), options)).max() > 0  # the contrast counts


def test_restoration_cleans_the_lightness_that_is_kept():
    from colorstudio.core.restoration import PRESETS, restore

    rng = np.random.default_rng(5)
    image = (np.clip(smooth_image(200, 260).astype(np.float64) + rng.normal(0, 12, (200, 260)), 0, 255)).astype(np.uint8)
    options = ColorizeOptions(render_size=0, tile_size=128, overlap=32, restore=PRESETS["clean scan"], **CPU)
    out = colorize(image, ConvDouble(), options)
    restored, _ = restore(image, PRESETS["clean scan"])
    l_out = color.rgb_to_lab(out)[:, :, 0]
    assert np.abs(l_out - restored).mean() < 0.5
    assert np.abs(l_out - color.lightness(image)).mean() > 1.0  # the noise really was reduced
    plain = colorize(image, ConvDouble(), ColorizeOptions(render_size=0, tile_size=128, overlap=32, **CPU))
    assert np.abs(color.rgb_to_lab(plain)[:, :, 0] - color.lightness(image)).mean() < 0.5
