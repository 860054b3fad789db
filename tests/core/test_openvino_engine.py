"""The network run by OpenVINO: the same colours as PyTorch, converted once and cached, a failure falls back to
PyTorch with a notice, and a cancel between tiles still stops a photo."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from colorstudio.core import catalog, checkpoint, engine_cache, engines, openvino_net
from colorstudio.core.errors import Cancelled
from colorstudio.core.jobs import Colorizer
from colorstudio.core.models import RuntimeModel, registry
from colorstudio.core.pipeline import ColorizeOptions, colorize
from colorstudio.core.run_control import RunControl

pytest.importorskip("openvino")
CPU = torch.device("cpu")


def small_model(tmp_path, name="small"):
    torch.manual_seed(0)
    path = tmp_path / f"{name}.safetensors"
    checkpoint.save_model(path, registry.build("seed-cnn"), {"title": "small"})
    return path


def photo(h=150, w=210, seed=0):
    y, x = np.mgrid[0:h, 0:w]
    rng = np.random.default_rng(seed)
    return np.clip(128 + 80 * np.sin(x / 9.0) * np.cos(y / 13.0) + rng.normal(0, 4, (h, w)), 0, 255).astype(np.uint8)


def test_the_engines_give_the_same_photo(tmp_path):
    path = small_model(tmp_path)
    model, _ = checkpoint.load_model(path)
    net = openvino_net.OpenVinoNet(model, path, cache=tmp_path / "cache")
    assert engines.engine_name(net) == "OpenVINO" and engines.engine_name(model) == "PyTorch"
    options = ColorizeOptions(device="cpu", render_size=0, tile_size=64, overlap=16)
    ours, theirs = colorize(photo(), net, options), colorize(photo(), model, options)
    assert np.abs(ours.astype(int) - theirs).max() <= 1  # 8-bit output: at most one level apart


def test_the_openvino_model_offers_the_runtime_interface_of_the_model_it_runs(tmp_path):
    path = small_model(tmp_path)
    model, _ = checkpoint.load_model(path)
    model.colour_gain, model.colour_contrast = 0.5, 0.8  # as a model card sets them
    net = openvino_net.OpenVinoNet(model, path, cache=tmp_path / "cache")
    assert isinstance(net, RuntimeModel) and isinstance(model, RuntimeModel)
    for name in ("size_multiple", "uses_context", "context_size", "accepts_hints", "colour_gain", "colour_contrast"):
        assert getattr(net, name) == getattr(model, name), name
    net.colour_contrast = 0.0  # ``evaluate --contrast``: set on what runs, the PyTorch model keeps its own
    assert (net.colour_contrast, model.colour_contrast) == (0.0, 0.8)


def test_same_padding_that_depends_on_the_input_size_converts_for_every_size(tmp_path):
    from efficientnet_lite_pytorch.utils import Conv2dDynamicSamePadding

    class Strided(torch.nn.Module):
        size_multiple, uses_context, accepts_hints = 32, False, False

        def __init__(self):
            super().__init__()
            self.conv = Conv2dDynamicSamePadding(1, 2, 3, stride=2)

        def predict_ab(self, l, hints=None, context=None):
            return torch.nn.functional.interpolate(self.conv(l), scale_factor=2.0).clamp(-1, 1)

    torch.manual_seed(0)
    model = Strided().eval()
    net = openvino_net.OpenVinoNet(model)  # converted at 128 x 128
    for shape in [(1, 1, 64, 96), (2, 1, 256, 160)]:
        l = torch.rand(*shape)
        with torch.inference_mode():
            expected = model.predict_ab(l)
        assert torch.allclose(net.predict_ab(l), expected, atol=1e-5), shape


def test_a_second_start_does_not_convert_again(tmp_path):
    path = small_model(tmp_path)
    model, _ = checkpoint.load_model(path)
    before = openvino_net.conversions
    openvino_net.OpenVinoNet(model, path, cache=tmp_path / "cache")
    assert openvino_net.conversions == before + 1
    again = openvino_net.OpenVinoNet(model, path, cache=tmp_path / "cache")  # as a new start: read from the cache
    assert openvino_net.conversions == before + 1
    l = torch.rand(1, 1, 48, 64)
    with torch.inference_mode():
        assert torch.allclose(again.predict_ab(l), model.predict_ab(l), atol=1e-5)
    retrained = small_model(tmp_path / "other", "small")  # other weights under the same name: converted anew
    torch.manual_seed(1)
    checkpoint.save_model(retrained, registry.build("seed-cnn"), {"title": "small"})
    openvino_net.OpenVinoNet(checkpoint.load_model(retrained)[0], retrained, cache=tmp_path / "cache")
    assert openvino_net.conversions == before + 2


def test_a_conversion_that_fails_falls_back_to_pytorch_with_a_notice(tmp_path, monkeypatch):
    import openvino

    def broken(*args, **kwargs):
        raise RuntimeError("unsupported operation aten::frobnicate")

    monkeypatch.setattr(openvino, "convert_model", broken)
    told = []
    path = small_model(tmp_path)
    colorizer = Colorizer.load(str(path), "cpu", "auto", control=RunControl(on_notice=told.append))
    assert colorizer.engine == "PyTorch"
    assert told and "OpenVINO could not prepare this model" in told[0] and "frobnicate" in told[0]
    out = colorize(photo(), colorizer.model, ColorizeOptions(device="cpu", render_size=0, tile_size=64, overlap=16))
    assert out.shape == (150, 210, 3)  # the photo is colorized all the same


def test_auto_is_openvino_on_the_cpu_and_torch_when_asked(tmp_path):
    path = small_model(tmp_path)
    assert Colorizer.load(str(path), "cpu").engine == "OpenVINO"
    assert Colorizer.load(str(path), "cpu", "torch").engine == "PyTorch"
    entry = catalog.resolve_model(str(path))
    model, _ = catalog.load(entry)
    told = []
    gpu = engines.runtime_model(model, path, "openvino", torch.device("meta"), control=RunControl(on_notice=told.append))
    assert gpu is model and "OpenVINO runs on the CPU" in told[0]


def test_a_cancel_between_tiles_stops_a_photo_on_openvino(tmp_path):
    path = small_model(tmp_path)
    net = openvino_net.OpenVinoNet(checkpoint.load_model(path)[0], path, cache=tmp_path / "cache")
    calls = []

    def cancel_after_two() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        colorize(photo(300, 400), net, ColorizeOptions(device="cpu", render_size=0, tile_size=64, overlap=16),
                 control=RunControl(should_cancel=cancel_after_two))
    assert len(calls) == 3  # it stopped at the third check, not at the end of the photo


TELEMETRY_CHECK = """
import sys
from pathlib import Path
import torch
from colorstudio.core.models import registry
from colorstudio.core.openvino_net import OpenVinoNet
model = registry.build("seed-cnn").eval()
net = OpenVinoNet(model, None, cache=Path(sys.argv[1]) / "cache")
net.predict_ab(torch.rand(1, 1, 64, 64))
print("telemetry module:", sys.modules.get("openvino_telemetry"))
"""


def test_converting_a_model_reports_nothing_to_intel_and_writes_nothing_in_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "USERPROFILE": str(home)}
    env.pop("CI", None)  # openvino_telemetry stays quiet in CI jobs: the check must not rely on that
    done = subprocess.run([sys.executable, "-c", TELEMETRY_CHECK, str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "telemetry module: None" in done.stdout  # the converter used its stub, not the sender
    assert list(home.iterdir()) == []  # no ~/intel/openvino_ga_cid, nothing else


def _counting_compiles(net, monkeypatch) -> list:
    calls = []
    real = net.core.compile_model

    def counted(model, device, config):
        calls.append(config)
        return real(model, device, config)

    monkeypatch.setattr(net.core, "compile_model", counted)
    return calls


def test_photos_of_many_sizes_leave_a_bounded_number_of_compiled_networks(tmp_path, monkeypatch):
    """A batch of photos smaller than the tile, each its own size, is one tile shape a photo: a network
    compiled for each, kept for good, was 14 MB a photo (8.6 GB after 300 photos). Now they share one."""
    path = small_model(tmp_path)
    model, _ = checkpoint.load_model(path)
    net = openvino_net.OpenVinoNet(model, path, cache=tmp_path / "cache")
    compiles = _counting_compiles(net, monkeypatch)
    options = ColorizeOptions(device="cpu", tile_size=512, overlap=64)
    for i, (h, w) in enumerate([(40 + 13 * k, 300 - 11 * k) for k in range(24)]):
        ours = colorize(photo(h, w, seed=i), net, options)
        theirs = colorize(photo(h, w, seed=i), model, options)
        assert np.abs(ours.astype(int) - theirs).max() <= 1, (h, w)
    assert len(compiles) <= 2  # the dynamic network (and the first one's context, for models that have one)
    assert net.compiled_shapes == []


def test_a_shape_that_keeps_coming_back_gets_its_own_network_and_few_are_kept(tmp_path, monkeypatch):
    path = small_model(tmp_path)
    model, _ = checkpoint.load_model(path)
    net = openvino_net.OpenVinoNet(model, path, cache=tmp_path / "cache")
    compiles = _counting_compiles(net, monkeypatch)
    sides = [64 + 32 * k for k in range(openvino_net.STATIC_MODELS + 2)]
    for side in sides:
        l = torch.rand(1, 1, side, side)
        for _ in range(openvino_net.STATIC_AFTER + 2):
            out = net.predict_ab(l)
        with torch.inference_mode():
            assert torch.allclose(out, model.predict_ab(l), atol=1e-5)
        assert net.compiled_shapes[-1] == ("predict", (1, 1, side, side))  # the last one used, compiled alone
    assert len(net.compiled_shapes) == openvino_net.STATIC_MODELS  # the oldest were dropped
    assert len(compiles) == 1 + len(sides)


def test_a_big_photos_tiles_run_on_a_network_of_their_own_from_the_first(tmp_path, monkeypatch):
    path = small_model(tmp_path)
    model, _ = checkpoint.load_model(path)
    net = openvino_net.OpenVinoNet(model, path, cache=tmp_path / "cache")
    compiles = _counting_compiles(net, monkeypatch)
    options = ColorizeOptions(device="cpu", render_size=0, tile_size=64, overlap=16)
    out = colorize(photo(150, 210), net, options)  # 4 x 5 tiles of 64 px
    assert np.abs(out.astype(int) - colorize(photo(150, 210), model, options)).max() <= 1
    assert net.compiled_shapes == [("predict", (1, 1, 64, 64))] and len(compiles) == 1  # no dynamic one


def test_no_compiled_network_is_written_to_the_user_cache(tmp_path):
    """Only the converted network is cached (a few MB a model), not a compiled one a shape (14 MB each)."""
    path = small_model(tmp_path)
    model, _ = checkpoint.load_model(path)
    net = openvino_net.OpenVinoNet(model, path, cache=tmp_path / "cache")
    options = ColorizeOptions(device="cpu", tile_size=512, overlap=64)
    for side in (48, 96, 160, 200):
        colorize(photo(side, side + 30), net, options)
    files = sorted(p.name for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert files == ["predict.bin", "predict.xml"]


def test_the_cache_folder_is_held_under_its_limit_the_least_recently_used_go_first(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    for age, name in enumerate(["newer", "older", "oldest"]):
        entry = cache / name
        entry.mkdir(parents=True)
        (entry / "predict.bin").write_bytes(bytes(3_000_000))
        os.utime(entry, (1e9 - age * 1000, 1e9 - age * 1000))
    legacy = cache / "newer" / "compiled"  # what earlier versions left: a compiled network a shape
    legacy.mkdir()
    (legacy / "123.blob").write_bytes(bytes(1_000_000))
    engine_cache.open_entry(cache, "current", limit_mb=7)
    # 6 MB left: "oldest" went
    assert sorted(p.name for p in cache.iterdir()) == ["current", "newer", "older"]
    assert not legacy.exists()
    monkeypatch.setattr(engine_cache, "LIMIT_MB", 0.001)
    path = small_model(tmp_path)
    net = openvino_net.OpenVinoNet(checkpoint.load_model(path)[0], path, cache=cache)  # as a model is opened
    (own,) = [p for p in cache.iterdir() if p.name != "current"]  # "current" is empty; the one in use stays
    assert sorted(p.name for p in own.iterdir()) == ["predict.bin", "predict.xml"]
    assert net.predict_ab(torch.rand(1, 1, 64, 64)).shape == (1, 2, 64, 64)
    assert f"{cache} (" in engine_cache.describe(cache)
