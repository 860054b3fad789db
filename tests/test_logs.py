"""The log: one file in the user log folder, a header per session, warnings and tracebacks, --verbose,
and what would be printed when there is no console."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from colorstudio import logs, paths


@pytest.fixture(autouse=True)
def _quiet_again():
    yield
    logs.configure()  # a verbose test must not leave debug lines on the next tests' stderr


def read_log() -> str:
    return logs.log_file().read_text(encoding="utf-8")


def test_the_log_is_in_the_user_log_folder_with_one_header_per_session(_isolated_user_folders):
    assert paths.user_log_dir() == _isolated_user_folders / "logs"
    path = logs.configure(session="command line")
    handlers = list(logging.getLogger().handlers)
    assert logs.configure(session="window") == path  # idempotent: same file, same handlers, no second header
    assert logging.getLogger().handlers == handlers
    assert path == _isolated_user_folders / "logs" / "colorstudio.log"
    text = read_log()
    assert text.count("session started") == 1
    header = text.splitlines()[0]
    assert "session started (command line)" in header
    assert f"colorstudio {logs.__version__}" in header and "Python 3." in header


def test_core_loggers_reach_the_file_with_warnings_info_and_tracebacks(capsys):
    logs.configure()
    core = logging.getLogger("colorstudio.core.pipeline")
    core.debug("a debug line")
    core.info("an info line")
    core.warning("a warning line")
    try:
        raise ValueError("broken on purpose")
    except ValueError:
        core.exception("an error with its traceback")
    text = read_log()
    assert "an info line" in text and "WARNING" in text and "a warning line" in text
    assert "Traceback (most recent call last)" in text and "ValueError: broken on purpose" in text
    assert "a debug line" not in text
    err = capsys.readouterr().err
    assert "a warning line" in err and "an info line" not in err  # stderr: warnings and worse only


def test_verbose_shows_info_and_debug_on_stderr(capsys):
    logs.configure(verbose=True)
    logging.getLogger("colorstudio.core.allocator").debug("a debug line")
    logging.getLogger("colorstudio.cli").info("an info line")
    err = capsys.readouterr().err
    assert "DEBUG colorstudio.core.allocator: a debug line" in err
    assert "INFO colorstudio.cli: an info line" in err
    assert "a debug line" in read_log()


def test_an_unexpected_error_is_logged_with_its_traceback_and_handed_to_the_listeners():
    logs.configure()
    heard = []
    logs.add_listener(lambda *args: heard.append(args))
    logs.add_listener(lambda *args: 1 / 0)  # a broken listener does not stop the report
    try:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logs.report_unexpected("while testing")
    finally:
        logs._listeners.clear()
    (where, summary, details), = heard
    assert (where, summary) == ("while testing", "RuntimeError: boom")
    assert "Traceback" in details and "test_logs.py" in details
    text = read_log()
    assert "Unexpected error while testing: RuntimeError: boom" in text and "Traceback" in text


def test_uncaught_exceptions_of_threads_are_logged(monkeypatch):
    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)  # not a test runner's hook
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    logs.configure()
    assert getattr(threading.excepthook, "_colorstudio", False)
    assert getattr(sys.excepthook, "_colorstudio", False)

    def fail():
        raise KeyError("lost")

    thread = threading.Thread(target=fail, name="helper-7")
    thread.start()
    thread.join()
    text = read_log()
    assert "Unexpected error in the thread helper-7: KeyError: 'lost'" in text
    assert "in fail" in text  # the traceback


def test_printed_lines_become_log_lines_when_there_is_no_console():
    logs.configure()
    stream = logs.LogStream("stderr")
    assert not stream.isatty()
    stream.write("usage: colorstudio ...\npart")
    stream.write("ly written\r\n\n")
    text = read_log()
    assert "colorstudio.stderr: usage: colorstudio ..." in text
    assert "colorstudio.stderr: partly written" in text


def test_the_log_rotates(monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 4000)
    logs.configure()
    for i in range(100):
        logging.getLogger("colorstudio.test").info("line %d of a long session", i)
    folder = logs.log_file().parent
    assert (folder / "colorstudio.log.1").exists()
    assert logs.log_file().stat().st_size <= 4000
