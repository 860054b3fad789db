"""sRGB <-> CIELab (D65) in torch, on batches (N, 3, H, W) float32 on any device.

Same conventions as :mod:`colorstudio.core.color` (L* in [0, 100], a*, b* roughly in [-110, 110]);
``rgb_to_lab`` returns exactly what its OpenCV-based ``rgb_to_lab`` does.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from colorstudio.core import color

_DIM = 33  # OpenCV's RGB->Lab table: 33 nodes a side
_BASE = 1 << 14  # its fixed point

_XYZ_TO_LINEAR_RGB = ((3.2404542, -1.5371385, -0.4985314),
                      (-0.9692660, 1.8760108, 0.0415560),
                      (0.0556434, -0.2040259, 1.0572252))
_WHITE_D65 = (0.95047, 1.0, 1.08883)
_EPS = 216.0 / 24389.0
_KAPPA = 24389.0 / 27.0
_DELTA = 6.0 / 29.0


def _mix(x: torch.Tensor, matrix) -> torch.Tensor:
    """Apply a 3x3 matrix to the channel axis (dim 1) of (N, 3, H, W)."""
    m = torch.tensor(matrix, dtype=x.dtype, device=x.device)
    return torch.einsum("ij,njhw->nihw", m, x)


def linear_to_lightness(y: torch.Tensor) -> torch.Tensor:
    """Relative luminance Y (any shape, 1 = white) -> L* in [0, 100] for Y in [0, 1]."""
    return torch.where(y > _EPS, 116.0 * torch.pow(y.clamp(min=_EPS), 1.0 / 3.0) - 16.0, _KAPPA * y)


@functools.cache
def _lab_nodes() -> torch.Tensor:
    """OpenCV's 33^3 RGB->Lab table, (33^3, 3) int32 in its fixed point (L*16384/100, (a+128)*64, (b+128)*64),
    index r + 33 g + 1089 b: read back from ``core.color.rgb_to_lab`` at the grid's own colours."""
    g = np.arange(_DIM, dtype=np.float32) / (_DIM - 1)
    b, gg, r = np.meshgrid(g, g, g, indexing="ij")
    lab = color.rgb_to_lab(np.stack([r, gg, b], -1).reshape(-1, 1, 3)).reshape(-1, 3).astype(np.float64)
    fixed = np.stack([lab[:, 0] * (_BASE / 100.0), (lab[:, 1] + 128) * (_BASE / 256.0),
                      (lab[:, 2] + 128) * (_BASE / 256.0)], -1)
    return torch.from_numpy(np.round(fixed).astype(np.int32))


_LUT_ON: dict[torch.device, torch.Tensor] = {}


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """sRGB (N, 3, H, W) in [0, 1] -> Lab (N, 3, H, W) float32: L in [0, 100], a, b.

    Bit-for-bit what ``core.color.rgb_to_lab`` (OpenCV's float RGB2Lab) returns: OpenCV interpolates a
    33^3 table trilinearly in fixed point (cell fraction in 1/16 steps), which differs from the exact
    formula by up to ~0.4; training inputs must match what inference feeds the network.
    """
    lut = _LUT_ON.get(rgb.device)
    if lut is None:
        lut = _LUT_ON[rgb.device] = _lab_nodes().to(rgb.device)
    q = torch.round(rgb.float().clamp(0.0, 1.0) * _BASE).to(torch.int32)
    t0 = q >> 9  # cell (16384 / 32 = 512 per cell)
    t1 = (t0 + 1).clamp(max=_DIM - 1)
    f1 = (q >> 5) & 15  # position inside the cell in 1/16
    f0 = 16 - f1
    acc = torch.zeros(rgb.shape[0], 3, *rgb.shape[2:], dtype=torch.int32, device=rgb.device)
    for dr in (0, 1):
        for dg in (0, 1):
            for db in (0, 1):
                idx = ((t1 if dr else t0)[:, 0] + _DIM * (t1 if dg else t0)[:, 1]
                       + _DIM * _DIM * (t1 if db else t0)[:, 2])
                w = (f1 if dr else f0)[:, 0] * (f1 if dg else f0)[:, 1] * (f1 if db else f0)[:, 2]
                acc += lut[idx].permute(0, 3, 1, 2) * w.unsqueeze(1)
    v = ((acc + 2048) >> 12).float()
    return torch.cat([v[:, 0:1] * (100.0 / _BASE), v[:, 1:3] * (256.0 / _BASE) - 128.0], dim=1)


def _finv(t: torch.Tensor) -> torch.Tensor:
    return torch.where(t > _DELTA, t * t * t, 3 * _DELTA * _DELTA * (t - 4.0 / 29.0))


def lab_to_linear_rgb(lab: torch.Tensor) -> torch.Tensor:
    """Lab (N, 3, H, W) -> linear-light sRGB (N, 3, H, W), NOT clipped (outside [0, 1] = out of gamut)."""
    lab = lab.float()
    fy = (lab[:, 0:1] + 16.0) / 116.0
    xyz = torch.cat([_finv(fy + lab[:, 1:2] / 500.0), _finv(fy), _finv(fy - lab[:, 2:3] / 200.0)], dim=1)
    white = torch.tensor(_WHITE_D65, dtype=xyz.dtype, device=xyz.device).view(1, 3, 1, 1)
    return _mix(xyz * white, _XYZ_TO_LINEAR_RGB)


def linear_to_srgb(linear: torch.Tensor) -> torch.Tensor:
    """Linear light -> sRGB-encoded in [0, 1] (clipped first)."""
    v = linear.clamp(0.0, 1.0)
    return torch.where(v <= 0.0031308, v * 12.92, 1.055 * torch.pow(v.clamp(min=0.0031308), 1 / 2.4) - 0.055)


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    """Lab (N, 3, H, W) -> sRGB in [0, 1] (out-of-gamut colours clipped)."""
    return linear_to_srgb(lab_to_linear_rgb(lab))
