"""Model files: safetensors + colorstudio metadata round-trip; everything else is refused unopened."""

from __future__ import annotations

import json
import pickle

import pytest
import torch
from safetensors.torch import save_file

from colorstudio.core.checkpoint import MODEL_FORMAT, load_model, read_model_header, save_model
from colorstudio.core.errors import ModelLoadError
from colorstudio.core.models import build

UNET_SMALL = {"context_size": 64, "decoder_widths": [32, 24, 16, 16, 8], "context_dim": 32}
CARD = {"name": "Portraits 1920s", "notes": "trained on 3 photos — ünïcode ok", "epochs": 2}


def make(arch: str = "unet-lite0", **config):
    torch.manual_seed(0)
    config = {**(UNET_SMALL if arch == "unet-lite0" else {}), **config}
    model = build(arch, **config)
    # Non-trivial BatchNorm statistics, as after training, so they are checked too.
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    return model.eval()


def predict(model, size=64):
    torch.manual_seed(1)
    with torch.inference_mode():
        return model.predict_ab(torch.rand(1, 1, size, size))


def metadata(arch="unet-lite0", config=None, card=None):
    return {
        "format": MODEL_FORMAT,
        "format_version": "1",
        "arch": arch,
        "config": json.dumps(UNET_SMALL if config is None else config),
        "card": json.dumps(card or {}),
    }


@pytest.mark.parametrize("arch", ["unet-lite0", "seed-resnet18"])
def test_round_trip_fp32_is_exact(tmp_path, arch):
    model = make(arch)
    path = tmp_path / "m.safetensors"
    save_model(path, model, CARD)
    loaded, card = load_model(path)
    assert card == CARD
    assert not loaded.training and loaded.arch == arch and loaded.config() == model.config()
    assert torch.equal(predict(loaded), predict(model))
    header = read_model_header(path)
    assert header == {"arch": arch, "config": model.config(), "card": CARD}


def test_round_trip_half_is_close_and_float32_again(tmp_path):
    model = make("unet-lite0", head="classification")
    full, half = tmp_path / "full.safetensors", tmp_path / "half.safetensors"
    save_model(full, model, CARD)
    save_model(half, model, CARD, half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    loaded, card = load_model(half)
    assert card == CARD
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    assert torch.allclose(predict(loaded), predict(model), atol=2e-2)


def test_save_is_atomic_and_overwrites(tmp_path):
    path = tmp_path / "m.safetensors"
    save_model(path, make("seed-resnet18"), {"v": 1})
    save_model(path, make("seed-resnet18"), {"v": 2})
    assert read_model_header(path)["card"] == {"v": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_torch_save_pickle_is_refused(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(make("seed-resnet18").state_dict(), path)
    with pytest.raises(ModelLoadError, match="model.pt.*pickle"):
        load_model(path)
    with pytest.raises(ModelLoadError):
        read_model_header(path)


class _Trap:
    """Unpickling this creates the marker file: proof that something unpickled the model file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_malicious_pickle_is_never_unpickled(tmp_path, protocol):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps(_Trap(marker), protocol=protocol))
    with pytest.raises(ModelLoadError, match="evil.safetensors"):
        load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"hello, I am a text file pretending to be a model\n", "not a safetensors"),
        ((10**12).to_bytes(8, "little") + b"{}", "not a safetensors"),  # absurd header length
        ((40).to_bytes(8, "little") + b"x" * 40, "not a safetensors"),  # header is not JSON
    ],
    ids=["empty", "text", "absurd-header-length", "garbage-header"],
)
def test_non_safetensors_bytes_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(ModelLoadError, match=f"bad.safetensors.*{message}"):
        load_model(path)


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="nothere.safetensors.*does not exist"):
        load_model(tmp_path / "nothere.safetensors")
    with pytest.raises(ModelLoadError, match="folder"):
        load_model(tmp_path)


def test_safetensors_without_our_metadata_is_refused(tmp_path):
    plain, foreign = tmp_path / "plain.safetensors", tmp_path / "foreign.safetensors"
    save_file({"w": torch.zeros(2, 2)}, plain)
    save_file({"w": torch.zeros(2, 2)}, foreign, metadata={"format": "pt"})
    for path in (plain, foreign):
        with pytest.raises(ModelLoadError, match="not a colorstudio model"):
            load_model(path)


def test_unknown_architecture_and_newer_format_are_refused(tmp_path):
    path = tmp_path / "future.safetensors"
    save_file({"w": torch.zeros(1)}, path, metadata=metadata(arch="transformer-9000"))
    with pytest.raises(ModelLoadError, match="transformer-9000.*unet-lite0"):
        read_model_header(path)
    save_file({"w": torch.zeros(1)}, path, metadata={**metadata(), "format_version": "7"})
    with pytest.raises(ModelLoadError, match="version"):
        load_model(path)


def test_tensors_of_another_architecture_are_refused(tmp_path):
    path = tmp_path / "mixed.safetensors"
    tensors = {k: v.contiguous() for k, v in make("seed-resnet18").state_dict().items()}
    save_file(tensors, path, metadata=metadata())
    with pytest.raises(ModelLoadError, match="mixed.safetensors.*does not match the architecture 'unet-lite0'"):
        load_model(path)


def test_one_misshaped_or_missing_tensor_is_refused(tmp_path):
    model = make("seed-resnet18")
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["decoder.0.0.weight"] = torch.zeros(128, 128, 1, 1)
    path = tmp_path / "shape.safetensors"
    save_file(state, path, metadata=metadata("seed-resnet18", model.config()))
    with pytest.raises(ModelLoadError, match="wrong shape.*decoder.0.0.weight"):
        load_model(path)
    del state["decoder.0.0.weight"]
    save_file(state, path, metadata=metadata("seed-resnet18", model.config()))
    with pytest.raises(ModelLoadError, match="missing"):
        load_model(path)


def test_bad_config_in_metadata_is_refused(tmp_path):
    path = tmp_path / "cfg.safetensors"
    save_file({"w": torch.zeros(1)}, path, metadata=metadata(config={"no_such_setting": 1}))
    with pytest.raises(ModelLoadError, match="cfg.safetensors.*no_such_setting"):
        load_model(path)
    save_file({"w": torch.zeros(1)}, path, metadata={**metadata(), "card": "{not json"})
    with pytest.raises(ModelLoadError, match="damaged"):
        read_model_header(path)


def test_a_saved_model_file_has_the_usual_permissions(tmp_path):
    """Written through a temporary file like photos are, so it gets the user's umask, not mkstemp's 0600."""
    import os
    import stat

    umask = os.umask(0o022)
    try:
        save_model(tmp_path / "m.safetensors", build("seed-cnn"), {"title": "t"})
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "m.safetensors").stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no temporary file left


def test_the_colour_gain_travels_in_the_card_and_scales_the_pipelines_strength(tmp_path):
    import numpy as np

    from colorstudio.core.pipeline import ColorizeOptions, colorize

    model = make("seed-resnet18")
    model.colour_gain = 0.5
    path = tmp_path / "gain.safetensors"
    save_model(path, model, CARD)
    loaded, card = load_model(path)
    assert loaded.colour_gain == 0.5 and card == CARD | {"colour_gain": 0.5}
    photo = (np.random.default_rng(3).random((40, 56)) * 255).astype(np.uint8)
    options = ColorizeOptions(device="cpu", tile_size=32, overlap=8)
    gained = colorize(photo, loaded, options)
    loaded.colour_gain = 1.0
    assert np.array_equal(gained, colorize(photo, loaded, ColorizeOptions(device="cpu", tile_size=32, overlap=8,
                                                                           strength=0.5)))
    assert not np.array_equal(gained, colorize(photo, loaded, options))
    save_model(path, loaded, card)  # back to 1: the stale field goes
    assert "colour_gain" not in load_model(path)[1]


def test_an_impossible_colour_gain_is_refused(tmp_path):
    path = tmp_path / "bad.safetensors"
    save_file({"w": torch.zeros(1)}, path, metadata=metadata(card={"colour_gain": -1}))
    with pytest.raises(ModelLoadError, match="colour_gain"):
        load_model(path)


def test_the_colour_contrast_travels_in_the_card_and_shapes_the_pipelines_chroma(tmp_path):
    import numpy as np

    from colorstudio.core.pipeline import ColorizeOptions, colorize

    model = make("seed-resnet18")
    photo = (np.random.default_rng(4).random((40, 56)) * 255).astype(np.uint8)
    options = ColorizeOptions(device="cpu", tile_size=32, overlap=8)
    plain = colorize(photo, model, options)
    model.colour_contrast = 0.8
    path = tmp_path / "contrast.safetensors"
    save_model(path, model, CARD)
    loaded, card = load_model(path)
    assert loaded.colour_contrast == 0.8 and card == CARD | {"colour_contrast": 0.8}
    assert not np.array_equal(colorize(photo, loaded, options), plain)
    loaded.colour_contrast = 0.0
    assert np.array_equal(colorize(photo, loaded, options), plain)
    save_model(path, loaded, card)
    assert "colour_contrast" not in load_model(path)[1]


def test_an_impossible_colour_contrast_is_refused(tmp_path):
    path = tmp_path / "bad.safetensors"
    save_file({"w": torch.zeros(1)}, path, metadata=metadata(card={"colour_contrast": 7}))
    with pytest.raises(ModelLoadError, match="colour_contrast"):
        load_model(path)
