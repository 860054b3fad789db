"""The cluster layer's parts that need no running cluster: what a missing Ray says, storage URLs planned like
local folders, the data-parallel shares of an epoch, and the learning-rate rule."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import tomllib
import torch

from colorstudio.cli import run as cli
from colorstudio.core import batch
from colorstudio.core.options import OutputSettings
from colorstudio.core.training import recipe
from colorstudio.core.training.batches import epoch_batches

ROOT = Path(__file__).parents[2]


def test_the_base_install_has_no_ray_and_the_cluster_extra_has_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("ray")]
    assert any(d.startswith("ray[") and "data" in d and "train" in d for d in project["optional-dependencies"]["cluster"])


@pytest.mark.parametrize("command", [["colorize", "{photo}", "-o", "{out}", "--cluster", "local"],
                                     ["train", "{folder}", "--out", "x", "--workers", "2", "--epochs", "1",
                                      "--arch", "seed-cnn", "--size", "64", "--batch", "1"]])
def test_without_ray_the_cluster_options_say_what_to_install(command, monkeypatch, tmp_path, capsys):
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        Image.fromarray((np.random.default_rng(i).random((140, 150, 3)) * 255).astype(np.uint8)).save(
            folder / f"c{i}.png")
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    args = [a.format(photo=folder / "c0.png", out=tmp_path / "out", folder=folder) for a in command]
    assert cli(args) != 0
    assert "pip install 'colorstudio[cluster]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_storage_urls_are_refused_without_the_cluster(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli(["colorize", "s3://bucket/scans", "-o", str(tmp_path)])
    assert "--cluster" in capsys.readouterr().err


def test_storage_urls_are_planned_like_folders():
    """Listing, naming, skipping the finished and renaming clashes: the core planner over fsspec paths."""
    upath = pytest.importorskip("upath")
    root = upath.UPath("memory://archive")
    for name in ("box1/scan001.png", "box1/scan002.tif", "box1/notes.txt", "box2/scan001.png"):
        (root / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "in" / name).write_bytes(b"x")
    (root / "out" / "box1").mkdir(parents=True, exist_ok=True)
    (root / "out" / "box1" / "scan002.tif").write_bytes(b"done before")
    plan = batch.plan_batch([root / "in" / "box1", root / "in" / "box2"], OutputSettings(root / "out"))
    assert [str(job.output) for job in plan.jobs] == ["memory://archive/out/scan001.png",
                                                      "memory://archive/out/scan002.tif",
                                                      "memory://archive/out/scan001 (2).png"]
    assert [str(source) for source, _ in plan.notes] == ["memory://archive/in/box2/scan001.png"]
    recursive = batch.plan_batch([root / "in"], OutputSettings(root / "out"), recursive=True)
    assert sorted(str(job.output) for job in recursive.jobs) == ["memory://archive/out/box1/scan001.png",
                                                                 "memory://archive/out/box2/scan001.png"]
    assert [str(job.output) for job in recursive.skipped] == ["memory://archive/out/box1/scan002.tif"]


class _Numbers:
    """A data set whose items are their own index."""

    epoch = 0

    def __len__(self):
        return 23

    def __getitem__(self, i):
        return {"i": torch.tensor(i)}


def test_the_processes_share_each_global_batch_and_one_process_is_unchanged():
    data = _Numbers()
    alone = [b["i"].tolist() for b in epoch_batches(data, 3, 4, 0, 9)]
    assert [b["i"].tolist() for b in epoch_batches(data, 3, 4, 0, 9, shard=(0, 1))] == alone
    ranks = [[b["i"].tolist() for b in epoch_batches(data, 3, 4, 0, 9, shard=(r, 2))] for r in range(2)]
    assert len(ranks[0]) == len(ranks[1]) == 23 // 8
    for step, (zero, one) in enumerate(zip(*ranks)):
        assert zero + one == alone[2 * step] + alone[2 * step + 1]  # the global batch, split in two
    resumed = [b["i"].tolist() for b in epoch_batches(data, 3, 4, 1, 9, shard=(1, 2))]
    assert resumed == ranks[1][1:]


def test_the_default_learning_rate_grows_with_the_square_root_of_the_processes():
    begin = recipe.Start(model=None, loss="mse", lr=1e-3, warmup_steps=100, card={})
    run = recipe.TrainingRun("r", "f", [], [], epochs=1)
    assert recipe.train_config(run, begin).lr == pytest.approx(1e-3)
    run.workers = 4
    assert recipe.train_config(run, begin).lr == pytest.approx(2e-3)
    run.lr = 5e-4  # a rate the user gave is used as given
    assert recipe.train_config(run, recipe.Start(None, "mse", 5e-4, 100, {})).lr == pytest.approx(5e-4)


def test_a_worker_reads_and_writes_storage_urls_and_reports_a_bad_file(tmp_path):
    """The actor's own code, called directly: a photo from a URL, its result uploaded whole; a bad one a row."""
    upath = pytest.importorskip("upath")
    from PIL import Image

    from colorstudio.cluster.colorize_job import PhotoWorker
    from colorstudio.core import checkpoint, imageio
    from colorstudio.core.models import registry
    from colorstudio.core.options import JobSettings

    torch.manual_seed(0)
    checkpoint.save_model(tmp_path / "tiny.safetensors", registry.build("seed-cnn"), {"title": "t"})
    Image.fromarray((np.random.default_rng(0).random((40, 50)) * 255).astype(np.uint8)).save(tmp_path / "a.png")
    root = upath.UPath("memory://worker-test")
    (root / "in").mkdir(parents=True, exist_ok=True)
    (root / "in" / "a.png").write_bytes((tmp_path / "a.png").read_bytes())
    (root / "in" / "bad.png").write_bytes(b"not a photo")
    worker = PhotoWorker(JobSettings(model=str(tmp_path / "tiny.safetensors"), output=OutputSettings(root / "out")), 1)
    done = worker.colorize("memory://worker-test/in/a.png", "memory://worker-test/out/a.png", "[[10, 10, 40, 20, 0]]")
    assert done.ok and done.seconds > 0
    (tmp_path / "result.png").write_bytes((root / "out" / "a.png").read_bytes())
    result = imageio.read_image(tmp_path / "result.png")
    assert result.pixels.shape == (40, 50, 3)
    assert imageio.read_provenance(tmp_path / "result.png")["hints"] == 1
    failed = worker.colorize("memory://worker-test/in/bad.png", "memory://worker-test/out/bad.png", "[]")
    assert not failed.ok and "bad.png" in failed.error and not failed.unexpected
    assert not (root / "out" / "bad.png").exists()


@pytest.mark.parametrize("resources, asked, device, photos, expected", [
    ({"CPU": 2, "memory": 16 << 30}, 0, "auto", 50, (2, 1, 0)),  # one worker a CPU
    ({"CPU": 64, "memory": 20 << 30}, 0, "auto", 500, (10, 6, 0)),  # as many as the memory holds
    ({"CPU": 2, "memory": 16 << 30}, 0, "auto", 1, (1, 2, 0)),  # never more workers than photos
    ({"CPU": 2, "memory": 16 << 30}, 1, "cpu", 50, (1, 2, 0)),
    ({"CPU": 32, "GPU": 4, "memory": 64 << 30}, 0, "auto", 50, (4, 4, 1)),  # one a GPU
    ({"CPU": 32, "GPU": 4, "memory": 64 << 30}, 0, "cpu", 50, (32, 1, 0)),  # the GPUs left alone
])
def test_workers_are_sized_to_the_cluster(monkeypatch, resources, asked, device, photos, expected):
    ray = pytest.importorskip("ray")
    from colorstudio.cluster.connect import plan_workers

    monkeypatch.setattr(ray, "cluster_resources", lambda: resources)
    workers = plan_workers(asked, device, photos)
    assert (workers.count, workers.cpus, workers.gpus) == expected


@pytest.mark.parametrize("resources, asked, device, says", [
    ({"CPU": 2, "memory": 16 << 30}, 3, "auto", "at most 2 workers"),
    ({"CPU": 2, "memory": 16 << 30}, 0, "cuda", "no GPU"),
    ({"CPU": 8, "GPU": 1, "memory": 16 << 30}, 2, "auto", "at most 1 GPU workers"),
])
def test_impossible_worker_counts_say_why(monkeypatch, resources, asked, device, says):
    ray = pytest.importorskip("ray")
    from colorstudio.cluster.connect import plan_workers
    from colorstudio.core.errors import ColorStudioError

    monkeypatch.setattr(ray, "cluster_resources", lambda: resources)
    with pytest.raises(ColorStudioError, match=says):
        plan_workers(asked, device, 10)


def test_a_worker_on_another_machine_gets_the_drivers_model_and_its_card(tmp_path, monkeypatch):
    """A user model known only on the driver (by name, with its card beside it, as the models dialog edits
    it) is shipped to the worker, which colorizes exactly as the local command does and records the same."""
    from PIL import Image

    from colorstudio import paths
    from colorstudio.cluster.colorize_job import PhotoWorker, ship_model
    from colorstudio.core import checkpoint, imageio
    from colorstudio.core.jobs import Colorizer
    from colorstudio.core.models import registry
    from colorstudio.core.options import JobSettings

    torch.manual_seed(0)
    weights = paths.user_models_dir() / "family.safetensors"
    checkpoint.save_model(weights, registry.build("seed-cnn"), {"title": "Family", "version": "3"})
    weights.with_suffix(".json").write_text('{"title": "Family", "version": "3.1"}')  # the card the catalog reads
    Image.fromarray((np.random.default_rng(0).random((40, 50)) * 255).astype(np.uint8)).save(tmp_path / "a.png")
    settings = JobSettings(model="family", output=OutputSettings(tmp_path / "out"))
    local = Colorizer.load("family", "cpu")
    local.colorize_file(batch.Job(tmp_path / "a.png", tmp_path / "local.png"), settings)

    shipped = ship_model(settings)
    monkeypatch.setenv("COLORSTUDIO_HOME", str(tmp_path / "another-machine"))  # where "family" is unknown
    worker = PhotoWorker(settings, 1, shipped)
    done = worker.colorize(str(tmp_path / "a.png"), str(tmp_path / "worker.png"), "[]")
    assert done.ok, done.error
    assert np.array_equal(imageio.read_image(tmp_path / "worker.png").pixels,
                          imageio.read_image(tmp_path / "local.png").pixels)
    record = imageio.read_provenance(tmp_path / "worker.png")
    assert (record["model"], record["model_version"]) == ("family", "3.1")
    assert imageio.read_provenance(tmp_path / "local.png")["model_version"] == "3.1"


def test_an_unknown_model_is_said_before_any_cluster_starts(monkeypatch, tmp_path, capsys):
    from PIL import Image

    Image.fromarray(np.zeros((40, 50), np.uint8)).save(tmp_path / "a.png")
    monkeypatch.setitem(sys.modules, "ray", None)  # a cluster would need Ray: none is started
    assert cli(["colorize", str(tmp_path / "a.png"), "-o", str(tmp_path / "out"), "--model", "no-such-model",
                "--cluster", "local"]) == 2
    said = capsys.readouterr().err
    assert "No model named 'no-such-model'" in said and "colorstudio[cluster]" not in said


@pytest.mark.parametrize("command", [["colorize", "--cluster", "{folder}", "-o", "{out}"],
                                     ["train", "--cluster", "{folder}", "--out", "x", "--epochs", "1"]])
def test_a_folder_taken_for_the_cluster_address_is_said(command, tmp_path, capsys):
    """``--cluster`` may stand alone, so a folder right after it is read as the address: said, not tried."""
    folder = tmp_path / "scans"
    folder.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        cli([a.format(folder=folder, out=tmp_path / "out") for a in command])
    assert exit_info.value.code == 2
    said = capsys.readouterr().err
    assert "is not a cluster" in said and "--cluster=auto" in said
