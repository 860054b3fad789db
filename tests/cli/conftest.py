"""Fixtures for command-line tests: a small real model file and small photo folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from colorstudio.core import checkpoint
from colorstudio.core.models import registry


@pytest.fixture(scope="session")
def model_file(tmp_path_factory) -> Path:
    """A seed-cnn with random weights, saved the way shipped models are."""
    torch.manual_seed(0)
    model = registry.build("seed-cnn")
    path = tmp_path_factory.mktemp("models") / "tiny-test.safetensors"
    checkpoint.save_model(path, model, {"title": "Tiny test model", "version": "0"})
    return path


