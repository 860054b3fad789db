"""Quality metrics and the evaluate loop, on small photos made here."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from doubles import ConvDouble
from PIL import Image

from colorstudio.core import color, metrics
from colorstudio.core.evaluation import evaluate
from colorstudio.core.pipeline import ColorizeOptions


def colour_photo(seed=0, h=48, w=64):
    rng = np.random.default_rng(seed)
    base = rng.integers(30, 220, (h // 8, w // 8, 3)).astype(np.uint8)
    return np.kron(base, np.ones((8, 8, 1), np.uint8))


def test_identical_images_score_perfectly():
    img = colour_photo()
    s = metrics.score(img, img)
    assert s.psnr == 100.0 and s.ssim == pytest.approx(1.0)
    assert s.ciede2000 == pytest.approx(0.0, abs=1e-6)
    assert s.colourfulness_ratio == pytest.approx(1.0)


def test_gray_has_no_colourfulness_and_keeps_lightness():
    img = colour_photo()
    gray = metrics.lightness_only(img)
    assert metrics.colourfulness(gray) < 0.5
    assert np.abs(gray[..., 0].astype(int) - gray[..., 2]).max() <= 1
    np.testing.assert_allclose(color.rgb_to_lab(gray)[..., 0], color.rgb_to_lab(img)[..., 0], atol=0.6)
    s = metrics.score(gray, img)
    assert s.ciede2000 > 5 and s.colourfulness_ratio < 0.05


def test_colourfulness_ranks_vivid_above_muted():
    vivid = colour_photo()
    muted = (vivid.astype(np.float32) * 0.3 + 128 * 0.7).astype(np.uint8)
    assert metrics.colourfulness(vivid) > 2 * metrics.colourfulness(muted)


def test_evaluate_scores_colour_photos_and_skips_gray_ones(tmp_path):
    for i in range(2):
        Image.fromarray(colour_photo(i)).save(tmp_path / f"c{i}.png")
    Image.fromarray(np.full((40, 40), 100, np.uint8)).save(tmp_path / "gray.png")
    paths = sorted(tmp_path.glob("*.png"))
    seen = []
    result = evaluate(paths, ConvDouble(), ColorizeOptions(device="cpu"), on_photo=lambda r, d, t: seen.append(d))
    assert [p.path.name for p in result.photos] == ["c0.png", "c1.png"]
    assert result.skipped and "grayscale" in result.skipped[0][1]
    assert seen == [1, 2, 3]
    gray_floor = result.mean("gray")
    assert gray_floor.colourfulness_ratio < 0.05
    assert result.mean("model").colourfulness_ratio > 0.05  # the double adds colour
    data = result.as_dict()
    assert data["photos"] == 2 and len(data["per_photo"]) == 2


def test_true_colour_hints_carry_the_photos_own_colours():
    from colorstudio.core.evaluation import sample_true_hints

    img = colour_photo(3)
    hints = sample_true_hints(img, 10, seed=5)
    assert len(hints) == 10 and hints == sample_true_hints(img, 10, seed=5)  # reproducible
    assert hints != sample_true_hints(img, 10, seed=6)
    lab = color.rgb_to_lab(img)
    for h in hints:
        x, y = int(h.x), int(h.y)
        assert 1 <= x < img.shape[1] - 1 and 1 <= y < img.shape[0] - 1
        true_ab = lab[y - 1 : y + 2, x - 1 : x + 2, 1:].reshape(-1, 2).mean(axis=0)
        np.testing.assert_allclose([h.a, h.b], true_ab, atol=1e-4)
    assert sample_true_hints(img, 0, seed=5) == []


def test_evaluate_passes_sampled_hints_to_the_pipeline(tmp_path, monkeypatch):
    import colorstudio.core.evaluation as evaluation

    Image.fromarray(colour_photo(1)).save(tmp_path / "c.png")
    given = []
    real = evaluation.colorize_strengths

    def spy(image, model, options, strengths, hints=()):
        given.append(list(hints))
        return real(image, model, options, strengths)

    monkeypatch.setattr(evaluation, "colorize_strengths", spy)
    evaluate([tmp_path / "c.png"], ConvDouble(), ColorizeOptions(device="cpu"), hints=7)
    evaluate([tmp_path / "c.png"], ConvDouble(), ColorizeOptions(device="cpu"))
    assert [len(h) for h in given] == [7, 0]


def test_the_gray_floor_equals_an_independent_computation(tmp_path):
    """evaluate's gray floor on a known photo against scikit-image's own conversions and metrics."""
    from skimage import color as skcolor
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    truth = colour_photo(7, h=64, w=80)
    Image.fromarray(truth).save(tmp_path / "known.png")
    result = evaluate([tmp_path / "known.png"], ConvDouble(), ColorizeOptions(device="cpu"))
    floor = result.photos[0].gray

    lab = skcolor.rgb2lab(truth)  # float64, D65, as CIE defines it
    gray_lab = np.dstack([lab[..., 0], np.zeros_like(lab[..., 0]), np.zeros_like(lab[..., 0])])
    gray = np.clip(skcolor.lab2rgb(gray_lab) * 255 + 0.5, 0, 255).astype(np.uint8)
    expected_ciede = skcolor.deltaE_ciede2000(lab, skcolor.rgb2lab(gray)).mean()
    assert floor.psnr == pytest.approx(peak_signal_noise_ratio(truth, gray, data_range=255), abs=0.05)
    assert floor.ssim == pytest.approx(structural_similarity(truth, gray, channel_axis=2, data_range=255), abs=0.005)
    assert floor.ciede2000 == pytest.approx(expected_ciede, rel=0.01)
    assert floor.colourfulness_ratio < 0.01


@pytest.mark.parametrize("render_size", [32, 1024])  # resized, and at the photo's own size
def test_a_strength_sweep_scores_what_colorize_makes_at_each_strength(tmp_path, render_size):
    from colorstudio.core.evaluation import evaluate_strengths

    for i in range(2):
        Image.fromarray(colour_photo(20 + i, h=48, w=72)).save(tmp_path / f"p{i}.png")
    paths = sorted(tmp_path.glob("*.png"))
    options = ColorizeOptions(device="cpu", render_size=render_size, tile_size=32, overlap=8)
    swept = evaluate_strengths(paths, ConvDouble(), options, [0.0, 0.5, 1.0])
    for strength, result in zip([0.0, 0.5, 1.0], swept):
        alone = evaluate(paths, ConvDouble(), replace(options, strength=strength))
        assert result.mean("model") == alone.mean("model")
    assert swept[0].mean("model").colourfulness_ratio < 0.01  # strength 0 is the gray photo
    assert swept[0].mean("model").colourfulness_ratio < swept[1].mean("model").colourfulness_ratio \
        < swept[2].mean("model").colourfulness_ratio
