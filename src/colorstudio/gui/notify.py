"""Telling the user something happened while the window was not in front: the taskbar entry asks for
attention, and the system's notification area shows a message where there is one."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget


def notify(window: QWidget, title: str, text: str) -> None:
    QApplication.alert(window, 0)  # flashes the taskbar entry until the window is looked at
    if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
        tray = getattr(window, "_tray", None)
        if tray is None:
            tray = window._tray = QSystemTrayIcon(window.windowIcon(), window)
        tray.show()
        tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
