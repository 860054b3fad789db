"""The main window as a new user met it in a first afternoon: each defect they found, as a test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from window_helpers import photo, start_slow_batch, statuses

from colorstudio.core.queue import Status
from colorstudio.gui import window_dialogs
from colorstudio.gui.queue_model import COLUMNS

PHOTO, STATUS, OUTPUT = (COLUMNS.index(name) for name in ("Photo", "Status", "Output"))


def menu_action(window, menu_title: str, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == menu_title)
    return next(a for a in menu.actions() if a.text() == text)


@pytest.fixture
def told(monkeypatch):
    """Messages the window shows with ``inform`` (title, text)."""
    messages = []
    monkeypatch.setattr(window_dialogs, "inform", lambda parent, title, text: messages.append(text))
    return messages


def test_2_the_settings_panel_closed_with_its_x_comes_back_from_the_view_menu(make_window, qtbot):
    window = make_window()
    window.settings_dock.close()
    window.close()
    again = make_window()  # hidden after a restart, as the user left it...
    assert not again.settings_dock.isVisible()
    menu_action(again, "View", "Settings panel").trigger()  # ...and back from the View menu
    assert again.settings_dock.isVisible()


def test_3_an_unreadable_file_fails_when_queued_and_the_viewer_says_why(make_window, qtbot, tmp_path):
    window = make_window()
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "notes.png").write_text("not a photo")
    window.add_paths([tmp_path / "empty.jpg", tmp_path / "notes.png"])
    qtbot.waitUntil(lambda: statuses(window) == [Status.FAILED, Status.FAILED], timeout=10000)  # before Start
    window.table.selectRow(1)
    assert "Loading" not in window.viewer.message and "not an image" in window.viewer.message
    assert not window.commands.start.isEnabled()  # nothing left that could be colorized


def test_3_a_photo_deleted_after_it_was_queued_says_so_in_the_viewer(make_window, qtbot, tmp_path):
    window = make_window()
    gone = photo(tmp_path / "gone.png")
    window.add_paths([photo(tmp_path / "a.png"), gone])
    qtbot.waitUntil(lambda: window.queue_model.queue.items[1].width > 0, timeout=10000)
    gone.unlink()
    window.table.selectRow(1)
    qtbot.waitUntil(lambda: "Loading" not in window.viewer.message, timeout=10000)
    assert "Cannot show gone.png" in window.viewer.message


def test_4_while_paused_the_status_says_paused_and_no_time_runs(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    start_slow_batch(window, qtbot, tmp_path)
    window.commands.pause.trigger()
    qtbot.wait(1200)  # a tile that was running when Pause was pressed reports its progress meanwhile
    assert window.status_text.text().startswith("Paused: p0.png (1 of 2)")
    assert window.eta_label.text() == ""
    assert window.queue_model.data(window.queue_model.index(0, STATUS)).startswith("Paused")
    ticks, calls = [], []
    window.engine.worker.job_progress.connect(lambda *args: ticks.append(args))
    for name in ("cancel", "pause"):
        real = getattr(window.engine, name)
        monkeypatch.setattr(window.engine, name, lambda *a, real=real, name=name: calls.append(name) or real(*a))
    window.commands.cancel.trigger()  # cancelled while paused: not one more tile
    assert calls == ["cancel", "pause"]  # the paused photo wakes up to a cancel (unpaused first, it could go on)
    qtbot.waitUntil(lambda: statuses(window)[0] == Status.CANCELLED, timeout=30000)
    assert ticks == []


def test_5_after_cancel_the_status_says_so_and_no_row_names_an_unwritten_output(make_window, qtbot, tmp_path):
    window = make_window()
    start_slow_batch(window, qtbot, tmp_path)
    window.commands.cancel.trigger()
    qtbot.waitUntil(lambda: statuses(window)[0] == Status.CANCELLED, timeout=30000)
    qtbot.wait(300)
    assert window.status_text.text() == "Batch cancelled: 1 cancelled, 1 not started."
    assert window.eta_label.text() == ""
    cancelled = window.queue_model.queue.items[0]
    assert cancelled.output is None and window.queue_model.data(window.queue_model.index(0, OUTPUT)) == ""


def test_10_the_viewer_forgets_a_photo_whose_row_was_removed(make_window, qtbot, tmp_path):
    window = make_window()
    window.add_paths([photo(tmp_path / "a.png"), photo(tmp_path / "b.png", seed=1)])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE, Status.DONE], timeout=30000)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.viewer.after is not None, timeout=10000)
    window.queue_actions.remove_selected()
    assert window.viewer.before is None and window.viewer.after is None
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.viewer.after is not None, timeout=10000)
    window.queue_actions.clear_finished()
    assert window.viewer.before is None and window.viewer.after is None


def test_11_time_left_does_not_grow_when_small_photos_follow_big_ones():
    from colorstudio.core.queue import PhotoTimes

    times = PhotoTimes()
    cost = {24.0: 3.0, 1.0: 1.0}  # what a 24 MP and a 1 MP scan take at render size 1024 (seconds)
    batch = [24.0, 24.0, 1.0, 1.0, 1.0, 1.0]
    estimates = []
    for done, megapixels in enumerate(batch):
        if done:
            estimates.append(times.left(batch[done:], None, 0.0))
        times.add(megapixels, cost[megapixels])
    assert all(later <= earlier + 1e-9 for earlier, later in zip(estimates, estimates[1:])), estimates
    assert abs(estimates[-1] - 1.0) < 0.05  # the last photo: a 1 MP one, one second


def test_11_a_new_batch_starts_its_bar_at_zero(make_window, qtbot, tmp_path):
    window = make_window()
    window.add_paths([photo(tmp_path / f"a{i}.png", seed=i) for i in range(2)])
    window.runner.start()
    qtbot.waitUntil(lambda: not window.runner.running, timeout=30000)
    assert window.progress_bar.value() == window.progress_bar.maximum()
    seen = []
    window.runner.progress.connect(lambda finished, total, *_: seen.append((finished, total)))
    window.add_paths([photo(tmp_path / f"b{i}.png", seed=5 + i) for i in range(2)])
    window.runner.start()
    assert seen[0] == (0, 2)
    qtbot.waitUntil(lambda: not window.runner.running, timeout=30000)
    assert seen[-1] == (2, 2)


def test_12_names_stay_readable_at_1024x700_and_waiting_rows_show_their_output(make_window, qtbot, tmp_path):
    window = make_window()
    window.resize(1024, 700)
    window.add_paths([photo(tmp_path / "scan001.jpg"), photo(tmp_path / "deold_covered-wagons.png", seed=1)])
    qtbot.wait(100)
    header = window.table.horizontalHeader()
    name_width = window.table.fontMetrics().horizontalAdvance("scan001.jpg") + window.table.iconSize().width()
    assert header.sectionSize(PHOTO) >= name_width
    assert header.sectionSize(STATUS) >= header.fontMetrics().horizontalAdvance("Status")
    model = window.queue_model
    assert [model.data(model.index(r, OUTPUT)) for r in range(2)] == ["scan001.jpg", "deold_covered-wagons.png"]
    folder = window.settings_panel.output_folder
    assert folder.text() in folder.toolTip() and folder.cursorPosition() == 0


def test_14_dialogs_open_in_the_last_folder_and_adding_keeps_the_selection(make_window, qtbot, tmp_path,
                                                                          monkeypatch):
    window = make_window()
    first = photo(tmp_path / "album" / "a.png")
    starts = []

    def pick(parent, title, folder, filters):
        starts.append(folder)
        return [str(first)], filters

    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileNames", pick)
    window.queue_actions.choose_files()
    window.add_paths([photo(tmp_path / "b.png", seed=1), photo(tmp_path / "c.png", seed=2)])
    window.table.selectRow(2)
    window.queue_actions.choose_files()  # a.png again (already queued): nothing added, the dialog opened in its folder
    assert starts[1] == str(first.parent) and starts[0] != starts[1]
    # (issue 32: a photo already queued is selected and the user told so, not nothing at all)
    assert window.queue_actions.selected_ids() == [window.queue_model.queue.items[0].id]
    window.table.selectRow(2)
    window.add_paths([photo(tmp_path / "d.png", seed=3)])
    assert window.queue_actions.selected_ids() == [window.queue_model.queue.items[2].id]  # c.png still on show
    panel = window.settings_panel
    panel.format.setCurrentIndex(panel.format.findData("png"))
    assert not panel.quality.isEnabled()
    panel.format.setCurrentIndex(panel.format.findData("jpeg"))
    assert panel.quality.isEnabled()


def test_14_opening_without_a_file_manager_says_where_the_folder_is(make_window, qtbot, tmp_path, monkeypatch,
                                                                    told):
    window = make_window()
    window.add_paths([photo(tmp_path / "a.png")])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl", lambda url: False)
    window.dialogs.open_output_folder()
    folder = str(window.settings_panel.job_settings().output.folder)
    assert len(told) == 1 and folder in told[0]


def test_a_finished_batch_asks_for_attention_when_the_window_is_not_in_front(make_window, qtbot, tmp_path,
                                                                             monkeypatch):
    alerts = []
    monkeypatch.setattr("PySide6.QtWidgets.QApplication.alert", lambda widget, ms=0: alerts.append(widget))
    window = make_window()
    monkeypatch.setattr(window, "isActiveWindow", lambda: False)
    window.add_paths([photo(tmp_path / "a.png")])
    window.runner.start()
    qtbot.waitUntil(lambda: not window.runner.running, timeout=30000)
    assert alerts == [window]


def test_recent_folders_a_row_menu_and_double_click_open_the_output(make_window, qtbot, tmp_path, monkeypatch):
    from colorstudio.gui import window_actions

    opened = []
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl",
                        lambda url: opened.append(Path(url.toLocalFile())) or True)
    window = make_window()
    folder = tmp_path / "family"
    photo(folder / "a.png")
    window.add_paths([folder])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    item = window.queue_model.queue.items[0]
    menu = window_actions.row_menu(window, window.commands, window.queue_actions, item)
    enabled = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    assert enabled["Open the colorized photo"] and not enabled["Retry"]
    window.table.selectRow(0)
    window.table.doubleClicked.emit(window.queue_model.index(0, 0))
    assert opened == [item.output]
    window.queue_actions.clear_finished()
    window_actions.fill_recent(window.commands.recent_menu, window.add_paths)
    recent = [a for a in window.commands.recent_menu.actions() if "family" in a.text()]
    recent[0].trigger()
    assert [i.source for i in window.queue_model.queue.items] == [folder / "a.png"]


def test_the_viewer_is_sharp_on_a_high_dpi_screen(qtbot, monkeypatch):
    from colorstudio.gui.images import Pyramid
    from colorstudio.gui.viewer import BeforeAfterView

    view = BeforeAfterView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    view.set_images(Pyramid(np.full((3000, 4000, 3), 90, np.uint8)), Pyramid(np.zeros((3000, 4000, 3), np.uint8)))
    monkeypatch.setattr(view, "device_pixel_ratio", lambda: 2.0)
    asked = []
    real = Pyramid.level_for
    monkeypatch.setattr(Pyramid, "level_for", lambda self, scale: asked.append(scale) or real(self, scale))
    view.grab()
    assert asked and all(abs(s - 2 * view.scale) < 1e-9 for s in asked)  # 0.2 on screen = 0.4 in device pixels
    view.actual_size()
    assert view.scale == 0.5  # 100%: a photo pixel on a device pixel


def test_6_renaming_the_model_in_use_keeps_it_in_use_under_its_new_name(make_window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window = make_window()
    assert window.settings_panel.model.currentData() == "tiny"
    dialog = window.dialogs.open_models_dialog()
    dialog.list.setCurrentRow([e.name for e in dialog.entries].index("tiny"))
    monkeypatch.setattr(QInputDialog, "exec", lambda self: self.setTextValue("Family landscapes") or 1)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Family landscapes", True))
    dialog._rename()
    assert window.settings_panel.model.currentData() == "Family landscapes"
    assert "now called Family landscapes" in window.status_text.text()
    dialog.close()


def test_a_first_start_fits_a_small_screen(make_window):
    window = make_window()  # a brand-new profile: no remembered geometry
    screen = window.screen().availableGeometry()
    # (taller than the screen, the status bar was off it on a 1280 x 800 laptop; the width has a floor of
    # about 1000 px, the queue, the viewer and the settings side by side)
    assert window.frameGeometry().height() <= screen.height()
