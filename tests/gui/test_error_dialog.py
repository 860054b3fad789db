"""Unexpected errors in the window: logged with their traceback, shown in one error dialog that names the log;
Help > Report a problem and Open logs folder; the log the window leaves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from colorstudio import logs
from colorstudio.core.queue import Status
from colorstudio.gui.error_dialog import ErrorDialog, ReportDialog
from colorstudio.gui.window_dialogs import WindowDialogs


def photo(path: Path, seed=0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((np.random.default_rng(seed).random((72, 96)) * 255).astype(np.uint8)).save(path)
    return path


def opened_paths(monkeypatch) -> list:
    opened = []
    monkeypatch.setattr(WindowDialogs, "open_path", lambda self, path: opened.append(path))
    return opened


def test_an_unexpected_error_in_the_engine_shows_one_dialog_naming_the_log_and_the_batch_goes_on(
        make_window, qtbot, tmp_path, monkeypatch):
    from colorstudio.core.jobs import Colorizer

    real = Colorizer.render

    def render_with_a_bug(self, source, *args, **kwargs):
        if source.name.startswith("bad"):
            raise RuntimeError(f"a bug met {source.name}")
        return real(self, source, *args, **kwargs)

    monkeypatch.setattr(Colorizer, "render", render_with_a_bug)
    window = make_window()
    names = ["good0.png", "bad1.png", "bad2.png", "good3.png"]
    window.add_paths([photo(tmp_path / name, seed=i) for i, name in enumerate(names)])
    window.runner.start()
    qtbot.waitUntil(lambda: window.queue_model.queue.unfinished() == 0 and not window.runner.running,
                    timeout=30000)
    items = window.queue_model.queue.items
    assert [item.status for item in items] == [Status.DONE, Status.FAILED, Status.FAILED, Status.DONE]
    assert items[1].error == "unexpected error: RuntimeError: a bug met bad1.png"  # in the queue, as before
    reporter = window.error_reporter
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.more == 1, timeout=5000)
    dialogs = window.findChildren(ErrorDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()  # the second error is counted, not stacked
    dialog = dialogs[0]
    message = dialog.message.text()
    assert "while colorizing bad1.png" in message and "RuntimeError: a bug met bad1.png" in message
    assert str(logs.log_file()) in message and logs.log_file().parent == window_log_dir()
    assert "1 more unexpected error" in dialog.extra.text()
    assert "render_with_a_bug" in dialog.text.toPlainText()  # the traceback
    text = logs.log_file().read_text("utf-8")
    for name in ("bad1.png", "bad2.png"):
        assert f"Unexpected error while colorizing {name}: RuntimeError: a bug met {name}" in text
    assert text.count("Traceback (most recent call last)") == 2 and "in render_with_a_bug" in text


def window_log_dir() -> Path:
    from colorstudio import paths

    return paths.user_log_dir()


@pytest.mark.qt_no_exception_capture  # the window's own hook is the one under test
def test_errors_in_any_thread_reach_the_dialog_which_copies_them_and_opens_the_logs_folder(make_window, qtbot,
                                                                                            monkeypatch):
    opened = opened_paths(monkeypatch)
    window = make_window()

    def engine_bug():
        raise ValueError("raised in the engine thread")

    window.engine._thread.submit(engine_bug)  # PySide hands it to sys.excepthook, off the GUI thread
    qtbot.waitUntil(lambda: window.error_reporter.dialog is not None, timeout=5000)
    dialog = window.error_reporter.dialog
    assert "ValueError: raised in the engine thread" in dialog.message.text()

    def gui_bug():
        raise KeyError("raised on the GUI thread")

    QTimer.singleShot(0, gui_bug)
    qtbot.waitUntil(lambda: dialog.more == 1, timeout=5000)
    assert window.findChildren(ErrorDialog) == [dialog]
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "ValueError: raised in the engine thread" in copied and "in engine_bug" in copied
    assert str(logs.log_file()) in copied and "Python" in copied
    dialog.logs_button.click()
    assert opened == [window_log_dir()]
    text = logs.log_file().read_text("utf-8")
    assert "KeyError: 'raised on the GUI thread'" in text and "in gui_bug" in text
    dialog.close()
    QTimer.singleShot(0, gui_bug)  # with the dialog closed, the next error opens a new one
    qtbot.waitUntil(lambda: window.error_reporter.dialog is not dialog, timeout=5000)
    assert window.error_reporter.dialog.isVisible() and window.error_reporter.dialog.more == 0


def test_help_has_report_a_problem_and_open_logs_folder(make_window, qtbot, monkeypatch):
    opened = opened_paths(monkeypatch)
    window = make_window()
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    entries = [a.text() for a in help_menu.actions() if not a.isSeparator()]
    assert entries == ["The active model's card…", "Report a problem…", "Open logs folder",
                       "About colorstudio"]
    window.commands.report.trigger()
    dialog = window.findChildren(ReportDialog)[-1]
    assert dialog.isVisible()
    info = dialog.text.toPlainText()
    for expected in (f"colorstudio: {logs.__version__}", "Python: 3.", "system: ", "torch: ", "model: tiny",
                     "device: CPU", "Qt: ", f"log file: {logs.log_file()}"):
        assert expected in info
    assert "sends nothing" in dialog.message.text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == info
    window.commands.logs.trigger()
    assert opened == [window_log_dir()] and window_log_dir().is_dir()


def test_the_log_file_exists_once_the_window_has_started(make_window, qtbot):
    make_window()
    path = window_log_dir() / "colorstudio.log"
    assert path.is_file()
    qtbot.waitUntil(lambda: "Model tiny ready on CPU" in path.read_text("utf-8"), timeout=5000)
    assert path.read_text("utf-8").count("session started (window)") == 1
