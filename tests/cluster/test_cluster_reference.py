"""``colorstudio colorize --cluster --reference``: a reference photo and a reference folder travel to the
workers (on a local Ray cluster of 2 CPUs, in a network namespace of its own where the tests run as root:
``cluster_scenarios``); the outputs are the local command's, each photo's line says which reference it took."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reference_scene import colour_scene as _scene

from colorstudio.cli import run as cli
from colorstudio.core import color, imageio

pytestmark = [pytest.mark.slow, pytest.mark.cluster]




def _gray(rgb: np.ndarray) -> np.ndarray:
    return color.compose_rgb(color.lightness(rgb), np.zeros(rgb.shape[:2] + (2,), np.float32), np.uint8)[..., 0]


def _save(path: Path, pixels: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


def _prepare(folder: Path) -> None:
    _save(folder / "in" / "street.png", _gray(_scene()))
    yy, xx = np.mgrid[0:120, 0:160]  # concentric rings: no cell of the street is like them (cell match 0.24)
    _save(folder / "in" / "rings.png", ((np.hypot(yy - 60, xx - 80) // 8 % 2) * 200 + 30).astype(np.uint8))
    _save(folder / "reference.png", np.ascontiguousarray(_scene()[:, ::-1]))
    _save(folder / "references" / "street 1971.png", np.ascontiguousarray(_scene()[:, ::-1]))
    _save(folder / "references" / "old print.png", _gray(_scene()))


@pytest.fixture(scope="module")
def scenario(cluster_scenario):
    return cluster_scenario("reference", _prepare)


def _local(folder: Path, out: Path, *args) -> None:
    assert cli(["colorize", str(folder / "in"), "-o", str(out), "--device", "cpu", "--engine", "torch",
                "--render-size", "256", *map(str, args)]) == 0


def _same_pixels(a: Path, b: Path) -> None:
    for name in ("street.png", "rings.png"):
        here, there = imageio.read_image(a / name).pixels.astype(int), imageio.read_image(b / name).pixels.astype(int)
        assert here.shape == there.shape and np.abs(here - there).max() <= 1, name


def test_a_reference_photo_travels_to_the_workers(scenario, tmp_path):
    folder, seen = scenario
    code, said = seen["photo"]
    assert code == 0, said
    assert "Reference photo: reference.png (strength 1), sent to the workers." in said
    digest = hashlib.sha256((folder / "reference.png").read_bytes()).hexdigest()
    for name in ("street.png", "rings.png"):
        record = imageio.read_provenance(folder / "photo" / name)
        assert (record["reference"], record["reference_sha256"]) == ("reference.png", digest)
    _local(folder, tmp_path / "local", "--reference", folder / "reference.png")
    _same_pixels(tmp_path / "local", folder / "photo")


def test_a_reference_folder_is_chosen_from_per_photo_on_the_workers(scenario, tmp_path):
    folder, seen = scenario
    code, said = seen["folder"]
    assert code == 0, said
    assert "old print.png skipped" in said
    assert "Reference folder: 1 colour photo, 1 skipped; a reference is chosen per photo on the workers" in said
    street = next(line for line in said.splitlines() if "street.png: ->" in line)
    assert "(reference: street 1971.png (match " in street
    rings = next(line for line in said.splitlines() if "rings.png: ->" in line)
    assert "(no reference matched well enough" in rings
    assert "Reference folder: 1 photo took a reference from it, 1 matched none (automatic colour)." in said
    assert imageio.read_provenance(folder / "folder" / "street.png")["reference"] == "street 1971.png"
    _local(folder, tmp_path / "local", "--reference", folder / "references", "--reference-strength", "0.9")
    _same_pixels(tmp_path / "local", folder / "folder")
