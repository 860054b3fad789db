"""Shared test setup: user folders in a temporary place, small deterministic model doubles."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory, monkeypatch):
    """Never touch the real user's models or settings."""
    home = tmp_path_factory.mktemp("colorstudio-home")
    monkeypatch.setenv("COLORSTUDIO_HOME", str(home))
    return home
