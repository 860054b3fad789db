"""The ColorNet contract, for every registered architecture, and the unet-lite0 specifics."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from colorstudio.core.color import AB_SCALE, rgb_to_lab
from colorstudio.core.errors import ModelLoadError
from colorstudio.core.models import (
    ARCHITECTURES,
    DEFAULT_ARCH,
    ColorNet,
    ab_bins,
    available,
    build,
    context_input,
)

SIZE = 64
# Small but real settings, so the whole file runs in seconds on a CPU.
SMALL = {"unet-lite0": {"context_size": 64, "decoder_widths": [32, 24, 16, 16, 8], "context_dim": 32}}


def small(arch: str, **extra) -> ColorNet:
    torch.manual_seed(0)
    return build(arch, **{**SMALL.get(arch, {}), **extra}).eval()


def l_batch(n: int = 1, size: int = SIZE) -> torch.Tensor:
    torch.manual_seed(1)
    return torch.rand(n, 1, size, size)


def test_registry_lists_every_architecture_default_first():
    assert available()[0] == DEFAULT_ARCH == "unet-lite0"
    assert set(available()) == {"unet-lite0", "unet-lite2", "seed-resnet18", "seed-cnn", "seed-vgg"} == set(ARCHITECTURES)


def test_unknown_architecture_names_the_known_ones():
    with pytest.raises(ModelLoadError, match="seed-cnn"):
        build("no-such-net")


def test_unknown_and_invalid_settings_are_refused():
    with pytest.raises(ModelLoadError, match="colour_boost"):
        build("seed-cnn", colour_boost=2)
    with pytest.raises(ModelLoadError, match="head"):
        build("unet-lite0", head="magic")


@pytest.mark.parametrize("arch", available())
def test_contract_shapes_and_finite_output(arch):
    model = small(arch)
    assert isinstance(model, ColorNet) and model.arch == arch
    assert SIZE % model.size_multiple == 0
    assert not model.uses_context or model.context_size % model.size_multiple == 0
    with torch.inference_mode():
        for n in (1, 2):
            l = l_batch(n)
            assert model(l).shape == (n, 2, SIZE, SIZE)
            ab = model.predict_ab(l)
            assert ab.shape == (n, 2, SIZE, SIZE)
            assert torch.isfinite(ab).all() and ab.abs().max() <= 1.0


@pytest.mark.parametrize("arch", available())
def test_config_round_trips_through_build(arch):
    model = small(arch)
    config = json.loads(json.dumps(model.config()))
    rebuilt = build(arch, **config).eval()
    assert rebuilt.config() == model.config()
    rebuilt.load_state_dict(model.state_dict(), strict=True)
    with torch.inference_mode():
        assert torch.equal(rebuilt.predict_ab(l_batch()), model.predict_ab(l_batch()))


@pytest.mark.parametrize("arch", available())
def test_wrong_input_size_is_a_clear_error(arch):
    model = small(arch)
    with pytest.raises(ValueError, match="multiples of"):
        model.predict_ab(torch.rand(1, 1, SIZE + model.size_multiple // 2, SIZE))


def test_seeds_take_no_hints_or_context():
    for arch in ("seed-resnet18", "seed-cnn", "seed-vgg"):
        model = small(arch)
        assert not model.uses_context and not model.accepts_hints
        assert model.encode_context(l_batch()) is None


def test_unet_hints_none_equals_zero_hints_and_fresh_branch_is_inert():
    model = small("unet-lite0")
    assert model.accepts_hints
    l = l_batch()
    hints = torch.zeros(1, 3, SIZE, SIZE)
    hints[:, 0, 10:20, 10:20] = 0.5
    hints[:, 2, 10:20, 10:20] = 1.0
    with torch.inference_mode():
        plain = model.predict_ab(l)
        # Fresh model: the zero-initialised last layer makes hints change nothing.
        assert torch.equal(model.predict_ab(l, hints=hints), plain)
        # As if trained: the branch now matters, yet no hints still equals all-zero hints.
        torch.nn.init.normal_(model.hints.out.weight, std=0.5)
        assert torch.equal(model.predict_ab(l, hints=torch.zeros(1, 3, SIZE, SIZE)), model.predict_ab(l))
        assert not torch.allclose(model.predict_ab(l, hints=hints), model.predict_ab(l))


@pytest.mark.parametrize("context_size", [64, 32])
def test_unet_explicit_context_equals_context_none_for_the_whole_image(context_size):
    model = small("unet-lite0", context_size=context_size)
    assert model.uses_context
    l = l_batch()
    with torch.inference_mode():
        context = model.encode_context(context_input(l, model.context_size))
        assert context.shape == (1, 32)
        assert torch.equal(model.predict_ab(l, context=context), model.predict_ab(l))
        # One embedding serves a batch of tiles from the same photo (batched convs may round differently).
        tiles = l_batch(2)
        shared = model.predict_ab(tiles, context=context)
        assert torch.allclose(shared[1:], model.predict_ab(tiles[1:], context=context), atol=1e-5)


def test_unet_context_changes_the_output():
    model = small("unet-lite0")
    l = l_batch()
    with torch.inference_mode():
        other = model.encode_context(context_input(1.0 - l, model.context_size))
        assert not torch.equal(model.predict_ab(l, context=other), model.predict_ab(l))


def test_unet_classification_head():
    model = small("unet-lite0", head="classification", temperature=0.5)
    assert model.config()["head"] == "classification"
    with torch.inference_mode():
        logits = model(l_batch())
        assert logits.shape == (1, ab_bins.num_bins(), SIZE, SIZE)
        ab = model.predict_ab(l_batch())
    assert ab.shape == (1, 2, SIZE, SIZE)
    assert torch.isfinite(ab).all() and ab.abs().max() <= 1.0


def test_annealed_mean_of_a_confident_prediction_is_its_bin_centre():
    centers = ab_bins.bin_centers()
    logits = torch.full((1, len(centers), 1, 1), -50.0)
    logits[0, 7] = 50.0
    ab = ab_bins.annealed_mean(logits)
    assert torch.allclose(ab[0, :, 0, 0] * AB_SCALE, centers[7], atol=1e-4)


def test_bin_centres_round_trip_to_their_own_index():
    centers = ab_bins.bin_centers()
    assert centers.shape == (ab_bins.num_bins(), 2) == (262, 2)
    ab = (centers / AB_SCALE).T.reshape(1, 2, 1, -1)
    assert torch.equal(ab_bins.encode_nearest(ab)[0, 0], torch.arange(len(centers)))
    # Off-centre and out-of-range colours go to a nearby kept bin.
    near = ab_bins.encode_nearest((centers[:1] + 3.0).T.reshape(1, 2, 1, 1) / AB_SCALE)
    assert near.item() == 0
    far = ab_bins.encode_nearest(torch.full((1, 2, 1, 1), 5.0))
    assert 0 <= far.item() < len(centers)


def test_bins_cover_the_srgb_gamut():
    levels = np.linspace(0, 1, 24, dtype=np.float32)
    rgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).reshape(-1, 1, 3)
    ab = rgb_to_lab(rgb).reshape(-1, 3)[:, 1:]
    cells = {tuple(c) for c in (np.round(ab / 10) * 10).astype(int).tolist()}
    kept = {tuple(c) for c in ab_bins.bin_centers().int().tolist()}
    assert cells <= kept


def test_unet_pretrained_loads_the_imagenet_weights():
    from colorstudio.core.models.lite_encoder import imagenet_weights_path

    state = torch.load(imagenet_weights_path(), map_location="cpu", weights_only=True)
    fresh = small("unet-lite0")
    model = small("unet-lite0", pretrained=True)
    assert torch.equal(model.encoder.stem.weight, state["_conv_stem.weight"])
    assert torch.equal(model.encoder.blocks[15]._project_conv.weight, state["_blocks.15._project_conv.weight"])
    assert not torch.equal(fresh.encoder.stem.weight, state["_conv_stem.weight"])
    # 'pretrained' is an initialisation choice: rebuilding from config() never reads the file.
    assert "pretrained" not in model.config()


@pytest.mark.parametrize("head", ["regression", "classification"])
def test_unet_trains_with_hints_and_its_head_loss(head):
    model = small("unet-lite0", head=head).train()
    l = l_batch(2)
    target = torch.rand(2, 2, SIZE, SIZE) * 0.6 - 0.3
    hints = torch.cat([target, torch.ones(2, 1, SIZE, SIZE)], dim=1)
    out = model(l, hints=hints)
    if head == "regression":
        loss = torch.nn.functional.l1_loss(out, target)
    else:
        loss = torch.nn.functional.cross_entropy(out, ab_bins.encode_nearest(target))
    loss.backward()
    assert torch.isfinite(loss)
    # The zero-initialised hint output layer still receives a gradient, so hints can be learned.
    assert model.hints.out.weight.grad.abs().sum() > 0
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
