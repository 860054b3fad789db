"""The real main window, driven offscreen with a tiny model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from window_helpers import photo, slow_settings, statuses

from colorstudio.core import imageio
from colorstudio.core.queue import Status
from colorstudio.core.restoration import RestoreOptions
from colorstudio.gui import window_dialogs
from colorstudio.gui.queue_model import STATUS


def test_queue_runs_to_completion_and_outputs_appear(make_window, qtbot, tmp_path, monkeypatch):
    from colorstudio.core import allocator

    released = []
    monkeypatch.setattr(allocator, "release", lambda: released.append(True) or True)
    window = make_window()
    folder = tmp_path / "scans"
    for i in range(3):
        photo(folder / f"p{i}.png", seed=i)
    assert window.add_paths([folder]) == 3
    assert window.add_paths([folder / "p0.png"]) == 0  # already queued
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE] * 3, timeout=30000)
    out = Path(window.settings_panel.values()["output_folder"])
    assert sorted(p.name for p in out.iterdir()) == ["p0.png", "p1.png", "p2.png"]
    assert imageio.read_provenance(out / "p1.png")["model"] == "tiny"
    assert window.viewer.after is not None  # the finished photo is shown
    assert "finished" in window.status_text.text()
    qtbot.waitUntil(lambda: released == [True], timeout=5000)  # the batch's memory goes back once, at the end


def test_only_the_photo_on_show_gets_viewer_pyramids_and_the_others_are_read_when_selected(make_window, qtbot,
                                                                                           tmp_path):
    window = make_window()
    results = {}
    window.runner.itemFinished.connect(lambda item_id, result: results.update({item_id: result}))
    window.add_paths([photo(tmp_path / f"p{i}.png", size=(96 + 8 * i, 72), seed=i) for i in range(3)])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE] * 3, timeout=30000)
    first, *others = [item.id for item in window.queue_model.queue.items]
    assert window.queue_actions.selected_ids() == [first] and results[first].after is not None  # shown when done, stays
    assert all(results[i].before is None and results[i].after is None for i in others)
    assert set(window.results) == {first}  # nothing kept in memory for the others
    window.table.selectRow(2)  # the last one: read from its files
    qtbot.waitUntil(lambda: window.viewer.after is not None and window.viewer.after.width == 112, timeout=10000)
    assert window.viewer.before.width == 112


def test_a_corrupt_file_fails_with_its_reason_and_the_others_finish(make_window, qtbot, tmp_path):
    window = make_window()
    photo(tmp_path / "a.png")
    (tmp_path / "b.jpg").write_text("not a photo")
    photo(tmp_path / "c.png", seed=2)
    window.add_paths([tmp_path / "a.png", tmp_path / "b.jpg", tmp_path / "c.png"])
    window.runner.start()
    qtbot.waitUntil(lambda: window.queue_model.queue.unfinished() == 0, timeout=30000)
    assert statuses(window) == [Status.DONE, Status.FAILED, Status.DONE]
    failed = window.queue_model.queue.items[1]
    assert "not an image" in failed.error
    tip = window.queue_model.data(window.queue_model.index(1, STATUS), role=3)  # ToolTipRole
    assert "not an image" in tip


def test_cancel_mid_job_leaves_no_partial_output(make_window, qtbot, tmp_path):
    window = make_window()
    slow_settings(window)
    window.add_paths([photo(tmp_path / "big.png", size=(1600, 1200))])
    with qtbot.waitSignal(window.engine.worker.job_progress, timeout=30000):
        window.runner.start()
    window.runner.cancel()
    qtbot.waitUntil(lambda: statuses(window) == [Status.CANCELLED], timeout=30000)
    out = Path(window.settings_panel.values()["output_folder"])
    assert not out.exists() or list(out.iterdir()) == []
    assert not window.runner.running


def test_pause_stops_between_tiles_and_resume_finishes(make_window, qtbot, tmp_path):
    window = make_window()
    slow_settings(window)
    window.add_paths([photo(tmp_path / "big.png", size=(1600, 1200))])
    ticks = []
    window.engine.worker.job_progress.connect(lambda i, d, t: ticks.append(d))
    with qtbot.waitSignal(window.engine.worker.job_progress, timeout=30000):
        window.runner.start()
    window.runner.set_paused(True)
    qtbot.wait(600)
    frozen = len(ticks)
    qtbot.wait(800)
    assert len(ticks) <= frozen + 1  # at most the tile that was running when pause was pressed
    assert statuses(window) == [Status.WORKING]
    window.runner.set_paused(False)
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=60000)
    assert len(ticks) > frozen + 1


def test_settings_and_layout_survive_a_restart(make_window, qtbot):
    window = make_window()
    window.settings_panel.render_size.setValue(768)
    window.settings_panel.strength.setValue(135)
    window.settings_panel.format.setCurrentIndex(window.settings_panel.format.findData("tiff"))
    window.commands.side.setChecked(True)
    window.resize(1600, 900)
    window.show()
    window.splitter.setSizes([380, 900])  # the queue made narrower, for a bigger viewer
    narrow = window.splitter.sizes()[0]
    window.close()
    again = make_window()
    again.resize(1600, 900)
    again.show()
    assert again.splitter.sizes()[0] == narrow, (narrow, again.splitter.sizes())
    values = again.settings_panel.values()
    assert values["render_size"] == 768 and values["strength"] == 135 and values["format"] == "tiff"
    assert values["model"] == "tiny"
    assert again.commands.side.isChecked()


def test_remembered_settings_load_the_model_once_at_start(make_window, monkeypatch):
    from colorstudio.gui.engine import Engine

    loads = []
    original = Engine.load_model
    monkeypatch.setattr(Engine, "load_model", lambda self, *a: loads.append(a) or original(self, *a))
    window = make_window()  # remembered: the user's model "tiny" on the CPU, not the defaults
    assert [(name, options.device) for name, options in loads] == [("tiny", "cpu")]
    window.settings_panel.device.setCurrentIndex(window.settings_panel.device.findData("auto"))
    assert (loads[-1][0], loads[-1][1].device) == ("tiny", "auto")  # a change the user makes still reloads
    window.settings_panel.engine.setCurrentIndex(window.settings_panel.engine.findData("torch"))
    assert (len(loads), loads[-1][1].engine) == (3, "torch")  # so does another engine


def test_queue_is_restored_after_the_window_is_destroyed_mid_batch(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    slow_settings(window)
    window.add_paths([photo(tmp_path / "big.png", size=(1600, 1200)), photo(tmp_path / "small.png", seed=3)])
    with qtbot.waitSignal(window.engine.worker.job_progress, timeout=30000):
        window.runner.start()
    monkeypatch.setattr(window_dialogs, "ask", lambda parent, title, text: True)
    window.close()  # asks (yes), stops the engine between tiles
    assert not window.engine.thread.isRunning()
    again = make_window()
    items = again.queue_model.queue.items
    assert [i.source.name for i in items] == ["big.png", "small.png"]
    assert items[0].status == Status.WAITING  # the interrupted photo will be redone
    again.settings_panel.render_size.setValue(256)
    again.offer_to_continue()  # ask() says yes
    qtbot.waitUntil(lambda: statuses(again) == [Status.DONE, Status.DONE], timeout=60000)


def test_closing_during_a_batch_can_be_refused(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    slow_settings(window)
    window.add_paths([photo(tmp_path / "big.png", size=(1600, 1200))])
    with qtbot.waitSignal(window.engine.worker.job_progress, timeout=30000):
        window.runner.start()
    monkeypatch.setattr(window_dialogs, "ask", lambda parent, title, text: False)
    window.close()
    assert window.isVisible() and window.engine.thread.isRunning()
    window.runner.cancel()
    qtbot.waitUntil(lambda: statuses(window) == [Status.CANCELLED], timeout=30000)


def test_preview_shows_a_result_without_writing_it(make_window, qtbot, tmp_path):
    window = make_window()
    window.add_paths([photo(tmp_path / "a.png")])
    window.table.selectRow(0)
    with qtbot.waitSignal(window.runner.previewReady, timeout=30000):
        window.queue_actions.preview_selected()
    assert window.viewer.after is not None
    assert window.viewer.after_label == "After (preview, not saved)"  # (issue 32, 13: it said plain "After")
    assert statuses(window) == [Status.WAITING]
    assert not Path(window.settings_panel.values()["output_folder"]).exists()


def test_the_window_opens_before_torch_is_imported():
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen'\n"
            "from colorstudio.gui import app, main_window, engine, viewer, settings_panel, batch_runner\n"
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_app_starts_prints_ready_and_quits_cleanly(tmp_path):
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "COLORSTUDIO_SMOKE_TEST": "1",
           "COLORSTUDIO_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "colorstudio"], capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "READY" in result.stdout


def test_restoration_presets_are_one_click_and_reach_the_engine(make_window, qtbot, tmp_path):
    window = make_window()
    panel = window.settings_panel
    assert panel.restore_preset.currentText() == "Off"  # off by default
    panel.restore_preset.setCurrentText("Damaged print")
    assert panel.tint.isChecked() and panel.dust.value() == 70 and panel.denoise.value() == 50
    panel.dust.setValue(10)
    assert panel.restore_preset.currentText() == "Custom"
    requests = []
    real_run = window.engine.run
    window.engine.run = lambda request: (requests.append(request), real_run(request))[1]
    window.add_paths([photo(tmp_path / "a.png")])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    assert requests[0].settings.options.restore == RestoreOptions(tint=True, dust=0.1, denoise=0.5, contrast=0.5)


def test_dust_mask_overlay_and_brush_edits_reach_the_engine(make_window, qtbot, tmp_path):
    from PySide6.QtCore import QPoint, Qt

    window = make_window()
    window.add_paths([photo(tmp_path / "a.png", size=(160, 120))])
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.viewer.before is not None, timeout=20000)  # the photo shows before colour
    shown = window.viewer.grab().toImage()
    centre_colour = shown.pixelColor(shown.width() // 2, shown.height() // 2)
    assert centre_colour.name() != "#3c3c3c"  # the photo is painted, not just the backdrop
    editor = window.mask_editor
    editor.show.setChecked(True)
    # (waiting on the worker's signal itself would return on the engine thread, before the window has it)
    qtbot.waitUntil(lambda: window.viewer.overlay is not None, timeout=20000)
    assert window.viewer.show_overlay
    editor.add.setChecked(True)
    assert window.viewer.brush == "add"
    centre = QPoint(window.viewer.width() // 2, window.viewer.height() // 2)
    qtbot.mousePress(window.viewer, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseRelease(window.viewer, Qt.MouseButton.LeftButton, pos=centre)
    item = window.queue_model.queue.items[0]
    assert len(item.strokes) == 1
    x, y, radius, add = item.strokes[0].x, item.strokes[0].y, item.strokes[0].radius, item.strokes[0].add
    assert 60 < x < 100 and 40 < y < 80 and radius > 0 and add
    editor.erase.setChecked(True)
    assert window.viewer.brush == "erase" and not editor.add.isChecked()
    requests = []
    real_run = window.engine.run
    window.engine.run = lambda request: (requests.append(request), real_run(request))[1]
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    assert requests[0].strokes == (item.strokes[0],)


def _slow_writes(monkeypatch, seconds: float, log: list):
    """Make every output take ``seconds`` to write, noting when writes start and end."""
    import time

    real = imageio.write_image

    def write(path, *args, **kwargs):
        log.append(("write", Path(path).name))
        time.sleep(seconds)
        real(path, *args, **kwargs)
        log.append(("written", Path(path).name))

    monkeypatch.setattr(imageio, "write_image", write)


def test_the_next_photo_is_colorized_while_the_last_is_written(make_window, qtbot, tmp_path, monkeypatch):
    log: list = []
    _slow_writes(monkeypatch, 1.0, log)
    window = make_window()
    window.engine.worker.job_started.connect(lambda job_id: log.append(("started", job_id)))
    window.add_paths([photo(tmp_path / f"p{i}.png", seed=i) for i in range(3)])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE] * 3, timeout=30000)
    out = Path(window.settings_panel.values()["output_folder"])
    assert sorted(p.name for p in out.iterdir()) == ["p0.png", "p1.png", "p2.png"]
    ids = [item.id for item in window.queue_model.queue.items]
    # the second photo started before the first was on disk, the third before the second was
    assert log.index(("started", ids[1])) < log.index(("written", "p0.png"))
    assert log.index(("started", ids[2])) < log.index(("written", "p1.png"))
    # and never two photos waiting to be written at once: p0 is written before p1's write begins
    assert log.index(("written", "p0.png")) < log.index(("write", "p1.png"))
    assert "finished" in window.status_text.text()  # only once the last file was written


def test_closing_while_a_photo_is_written_finishes_it(make_window, qtbot, tmp_path, monkeypatch):
    log: list = []
    _slow_writes(monkeypatch, 1.5, log)
    window = make_window()
    slow_settings(window)  # b (big) is still being colorized when the window closes
    window.add_paths([photo(tmp_path / "a.png"), photo(tmp_path / "b.png", size=(1600, 1200), seed=1)])
    window.runner.start()
    qtbot.waitUntil(lambda: ("write", "a.png") in log, timeout=30000)
    window.shutdown()  # what closing the window does, after the user agreed
    out = Path(window.settings_panel.values()["output_folder"])
    assert (out / "a.png").is_file() and ("written", "a.png") in log
    again = make_window()
    items = again.queue_model.queue.items
    assert items[0].status == Status.DONE  # on disk: not redone next time
    assert items[1].status == Status.WAITING  # stopped between tiles: done again next time
    assert not (out / "b.png").exists()
