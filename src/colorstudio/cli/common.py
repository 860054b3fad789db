"""Pieces shared by the commands."""

from __future__ import annotations

import argparse
import sys

from colorstudio.core.errors import ColorStudioError


def cluster_target(text: str) -> str:
    """``--cluster``'s value, checked as it is parsed (``colorstudio.cluster.connect.target_problem``)."""
    from colorstudio.cluster.connect import target_problem

    if problem := target_problem(text):
        raise argparse.ArgumentTypeError(problem)
    return text


def load_colorizer(name: str | None, device: str = "auto", engine: str = "auto", precision: str = "float32"):
    """A ``jobs.Colorizer`` for the model, or None after printing why (the command then exits with 2)."""
    from colorstudio.core.jobs import Colorizer
    from colorstudio.core.run_control import RunControl

    try:
        return Colorizer.load(name, device, engine, precision,
                              RunControl(on_notice=lambda message: print(f"colorstudio: {message}", file=sys.stderr)))
    except ColorStudioError as exc:
        print(f"colorstudio: error: {exc}", file=sys.stderr)
        return None
