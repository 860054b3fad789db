"""The sliding-window grid: tiles cover the image, share one size, and their weights sum to one."""

from __future__ import annotations

import numpy as np
import pytest

from colorstudio.core import tiling


@pytest.mark.parametrize("length,tile,overlap", [(1000, 256, 64), (257, 256, 64), (256, 256, 32), (90, 256, 64),
                                                 (5000, 512, 96)])
def test_axis_tiles_cover_and_weights_sum_to_one(length, tile, overlap):
    axis = tiling.plan_axis(length, tile, overlap, multiple=32)
    assert axis.tile % 32 == 0
    assert axis.starts[0] == 0
    assert axis.starts[-1] + axis.tile >= length
    total = np.zeros(max(length, axis.tile), np.float64)
    for i, start in enumerate(axis.starts):
        total[start : start + axis.tile] += axis.weights(i)
    np.testing.assert_allclose(total[:length], 1.0, atol=1e-6)


def test_last_tile_is_snapped_so_every_tile_has_the_same_size():
    axis = tiling.plan_axis(1000, 256, 64, multiple=32)
    assert axis.starts[-1] == 1000 - 256
    assert all(b - a == 192 for a, b in zip(axis.starts[:-2], axis.starts[1:-1]))


def test_small_image_gets_one_tile_rounded_to_the_multiple():
    axis = tiling.plan_axis(90, 512, 64, multiple=32)
    assert axis.starts == (0,) and axis.tile == 96


def test_weights_ignore_the_outer_quarter_of_an_overlap():
    w = tiling.ramp(128, 64, 64)
    assert np.all(w[:16] == 0) and np.all(w[-16:] == 0)
    assert np.all(w[48:80] == 1)
    assert np.all(np.diff(w[:64]) >= 0)


def test_reflect_indices_mirror_without_repeating_the_edge():
    np.testing.assert_array_equal(tiling.reflect_indices(-3, 9, 4), [3, 2, 1, 0, 1, 2, 3, 2, 1])
    np.testing.assert_array_equal(tiling.reflect_indices(-2, 4, 1), [0, 0, 0, 0])


def test_extract_inside_is_a_view_and_outside_is_reflected():
    image = np.arange(20).reshape(4, 5)
    inside = tiling.extract(image, (1, 3), (1, 4))
    assert np.shares_memory(inside, image)
    outside = tiling.extract(image, (-1, 2), (3, 6))
    np.testing.assert_array_equal(outside, [[8, 9, 8], [3, 4, 3], [8, 9, 8]])
