"""Colours the model suggests for a point (the hint chooser's strip): the model's own colour is what the
pipeline renders there; the alternatives are distinct, real colours that views of the photo gave."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
import torch
from doubles import ContextEcho, ConvDouble, HintEcho

from colorstudio.core import catalog, color, gamut
from colorstudio.core.hint_suggest import Suggestions, suggest_colours
from colorstudio.core.pipeline import ColorizeOptions, colorize, scene_context


def portrait(h: int = 192, w: int = 256) -> np.ndarray:
    """A gray photo-like test image: bright sky, a head (hair, eyes, nose, mouth), a dark coat, ground."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = 215 - 50 * y / h
    img = np.where(y > 0.72 * h, 70 + 25 * np.sin(x / 5.0) * np.sin(y / 7.0), img)
    cy, cx = 0.48 * h, 0.5 * w
    img = np.where(((x - cx) / (0.30 * w)) ** 2 + ((y - h) / (0.32 * h)) ** 2 < 1, 45.0, img)
    img = np.where(((x - cx) / (0.17 * w)) ** 2 + ((y - cy + 0.06 * h) / (0.26 * h)) ** 2 < 1, 35.0, img)
    face = ((x - cx) / (0.13 * w)) ** 2 + ((y - cy) / (0.22 * h)) ** 2 < 1
    img = np.where(face, 175 - 25 * ((x - cx) / (0.13 * w)) ** 2, img)
    for ex in (cx - 0.05 * w, cx + 0.05 * w):
        img = np.where(((x - ex) / 5) ** 2 + ((y - cy + 0.05 * h) / 3) ** 2 < 1, 40.0, img)
    img = np.where((abs(x - cx) < 0.04 * w) & (abs(y - cy - 0.12 * h) < 2), 90.0, img)
    img = np.where((abs(x - cx) < 3) & (y > cy - 0.02 * h) & (y < cy + 0.06 * h), img - 25, img)
    return np.clip(cv2.GaussianBlur(img, (0, 0), 1.0), 0, 255).astype(np.uint8)


CHEEK = (142.0, 100.0)  # (x, y) in portrait()
SKY = (38.0, 38.0)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The shipped models, found and loaded as the application does (the user's folders kept apart)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLORSTUDIO_HOME", str(tmp_path_factory.mktemp("home")))
        default = catalog.default_model()
        models = {"default": catalog.load(default)[0],
                  "seed": catalog.load(catalog.resolve_model("colorstudio-seed-resnet18"))[0]}
    assert default.is_default and models["default"].uses_context
    assert not models["seed"].uses_context  # the shipped model without a scene embedding
    return models


def pipeline_ab(image: np.ndarray, model, x: float, y: float, radius: int = 1) -> np.ndarray:
    """The chroma ``colorize`` gives at (x, y) (the photo is the render), mean over the same patch."""
    out = colorize(image, model, ColorizeOptions(render_size=0, device="cpu"))
    row, col = int(y), int(x)
    patch = color.rgb_to_lab(out)[row - radius : row + radius + 1, col - radius : col + radius + 1, 1:]
    return patch.reshape(-1, 2).mean(axis=0)


def check_distinct(suggestions: Suggestions, lightness: float) -> None:
    """Finite, in range, displayable at the point's lightness, and every two at least ``distinct`` apart."""
    colours = [suggestions.model, *suggestions.alternatives]
    for a, b in colours:
        assert np.isfinite([a, b]).all() and abs(a) <= color.AB_SCALE and abs(b) <= color.AB_SCALE
        assert gamut.is_displayable(lightness, a, b)
    assert suggestions.distinct >= 1.0
    for first, second in itertools.combinations(colours, 2):
        assert np.hypot(first[0] - second[0], first[1] - second[1]) >= suggestions.distinct - 1e-4


def point_lightness(image: np.ndarray, x: float, y: float) -> float:
    row, col = int(y), int(x)
    return float(color.lightness(image)[row - 1 : row + 2, col - 1 : col + 2].mean())


@pytest.mark.parametrize("point", [CHEEK, SKY])
@pytest.mark.parametrize("name", ["default", "seed"])
def test_shipped_models_colour_is_the_pipelines_and_alternatives_are_distinct(shipped, name, point):
    image, model = portrait(), shipped[name]
    suggestions = suggest_colours(model, image, *point)
    assert np.hypot(*(np.array(suggestions.model) - pipeline_ab(image, model, *point))) < 2.0
    assert 4 <= len(suggestions.alternatives) <= 6
    check_distinct(suggestions, point_lightness(image, *point))
    assert suggest_colours(model, image, *point) == suggestions  # deterministic


def test_a_given_scene_embedding_is_the_one_computed_otherwise(shipped):
    image, model = portrait(), shipped["default"]
    context = scene_context(model, image, torch.device("cpu"))
    assert suggest_colours(model, image, *CHEEK, context=context) == suggest_colours(model, image, *CHEEK)


def test_a_minimal_model_without_scene_embedding_is_varied_by_scale_and_tone():
    image = portrait()
    model = ConvDouble(depth=3, kernel=5)
    suggestions = suggest_colours(model, image, *CHEEK, count=5)
    assert np.hypot(*(np.array(suggestions.model) - pipeline_ab(image, model, *CHEEK))) < 2.0
    assert 4 <= len(suggestions.alternatives) <= 5
    check_distinct(suggestions, point_lightness(image, *CHEEK))
    assert suggest_colours(model, image, *CHEEK, count=5) == suggestions


def test_a_context_model_gets_other_scene_embeddings_and_a_given_one_is_used():
    image = portrait()
    image[:, :80] //= 2  # the halves differ
    model = ContextEcho()  # colour = 0.1 * the scene's mean L / 100 (x AB_SCALE), on a and b alike
    own = suggest_colours(model, image, *CHEEK)
    assert len(own.alternatives) >= 4
    check_distinct(own, point_lightness(image, *CHEEK))
    for a, b in own.alternatives:
        assert a == pytest.approx(b, abs=1e-3)  # only the scene changed: colours the model can make
    given = suggest_colours(model, image, *SKY, context=torch.tensor([[0.5]]))
    assert given.model == pytest.approx((5.5, 5.5), abs=1e-3)


def test_colours_are_never_invented():
    """A hint-taking model told nothing predicts gray everywhere: gray, and no alternatives."""
    suggestions = suggest_colours(HintEcho(), portrait(), *CHEEK)
    assert suggestions.model == (0.0, 0.0)
    assert suggestions.alternatives == []


def test_points_off_the_photo_are_clamped_and_count_is_respected():
    image = portrait()
    model = ConvDouble(depth=3, kernel=5)
    inside = suggest_colours(model, image, image.shape[1] - 1, 0, count=2)
    assert suggest_colours(model, image, image.shape[1] + 40.0, -12.5, count=2) == inside
    assert len(inside.alternatives) <= 2
    assert suggest_colours(model, image, *CHEEK, count=0).alternatives == []


def test_a_restored_render_of_lightness_gives_what_its_pixels_give():
    """The pipeline feeds a restored photo as float32 L*; the same lightness gives the same suggestions."""
    image = portrait()
    model = ConvDouble(depth=3, kernel=5)
    assert suggest_colours(model, color.lightness(image), *CHEEK) == suggest_colours(model, image, *CHEEK)
