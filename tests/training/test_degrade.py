"""The torch Lab conversions and the "old print" degradation."""

from __future__ import annotations

import numpy as np
import torch

from colorstudio.core import color
from colorstudio.core.training import lab_torch
from colorstudio.core.training.degrade import (
    ORTHOCHROMATIC,
    PANCHROMATIC,
    degrade,
    degrade_photo,
    film_lightness,
    jpeg,
)


def _to_nchw(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None]


def _batch(n=3, h=40, w=48, seed=0):
    rgb = np.random.default_rng(seed).random((n, h, w, 3)).astype(np.float32)
    lab = np.stack([color.rgb_to_lab(x) for x in rgb])
    lab_t = torch.from_numpy(lab).permute(0, 3, 1, 2)
    return lab_t[:, :1] / color.L_SCALE, lab_t[:, 1:] / color.AB_SCALE


def test_lab_torch_matches_core_color():
    rgb = np.random.default_rng(1).random((30, 40, 3)).astype(np.float32)
    rgb[0, :6] = [[0, 0, 0], [1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5]]
    ref = color.rgb_to_lab(rgb)
    got = lab_torch.rgb_to_lab(_to_nchw(rgb))[0].permute(1, 2, 0).numpy()
    assert np.abs(got - ref).max() < 0.01
    linear = lab_torch.lab_to_linear_rgb(_to_nchw(ref))[0].permute(1, 2, 0).numpy()
    assert np.abs(linear - color.lab_to_linear_rgb(ref)).max() < 1e-4
    y = torch.linspace(0, 1, 101)
    expected = np.array([color.lightness(np.full((1, 1), v, np.float32))[0, 0] for v in
                         color.linear_to_srgb(y.numpy())])
    assert np.abs(lab_torch.linear_to_lightness(y).numpy() - expected).max() < 0.01


def test_deterministic_per_seed_and_different_across_seeds():
    l, ab = _batch(n=8)
    a = degrade(l, ab, torch.Generator().manual_seed(5))
    b = degrade(l, ab, torch.Generator().manual_seed(5))
    c = degrade(l, ab, torch.Generator().manual_seed(6))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_strength_zero_is_identity_and_shape_range():
    l, ab = _batch(n=4, h=37, w=53)
    assert degrade(l, ab, torch.Generator().manual_seed(0), strength=0.0) is l
    out = degrade(l, ab, torch.Generator().manual_seed(0))
    assert out.shape == l.shape and out.dtype == torch.float32
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    assert not torch.equal(out, l)


def test_orthochromatic_film_prints_red_darker():
    lab = color.rgb_to_lab(np.full((4, 4, 3), [0.9, 0.1, 0.1], np.float32))
    lab_t = _to_nchw(lab)
    l, ab = lab_t[:, :1] / color.L_SCALE, lab_t[:, 1:] / color.AB_SCALE
    pan = film_lightness(l, ab, torch.tensor([PANCHROMATIC]))
    ortho = film_lightness(l, ab, torch.tensor([ORTHOCHROMATIC]))
    assert torch.allclose(pan, l, atol=0.01)  # panchromatic = the photo's own lightness
    assert float(ortho.mean()) < float(pan.mean()) - 0.1


def test_jpeg_makes_blocks_on_a_smooth_gradient():
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 64), torch.linspace(0, 1, 64), indexing="ij")
    x = (0.2 + 0.3 * xx + 0.2 * yy + 0.1 * xx * yy)[None, None]
    out = jpeg(x, torch.tensor([30.0]))
    d = (out[0, 0, :, 1:] - out[0, 0, :, :-1]).abs()
    at = (torch.arange(63) % 8) == 7
    assert float(d[:, at].mean()) > 2 * float(d[:, ~at].mean())
    assert torch.allclose(jpeg(x, torch.tensor([100.0])), x, atol=3 / 255)


def test_degrade_photo_keeps_hue_and_odd_size():
    rgb = np.zeros((37, 45, 3), np.uint8)
    rgb[:, :15] = [200, 30, 30]  # red: a > 0
    rgb[:, 15:30] = [30, 60, 200]  # blue: b < 0
    rgb[:, 30:] = [40, 170, 40]  # green: a < 0
    for seed in range(4):
        out = degrade_photo(rgb, seed)
        assert out.shape == rgb.shape and out.dtype == np.uint8
        src, got = color.rgb_to_lab(rgb), color.rgb_to_lab(out)
        inner = (slice(3, -3), slice(3, 12)), (slice(3, -3), slice(18, 27)), (slice(3, -3), slice(33, 42))
        for region, channel in zip(inner, (1, 2, 1)):
            s, g = src[region][..., channel], got[region][..., channel]
            strong = np.abs(g) > 2
            assert (np.sign(g[strong]) == np.sign(s[strong])).all()
            assert np.median(np.abs(g)) > 5


def test_cracks_are_thin_light_connected_lines_drawn_by_the_generator():
    from scipy import ndimage

    from colorstudio.core.training.degrade import cracks

    x = torch.full((6, 1, 128, 128), 0.3)
    y = cracks(x, torch.Generator().manual_seed(4))
    assert torch.equal(y, cracks(x, torch.Generator().manual_seed(4)))  # seeded
    light = (y - x > 0.2)[:, 0].numpy()
    assert light.any(axis=(1, 2)).sum() >= 4  # most prints get cracks
    for mask in light:
        if mask.any():
            assert mask.mean() < 0.08  # thin lines, not a wash
            # long runs: the light pixels form a few connected curves, not scattered specks
            labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
            assert mask.sum() / count > 15
