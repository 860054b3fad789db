"""Start-up: the log, the QApplication, its names and style, the theme that follows the system, the window.

The log (``colorstudio.logs``) is set up first; Qt's own warnings go to it too. The window's error dialog
for unexpected errors is installed with the window (``gui.error_dialog``)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from colorstudio import __version__, logs, paths
from colorstudio.core import allocator

QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
             QtMsgType.QtFatalMsg: logging.CRITICAL}


def _qt_message(kind: QtMsgType, context, message: str) -> None:
    logging.getLogger("qt").log(QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {QPalette.ColorRole.Window: "#2b2b2e", QPalette.ColorRole.WindowText: "#e6e6e6",
             QPalette.ColorRole.Base: "#1f1f22", QPalette.ColorRole.AlternateBase: "#28282c",
             QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#333337",
             QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d6fb6",
             QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#333337",
             QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#8a8a8a"}
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#777777"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#777777"))
    return p


def apply_theme(app: QApplication) -> None:
    """Fusion everywhere; dark when the system is dark (or COLORSTUDIO_THEME=dark|light says so)."""
    app.setStyle("Fusion")
    wanted = os.environ.get("COLORSTUDIO_THEME", "").lower()
    dark = wanted == "dark" or (not wanted and QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark)
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


def main(files: list[str] | None = None) -> int:
    logs.configure(session="window")
    qInstallMessageHandler(_qt_message)
    allocator.tune()  # before the engine thread starts: see core/allocator.py
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("colorstudio")
    app.setOrganizationName("colorstudio")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(paths.resources_dir() / "colorstudio.svg")))
    apply_theme(app)
    from colorstudio.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if files:
        window.add_paths([Path(f) for f in files])
    QTimer.singleShot(0, window.offer_to_continue)
    if os.environ.get("COLORSTUDIO_SMOKE_TEST"):
        # packaging smoke test: prove the window came up, then quit cleanly
        def ready() -> None:
            print("READY", flush=True)
            window.close()

        QTimer.singleShot(int(os.environ.get("COLORSTUDIO_SMOKE_TEST_MS", "500")), ready)
    return app.exec()
