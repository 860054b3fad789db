"""``recipes/reference_guidance.py``: packing split-scene pairs with what the matching gives, and fine-tuning
the default model on dense reference guidance (an experiment of issue 30), on three small photos."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reference_scene import colour_scene, unrelated

from colorstudio.core import catalog, checkpoint

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "reference_guidance.py"


@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("reference_guidance", RECIPE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def packed(recipe, tmp_path_factory):
    photos = tmp_path_factory.mktemp("photos")
    for i, pixels in enumerate([colour_scene(0), unrelated(0), colour_scene(1)[:, ::-1]]):
        Image.fromarray(np.ascontiguousarray(pixels)).save(photos / f"photo{i}.png")
    out = tmp_path_factory.mktemp("pack")
    assert recipe.main(["pack", str(photos), str(out), "--limit", "3"]) == 0
    return out


def test_a_pack_holds_each_pair_with_its_own_another_and_the_most_similar_reference(recipe, packed):
    pairs = recipe.read_pack(packed)
    assert len(pairs) == 3
    first = pairs[0]
    h, w = first["lightness"].shape
    assert first["truth"].shape == first["automatic"].shape == (h, w, 2)
    for kind in recipe.KINDS:
        assert first[f"{kind}_chroma"].shape == first[f"{kind}_guide_chroma"].shape == (h, w, 2)
        assert first[f"{kind}_sure"].shape == first[f"{kind}_guide_weight"].shape == (h, w)
    # the scene's own left half and its sibling's (the most similar photo) guide its right half; the bands
    # (another scene's, half the list away) do not
    sure = {kind: first[f"{kind}_sure"].astype(np.float32).mean() for kind in recipe.KINDS}
    assert sure["own"] > 0.8 and sure["similar"] > 0.8 and sure["other"] < 0.2
    planes = recipe.hint_planes(first["own_chroma"], first["own_sure"])
    assert planes.shape == (3, h, w) and planes.dtype == np.float32
    assert np.allclose(planes[2], first["own_sure"].astype(np.float32))


def test_finetuning_changes_the_network_and_writes_a_model_that_is_not_the_default(recipe, packed, tmp_path):
    out = tmp_path / "tuned.safetensors"
    assert recipe.main(["finetune", str(packed), str(out), "--steps", "2", "--batch", "2", "--crop", "64"]) == 0
    tuned, card = checkpoint.load_model(out)
    shipped, _ = catalog.load(catalog.resolve_model(None))
    assert card["default"] is False and card["reference_guidance"]["steps"] == 2
    assert not np.allclose(tuned.hints.out.weight.detach().numpy(), shipped.hints.out.weight.detach().numpy())
    table = recipe.scores(tuned, recipe.read_pack(packed)[:1])
    assert set(table) == {"own", "other"} and all(len(row) == 4 for row in table.values())
