"""``colorstudio train --workers 2``: two CPU processes (gloo) under Ray Train run the one training loop
data-parallel: their weights stay identical, the loss falls, a resume continues from the saved step, and the
model they save is an ordinary model file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorstudio.core import catalog

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

PHOTOS = 48  # 46 for training, 2 held out: 5 steps an epoch of 4 photos on each of the 2 processes
STEPS = 5


def prepare_photos(folder: Path) -> None:
    rng = np.random.default_rng(0)
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    for i in range(PHOTOS):  # a different layout each, coloured by its lightness (light: orange, dark: blue)
        layout = Image.fromarray((rng.random((4, 5)) * 255).astype(np.uint8), "L").resize((200, 160))
        gray = np.asarray(layout, dtype=np.float32)[..., None] / 255
        pixels = 255 * (gray * np.array([1.0, 0.6, 0.1]) + (1 - gray) * np.array([0.05, 0.15, 0.5]))
        Image.fromarray(pixels.astype(np.uint8), "RGB").save(folder / "photos" / f"colour{i:02d}.png")


@pytest.fixture(scope="module")
def scenario(cluster_scenario):
    return cluster_scenario("train", prepare_photos)


def test_both_processes_end_with_the_same_weights(scenario):
    _, seen = scenario
    first = seen["first"]
    assert first["code"] == 0, first["said"]
    records = first["records"]
    assert [r["rank"] for r in records] == [0, 1]
    assert all(r["workers"] == 2 and r["step"] == 5 * STEPS for r in records)  # 5 epochs
    assert records[0]["weights"] == records[1]["weights"]
    assert records[0]["ema"] == records[1]["ema"]


def test_the_loss_falls(scenario):
    _, seen = scenario
    losses = [entry["loss"] for entry in seen["resumed"]["log"]]  # each pass's last step, over both processes
    assert len(losses) == 10
    assert np.mean(losses[-2:]) < 0.75 * np.mean(losses[:2]), losses
    scores = [entry["val"]["ciede2000"] for entry in seen["resumed"]["log"]]  # on the held-out photos
    assert scores[-1] < 0.75 * scores[0], scores


def test_a_resume_continues_from_the_saved_step(scenario):
    _, seen = scenario
    resumed = seen["resumed"]
    assert resumed["code"] == 0, resumed["said"]
    assert [entry["epoch"] for entry in resumed["log"]] == list(range(1, 11))
    assert [entry["step"] for entry in resumed["log"]] == [STEPS * e for e in range(1, 11)]  # on from step 25
    assert resumed["log"][:5] == seen["first"]["log"]  # the first five passes are the first run's
    assert all(r["step"] == 10 * STEPS for r in resumed["records"])
    assert resumed["records"][0]["weights"] == resumed["records"][1]["weights"]
    assert resumed["run"]["workers"] == 2


def test_the_model_saved_is_a_model_file_with_its_card(scenario):
    _, seen = scenario
    entry = catalog.resolve_model(seen["model"])
    model, card = catalog.load(entry)
    assert card["training"]["steps"] == 10 * STEPS
    assert model.arch == "seed-resnet18"
