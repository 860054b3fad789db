"""The reference confidence model (``core.reference_confidence``) and the recipe that fits it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from colorstudio.core import reference_confidence
from colorstudio.core.reference_match import Match

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "fit_reference_confidence.py"


def _recipe():
    spec = importlib.util.spec_from_file_location("fit_reference_confidence", RECIPE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _match(best: np.ndarray, chroma_spread: float = 0.0) -> Match:
    gh, gw = best.shape
    rng = np.random.default_rng(0)
    chroma = np.full((gh, gw, 4, 1, 2), 20.0, np.float32) + rng.normal(0, chroma_spread, (gh, gw, 4, 1, 2)
                                                                        ).astype(np.float32)
    scores = np.repeat(best[..., None], 4, axis=-1) - np.arange(4, dtype=np.float32) * 0.01
    return Match(chroma, np.full((gh, gw, 4, 1), 50.0, np.float32), np.full((gh, gw, 4), 0.25, np.float32),
                 best.astype(np.float32), (gh * 8, gw * 8), scores.astype(np.float32))


def test_the_fit_trusts_the_match_where_a_feature_says_it_is_right():
    rng = np.random.default_rng(1)
    n = 4000
    right = rng.random(n) < 0.5
    features = np.concatenate([right[:, None].astype(np.float32), rng.normal(size=(n, 2)).astype(np.float32)], 1)
    truth = rng.normal(0, 20, (n, 2)).astype(np.float32)
    automatic = truth * 0.4  # muted, but the right hue
    matched = np.where(right[:, None], truth, rng.normal(0, 30, (n, 2))).astype(np.float32)
    bias, coefficients = _recipe().fit(features, matched, automatic, truth, seed=0, steps=400)
    weight = 1 / (1 + np.exp(-(features @ np.array(coefficients, np.float32) + bias)))
    assert weight[right].mean() > 0.8
    assert weight[~right].mean() < 0.2
    assert abs(coefficients[0]) > 5 * max(abs(coefficients[1]), abs(coefficients[2]))


def test_a_photo_the_reference_shows_is_trusted_and_one_it_does_not_show_is_not():
    rng = np.random.default_rng(2)
    shows = _match(np.clip(rng.normal(0.75, 0.08, (24, 32)), -1, 1))
    does_not = _match(np.clip(rng.normal(0.30, 0.05, (24, 32)), -1, 1))
    assert reference_confidence.features(shows).shape == (24, 32, len(reference_confidence.FEATURES))
    assert np.median(reference_confidence.confidence(shows)) > 0.7
    assert reference_confidence.confidence(does_not).max() < 0.05


def test_candidates_that_disagree_on_a_colour_count_for_less():
    best = np.full((24, 32), 0.6, np.float32)
    agree = reference_confidence.confidence(_match(best, chroma_spread=0.0))
    disagree = reference_confidence.confidence(_match(best, chroma_spread=40.0))
    assert disagree.mean() < agree.mean()
