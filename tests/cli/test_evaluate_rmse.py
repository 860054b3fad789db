"""`colorstudio evaluate` reports RMSE (0-255 RGB) beside PSNR, SSIM, CIEDE2000 and colourfulness, and the
number it prints and writes is the one numpy computes on the same 8-bit pixels."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PIL import Image

from colorstudio.cli import run
from colorstudio.core import evaluation, metrics


def independent_rmse(output: np.ndarray, truth: np.ndarray) -> float:
    """Root-mean-square difference of every 8-bit R, G and B value, on the 0-255 scale."""
    return math.sqrt(float(np.mean((output.astype(np.float64) - truth.astype(np.float64)) ** 2)))


def colour_photo(seed: int) -> np.ndarray:
    base = np.random.default_rng(seed).integers(20, 235, (5, 6, 3)).astype(np.uint8)
    return np.kron(base, np.ones((8, 8, 1), np.uint8))  # 40 x 48, flat patches


def test_evaluate_prints_and_writes_the_rmse_numpy_computes(tmp_path, model_file, monkeypatch, capsys):
    data = tmp_path / "colour"
    data.mkdir()
    truths = {f"c{i}.png": colour_photo(i) for i in range(2)}
    for name, pixels in truths.items():
        Image.fromarray(pixels).save(data / name)
    outputs = []
    real = evaluation.colorize_strengths

    def keep_outputs(*args, **kwargs):
        result = real(*args, **kwargs)
        outputs.append(result[0])
        return result

    monkeypatch.setattr(evaluation, "colorize_strengths", keep_outputs)
    report = tmp_path / "report.json"
    assert run(["evaluate", str(data), "--model", str(model_file), "--device", "cpu", "--render-size", "64",
                "--json", str(report)]) == 0
    out = capsys.readouterr().out
    result = json.loads(report.read_text())

    header = next(line for line in out.splitlines() if line.startswith("photo (model / gray floor)"))
    assert header.split()[-5:] == ["PSNR", "RMSE", "SSIM", "CIEDE2000", "colour"]
    expected = []
    for (name, truth), output, row in zip(truths.items(), outputs, result["per_photo"]):
        assert row["path"].endswith(name)
        model_rmse = independent_rmse(output, truth)
        gray_rmse = independent_rmse(metrics.lightness_only(truth), truth)
        assert model_rmse > 1 and gray_rmse > 1
        assert row["model"]["rmse"] == pytest.approx(model_rmse, rel=1e-9)
        assert row["gray_floor"]["rmse"] == pytest.approx(gray_rmse, rel=1e-9)
        # the same pixels as PSNR's
        assert row["model"]["psnr"] == pytest.approx(20 * math.log10(255 / model_rmse), abs=1e-6)
        printed = next(line for line in out.splitlines() if line.startswith(name)).split()
        assert printed[2] == f"{model_rmse:.2f}"  # name, PSNR, RMSE, SSIM, CIEDE2000, colour
        expected.append(model_rmse)
    assert result["mean"]["model"]["rmse"] == pytest.approx(np.mean(expected), rel=1e-9)
    mean_line = next(line for line in out.splitlines() if line.startswith("model tiny-test")).split()
    assert mean_line[-4] == f"{np.mean(expected):.2f}"


def test_rmse_is_on_the_0_255_scale_and_zero_for_identical_photos():
    truth = colour_photo(5)
    off_by_ten = np.clip(truth.astype(int) + 10, 0, 255).astype(np.uint8)
    assert metrics.score(truth, truth).rmse == 0.0
    assert metrics.score(off_by_ten, truth).rmse == pytest.approx(10.0)
    recorded_before_rmse = {"psnr": 20.0, "ssim": 0.9, "ciede2000": 10.0, "colourfulness": 30.0,
                            "colourfulness_ratio": 0.8}  # a run log or card written by an earlier version
    assert math.isnan(metrics.Scores(**recorded_before_rmse).rmse)
