"""``colorstudio colorize --cluster``: on a local Ray cluster of 2 CPUs, the same pixels as the local command,
failures reported and listed, a re-run that writes nothing, a killed worker whose photos are still done, and
no temporary file left behind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorstudio.cli import run as cli
from colorstudio.core import checkpoint, imageio
from colorstudio.core.models import registry

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

PHOTOS = 10


def _save(path: Path, pixels: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, "L").save(path)


def _prepare(folder: Path) -> None:
    torch.manual_seed(0)
    checkpoint.save_model(folder / "tiny.safetensors", registry.build("seed-cnn"), {"title": "t", "version": "0"})
    rng = np.random.default_rng(0)
    for i in range(PHOTOS):
        gradient = np.linspace(0, 255, 80)[None, :] * np.ones((60, 1))
        pixels = np.clip(gradient + rng.normal(0, 20, (60, 80)), 0, 255).astype(np.uint8)
        _save(folder / "in" / f"photo{i:02d}.png", pixels)
    (folder / "in" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not the rest of a PNG")
    (folder / "in" / "notes.jpg").write_bytes(b"a text file with a photo's name")
    for i in range(12):  # bigger, so that the job is still busy when a worker is killed
        pixels = (rng.random((300, 400)) * 255).astype(np.uint8)
        _save(folder / "big" / f"scan{i:02d}.png", pixels)


@pytest.fixture(scope="module")
def scenario(cluster_scenario):
    return cluster_scenario("colorize", _prepare)


def test_the_cluster_writes_the_pixels_of_the_local_command(scenario, tmp_path):
    folder, seen = scenario
    local = tmp_path / "local"
    assert cli(["colorize", str(folder / "in"), "-o", str(local), "--model", str(folder / "tiny.safetensors")]) == 1
    names = sorted(p.name for p in local.iterdir())
    assert len(names) == PHOTOS
    assert sorted(p.name for p in (folder / "ray").glob("*.png")) == names
    for name in names:
        here = imageio.read_image(local / name).pixels.astype(int)
        there = imageio.read_image(folder / "ray" / name).pixels.astype(int)
        assert here.shape == there.shape
        assert np.abs(here - there).max() <= 1, name


def test_bad_files_are_reported_listed_and_the_exit_code_is_one(scenario):
    folder, seen = scenario
    code, said = seen["first"]
    assert code == 1
    assert f"Done: {PHOTOS} colorized, 0 skipped" in said and "2 failed" in said
    listed = json.loads((folder / "ray" / "colorstudio-failures.json").read_text())
    assert sorted(Path(item["file"]).name for item in listed["failures"]) == ["broken.png", "notes.jpg"]
    assert all(item["reason"] for item in listed["failures"])
    # the list is the last run's (the re-run's): the photos done before are skipped, the bad files failed again
    assert (listed["colorized"], listed["skipped"], listed["failed"]) == (0, PHOTOS, 2)


def test_a_rerun_writes_nothing(scenario):
    folder, seen = scenario
    code, said = seen["again"]
    assert f"Done: 0 colorized, {PHOTOS} skipped" in said
    assert code == 1  # the two bad files are tried again and fail again
    outputs = {name: t for name, t in seen["before"].items() if name.endswith(".png")}
    assert outputs and all(seen["after"][name] == t for name, t in outputs.items())


def test_a_killed_worker_is_restarted_and_every_photo_is_still_done(scenario):
    folder, seen = scenario
    assert seen["killed"] is not None, "no live worker was found to kill"
    assert seen["restarts"] >= 1
    done = sorted(o["source"] for o in seen["kill_outcomes"] if not o["error"])
    assert done == sorted(seen["planned"]) and len(done) == 12  # each once, none lost
    for path in (folder / "killed").glob("*.png"):
        assert imageio.read_image(path).pixels.shape == (300, 400, 3)
    assert len(list((folder / "killed").glob("*.png"))) == 12


def test_no_temporary_file_is_left_in_the_outputs(scenario):
    folder, _ = scenario
    for out in ("ray", "killed"):
        assert not [p for p in (folder / out).rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
