"""A model trained data-parallel on a cluster (``train --workers 2``) is chosen in the window's Model box and
colorizes a photo there."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from window_helpers import photo, statuses

from colorstudio import paths
from colorstudio.core.queue import Status

sys.path.insert(0, str(Path(__file__).parents[1] / "cluster"))
from test_cluster_training import prepare_photos  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


def test_a_model_trained_on_two_processes_colorizes_in_the_window(cluster_scenario, make_window, qtbot, tmp_path):
    _, seen = cluster_scenario("train", prepare_photos)
    shutil.copy(seen["model"], paths.user_models_dir() / "from-the-cluster.safetensors")
    window = make_window()
    panel = window.settings_panel
    panel.refresh_models()
    index = panel.model.findData("from-the-cluster")
    assert index >= 0
    panel.model.setCurrentIndex(index)
    window.add_paths([photo(tmp_path / "in" / "a.png")])
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    assert "from-the-cluster" in window.status_text.text() or panel.model.currentData() == "from-the-cluster"
