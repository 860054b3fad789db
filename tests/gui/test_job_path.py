"""The window and the command line do the same thing to a photo: the same plan, the same pixels, the same
provenance; a batch keeps its settings; start-up asks only about a real earlier batch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from window_helpers import photo, statuses

from colorstudio import paths
from colorstudio.cli import run as cli
from colorstudio.core import checkpoint, imageio
from colorstudio.core.models import registry
from colorstudio.core.queue import JobQueue, Status
from colorstudio.gui import window_dialogs


def output_folder(window) -> Path:
    return Path(window.settings_panel.values()["output_folder"])


@pytest.fixture
def questions(monkeypatch):
    """Questions the window asks (answered yes)."""
    asked = []
    monkeypatch.setattr(window_dialogs, "ask", lambda parent, title, text: asked.append(text) or True)
    return asked


def test_photos_on_the_command_line_of_a_first_start_are_queued_without_a_question(make_window, qtbot, tmp_path,
                                                                                  questions):
    window = make_window()  # a brand-new profile: no earlier batch
    window.add_paths([photo(tmp_path / "a.jpg")])  # what `colorstudio a.jpg` does, then:
    window.offer_to_continue()
    assert questions == []
    assert statuses(window) == [Status.WAITING] and not window.runner.running
    window.close()  # queued, never started: the next start asks nothing either
    again = make_window()
    again.offer_to_continue()
    assert questions == [] and statuses(again) == [Status.WAITING]


def test_a_restored_batch_is_offered_with_the_right_words(make_window, qtbot, tmp_path, questions):
    from colorstudio.gui.window_state import queue_path

    queue = JobQueue()
    queue.add([photo(tmp_path / "left.png")])
    queue.save(queue_path(), {"batch_running": True})  # the window closed (or crashed) while it ran
    window = make_window()
    window.add_paths([photo(tmp_path / "new.png", seed=1)])  # given on the command line this time
    window.offer_to_continue()
    assert questions == ["The last batch has 1 photo not colorized yet. Continue now?"]
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE, Status.DONE], timeout=30000)


@pytest.mark.parametrize("overwrite", [False, True])
def test_two_folders_with_the_same_file_name_give_two_outputs(make_window, qtbot, tmp_path, overwrite):
    window = make_window()
    window.settings_panel.overwrite.setChecked(overwrite)
    a = photo(tmp_path / "A" / "scan001.png", seed=1)
    b = photo(tmp_path / "B" / "scan001.png", seed=2)
    window.add_paths([a.parent, b.parent])  # next to each other in the queue
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE, Status.DONE], timeout=30000)
    out = output_folder(window)
    assert sorted(p.name for p in out.iterdir()) == ["scan001 (2).png", "scan001.png"]
    first, second = window.queue_model.queue.items
    assert (first.output, second.output) == (out / "scan001.png", out / "scan001 (2).png")
    assert "scan001 (2).png" in second.note
    # each output is its own photo's: the same lightness as its source
    for item in (first, second):
        gray = np.asarray(Image.open(item.source), np.float32)
        result = np.asarray(Image.open(item.output).convert("L"), np.float32)
        assert np.abs(result - gray).mean() < 3


def test_a_photo_done_earlier_keeps_its_output_when_another_of_that_name_comes(make_window, qtbot, tmp_path):
    window = make_window()
    window.add_paths([photo(tmp_path / "A" / "p.png", seed=1)])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    window.add_paths([photo(tmp_path / "B" / "p.png", seed=2)])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE, Status.DONE], timeout=30000)
    assert sorted(p.name for p in output_folder(window).iterdir()) == ["p (2).png", "p.png"]


def test_the_window_and_the_command_line_write_the_same_pixels_and_provenance(make_window, qtbot, tmp_path):
    torch.manual_seed(3)
    checkpoint.save_model(paths.user_models_dir() / "versioned.safetensors", registry.build("seed-cnn"),
                          {"title": "Versioned", "version": "2.5"})
    window = make_window()
    panel = window.settings_panel
    panel.refresh_models()
    panel.model.setCurrentIndex(panel.model.findData("versioned"))
    panel.render_size.setValue(64)
    panel.strength.setValue(150)
    panel.format.setCurrentIndex(panel.format.findData("jpeg"))
    panel.quality.setValue(80)
    source = photo(tmp_path / "in" / "a.png", size=(120, 90))
    window.add_paths([source])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    cli_out = tmp_path / "cli"
    assert cli(["colorize", str(source), "-o", str(cli_out), "--model", "versioned", "--render-size", "64",
                "--strength", "1.5", "--format", "jpeg", "--quality", "80", "--device", "cpu"]) == 0
    from_window, from_cli = output_folder(window) / "a.jpg", cli_out / "a.jpg"
    assert np.array_equal(imageio.read_image(from_window).pixels, imageio.read_image(from_cli).pixels)
    window_record, cli_record = imageio.read_provenance(from_window), imageio.read_provenance(from_cli)
    assert window_record["model_version"] == "2.5"
    assert window_record["description"].replace(window_record["when"], "") == \
        cli_record["description"].replace(cli_record["when"], "")  # the same sentence, but for the time
    fields = ("colorized", "model", "model_version", "software")
    assert [window_record[k] for k in fields] == [cli_record[k] for k in fields]


def test_a_batch_keeps_the_settings_it_was_started_with_and_says_so(make_window, qtbot, tmp_path):
    window = make_window()
    panel = window.settings_panel
    panel.render_size.setValue(0)
    panel.tile_size.setValue(128)
    panel.overlap.setValue(16)
    requests = []
    real_run = window.engine.run
    window.engine.run = lambda request: (requests.append(request), real_run(request))[1]
    window.add_paths([photo(tmp_path / f"p{i}.png", size=(700, 500), seed=i) for i in range(3)])
    with qtbot.waitSignal(window.engine.worker.job_progress, timeout=30000):
        window.runner.start()
    assert not panel.batch_note.isHidden()  # the window says what a change applies to
    panel.render_size.setValue(256)
    panel.strength.setValue(30)
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE] * 3, timeout=60000)
    assert len(requests) == 3
    assert all(r.settings.options.render_size == 0 and r.settings.options.strength == 1.0 for r in requests)
    assert panel.batch_note.isHidden()
    with qtbot.waitSignal(window.runner.previewReady, timeout=30000):  # the next use takes the new settings
        window.table.selectRow(0)
        window.queue_actions.preview_selected()
    assert requests[-1].settings.options.render_size == 256 and requests[-1].settings.options.strength == 0.3


def test_a_setting_core_refuses_is_shown_beside_its_control_and_blocks_start(make_window, qtbot, tmp_path):
    window = make_window()
    panel = window.settings_panel
    window.add_paths([photo(tmp_path / "a.png")])
    assert window.commands.start.isEnabled()
    panel.tile_size.setValue(128)
    panel.overlap.setValue(200)
    error = panel.errors["overlap"]
    assert not error.isHidden() and "Overlap must be" in error.text()
    assert not window.commands.start.isEnabled()
    (tmp_path / "a-file").write_text("x")
    panel.overlap.setValue(16)
    panel.output_folder.setText(str(tmp_path / "a-file"))
    assert error.isHidden() and "is a file" in panel.errors["folder"].text()
    assert not window.commands.start.isEnabled()
    panel.output_folder.setText(str(tmp_path / "out"))
    assert all(label.isHidden() for label in panel.errors.values()) and window.commands.start.isEnabled()


def test_an_unknown_command_is_an_error_and_loads_no_window():
    code = ("import sys\nfrom colorstudio.__main__ import main\nrc = main(['colourize', 'x.jpg'])\n"
            "print(rc, 'PySide6' in sys.modules)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "False"]
    assert "'colourize' is not a command" in result.stderr and "Did you mean 'colorize'?" in result.stderr
    assert "colorize, train, evaluate, models" in result.stderr
