"""The "old print" model: what becomes of a clean colour photo's lightness on an old black-and-white print.

The network is trained on clean colour photos but must colorize real old prints, so during training the
lightness it sees (L*/100) is degraded while the target stays the clean ab. Per image, drawn from the
caller's ``torch.Generator`` (same seed, same result), in the order things happen to a print:

1. Film (p 0.5): the lightness is recomputed from another mix of the linear RGB, between panchromatic
   film (Rec.709 luminance 0.2126 / 0.7152 / 0.0722) and orthochromatic film, blind to red
   (0.02 / 0.55 / 0.43): reds print dark, blue skies light.
2. Lens blur (p 0.5): Gaussian, sigma 0-1.5 px.
3. Film grain (p 0.8): Gaussian noise of std 0-0.05 (L/100 units), full strength in mid-tones and a third
   of it in black and white, grain 0-1 px (a blur of the noise).
4. Tone (p 0.8): gamma 0.7-1.4, faded contrast (black point raised by up to 0.2, white point lowered to
   0.85; both drawn as squared uniforms, so mostly mild); uneven exposure (p 0.5): a smooth
   multiplicative field (3x3 random grid, bicubic) of +-15 %; vignette (p 0.2): up to 30 % darker in the corners.
5. Dust and scratches (p 0.3): a few bright or dark specks (radius ~1-3 px) and 1-3 thin long lines,
   mostly near vertical. Creases and cracks (p 0.25): up to 4 jagged random walks of 96-384 px, half of them
   branching off another, 1-2 px of bare paper (0.8-1.0) with a slightly dark rim.
6. JPEG (p 0.5): 8x8 block DCT quantised with the standard luminance table at quality 35-90.

15 % of the images stay clean. ``strength`` scales every amount (0 returns ``l`` itself); the result is
clamped to [0, 1].
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from colorstudio.core import color
from colorstudio.core.training.lab_torch import lab_to_linear_rgb, linear_to_lightness

PANCHROMATIC = (0.2126, 0.7152, 0.0722)
ORTHOCHROMATIC = (0.02, 0.55, 0.43)
CLEAN_FRACTION = 0.15
_JPEG_LUMINANCE = torch.tensor([
    [16, 11, 10, 16, 24, 40, 51, 61], [12, 12, 14, 19, 26, 58, 60, 55],
    [14, 13, 16, 24, 40, 57, 69, 56], [14, 17, 22, 29, 51, 87, 80, 62],
    [18, 22, 37, 56, 68, 109, 103, 77], [24, 35, 55, 64, 81, 104, 113, 92],
    [49, 64, 78, 87, 103, 121, 120, 101], [72, 92, 95, 98, 112, 100, 103, 99]], dtype=torch.float32)


def film_lightness(l: torch.Tensor, ab: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """L/100 (N, 1, H, W) that film with channel sensitivities ``weights`` (N, 3), normalised to sum 1,
    records of the scene Lab(l * 100, ab * 110)."""
    lab = torch.cat([l * color.L_SCALE, ab * color.AB_SCALE], dim=1)
    linear = lab_to_linear_rgb(lab).clamp(0.0, 1.0)
    w = weights / weights.sum(dim=1, keepdim=True)
    y = (linear * w.view(-1, 3, 1, 1)).sum(dim=1, keepdim=True)
    return linear_to_lightness(y) / color.L_SCALE


def _gaussian_kernels(sigma: torch.Tensor, radius: int) -> torch.Tensor:
    """(N, 2 radius + 1) normalised 1-D Gaussians; sigma 0 gives the identity."""
    x = torch.arange(-radius, radius + 1, dtype=torch.float32, device=sigma.device)
    k = torch.exp(-x * x / (2 * sigma.clamp(min=1e-3).unsqueeze(1) ** 2))
    return k / k.sum(dim=1, keepdim=True)


def _blur(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Separable Gaussian blur of (N, 1, H, W) with a sigma per image (grouped convolution)."""
    n = x.shape[0]
    radius = max(1, math.ceil(3 * float(sigma.max())))
    k = _gaussian_kernels(sigma, radius)
    y = F.pad(x.reshape(1, n, *x.shape[2:]), (radius, radius, radius, radius), mode="replicate")
    y = F.conv2d(y, k.view(n, 1, 1, -1), groups=n)
    y = F.conv2d(y, k.view(n, 1, -1, 1), groups=n)
    return y.reshape(x.shape)


def _dct_matrix(device: torch.device) -> torch.Tensor:
    k = torch.arange(8, dtype=torch.float32, device=device).unsqueeze(1)
    i = torch.arange(8, dtype=torch.float32, device=device).unsqueeze(0)
    d = torch.cos((2 * i + 1) * k * math.pi / 16) * math.sqrt(2 / 8)
    d[0] /= math.sqrt(2)
    return d


def jpeg_tables(quality: torch.Tensor) -> torch.Tensor:
    """(N, 8, 8) libjpeg luminance quantisation tables for qualities (N,) in 1..100."""
    q = quality.clamp(1, 100)
    scale = torch.where(q < 50, 5000 / q, 200 - 2 * q)
    table = _JPEG_LUMINANCE.to(quality.device) * scale.view(-1, 1, 1)
    return torch.floor((table + 50) / 100).clamp(1, 255)


def jpeg(x: torch.Tensor, quality: torch.Tensor) -> torch.Tensor:
    """Block-DCT quantisation of (N, 1, H, W) in [0, 1] at per-image ``quality`` (N,): pads to a multiple
    of 8 (edge pixels repeated) and crops back."""
    n, _, h, w = x.shape
    ph, pw = -h % 8, -w % 8
    y = F.pad(x, (0, pw, 0, ph), mode="replicate") if ph or pw else x
    hb, wb = y.shape[2] // 8, y.shape[3] // 8
    blocks = y.reshape(n, hb, 8, wb, 8).permute(0, 1, 3, 2, 4) * 255.0 - 128.0
    d = _dct_matrix(x.device)
    table = jpeg_tables(quality).view(n, 1, 1, 8, 8)
    coef = torch.round(d @ blocks @ d.T / table) * table
    blocks = (d.T @ coef @ d + 128.0) / 255.0
    y = blocks.permute(0, 1, 3, 2, 4).reshape(n, 1, hb * 8, wb * 8)
    return y[:, :, :h, :w]


def _smooth_field(grid: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """(N, 1, g, g) random grid -> (N, 1, H, W) smooth field (bicubic)."""
    return F.interpolate(grid, size=(h, w), mode="bicubic", align_corners=True)


def _dust_and_scratches(x, gen, s, rand):
    """Specks and lines on the images ``sel`` (indices) of ``x``."""
    m, _, h, w = x.shape[0], *x.shape[1:]
    dev = x.device
    # specks: a sparse field of points, grown into soft discs of two sizes, bright or dark
    count = rand(m, lo=1, hi=12)
    seeds = torch.rand(m, 2, h, w, generator=gen, device=dev) < (count / (h * w)).view(m, 1, 1, 1)
    spots = torch.zeros(m, 1, h, w, device=dev)
    for j, sigma in enumerate((0.7, 1.6)):
        blob = _blur(seeds[:, j:j + 1].float(), torch.full((m,), sigma, device=dev)) * (2 * math.pi * sigma ** 2)
        spots = torch.maximum(spots, (blob * 1.5).clamp(max=1.0))
    bright = (rand(m) < 0.5).float().view(m, 1, 1, 1)
    alpha = spots * (rand(m, lo=0.5, hi=1.0) * s).view(m, 1, 1, 1)
    x = x * (1 - alpha) + alpha * bright
    # scratches: up to 3 thin lines, 70 % near vertical, the rest at any angle
    k = 3
    on = (torch.arange(k, device=dev).view(1, k) < rand(m, lo=1, hi=k + 1).floor().view(m, 1)).float()
    vertical = torch.rand(m, k, generator=gen, device=dev) < 0.7
    angle = torch.where(vertical, math.pi / 2 + (torch.rand(m, k, generator=gen, device=dev) - 0.5) * 0.15,
                        torch.rand(m, k, generator=gen, device=dev) * math.pi)
    cx = torch.rand(m, k, generator=gen, device=dev) * w
    cy = torch.rand(m, k, generator=gen, device=dev) * h
    half = (0.2 + 0.8 * torch.rand(m, k, generator=gen, device=dev)) * max(h, w) / 2
    width = 0.4 + 0.8 * torch.rand(m, k, generator=gen, device=dev)
    level = (torch.rand(m, k, generator=gen, device=dev) < 0.6).float()  # mostly bright (emulsion gone)
    strength = (0.3 + 0.6 * torch.rand(m, k, generator=gen, device=dev)) * on * s
    dx = torch.arange(w, device=dev, dtype=torch.float32).view(1, 1, 1, w) - cx.view(m, k, 1, 1)
    dy = torch.arange(h, device=dev, dtype=torch.float32).view(1, 1, h, 1) - cy.view(m, k, 1, 1)
    c, sn = torch.cos(angle).view(m, k, 1, 1), torch.sin(angle).view(m, k, 1, 1)
    across = dx * sn - dy * c
    along = (dx * c + dy * sn).abs()
    line = torch.exp(-across * across / (2 * width.view(m, k, 1, 1) ** 2))
    line = line * (half.view(m, k, 1, 1) - along).clamp(0, 8) / 8 * strength.view(m, k, 1, 1)
    for j in range(k):
        a = line[:, j:j + 1]
        x = x * (1 - a) + a * level[:, j].view(m, 1, 1, 1)
    return x


def cracks(x: torch.Tensor, gen: torch.Generator, s: float = 1.0, walks: int = 4, steps: int = 384) -> torch.Tensor:
    """Creases and cracks of a folded, handled print on ``x`` (M, 1, H, W): a few jagged random walks (half of
    them branching off an earlier one), one or two pixels wide, where the emulsion is gone and the paper shows
    through, light, with a slight dark edge (as in old-bw's cracked portraits)."""
    m, _, h, w = x.shape
    dev = x.device

    def rand(*shape):
        return torch.rand(shape, generator=gen, device=dev)

    # walk j starts anywhere, or (odd j) at a random point of walk j - 1: a branch
    start = rand(m, walks, 2) * torch.tensor([h, w], device=dev, dtype=torch.float32)
    heading = rand(m, walks) * 2 * math.pi
    turns = torch.randn((m, walks, steps), generator=gen, device=dev) * 0.12
    angle = heading.unsqueeze(-1) + torch.cumsum(turns, dim=-1)  # jagged: the direction wanders step by step
    step = torch.stack([torch.sin(angle), torch.cos(angle)], dim=-1)  # (m, walks, steps, 2), 1 px a step
    length = (0.25 + 0.75 * rand(m, walks)) * steps  # walks of different lengths
    alive = (torch.arange(steps, device=dev).view(1, 1, steps) < length.unsqueeze(-1)).float()
    path = torch.cumsum(step * alive.unsqueeze(-1), dim=2)
    fork = (rand(m, walks) * steps * 0.6).long()
    for j in range(1, walks, 2):
        start[:, j] = start[:, j - 1] + path[torch.arange(m, device=dev), j - 1, fork[:, j]]
    points = (start.unsqueeze(2) + path).round().long()  # (m, walks, steps, 2)
    inside = (points[..., 0] >= 0) & (points[..., 0] < h) & (points[..., 1] >= 0) & (points[..., 1] < w)
    used = (alive > 0) & inside & (rand(m, walks, 1) < 0.85)  # some images get fewer walks
    flat = points[..., 0].clamp(0, h - 1) * w + points[..., 1].clamp(0, w - 1)
    mask = torch.zeros(m, h * w, device=dev)
    mask.scatter_(1, flat.view(m, -1), used.view(m, -1).float())
    mask = mask.view(m, 1, h, w)
    wide = rand(m) < 0.5  # two pixels wide on half the prints
    mask = torch.where(wide.view(m, 1, 1, 1), F.max_pool2d(mask, 2, stride=1, padding=1)[..., :h, :w], mask)
    edge = (_blur(mask, torch.full((m,), 1.2, device=dev)) * 2).clamp(max=1) * (1 - mask)
    paper = (0.8 + 0.2 * rand(m)).view(m, 1, 1, 1)
    alpha = mask * ((0.6 + 0.4 * rand(m)) * s).view(m, 1, 1, 1)
    x = x * (1 - 0.25 * s * edge)  # the torn emulsion's darker rim
    return x * (1 - alpha) + alpha * paper


def degrade(l: torch.Tensor, ab: torch.Tensor, generator: torch.Generator, strength: float = 1.0,
            clean_fraction: float = CLEAN_FRACTION) -> torch.Tensor:
    """Old-print version of the lightness ``l`` (N, 1, H, W) in [0, 1] of photos with colours ``ab``
    (N, 2, H, W, ab / 110); every random choice from ``generator`` (on ``l``'s device)."""
    if strength == 0:
        return l
    n, _, h, w = l.shape
    dev, s = l.device, float(strength)

    def rand(*shape, lo=0.0, hi=1.0):
        return lo + (hi - lo) * torch.rand(*shape, generator=generator, device=dev)

    def chosen(p):  # (N,) bool: this step applies to these images
        return rand(n) < p

    def per_image(mask):
        return mask.view(n, 1, 1, 1)

    l = l.float()
    x = l
    # 1. film sensitivity
    use = chosen(0.5)
    t = rand(n, 1) * s
    weights = (1 - t) * torch.tensor(PANCHROMATIC, device=dev) + t * torch.tensor(ORTHOCHROMATIC, device=dev)
    if bool(use.any()):
        x = torch.where(per_image(use), film_lightness(l, ab.float(), weights), x)
    # 2. lens blur
    sigma = rand(n, hi=1.5 * s) * chosen(0.5)
    if float(sigma.max()) > 0.05:
        x = _blur(x, sigma)
    # 3. grain, strongest in mid-tones
    amount = rand(n, hi=0.05 * s) * chosen(0.8)
    size = rand(n, hi=1.0)
    if float(amount.max()) > 0:
        noise = torch.randn(n, 1, h, w, generator=generator, device=dev)
        if float(size.max()) > 0.05:
            noise = _blur(noise, size)
            radius = max(1, math.ceil(3 * float(size.max())))
            noise = noise / (_gaussian_kernels(size, radius) ** 2).sum(dim=1).view(n, 1, 1, 1)  # unit std again
        midtones = 1 / 3 + 2 / 3 * 4 * x * (1 - x)
        x = x + noise * midtones * amount.view(n, 1, 1, 1)
    # 4. tone: gamma, faded black and white points, uneven exposure, vignette
    tone = per_image(chosen(0.8)).float()
    gamma = torch.exp(rand(n, lo=math.log(0.7), hi=math.log(1.4)) * s).view(n, 1, 1, 1)
    # squared uniforms: the full fade is rare (real scans are mostly levelled), mild fading common
    black = (rand(n) ** 2 * 0.2 * s).view(n, 1, 1, 1) * tone
    white = 1 - (rand(n) ** 2 * 0.15 * s).view(n, 1, 1, 1) * tone
    x = x.clamp(0, 1)
    x = torch.where(tone > 0, x.pow(gamma), x)
    x = black + (white - black) * x
    uneven = chosen(0.5).float().view(n, 1, 1, 1)
    grid = rand(n, 1, 3, 3, lo=-0.15 * s, hi=0.15 * s) * uneven
    vignette = (rand(n, hi=0.3 * s) * chosen(0.2)).view(n, 1, 1, 1)
    if bool((uneven > 0).any()):
        x = x * (1 + _smooth_field(grid, h, w))
    if float(vignette.max()) > 0:
        yy = torch.linspace(-1, 1, h, device=dev).view(1, 1, h, 1)
        xx = torch.linspace(-1, 1, w, device=dev).view(1, 1, 1, w)
        x = x * (1 - vignette * (xx * xx + yy * yy) / 2)
    x = x.clamp(0, 1)
    # 5. dust and scratches
    dusty = chosen(0.3)
    if bool(dusty.any()):
        sel = dusty.nonzero().squeeze(1)
        x = x.clone()
        x[sel] = _dust_and_scratches(x[sel], generator, s, rand)
    # 5b. creases and cracks of a folded, handled print
    cracked = chosen(0.25)
    if bool(cracked.any()):
        sel = cracked.nonzero().squeeze(1)
        x = x.clone()
        x[sel] = cracks(x[sel], generator, s)
    # 6. JPEG
    compressed = chosen(0.5)
    quality = 100 - (100 - rand(n, lo=35, hi=90)) * s
    if bool(compressed.any()):
        sel = compressed.nonzero().squeeze(1)
        x = x.clone()
        x[sel] = jpeg(x[sel], quality[sel])
    clean = chosen(clean_fraction)
    x = torch.where(per_image(clean), l, x)
    return x.clamp(0, 1)


def degrade_photo(rgb: np.ndarray, seed: int, strength: float = 1.0) -> np.ndarray:
    """A uint8 (H, W, 3) photo with its true colours and old-print lightness (same size, any size)."""
    lab = color.rgb_to_lab(rgb)
    l = torch.from_numpy(np.ascontiguousarray(lab[:, :, 0])).view(1, 1, *lab.shape[:2]) / color.L_SCALE
    ab = torch.from_numpy(np.ascontiguousarray(lab[:, :, 1:].transpose(2, 0, 1)))[None] / color.AB_SCALE
    out = degrade(l, ab, torch.Generator().manual_seed(int(seed)), strength)
    return color.compose_rgb(out[0, 0].numpy() * np.float32(color.L_SCALE), lab[:, :, 1:], np.uint8)
