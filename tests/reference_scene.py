"""The colour scene the reference-photo tests colour from (core, folder, command line, cluster, window)."""

from __future__ import annotations

import numpy as np

from colorstudio.core import color

SKY_AB, BRICK_AB, GRASS_AB = (-5.0, -40.0), (45.0, 30.0), (-40.0, 45.0)


def colour_scene(seed: int = 0) -> np.ndarray:
    """A colour scene (192, 256, 3): a smooth blue sky over a dark colourless band, red bricks beside green
    grass (fine noise)."""
    rng = np.random.default_rng(seed)
    h, w = 192, 256
    lab = np.zeros((h, w, 3), np.float32)
    lab[..., 0] = 70 + 15 * np.linspace(0, 1, h)[:, None]
    yy, xx = np.mgrid[0:h, 0:w]
    bricks = ((yy // 12) % 2 == 0) ^ ((xx + 12 * ((yy // 12) % 2)) % 24 < 2)
    lab[96:, :128, 0] = np.where(bricks[96:, :128], 45, 30) + rng.normal(0, 2, (96, 128))
    lab[96:, 128:, 0] = 50 + rng.normal(0, 9, (96, 128))
    lab[:80, :, 1:] = SKY_AB
    lab[96:, :128, 1:] = BRICK_AB
    lab[96:, 128:, 1:] = GRASS_AB
    lab[80:96, :, 0], lab[80:96, :, 1:] = 20, 0
    return color.compose_rgb(lab[..., 0], lab[..., 1:], np.uint8)


def unrelated(kind: int) -> np.ndarray:
    """Colour photos of nothing like the scene: colour bands, big soft blobs, fine diagonal stripes. (A
    checkerboard of big flat squares is not one: its flat squares match the scene's flat sky, cell match 0.57
    with the ImageNet encoder, as a real photo's flat wall or sky would.)"""
    yy, xx = np.mgrid[0:150, 0:200]
    if kind == 0:
        pixels = np.stack([np.sin(xx / 9) * 120 + 128, np.cos(yy / 7) * 120 + 128, (xx + yy) % 60 * 4], -1)
    elif kind == 1:
        pixels = np.stack([128 + 100 * np.sin(np.hypot(xx - 60, yy - 70) / 15), 60 + 0 * xx,
                           128 + 100 * np.cos(np.hypot(xx - 150, yy - 40) / 20)], -1)
    else:
        board = (((yy + xx) // 3) % 2).astype(float)
        pixels = np.stack([230 * board + 10, 40 + 150 * (1 - board), 200 * (1 - board) + 30], -1)
    return pixels.astype(np.uint8)
