"""A run's life beyond the steps: paused time, the log the curves are redrawn from, a trained model kept for
later, and the comparison measured as the training measured."""

from __future__ import annotations

import json
import time

import pytest
import torch
from test_recipe import user_model
from test_training import _trainer, make_photos

from colorstudio.core.errors import Cancelled
from colorstudio.core.models import registry
from colorstudio.core.training import recipe, runlog
from colorstudio.core.training.dataset import PhotoPairs
from colorstudio.core.training.loop import TrainConfig, Trainer
from colorstudio.core.training.photos import split

PAUSE = 2.0  # longer than the budget below: counted, it alone would spend it


def logged(run_dir) -> list[dict]:
    """The lines of the run's log file, as written."""
    return [json.loads(line) for line in (run_dir / "log.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_pause_does_not_use_up_the_time_budget(tmp_path):
    photos = make_photos(tmp_path / "photos")
    torch.manual_seed(0)
    config = TrainConfig(loss="mse", size=64, batch=2, lr=1e-3, minutes=0.02, warmup_steps=2, device="cpu")
    trainer = Trainer(registry.build("seed-cnn"), PhotoPairs(photos, size=64), None, tmp_path / "run", config)
    asked = []

    def should_cancel():  # paused for two seconds before the third step
        asked.append(1)
        if len(asked) == 3:
            time.sleep(PAUSE)
        return False

    started = time.monotonic()
    trainer.run(should_cancel=should_cancel)
    wall = time.monotonic() - started
    p = trainer.progress
    assert p.seconds >= 1.2  # the whole 1.2 s budget was trained (a step here takes 0.13-0.37 s)...
    assert p.seconds <= wall - PAUSE  # ...and the pause is not part of it
    assert p.step > 3  # (counted, the pause alone would have spent the budget at step 3)


def test_the_log_keeps_in_step_with_the_checkpoint(tmp_path):
    photos = make_photos(tmp_path / "photos")
    trainer = _trainer(tmp_path, photos, epochs=2)
    trainer.run()
    run_dir = tmp_path / "run"
    assert [(e["epoch"], e["step"]) for e in logged(run_dir)] == [(1, 4), (2, 8)]
    assert set(logged(run_dir)[0]["val"]) >= {"ciede2000", "psnr"}

    again = _trainer(tmp_path, photos, epochs=2)  # the same folder started over, not resumed
    steps = []
    with pytest.raises(Cancelled):
        again.run(on_event=lambda e: steps.append(e) if e.kind == "step" else None,
                  should_cancel=lambda: len(steps) >= 5)
    assert [e["epoch"] for e in logged(run_dir)] == [1]  # the earlier attempt's passes are gone
    # a pass logged after the checkpoint was written (a crash in between) is dropped on resume, then redone
    with open(run_dir / "log.jsonl", "a", encoding="utf-8") as log:
        log.write(json.dumps({"epoch": 2, "step": 8, "loss": 9.0, "seconds": 1.0, "val": {}}) + "\n")
    resumed = _trainer(tmp_path, photos, epochs=2)
    resumed.resume()
    assert [e["epoch"] for e in logged(run_dir)] == [1]
    resumed.run()
    log = logged(run_dir)
    assert [(e["epoch"], e["step"]) for e in log] == [(1, 4), (2, 8)] and log[1]["loss"] != 9.0


def test_reading_a_log_keeps_the_last_history_and_skips_a_cut_line(tmp_path):
    lines = ['{"epoch": 1, "step": 4, "loss": 1}', '{"epoch": 2, "step": 8, "loss": 2}',
             '{"epoch": 1, "step": 4, "loss": 3}', '{"epoch": 2, "st']
    (tmp_path / runlog.LOG_FILE).write_text("\n".join(lines), encoding="utf-8")
    assert runlog.read(tmp_path) == [{"epoch": 1, "step": 4, "loss": 3}]
    assert runlog.read(tmp_path / "nothing") == []


def _trained_run(tmp_path, name="kept"):
    photos = make_photos(tmp_path / "photos", n=12)
    run = recipe.plan_run(name, tmp_path / "photos", photos, 0.25, base=user_model("tiny"), epochs=1, size=64,
                          batch=2, device="cpu")
    run.save()
    trainer = recipe.build_trainer(run)
    trainer.run()
    return run, trainer


def test_a_trained_run_is_kept_for_later_until_it_is_saved_or_discarded(tmp_path):
    run, trainer = _trained_run(tmp_path)
    assert [r.name for r in recipe.unfinished_runs()] == ["kept"] and recipe.unsaved_runs() == []
    recipe.mark_trained(run)
    loaded = recipe.TrainingRun.load(run.run_dir)
    assert loaded.trained and not loaded.finished  # recorded in run.json
    assert recipe.unfinished_runs() == []  # it did not stop before the end...
    assert [r.name for r in recipe.unsaved_runs()] == ["kept"]  # ...its model waits to be saved
    again = recipe.load_trained(loaded)  # in a later session: the trained model from the checkpoint
    assert again.progress == trainer.progress
    for a, b in zip(again.ema.parameters(), trainer.ema.parameters()):
        assert torch.equal(a, b)
    recipe.discard(loaded)
    assert recipe.unsaved_runs() == [] and recipe.unfinished_runs() == []
    assert not (run.run_dir / recipe.STATE_FILE).exists()
    assert recipe.TrainingRun.load(run.run_dir).extra == {"discarded": True}


def test_the_split_shown_is_the_split_of_the_run(tmp_path):
    photos = [tmp_path / f"photo{i}.jpg" for i in range(40)]
    train, val = recipe.split_photos(tmp_path, photos, 0.1)
    assert (train, val) == split(photos, 0.1, root=tmp_path)
    run = recipe.plan_run("r", tmp_path, photos, 0.1)
    assert (run.train, run.val) == ([str(p) for p in train], [str(p) for p in val])


def test_the_comparison_also_measures_as_the_training_did(tmp_path):
    run, trainer = _trained_run(tmp_path)
    last = runlog.read(run.run_dir)[-1]["val"]
    result = recipe.compare(recipe.base_model(run), trainer.ema, run.val, "cpu", crop_size=run.size)
    assert result.crop_size == 64 and result.photos == len(run.val)
    assert result.crops_new["ciede2000"] == pytest.approx(last["ciede2000"], abs=1e-9)  # the chart's end
    assert result.crops_base["ciede2000"] != result.crops_new["ciede2000"]
    assert result.new["ciede2000"] != result.crops_new["ciede2000"]  # whole photos: another measure
    assert trainer.config.val_limit == recipe.VALIDATION_PHOTOS  # the same photos, at most this many
