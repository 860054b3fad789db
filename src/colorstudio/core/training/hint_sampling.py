"""Random colour hints for training, sampled from the true colours (Zhang et al. 2017, "Real-Time
User-Guided Image Colorization with Learned Deep Priors").

A network only learns to follow hints it saw while training. Per photo: no hints at all with probability
``p_none`` (so it stays a good automatic colorizer), else a geometric number of points (mean
``mean_points``), each a small square patch (side 1, 3 or 5 px, as a person's click covers a few pixels)
carrying the patch's mean true colour. Hints that overlap are averaged.

Batch-wise on the training device (GPU or CPU), every draw from one ``torch.Generator``, so a run seeded
by (seed, step) makes the same hints again after a resume.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

RADII = (0, 1, 2)


def sample_hints(ab: Tensor, generator: torch.Generator, p_none: float = 0.5, mean_points: float = 8.0,
                 max_points: int = 32) -> Tensor:
    """True ab (N, 2, H, W) in network units -> hints (N, 3, H, W) = [a, b, mask]."""
    n, _, h, w = ab.shape
    device = ab.device

    def uniform(*shape: int) -> Tensor:
        return torch.rand(shape, generator=generator, device=device)

    # geometric count (>= 1) by inversion, zero for the hint-less photos, at most max_points
    p = 1.0 / mean_points
    count = torch.floor(torch.log1p(-uniform(n)) / torch.log1p(torch.tensor(-p, device=device))) + 1
    count = torch.where(uniform(n) < p_none, torch.zeros_like(count), count).clamp(max=max_points)
    used = torch.arange(max_points, device=device)[None, :] < count[:, None]  # (N, K)
    ys = (uniform(n, max_points) * h).long().clamp(max=h - 1)
    xs = (uniform(n, max_points) * w).long().clamp(max=w - 1)
    radius = (uniform(n, max_points) * len(RADII)).long().clamp(max=len(RADII) - 1)

    total = ab.new_zeros(n, 3, h, w)
    rows = torch.arange(n, device=device)[:, None].expand(-1, max_points)
    for r in RADII:
        pick = used & (radius == r)
        if not bool(pick.any()):
            continue
        k = 2 * r + 1
        # the patch's mean colour, read at its centre from a box-filtered copy of the truth
        mean_ab = F.avg_pool2d(ab, k, stride=1, padding=r, count_include_pad=False) if r else ab
        n_i, y_i, x_i = rows[pick], ys[pick], xs[pick]
        points = ab.new_zeros(n, 3, h, w)
        points[n_i, 0, y_i, x_i] = mean_ab[n_i, 0, y_i, x_i]
        points[n_i, 1, y_i, x_i] = mean_ab[n_i, 1, y_i, x_i]
        points[n_i, 2, y_i, x_i] = 1.0
        # spread each point over its square: a box sum, so overlapping patches add up (averaged below)
        total += F.conv2d(points, ab.new_ones(3, 1, k, k), padding=r, groups=3)
    weight = total[:, 2:3]
    covered = weight > 0
    colours = torch.where(covered, total[:, :2] / weight.clamp(min=1e-6), torch.zeros_like(total[:, :2]))
    return torch.cat([colours, covered.to(ab.dtype)], dim=1)
