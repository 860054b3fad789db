"""`colorstudio colorize` end to end, in-process, on small photos made here."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from photos import digest, write_photo
from PIL import Image

from colorstudio.cli import run
from colorstudio.core import imageio
from colorstudio.core.jobs import Colorizer


def colorize(*args) -> int:
    return run(["colorize", *map(str, args), "--device", "cpu", "--tile", "64", "--overlap", "16"])


def test_a_bad_folder_gives_one_output_three_clear_errors_and_untouched_inputs(tmp_path, model_file, capsys):
    src = tmp_path / "scans"
    write_photo(src / "good.png")
    (src / "empty.jpg").write_bytes(b"")
    buf = io.BytesIO()
    Image.fromarray(np.full((64, 64), 90, np.uint8)).save(buf, "JPEG")
    (src / "truncated.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    (src / "notes.jpg").write_text("this is not a photo")
    before = digest(src)
    out = tmp_path / "out"
    code = colorize(src, "-o", out, "--model", model_file)
    err = capsys.readouterr().err
    assert code == 1
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["good.png"]
    assert digest(src) == before
    failed = [line for line in err.splitlines() if line.strip().startswith("FAILED")]
    assert len(failed) == 3
    assert any("empty.jpg" in line and "empty" in line.split(":", 1)[1] for line in failed)
    assert any("truncated.jpg" in line and "truncated" in line.lower().split("truncated.jpg", 1)[1] for line in failed)
    assert any("notes.jpg" in line and "not an image" in line for line in failed)
    assert "1 colorized" in err and "3 failed" in err


def test_an_interrupted_batch_resumes_without_redoing_finished_files(tmp_path, model_file, monkeypatch, capsys):
    src = tmp_path / "scans"
    for i in range(3):
        write_photo(src / f"p{i}.png", seed=i)
    out = tmp_path / "out"
    real = Colorizer.colorize_file
    calls = []

    def interrupt_on_second(self, job, *args, **kwargs):
        calls.append(job.source.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, job, *args, **kwargs)

    monkeypatch.setattr(Colorizer, "colorize_file", interrupt_on_second)
    assert colorize(src, "-o", out, "--model", model_file) == 130
    assert sorted(p.name for p in out.iterdir()) == ["p0.png"]  # nothing half-written
    first = (out / "p0.png").stat().st_mtime_ns
    monkeypatch.setattr(Colorizer, "colorize_file", real)
    capsys.readouterr()
    assert colorize(src, "-o", out, "--model", model_file) == 0
    err = capsys.readouterr().err
    assert "2 colorized, 1 skipped" in err
    assert (out / "p0.png").stat().st_mtime_ns == first
    assert sorted(p.name for p in out.iterdir()) == ["p0.png", "p1.png", "p2.png"]
    assert colorize(src, "-o", out, "--model", model_file, "--overwrite") == 0
    assert (out / "p0.png").stat().st_mtime_ns != first


def test_a_pickle_passed_as_model_is_refused_without_being_unpickled(tmp_path, capsys, evil_pickle):
    evil, marker = evil_pickle
    write_photo(tmp_path / "in" / "a.png")
    code = colorize(tmp_path / "in", "-o", tmp_path / "out", "--model", evil)
    assert code == 2
    assert not marker.exists()
    err = capsys.readouterr().err
    assert "evil.safetensors" in err and "safetensors" in err.split("evil.safetensors", 1)[1]
    assert not (tmp_path / "out").exists()


def test_outputs_keep_relative_paths_names_and_format_unless_asked(tmp_path, model_file):
    src = tmp_path / "scans"
    write_photo(src / "a.jpg")
    write_photo(src / "sub" / "b.tif", mode="RGB")
    write_photo(src / "sub" / "deeper" / "c.bmp")
    out = tmp_path / "out"
    assert colorize(src, "-r", "-o", out, "--model", model_file) == 0
    found = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert found == ["a.jpg", "sub/b.tif", "sub/deeper/c.png"]  # BMP cannot hold the provenance record
    photo = imageio.read_image(out / "sub" / "b.tif")
    assert photo.pixels.shape == (40, 48, 3)
    record = imageio.read_provenance(out / "a.jpg")
    assert record and record["model"] == "tiny-test"
    out2 = tmp_path / "out2"
    assert colorize(src / "a.jpg", "-o", out2, "--model", model_file, "--format", "png") == 0
    assert [p.name for p in out2.iterdir()] == ["a.png"]
    # without -r, only the top folder
    out3 = tmp_path / "out3"
    assert colorize(src, "-o", out3, "--model", model_file) == 0
    assert [p.name for p in out3.iterdir()] == ["a.jpg"]


def test_output_into_the_input_folder_never_overwrites_an_input(tmp_path, model_file, capsys):
    src = tmp_path / "scans"
    write_photo(src / "a.png")
    before = digest(src)
    assert colorize(src, "-o", src, "--model", model_file) == 1
    assert digest(src) == before
    assert "would overwrite the input" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--tile", "8"], ["--overlap", "999"], ["--strength", "-1"],
                                  ["--quality", "0"], ["--format", "gif"], ["--device", "tpu"]])
def test_usage_errors_exit_2(tmp_path, model_file, args):
    write_photo(tmp_path / "a.png")
    with pytest.raises(SystemExit) as exc:
        run(["colorize", str(tmp_path / "a.png"), "-o", str(tmp_path / "out"), "--model", str(model_file), *args])
    assert exc.value.code == 2


def test_missing_output_option_and_nothing_found_are_usage_errors(tmp_path):
    with pytest.raises(SystemExit) as exc:
        run(["colorize", str(tmp_path)])
    assert exc.value.code == 2
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as exc:
        run(["colorize", str(tmp_path / "empty"), "-o", str(tmp_path / "out")])
    assert exc.value.code == 2


def test_unknown_model_name_lists_the_available_ones(tmp_path, capsys):
    write_photo(tmp_path / "a.png")
    assert run(["colorize", str(tmp_path / "a.png"), "-o", str(tmp_path / "o"), "--model", "nope"]) == 2
    assert "No model named 'nope'" in capsys.readouterr().err


def test_models_lists_shipped_and_user_models(model_file, capsys):
    from colorstudio import paths

    user_dir = paths.user_models_dir()
    user_dir.mkdir(parents=True)
    (user_dir / "family.safetensors").write_bytes(model_file.read_bytes())
    (user_dir / "family.json").write_text('{"title": "Family photos", "architecture": "seed-cnn"}')
    assert run(["models"]) == 0
    out = capsys.readouterr().out
    assert "family  [user, seed-cnn]" in out
    shipped = list(paths.shipped_models_dir().glob("*.safetensors"))
    for path in shipped:
        assert path.stem in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        run(["--version"])
    assert exc.value.code == 0
    from colorstudio import __version__

    assert __version__ in capsys.readouterr().out


def test_evaluate_prints_model_and_gray_floor_and_writes_json(tmp_path, model_file, capsys):
    import json

    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (40, 48, 3)).astype(np.uint8)).save(tmp_path / f"c{i}.png")
    report = tmp_path / "report.json"
    assert run(["evaluate", str(tmp_path), "--model", str(model_file), "--device", "cpu", "--json", str(report)]) == 0
    out = capsys.readouterr().out
    assert "gray floor (a = b = 0)" in out and "Mean over 2 photos" in out
    data = json.loads(report.read_text())
    assert data["photos"] == 2
    assert data["mean"]["gray_floor"]["colourfulness_ratio"] < 0.05


def test_evaluate_scores_several_strengths_in_one_run(tmp_path, model_file, capsys):
    import json

    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 255, (40, 48, 3)).astype(np.uint8)).save(tmp_path / "c.png")
    report = tmp_path / "sweep.json"
    assert run(["evaluate", str(tmp_path), "--model", str(model_file), "--device", "cpu", "--quiet",
                "--strength", "0,1", "--json", str(report)]) == 0
    out = capsys.readouterr().out
    assert "model tiny-test strength 0 " in out and "model tiny-test strength 1 " in out
    runs = json.loads(report.read_text())["strengths"]
    assert [r["strength"] for r in runs] == [0.0, 1.0]
    assert runs[0]["mean"]["model"]["colourfulness_ratio"] < 0.05  # strength 0 is the gray floor
    assert runs[0]["mean"]["model"]["ciede2000"] == pytest.approx(runs[0]["mean"]["gray_floor"]["ciede2000"], abs=0.05)
    with pytest.raises(SystemExit):
        run(["evaluate", str(tmp_path), "--strength", "0.5,x"])


def test_train_writes_a_user_model_and_refuses_to_clobber_a_run_without_resume(tmp_path, capsys):
    from colorstudio import paths

    rng = np.random.default_rng(1)
    data = tmp_path / "colour"
    data.mkdir()
    for i in range(12):
        base = rng.integers(20, 230, (6, 6, 3)).astype(np.uint8)
        Image.fromarray(np.kron(base, np.ones((24, 24, 1), np.uint8))).save(data / f"c{i}.png")
    Image.fromarray(np.full((150, 150), 80, np.uint8)).save(data / "gray.png")
    args = ["train", str(data), "--out", "family", "--arch", "seed-resnet18", "--epochs", "1", "--size", "64",
            "--batch", "4", "--device", "cpu"]
    assert run(args) == 0
    err = capsys.readouterr().err
    assert "skipped gray.png: already grayscale" in err
    assert (paths.user_models_dir() / "family.safetensors").exists()
    card = json.loads((paths.user_models_dir() / "family.json").read_text())
    assert card["architecture"] == "seed-resnet18" and card["training"]["photos_train"] >= 9
    with pytest.raises(SystemExit) as exc:
        run(args)
    assert exc.value.code == 2
    assert run(args[:-2] + ["--device", "cpu", "--resume"]) == 0  # nothing left to do: exports again


def test_restoration_is_off_by_default_and_presets_and_flags_apply(tmp_path, model_file, monkeypatch):
    from colorstudio.core import pipeline

    seen = []
    real = pipeline.colorize

    def spy(image, model, options, **kwargs):
        seen.append(options.restore)
        return real(image, model, options, **kwargs)

    monkeypatch.setattr(pipeline, "colorize", spy)
    src = write_photo(tmp_path / "a.png")
    assert colorize(src, "-o", tmp_path / "o1", "--model", model_file) == 0
    assert not seen[-1].enabled
    assert colorize(src, "-o", tmp_path / "o2", "--model", model_file, "--restore", "damaged-print",
                    "--denoise", "0.1") == 0
    assert seen[-1].tint and seen[-1].dust == 0.7 and seen[-1].denoise == 0.1
    with pytest.raises(SystemExit) as exc:
        run(["colorize", str(src), "-o", str(tmp_path / "o3"), "--dust", "2"])
    assert exc.value.code == 2


def test_a_gray_gif_and_an_animated_gif_are_colorized_to_png(tmp_path, model_file, capsys, caplog):
    src = tmp_path / "web"
    src.mkdir()
    rng = np.random.default_rng(3)
    gray = (rng.random((40, 48)) * 255).astype(np.uint8)
    Image.fromarray(gray).save(src / "grandpa.gif")
    frames = [Image.fromarray((rng.random((40, 48)) * 255).astype(np.uint8)) for _ in range(3)]
    frames[0].save(src / "wave.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    out = tmp_path / "out"
    caplog.set_level("WARNING", logger="colorstudio")
    assert colorize(src, "-o", out, "--model", model_file) == 0  # the folder picks the GIFs up
    err = capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["grandpa.png", "wave.png"]  # GIF cannot hold the record
    assert "2 colorized" in err
    for name, source in (("grandpa", gray), ("wave", np.asarray(frames[0]))):
        photo = imageio.read_image(out / f"{name}.png")
        assert photo.source_format == "PNG" and photo.pixels.shape == (40, 48, 3)
        assert imageio.read_provenance(out / f"{name}.png")["model"] == "tiny-test"
        lightness = photo.pixels.astype(float) @ [0.299, 0.587, 0.114]
        assert np.corrcoef(lightness.ravel(), source.ravel().astype(float))[0, 1] > 0.9  # the first frame
    told = err + caplog.text
    assert "wave.gif" in told and "only its first frame is colorized" in told
    assert "grandpa.gif is an animation" not in told
