"""The runtime model interface: what a model does not offer reads as "not offered", and every kind of model
the application runs offers it."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from colorstudio.core.models import registry
from colorstudio.core.models.runtime import RuntimeModel
from colorstudio.core.pipeline import ColorizeOptions, colorize, colour_response, scene_context


class Bare(RuntimeModel, nn.Module):
    """Only what the interface requires: a size multiple and ``predict_ab``."""

    size_multiple = 8

    def predict_ab(self, l, hints=None, context=None):
        return torch.full((l.shape[0], 2, *l.shape[2:]), 0.2)


def test_a_model_without_the_optional_features_gets_the_defaults():
    model = Bare()
    assert (model.uses_context, model.accepts_hints, model.colour_gain, model.colour_contrast, model.engine) == (
        False, False, 1.0, 0.0, "PyTorch")
    assert model.encode_context(torch.zeros(1, 1, 8, 8)) is None and model.plan_tiles((1, 1, 8, 8), 4) is None
    image = np.full((40, 56), 120, np.uint8)
    assert scene_context(model, image, torch.device("cpu")) is None
    ab = np.full((4, 4, 2), 20.0, np.float32)
    np.testing.assert_array_equal(colour_response(model, ab), ab)  # no colour response: the network's own
    out = colorize(image, model, ColorizeOptions(device="cpu", render_size=0, tile_size=64, overlap=16))
    assert out.shape == (40, 56, 3) and np.ptp(out[..., 0].astype(int) - out[..., 2]) <= 1  # one colour


def test_the_colour_response_is_the_models_own():
    model = Bare()
    model.colour_gain, model.colour_contrast = 0.5, 0.8
    ab = np.array([[[30.0, -10.0], [5.0, 2.0]]], np.float32)
    assert not np.allclose(colour_response(model, ab), ab * 0.5)  # the contrast counts
    model.colour_contrast = 0.0
    np.testing.assert_allclose(colour_response(model, ab), ab * 0.5)


def test_every_architecture_is_a_runtime_model():
    for arch, cls in registry.ARCHITECTURES.items():
        assert issubclass(cls, RuntimeModel), arch
