"""The cluster tests run wherever Ray imports (``cluster_scenario`` skips them without the cluster extra), unless
``COLORSTUDIO_SKIP_CLUSTER_TESTS`` holds a reason not to: CI sets it where Ray is not supported well enough
(Windows, where Ray is in beta; .github/workflows/ci.yml), and the reason shows in pytest's summary."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _skip_where_ray_is_not_run():
    reason = os.environ.get("COLORSTUDIO_SKIP_CLUSTER_TESTS", "").strip()
    if reason:
        pytest.skip(reason)
