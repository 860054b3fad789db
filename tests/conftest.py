"""Shared test setup: user folders in a temporary place, small deterministic model doubles."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory, monkeypatch):
    """Never touch the real user's models or settings."""
    home = tmp_path_factory.mktemp("colorstudio-home")
    # one cache folder for the whole run: a model converted for OpenVINO in one test (keyed by the weights'
    # content) is not converted again in the next; tests of the cache itself use their own folder
    shared = tmp_path_factory.getbasetemp() / "colorstudio-cache"
    shared.mkdir(exist_ok=True)
    (home / "cache").symlink_to(shared, target_is_directory=True)
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


@pytest.fixture(scope="session")
def cluster_scenario(tmp_path_factory):
    """``run(name, prepare)``: the cluster scenario ``name`` of ``cluster_scenarios.py``, run once per test session
    in a folder that ``prepare(folder)`` filled (on its own 2-CPU Ray cluster, in its own process); its results."""
    pytest.importorskip("ray.data", reason="the cluster extra is not installed (pip install 'colorstudio[cluster]')")
    from cluster_scenarios import run_isolated

    results: dict = {}

    def run(name: str, prepare):
        if name not in results:
            folder = tmp_path_factory.mktemp(f"cluster-{name}")
            prepare(folder)
            results[name] = (folder, run_isolated(name, folder))
        return results[name]

    return run
