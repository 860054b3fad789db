"""`colorstudio colorize --reference`: a reference colour photo for every photo, recorded in the output."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from photos import write_photo

from colorstudio.cli import run
from colorstudio.core import imageio


def colorize(*args) -> int:
    return run(["colorize", *map(str, args), "--device", "cpu", "--tile", "64", "--overlap", "16"])


def test_a_reference_photo_guides_every_photo_and_the_output_records_it(tmp_path, model_file):
    src = tmp_path / "scans"
    write_photo(src / "a.png")
    write_photo(src / "b.png", seed=1)
    reference = write_photo(tmp_path / "beach 1972.png", size=(64, 48), seed=2, mode="RGB")
    out, plain = tmp_path / "out", tmp_path / "plain"
    assert colorize(src, "-o", out, "--model", model_file, "--reference", reference,
                    "--reference-strength", "0.8") == 0
    assert colorize(src, "-o", plain, "--model", model_file) == 0
    for name in ("a.png", "b.png"):
        record = imageio.read_provenance(out / name)
        assert record["reference"] == "beach 1972.png"
        assert record["reference_sha256"] == hashlib.sha256(reference.read_bytes()).hexdigest()
        assert "guided by the reference photo beach 1972.png" in record["description"]
        assert "reference" not in imageio.read_provenance(plain / name)
    guided, automatic = imageio.read_image(out / "a.png").pixels, imageio.read_image(plain / "a.png").pixels
    assert not np.array_equal(guided, automatic)


@pytest.mark.parametrize("what", ["gray", "empty folder", "strength"])
def test_a_gray_reference_an_empty_folder_or_a_bad_strength_is_refused_clearly(tmp_path, model_file, capsys, what):
    write_photo(tmp_path / "scans" / "a.png")
    gray = write_photo(tmp_path / "gray.png", size=(64, 48))
    (tmp_path / "empty").mkdir()
    args = {"gray": ["--reference", gray], "empty folder": ["--reference", tmp_path / "empty"],
            "strength": ["--reference", write_photo(tmp_path / "c.png", mode="RGB"), "--reference-strength", "2"]}
    with pytest.raises(SystemExit) as exc:
        colorize(tmp_path / "scans", "-o", tmp_path / "out", "--model", model_file, *args[what])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert {"gray": "must be a colour photo", "empty folder": "has no photos in it",
            "strength": "between 0 and 1"}[what] in err
    assert not (tmp_path / "out").exists()
