"""Where the window keeps its state: preferences and layout (INI), the saved queue, and small helpers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSignalBlocker
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QSplitter

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


def restore(window: QMainWindow, splitter: QSplitter, settings_panel, side_by_side: QAction) -> None:
    """The window's size, layout, settings and view as the user left them (a first start: a size that fits)."""
    store = settings_store()
    geometry, state = store.value("window/geometry"), store.value("window/state")
    if geometry is not None:
        window.restoreGeometry(geometry)
    else:  # a first start: 1280 x 800 where the screen has room, within it (title bar included) otherwise
        screen = window.screen().availableGeometry()
        window.resize(min(1280, int(screen.width() * 0.95)), min(800, int(screen.height() * 0.9)))
        window.move(screen.center() - window.rect().center())
    if state is not None:
        window.restoreState(state)
    sizes = store.value("window/splitter")  # how wide the queue and the viewer were made
    if sizes is not None:
        splitter.restoreState(sizes)
    with QSignalBlocker(settings_panel):  # no "model changed": the engine loads the restored one once
        settings_panel.set_values({k: store.value(f"settings/{k}") for k in settings_panel.values()})
        settings_panel.set_window_values({k: store.value(f"settings/{k}") for k in settings_panel.window_values()})
    side_by_side.setChecked(store.value("view/side_by_side", False, type=bool))


def save(window: QMainWindow, splitter: QSplitter, settings_panel, side_by_side: QAction) -> None:
    store = settings_store()
    store.setValue("window/geometry", window.saveGeometry())
    store.setValue("window/state", window.saveState())
    store.setValue("window/splitter", splitter.saveState())
    for key, value in {**settings_panel.values(), **settings_panel.window_values()}.items():
        store.setValue(f"settings/{key}", value)
    store.setValue("view/side_by_side", side_by_side.isChecked())
    store.sync()
