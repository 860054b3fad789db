"""When something goes wrong in the window: an error dialog for any unexpected exception (in the window or in
one of its threads), and Help > Report a problem (the system information a bug report needs). Both name the
log file and can open its folder and copy their text; nothing is ever sent anywhere.

``install(parent, engine, open_logs)`` (at the window's construction) sets up the log (``colorstudio.logs``),
listens for the unexpected errors it reports, from whichever thread, and shows them on the GUI thread: one
dialog at a time, the errors that come while it is open counted in it rather than stacked. It also writes the
model and device the engine reports into the log.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from colorstudio import logs


def qt_info() -> list[tuple[str, str]]:
    import PySide6
    from PySide6.QtCore import qVersion

    return [("Qt", f"{qVersion()} (PySide6 {PySide6.__version__}, {QGuiApplication.platformName()})")]


class _TextDialog(QDialog):
    """A message, a read-only text, and Copy / Open logs folder / Close. Non-modal to the batch: the window's
    threads go on while it is open."""

    def __init__(self, parent: QWidget, title: str, message: str, text: str, open_logs: Callable[[], None],
                 copy_label: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.message = QLabel(message)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # an exception's message is not markup
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        action = QDialogButtonBox.ButtonRole.ActionRole
        self.copy_button: QPushButton = buttons.addButton(copy_label, action)
        self.logs_button: QPushButton = buttons.addButton("Open logs folder", action)
        self.copy_button.clicked.connect(self.copy)
        self.logs_button.clicked.connect(open_logs)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.text, 1)
        self.extra = QLabel()  # ErrorDialog: the errors that came since
        self.extra.hide()
        layout.addWidget(self.extra)
        layout.addWidget(buttons)

    def copy_text(self) -> str:
        return f"{self.message.text()}\n\n{self.text.toPlainText()}"

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.copy_text())


class ErrorDialog(_TextDialog):
    def __init__(self, parent: QWidget, where: str, summary: str, details: str,
                 open_logs: Callable[[], None]) -> None:
        message = (f"colorstudio ran into an unexpected error {where}:\n{summary}\n\n"
                   "This is a bug. colorstudio goes on; what was being done may have failed (a photo is then "
                   "marked failed in the queue, with the reason). The details are in the log file:\n"
                   f"{logs.log_file()}")
        super().__init__(parent, "Something went wrong", message, details, open_logs, "Copy details")
        self.more = 0

    def another(self) -> None:
        """One more unexpected error while this dialog is open: counted here, its details in the log."""
        self.more += 1
        errors = "error" if self.more == 1 else "errors"
        self.extra.setText(f"{self.more} more unexpected {errors} since this one; the log has them all.")
        self.extra.show()

    def copy_text(self) -> str:
        return f"{super().copy_text()}\n{logs.system_text(qt_info())}"


class ReportDialog(_TextDialog):
    def __init__(self, parent: QWidget, open_logs: Callable[[], None]) -> None:
        message = ("To report a problem, say what you did and what happened, and add this information and "
                   f"the log file ({logs.log_file().name}, in the logs folder). Copy puts the information on "
                   "the clipboard; colorstudio itself sends nothing anywhere.")
        super().__init__(parent, "Report a problem", message, logs.system_text(qt_info()), open_logs,
                         "Copy")

    def copy_text(self) -> str:
        return self.text.toPlainText()


class ErrorReporter(QObject):
    """Receives the unexpected errors ``colorstudio.logs`` reports (from any thread) and shows them on the
    GUI thread; passes the engine's "model ready" on to the log."""

    reported = Signal(str, str, str)  # where, "Type: message", the traceback

    def __init__(self, parent: QWidget, engine, open_logs: Callable[[], None]) -> None:
        super().__init__(parent)
        self._parent, self._open_logs = parent, open_logs
        self.dialog: ErrorDialog | None = None
        self.reported.connect(self._show)  # emitted from other threads: queued to this one

        def listener(where: str, summary: str, details: str) -> None:
            self.reported.emit(where, summary, details)

        logs.add_listener(listener)
        self.destroyed.connect(lambda *_: logs.remove_listener(listener))
        engine.worker.model_ready.connect(self._model_ready)

    def _show(self, where: str, summary: str, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.another()
            return
        self.dialog = ErrorDialog(self._parent, where, summary, details, self._open_logs)
        self.dialog.open()

    def _model_ready(self, name: str, device: str) -> None:
        logs.engine_ready(name, device)


def install(parent: QWidget, engine, open_logs: Callable[[], None]) -> ErrorReporter:
    """The log, and a dialog over ``parent`` for any unexpected error (``open_logs`` opens the log's folder)."""
    logs.configure(session="window")
    return ErrorReporter(parent, engine, open_logs)
