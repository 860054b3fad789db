"""Where colorstudio finds its shipped files and keeps the user's.

Shipped, read-only files (``models/``, ``resources/``) are looked up the same way everywhere:
``<package>/_data/<name>`` (an installed wheel, and a PyInstaller bundle, whose spec puts them there),
else ``<checkout>/<name>`` (a source checkout, including an editable install).
User files (fine-tuned models, settings, the saved queue, the log) live in the platform's user folders;
``COLORSTUDIO_HOME`` overrides them all (tests, portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "colorstudio"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped_dir(name: str) -> Path:
    candidates = (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parents[1] / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def shipped_models_dir() -> Path:
    """Read-only folder with the models that come with the application."""
    return _shipped_dir("models")


def resources_dir() -> Path:
    """Read-only folder with icons, stylesheets and other runtime resources."""
    return _shipped_dir("resources")


def _home_override() -> Path | None:
    value = os.environ.get("COLORSTUDIO_HOME")
    return Path(value) if value else None


def user_data_dir() -> Path:
    home = _home_override()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    home = _home_override()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    """Where the log is written (Help > Open logs folder): ~/.local/state/colorstudio/log on Linux,
    ~/Library/Logs/colorstudio on macOS, %LOCALAPPDATA%\\colorstudio\\Logs on Windows."""
    home = _home_override()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def user_cache_dir() -> Path:
    """Things made again when lost (the network converted for OpenVINO): ~/.cache/colorstudio on Linux."""
    home = _home_override()
    return home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def user_models_dir() -> Path:
    """Writable folder for models the user trained (never inside the installation)."""
    return user_data_dir() / "models"


def default_output_dir() -> Path:
    """Where the window writes colorized photos until the user chooses another folder."""
    return Path(platformdirs.user_pictures_dir()) / "colorized"
