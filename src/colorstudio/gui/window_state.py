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


class Shown:
    """Before/after pyramids of a photo loaded from disk (the shape of a JobResult the viewer needs)."""

    def __init__(self, before, after) -> None:
        self.before, self.after = before, after


def format_eta(seconds: float) -> str:
    if seconds != seconds:  # NaN: not known yet
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f"about {minutes} min {secs:02d} s left" if minutes else f"about {secs} s left"
