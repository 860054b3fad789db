"""Pieces shared by the commands."""

from __future__ import annotations

import sys

from colorstudio.core import catalog
from colorstudio.core.errors import ColorStudioError


def load_model(name: str | None):
    """(model, catalog entry), or None after printing why (the command then exits with 2)."""
    try:
        entry = catalog.resolve_model(name)
        model, _ = catalog.load(entry)
    except ColorStudioError as exc:
        print(f"colorstudio: error: {exc}", file=sys.stderr)
        return None
    return model, entry
