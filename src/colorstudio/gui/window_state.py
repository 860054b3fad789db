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



def last_folder(kind: str) -> str:
    """The folder a file dialog of this ``kind`` ("photos", "output", "models", "training") last used,
    else the home folder: every dialog opens where the user was, not at home each time."""
    folder = settings_store().value(f"dialogs/{kind}")
    return str(folder) if folder and Path(str(folder)).is_dir() else str(Path.home())


def remember_folder(kind: str, path: str | Path) -> None:
    """Remember the folder of ``path`` (a file's folder, or a folder itself) for the next dialog of ``kind``."""
    path = Path(path)
    store = settings_store()
    store.setValue(f"dialogs/{kind}", str(path if path.is_dir() else path.parent))
    store.sync()
