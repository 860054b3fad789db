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


@pytest.fixture
def evil_pickle(tmp_path):
    """(a pickle named .safetensors that would create ``marker`` if it were ever unpickled, marker)."""
    import pickle
    from pathlib import Path

    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (marker,))

    evil = tmp_path / "evil.safetensors"
    evil.write_bytes(pickle.dumps(Exploit()))
    return evil, marker
