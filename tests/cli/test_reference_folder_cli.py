"""`colorstudio colorize --reference FOLDER`: a reference chosen per photo from a folder of colour photos, each
photo's line saying which (or that none matched), the summary counting them; clear errors for an empty
folder or one without colour photos. The shipped model at render size 256 (the thresholds are its)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from reference_scene import colour_scene as scene

from colorstudio.cli import run
from colorstudio.core import color, imageio


def bands() -> np.ndarray:
    yy, xx = np.mgrid[0:150, 0:200]
    return np.stack([np.sin(xx / 9) * 120 + 128, np.cos(yy / 7) * 120 + 128, (xx + yy) % 60 * 4], -1).astype(np.uint8)


def save(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def gray(rgb: np.ndarray) -> np.ndarray:
    return color.compose_rgb(color.lightness(rgb), np.zeros(rgb.shape[:2] + (2,), np.float32), np.uint8)[..., 0]


def colorize(*args) -> int:
    return run(["colorize", *map(str, args), "--device", "cpu", "--engine", "torch", "--render-size", "256"])


def test_each_photo_takes_its_reference_from_the_folder_or_none_and_says_which(tmp_path, capsys):
    scans, folder = tmp_path / "scans", tmp_path / "colour photos"
    save(scans / "street.png", gray(scene()))
    # concentric rings: nothing in the folder is like them (cell match 0.24 with the street, 0.29 with the
    # bands). Fine diagonal stripes were, until the encoder read a photo smaller than FEATURE_SIDE as it is
    # (it had enlarged them 2.8 x); as they are, they match the street at 0.47
    yy, xx = np.mgrid[0:120, 0:160]
    save(scans / "rings.png", ((np.hypot(yy - 60, xx - 80) // 8 % 2) * 200 + 30).astype(np.uint8))
    save(folder / "street 1971.png", np.ascontiguousarray(scene()[:, ::-1]))
    save(folder / "bands.png", bands())
    save(folder / "old print.png", gray(scene()))
    out = tmp_path / "out"
    assert colorize(scans, "-o", out, "--reference", folder, "--reference-strength", "0.9") == 0
    err = capsys.readouterr().err
    assert "old print.png skipped" in err and "2 colour photos, 1 file skipped" in err
    street = next(line for line in err.splitlines() if "street.png: ->" in line)
    assert "(reference: street 1971.png (match " in street
    rings = next(line for line in err.splitlines() if "rings.png: ->" in line)
    assert "(no reference matched well enough (best " in rings and rings.endswith("automatic colour)")
    assert "Reference folder: 1 photo took a reference from it, 1 matched none (automatic colour)." in err
    assert imageio.read_provenance(out / "street.png")["reference"] == "street 1971.png"
    assert "reference" not in imageio.read_provenance(out / "rings.png")


@pytest.mark.parametrize("what", ["empty", "gray only"])
def test_an_empty_folder_or_one_without_colour_photos_is_refused_clearly(tmp_path, capsys, what):
    save(tmp_path / "scans" / "a.png", gray(scene()))
    folder = tmp_path / "references"
    folder.mkdir()
    if what == "gray only":
        save(folder / "old.png", gray(scene()))
    with pytest.raises(SystemExit) as exc:
        colorize(tmp_path / "scans", "-o", tmp_path / "out", "--reference", folder)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert {"empty": "has no photos in it",
            "gray only": "none of the 1 photos in the reference folder"}[what] in err
    assert not (tmp_path / "out").exists()
