"""The command line's output: with no console at all (the Windows bundle), not on a terminal, on an 80-column
terminal, with --verbose, and the log every run leaves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from photos import write_photo

from colorstudio import logs
from colorstudio.cli import run
from colorstudio.cli.progress import BatchProgress

NO_CONSOLE = """
import sys
sys.stdout = sys.stderr = None  # what a program built without a console (console=False) gets on Windows
from colorstudio.__main__ import main
try:
    code = main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
open(sys.argv[1], "w").write(str(code))
"""


@pytest.fixture(autouse=True)
def _quiet_again():
    yield
    logs.configure()  # --verbose must not leave debug lines on the next tests' stderr


def run_without_console(tmp_path: Path, *args) -> tuple[int, str]:
    """Run ``colorstudio ARGS`` in a Python whose stdout and stderr are None: (exit code, the log)."""
    code_file = tmp_path / "exit-code"
    env = {**os.environ, "COLORSTUDIO_HOME": str(tmp_path / "home")}
    subprocess.run([sys.executable, "-c", NO_CONSOLE, str(code_file), *map(str, args)], env=env, timeout=300,
                   check=False, capture_output=True)
    assert code_file.exists(), "the command line crashed before it could exit"
    return int(code_file.read_text()), (tmp_path / "home" / "logs" / "colorstudio.log").read_text("utf-8")


def test_with_no_console_the_command_line_colorizes_and_its_messages_go_to_the_log(tmp_path, model_file):
    photo = write_photo(tmp_path / "in" / "grandma.png")
    out = tmp_path / "out"
    code, text = run_without_console(tmp_path, "colorize", photo, "-o", out, "--model", model_file,
                                     "--device", "cpu")
    assert code == 0
    assert (out / "grandma.png").is_file()
    assert "session started (command line)" in text
    assert f"[1/1] {photo}: -> {out / 'grandma.png'}" in text
    assert "Done: 1 colorized, 0 skipped" in text
    assert "exit code 0" in text


def test_with_no_console_a_usage_error_still_exits_2_and_says_why_in_the_log(tmp_path):
    code, text = run_without_console(tmp_path, "colorize", tmp_path)
    assert code == 2
    assert "the following arguments are required: -o/--output" in text


def colorize(*args) -> int:
    return run(["colorize", *map(str, args), "--device", "cpu", "--tile", "64", "--overlap", "16"])


def test_a_run_leaves_its_log_and_writes_plain_lines_when_not_on_a_terminal(tmp_path, model_file, capsys):
    src = tmp_path / "scans"
    for i in range(2):
        write_photo(src / f"p{i}.png", size=(160, 120), seed=i)
    assert colorize(src, "-o", tmp_path / "out", "--model", model_file) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "\033" not in err  # no bar redraws into a pipe or a file
    assert [line.split(":")[0] for line in err.splitlines() if line.startswith("[")] == [
        f"[1/2] {src / 'p0.png'}", f"[2/2] {src / 'p1.png'}"]
    assert "INFO" not in err  # info lines only with --verbose
    text = logs.log_file().read_text("utf-8")
    assert "session started (command line)" in text and "colorstudio colorize" in text
    assert "Model tiny-test ready on CPU" in text and "torch " in text
    assert f"[2/2] {src / 'p1.png'}: -> " in text and "Done: 2 colorized" in text


def test_verbose_prints_info_lines(tmp_path, model_file, capsys):
    write_photo(tmp_path / "in" / "a.png")
    assert colorize(tmp_path / "in", "-o", tmp_path / "out", "--model", model_file, "--verbose") == 0
    err = capsys.readouterr().err
    assert "INFO colorstudio.logs: Model tiny-test ready on CPU" in err
    assert "INFO colorstudio.cli: colorstudio colorize" in err
    assert err.count("Done: 1 colorized") == 1  # what is printed anyway is not printed twice


def test_an_unexpected_error_fails_the_photo_and_its_traceback_goes_to_the_log(tmp_path, model_file, capsys,
                                                                               monkeypatch):
    from colorstudio.core.jobs import Colorizer

    def broken(self, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Colorizer, "render", broken)
    write_photo(tmp_path / "in" / "a.png")
    assert colorize(tmp_path / "in", "-o", tmp_path / "out", "--model", model_file) == 1
    err = capsys.readouterr().err
    assert "FAILED: unexpected RuntimeError: a bug" in err and "Traceback" not in err
    assert str(logs.log_file()) in err
    text = logs.log_file().read_text("utf-8")
    assert "Traceback" in text and "in broken" in text and "RuntimeError: a bug" in text


def _terminal(columns: int):
    """A real pseudo-terminal of ``columns``: (the stream the program writes to, a function that returns
    all that reached the terminal once the stream is closed)."""
    import fcntl
    import struct
    import termios

    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    received = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end is closed
                return
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    stream = open(follower, "w", encoding="utf-8", closefd=True)  # noqa: SIM115 - closed by screen_output

    def screen_output() -> str:
        stream.close()
        reader.join(10)
        os.close(leader)
        return received.decode("utf-8")

    return stream, screen_output


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_the_bar_fits_an_80_column_terminal_with_long_paths(tmp_path):
    folder = ("/photos/Family archive scanned in 2019 by grandfather Johannes/Box 3 - wedding and "
              "christening photographs 1952-1961/Album with the green leather cover")
    name = "scan_{:03d}_the_wedding_of_aunt_margaret_outside_the_church.png"
    stream, screen_output = _terminal(80)
    assert stream.isatty()
    with BatchProgress(2, stream=stream) as bar:
        bar.bar.mininterval = 0  # draw at every update
        for index in range(2):
            bar.start_file(index, f"{folder}/{name.format(index)}")
            for done in range(1, 11):
                bar.update(done, 10)
                time.sleep(0.002)
            if index == 0:
                bar.note("retried on the CPU")
            bar.end_file(f"-> /out/scan_{index:03d}.png")
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", screen_output())
    drawn = [segment for segment in re.split(r"[\r\n]", text) if segment.strip()]
    bars = [s for s in drawn if "%|" in s]
    assert len(bars) >= 10  # it was drawn, again and again
    assert all(len(s) <= 80 for s in bars), max(bars, key=len)  # never wraps: nothing stale above it
    assert any(s.startswith("[1/2] scan_000_") for s in bars)
    assert any(s.startswith("[2/2] scan_001_") for s in bars)
    lines = [s for s in drawn if "%|" not in s]
    assert lines == [s for s in lines if s.startswith(("[", "  "))]  # no piece of an old bar left behind
    assert f"[1/2] {folder}/{name.format(0)}: -> /out/scan_000.png" in text  # whole, above the bar
