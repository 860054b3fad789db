"""`colorstudio models list|import|export|rename|delete`, and `colorstudio train --base` (the shared recipe)."""

from __future__ import annotations

import json
import re

import pytest
from photos import write_photo

from colorstudio import paths
from colorstudio.cli import run


def names(capsys) -> dict[str, str]:
    capsys.readouterr()
    assert run(["models", "list", "--json"]) == 0
    return {m["name"]: m["source"] for m in json.loads(capsys.readouterr().out)}


def test_import_rename_export_delete_keep_the_users_name(tmp_path, model_file, capsys):
    assert run(["models", "import", str(model_file)]) == 0
    assert "Imported tiny-test" in capsys.readouterr().out
    assert names(capsys)["tiny-test"] == "user"
    assert (paths.user_models_dir() / "tiny-test.json").exists()
    assert run(["models", "import", str(model_file)]) == 1
    assert "colorstudio: error: A model named tiny-test already exists" in capsys.readouterr().err

    assert run(["models", "rename", "tiny-test", "Family landscapes"]) == 0
    assert capsys.readouterr().out.strip() == "Renamed tiny-test to Family landscapes"
    assert "Family landscapes" in names(capsys) and "tiny-test" not in names(capsys)
    assert (paths.user_models_dir() / "Family landscapes.json").exists()
    assert run(["models", "rename", "Family landscapes", "Coast: 1962/63"]) == 0
    assert "Renamed Family landscapes to Coast 196263 (characters" in capsys.readouterr().out

    out = tmp_path / "shared" / "coast"
    assert run(["models", "export", "Coast 196263", str(out)]) == 0
    exported = out.with_name("coast.safetensors")
    assert exported.read_bytes() == (paths.user_models_dir() / "Coast 196263.safetensors").read_bytes()
    assert run(["models", "export", "Coast 196263", str(exported)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert run(["models", "export", "Coast 196263", str(exported), "--overwrite"]) == 0

    assert run(["models", "delete", "Coast 196263"]) == 0
    assert "Coast 196263" not in names(capsys)
    assert list(paths.user_models_dir().iterdir()) == []  # the card went with it
    assert exported.exists()


def test_import_refuses_a_pickle_without_unpickling_it(evil_pickle, capsys):
    evil, marker = evil_pickle
    assert run(["models", "import", str(evil)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("colorstudio: error:") and "pickle" in err
    assert not marker.exists()
    assert not (paths.user_models_dir() / "evil.safetensors").exists()


def test_shipped_models_cannot_be_renamed_or_deleted_and_mistakes_are_errors(capsys):
    shipped = next(name for name, source in names(capsys).items() if source == "shipped")
    path = paths.shipped_models_dir() / f"{shipped}.safetensors"
    for args in (["rename", shipped, "mine"], ["delete", shipped]):
        assert run(["models", *args]) == 1
        assert "colorstudio: error: Shipped models cannot be" in capsys.readouterr().err
    assert path.exists() and shipped in names(capsys)
    assert run(["models", "delete", "no-such-model"]) == 1
    assert "No model named 'no-such-model'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        run(["models", "rename", "only-one-name"])
    assert exc.value.code == 2


def test_models_without_an_action_still_lists(model_file, capsys):
    assert run(["models", "import", str(model_file)]) == 0
    capsys.readouterr()
    assert run(["models"]) == 0
    listed = capsys.readouterr().out
    assert "tiny-test  [user, seed-cnn]" in listed
    # where the engine's cache is and how big (it is bounded: core/engine_cache.py)
    cache = re.escape(str(paths.user_cache_dir() / "openvino"))
    assert re.search(rf"cached in {cache} \([0-9.]+ MB, at most 300 MB\)", listed), listed
    assert run(["models", "--json"]) == 0
    assert {"tiny-test"} <= {m["name"] for m in json.loads(capsys.readouterr().out)}


def test_train_base_prints_the_estimate_and_the_comparison_with_the_base(tmp_path, model_file, capsys):
    data = tmp_path / "colour"
    for i in range(12):
        write_photo(data / f"c{i}.png", size=(144, 144), seed=i, mode="RGB")
    assert run(["train", str(data), "--out", "fam", "--base", str(model_file), "--epochs", "1", "--size", "64",
                "--batch", "4", "--val-split", "0.25", "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    assert "for 1 passes over the photos on this computer" in captured.err and " s a step)" in captured.err
    lines = captured.out.splitlines()
    assert lines[0].split()[-4:] == ["PSNR", "SSIM", "CIEDE2000", "colour"]
    for line, label in zip(lines[1:3], ("started from: tiny-test", "new: fam")):
        assert line.startswith(label) and all(float(v) == float(v) for v in line[len(label):].split())
        assert len(line[len(label):].split()) == 4
    assert "closer to the originals" in lines[3]
    card = json.loads((paths.user_models_dir() / "fam.json").read_text())
    assert card["base_model"] == "tiny-test" and card["training"]["lr"] == pytest.approx(1e-3 / 3)
    assert card["training"]["loss"] == "mse"  # the base card has no loss: the seeds' default


def test_an_exported_shipped_model_keeps_its_card_when_imported_again(tmp_path, capsys):
    """The card beside the file travels with it: what the window shows, not the older copy in the header."""
    from colorstudio.core import catalog

    shipped = catalog.default_model()
    exported = tmp_path / "shared" / "for-a-friend.safetensors"
    exported.parent.mkdir()
    assert run(["models", "export", shipped.name, str(exported)]) == 0
    assert json.loads(exported.with_suffix(".json").read_text()) == shipped.card
    assert run(["models", "import", str(exported)]) == 0
    mine = catalog.resolve_model("for-a-friend")
    assert mine.source == "user" and mine.card["summary"] == shipped.card["summary"]
    assert "../shared" not in json.dumps(mine.card) and "SOURCES.md" not in json.dumps(mine.card)
