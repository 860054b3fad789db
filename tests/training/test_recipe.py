"""The fine-tune recipe shared by `colorstudio train` and the wizard: the start rule, runs, the estimate and
the base-versus-new comparison."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from test_training import make_photos

from colorstudio import paths
from colorstudio.core import checkpoint
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.models import registry
from colorstudio.core.training import recipe


def user_model(name: str, arch: str = "seed-cnn", card: dict | None = None, **config) -> str:
    torch.manual_seed(0)
    checkpoint.save_model(paths.user_models_dir() / f"{name}.safetensors", registry.build(arch, **config),
                          card or {"title": name})
    return name


def test_fine_tuning_takes_a_third_of_the_learning_rate_and_the_base_cards_loss():
    user_model("mse-base", card={"training": {"loss": "colourful"}})
    begin = recipe.start("mse-base")
    assert begin.loss == "colourful"  # the loss the base was trained with, from its card
    assert begin.lr == pytest.approx(1e-3 / 3)
    assert begin.warmup_steps == recipe.FINE_TUNE_WARMUP_STEPS
    assert begin.card == {"base_model": "mse-base"}
    assert recipe.start("mse-base", loss="mse", lr=2e-4).lr == 2e-4  # what the user gives wins
    user_model("no-loss")
    assert recipe.start("no-loss").loss == "mse"  # a card without a loss: the architecture's default
    assert recipe.default_lr("unet-lite0", fine_tune=True) == pytest.approx(5e-4 / 3)
    assert recipe.default_lr("unet-lite0", fine_tune=False) == 5e-4


def test_a_classification_head_trains_with_the_classification_loss_only():
    user_model("bins", "unet-lite0", head="classification", decoder_widths=[8] * 5, context_size=64,
               context_dim=16)
    begin = recipe.start("bins")
    assert begin.loss == "classification" and begin.lr == pytest.approx(5e-4 / 3)
    with pytest.raises(ColorStudioError, match="does not fit"):
        recipe.start("bins", loss="mse")


def test_training_from_scratch_keeps_the_full_rate_and_a_long_warm_up():
    begin = recipe.start(arch="seed-cnn")
    assert (begin.loss, begin.lr, begin.warmup_steps, begin.card) == ("mse", 1e-3, 100, {})
    assert begin.model.arch == "seed-cnn"


def test_a_run_is_saved_in_its_folder_and_listed_until_finished(tmp_path):
    photos = make_photos(tmp_path / "photos", n=10)
    run = recipe.plan_run("mine", tmp_path / "photos", photos, 0.2, base=user_model("tiny"), epochs=1, size=64,
                          batch=2, device="cpu")
    assert sorted(run.train + run.val) == sorted(map(str, photos)) and run.val
    assert run.run_dir == paths.user_data_dir() / "runs" / "mine"
    run.save()
    assert recipe.TrainingRun.load(run.run_dir) == run
    assert recipe.unfinished_runs() == []  # no checkpoint yet: nothing to resume
    trainer = recipe.build_trainer(run)
    assert trainer.config.lr == pytest.approx(1e-3 / 3) and trainer.config.warmup_steps == 20
    assert trainer.card["base_model"] == "tiny" and trainer.card["training"]["photos_val"] == len(run.val)
    trainer.run()
    assert trainer.state_path == run.run_dir / recipe.STATE_FILE and trainer.state_path.exists()
    assert [r.name for r in recipe.unfinished_runs()] == ["mine"]
    saved = recipe.finish(trainer, run, paths.user_models_dir() / "Family colours.safetensors")
    assert checkpoint.read_model_header(saved)["card"]["name"] == "Family colours"
    assert recipe.unfinished_runs() == [] and recipe.TrainingRun.load(run.run_dir).finished


def test_a_run_the_wizard_wrote_before_still_resumes():
    old = paths.user_data_dir() / "runs" / "old"
    old.mkdir(parents=True)
    (old / "wizard.json").write_text(json.dumps({"name": "old", "folder": "f", "train": ["a"], "val": [],
                                                 "base": "", "augment": True, "extra": {}}))
    (old / recipe.STATE_FILE).write_bytes(b"x")
    runs = recipe.unfinished_runs()
    assert [r.name for r in runs] == ["old"] and runs[0].train == ["a"] and runs[0].arch == ""


def test_the_estimate_times_a_step_without_changing_the_model():
    model = registry.build("seed-cnn")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    seconds = recipe.seconds_per_step(model, 64, 2, "cpu")
    assert 0 < seconds < 30
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert recipe.describe_estimate(0.5, 10, minutes=2) == (
        "About 240 training steps (24.0 passes over the photos) in 2 min, at 0.5 s a step on this computer.")
    assert recipe.describe_estimate(0.5, 10, epochs=3) == (
        "About 0 min 15 s for 3 passes over the photos on this computer (0.5 s a step).")
    assert "could not be measured" in recipe.describe_estimate(float("nan"), 10, minutes=2)


def test_the_comparison_scores_both_models_on_the_same_photos_and_gives_samples(tmp_path):
    photos = make_photos(tmp_path / "val", n=4, size=48)
    torch.manual_seed(0)
    base, new = registry.build("seed-cnn").eval(), registry.build("seed-cnn").eval()
    result = recipe.compare(base, new, photos, "cpu", limit=3, samples=2)
    assert result.photos == 3 and set(result.base) >= {"psnr", "ssim", "ciede2000", "colourfulness_ratio"}
    assert result.base != result.new  # two different networks
    assert len(result.samples) == 2
    for gray, from_base, from_new, truth in result.samples:
        assert gray.shape == from_base.shape == from_new.shape == truth.shape == (48, 48, 3)
        assert truth.dtype == np.uint8 and np.ptp(gray.astype(int) - gray[..., :1]) == 0  # gray is gray
    same = recipe.compare(base, base, photos[:1], "cpu")
    assert same.base == same.new and not same.improved
