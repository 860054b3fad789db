"""The log: one configuration for the window and the command line (no Qt here).

- ``configure()`` (idempotent; called by ``colorstudio.__main__``, ``gui.app``, the main window and
  ``cli.run``): a rotating ``colorstudio.log`` in the user log folder (``paths.user_log_dir()``, which
  ``COLORSTUDIO_HOME`` redirects) with info, warnings and errors with their tracebacks, each session starting
  with a header line (versions, platform). Warnings also go to stderr when there is one; with ``verbose``
  (``--verbose`` on the command line) info and debug lines too.
- No console (the Windows bundle is a GUI program: ``sys.stdout`` and ``sys.stderr`` are None): whatever is
  printed becomes lines of the log (``LogStream``), so the command line works and leaves its trace there.
- ``report_unexpected()``: an unexpected exception is written with its traceback and handed to the listeners
  (the window's error dialog); uncaught exceptions of any thread go the same way (``sys.excepthook``,
  ``threading.excepthook``).
- ``system_info()``: versions, platform, device, model and the log's path, for the header and bug reports.
"""

from __future__ import annotations

import io
import logging
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from colorstudio import __version__, paths

LOG_FILE_NAME = "colorstudio.log"
MAX_BYTES = 2_000_000
BACKUPS = 3  # colorstudio.log.1 ... .3: about 8 MB at most
FILE_FORMAT = "%(asctime)s %(levelname)-7s [%(threadName)s] %(name)s: %(message)s"
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"

log = logging.getLogger(__name__)
Listener = Callable[[str, str, str], None]  # where, "Type: message", the traceback
_listeners: list[Listener] = []
_engine: dict[str, str] = {}  # the model and device last reported ready
_lock = threading.RLock()


class LogStream(io.TextIOBase):
    """Stands in for a missing ``sys.stdout``/``sys.stderr``: each line written becomes an info line of
    the log. Not a terminal, so progress bars fall back to plain lines."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._log = logging.getLogger(f"colorstudio.{name}")
        self._buffer = ""
        self._inside = threading.local()  # a logging error printed while logging: dropped, not a loop

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if getattr(self._inside, "active", False):
            return len(text)
        with _lock:
            *lines, self._buffer = (self._buffer + text.replace("\r", "\n")).split("\n")
        self._inside.active = True
        try:
            for line in filter(str.strip, lines):
                self._log.info("%s", line.rstrip())
        finally:
            self._inside.active = False
        return len(text)


def has_console() -> bool:
    """Whether stderr reaches a person (not None, not the log itself)."""
    return sys.stderr is not None and not isinstance(sys.stderr, LogStream)


class _ConsoleHandler(logging.Handler):
    """Writes to ``sys.stderr`` as it is at each record (tests swap it; with no console nothing is written).
    Records marked ``extra={"on_console": True}`` were already shown there in another form and are skipped.
    A progress bar of tqdm, when the command line has one, is cleared first and redrawn after."""

    def emit(self, record: logging.LogRecord) -> None:
        if not has_console() or getattr(record, "on_console", False):
            return
        try:
            message = self.format(record)
            tqdm = sys.modules.get("tqdm")
            if tqdm is not None:
                tqdm.tqdm.write(message, file=sys.stderr)
            else:
                sys.stderr.write(message + "\n")
                sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging must never break the program
            self.handleError(record)


class _LogFile(RotatingFileHandler):
    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:  # another colorstudio holds the file (Windows): keep writing to this one
            pass


_handlers: dict[str, logging.Handler] = {}


def log_dir() -> Path:
    return paths.user_log_dir()


def log_file() -> Path:
    """The log being written (or that will be, once configured)."""
    handler = _handlers.get("file")
    return Path(handler.baseFilename) if isinstance(handler, _LogFile) else log_dir() / LOG_FILE_NAME


def configure(*, verbose: bool = False, session: str = "") -> Path:
    """Set up the log (again: only what changed). ``session`` says what started (window, command line) in
    the header written when the log file is opened. Returns the log file's path."""
    with _lock:
        _stand_in_for_missing_streams()
        root = logging.getLogger()
        root.setLevel(logging.INFO)
        logging.getLogger("colorstudio").setLevel(logging.DEBUG if verbose else logging.NOTSET)
        if "console" not in _handlers:
            _handlers["console"] = _add(root, _ConsoleHandler(), CONSOLE_FORMAT)
        _handlers["console"].setLevel(logging.DEBUG if verbose else logging.WARNING)
        path = log_dir() / LOG_FILE_NAME
        if str(path) != getattr(_handlers.get("file"), "baseFilename", None):
            _open_file(root, path, session)
        if "file" in _handlers:
            _handlers["file"].setLevel(logging.DEBUG if verbose else logging.INFO)
        logging.captureWarnings(True)
        _install_hooks()
    return log_file()


def _add(root: logging.Logger, handler: logging.Handler, fmt: str) -> logging.Handler:
    handler.setFormatter(logging.Formatter(fmt))
    root.addHandler(handler)
    return handler


def _open_file(root: logging.Logger, path: Path, session: str) -> None:
    old = _handlers.pop("file", None)
    if old is not None:
        root.removeHandler(old)
        old.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        log.warning("cannot write the log file %s: %s", path, exc)
        return
    _handlers["file"] = _add(root, handler, FILE_FORMAT)
    log.info("==== session started%s: %s", f" ({session})" if session else "",
             " | ".join(f"{k} {v}" for k, v in system_info(with_log=False)))


def _stand_in_for_missing_streams() -> None:
    if sys.stdout is None:
        sys.stdout = LogStream("stdout")
    if sys.stderr is None:
        sys.stderr = LogStream("stderr")


def system_info(*, with_log: bool = True) -> list[tuple[str, str]]:
    """What a bug report needs: versions, the system, the device and model in use, where the log is."""
    torch = sys.modules.get("torch")
    info = [("colorstudio", __version__ + (" (bundle)" if getattr(sys, "frozen", False) else "")),
            ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
            ("system", platform.platform()), ("machine", platform.machine() or "?"),
            ("CPUs", str(os.cpu_count() or "?")),
            ("torch", getattr(torch, "__version__", "?") if torch is not None else "not loaded yet")]
    info += [(key, _engine[key]) for key in ("model", "device") if key in _engine]
    if with_log:
        info.append(("log file", str(log_file())))
    return info


def system_text(extra: list[tuple[str, str]] = ()) -> str:
    return "\n".join(f"{key}: {value}" for key, value in [*system_info(), *extra])


def engine_ready(model: str, device: str) -> None:
    """The engine loaded ``model`` on ``device`` (the window and the command line report it here)."""
    _engine.update(model=model, device=device)
    torch = sys.modules.get("torch")
    log.info("Model %s ready on %s (torch %s)", model, device, getattr(torch, "__version__", "not loaded"))


def add_listener(listener: Listener) -> None:
    with _lock:
        _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def report_unexpected(where: str, error: BaseException | None = None, *, on_console: bool = False) -> None:
    """An unexpected exception (a bug) ``where`` (e.g. "while colorizing a.jpg"): write it with its traceback
    to the log and hand it to the listeners (the window's error dialog). Default: the one being handled.
    ``on_console``: the command line has already said so on stderr; the traceback goes to the log only."""
    error = error if error is not None else sys.exc_info()[1]
    if error is None:
        return
    summary = f"{type(error).__name__}: {error}"
    log.error("Unexpected error %s: %s", where, summary, exc_info=(type(error), error, error.__traceback__),
              extra={"on_console": on_console})
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(where, summary, details)
        except Exception:  # a listener gone (its window closed) must not stop the others
            log.debug("a listener of unexpected errors failed", exc_info=True)


def _install_hooks() -> None:
    """Uncaught exceptions of any thread (PySide's slots included) are reported; a hook that was there
    before (a test runner's) still sees them, Python's own would only print them a second time."""
    if not getattr(sys.excepthook, "_colorstudio", False):
        previous = sys.excepthook

        def excepthook(kind, error, tb) -> None:
            if issubclass(kind, KeyboardInterrupt):
                return previous(kind, error, tb)
            report_unexpected(_thread_place(threading.current_thread()), error)
            if previous is not sys.__excepthook__:
                previous(kind, error, tb)

        excepthook._colorstudio = True
        sys.excepthook = excepthook
    if not getattr(threading.excepthook, "_colorstudio", False):
        previous_thread_hook = threading.excepthook

        def thread_hook(args) -> None:
            if args.exc_type is SystemExit:
                return
            report_unexpected(_thread_place(args.thread), args.exc_value)
            if previous_thread_hook is not threading.__excepthook__:
                previous_thread_hook(args)

        thread_hook._colorstudio = True
        threading.excepthook = thread_hook


def _thread_place(thread: threading.Thread | None) -> str:
    if thread is None or thread is threading.main_thread():
        return "in the main thread"
    if thread.name.startswith("Dummy-"):  # a thread Python did not start: a QThread, a Qt pool's
        return "in a background thread"
    return f"in the thread {thread.name}"
