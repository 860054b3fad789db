"""Where the window keeps its state: preferences and layout (INI), the saved queue, and small helpers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from colorstudio import paths


def settings_store() -> QSettings:
    """Preferences and window layout, in an INI file in the user's config folder."""
    return QSettings(str(paths.user_config_dir() / "colorstudio.ini"), QSettings.Format.IniFormat)


def queue_path() -> Path:
    return paths.user_data_dir() / "queue.json"

