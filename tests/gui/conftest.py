"""GUI test setup: offscreen Qt, a tiny model as the user's choice, and a check that no thread outlives a test."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QApplication exists

import pytest  # noqa: E402
import torch  # noqa: E402

from colorstudio import paths  # noqa: E402
from colorstudio.core import checkpoint  # noqa: E402
from colorstudio.core.models import registry  # noqa: E402
from colorstudio.gui import engine as engine_module  # noqa: E402


@pytest.fixture
def tiny_model(_isolated_user_folders):
    """A small seed-cnn saved as the user's model 'tiny', selected in the settings."""
    torch.manual_seed(0)
    checkpoint.save_model(paths.user_models_dir() / "tiny.safetensors", registry.build("seed-cnn"),
                          {"title": "Tiny test model"})
    from colorstudio.gui.window_state import settings_store

    store = settings_store()
    store.setValue("settings/model", "tiny")
    store.setValue("settings/device", "cpu")
    store.setValue("settings/output_folder", str(_isolated_user_folders / "outputs"))
    store.sync()
    return "tiny"


@pytest.fixture(autouse=True)
def _no_thread_left_running(monkeypatch):
    """Fail a test that leaves an engine thread running (napari's _dangling_qthreads, for our engine)."""
    engines = []
    original = engine_module.Engine.__init__

    def tracking_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        engines.append(self)

    monkeypatch.setattr(engine_module.Engine, "__init__", tracking_init)
    yield engines
    running = [e for e in engines if e.thread.isRunning()]
    for engine in running:
        engine.shutdown()
    assert not running, "a test left the engine thread running"


@pytest.fixture
def make_window(qtbot, tiny_model):
    windows = []

    def make():
        from colorstudio.gui.main_window import MainWindow

        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        qtbot.waitUntil(lambda: "ready" in window.status_text.text(), timeout=20000)
        return window

    yield make
    for window in windows:
        if window.engine.thread.isRunning():
            window.shutdown()
