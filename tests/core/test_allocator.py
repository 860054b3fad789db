"""core.allocator: the strips of a big photo reuse memory instead of faulting it in afresh (glibc only)."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")

# Composes the strips of a 6000-px-wide photo on a worker thread, as the GUI's engine does, and prints
# the minor page faults after a warm-up strip. Run in a fresh interpreter: mallopt is process-wide.
WORKLOAD = """
import json, resource, sys, threading
import numpy as np
from colorstudio.core import allocator, color
tuned = allocator.tune() if sys.argv[1] == "tuned" else False
rng = np.random.default_rng(0)
l_rows = rng.uniform(0, 100, (256, 6000)).astype(np.float32)
ab = rng.normal(0, 12, (256, 6000, 2)).astype(np.float32)
out = {}
def work():
    color.compose_rgb(l_rows, ab, np.uint8)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        color.compose_rgb(l_rows, ab, np.uint8)
    out["faults"] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
thread = threading.Thread(target=work)
thread.start()
thread.join()
print(json.dumps({"tuned": tuned, **out}))
"""


def _faults(mode: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.pop("COLORSTUDIO_MALLOC", None)
    done = subprocess.run([sys.executable, "-c", WORKLOAD, mode], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_tuned_allocator_reuses_the_memory_of_strips():
    tuned, default = _faults("tuned"), _faults("default")
    if not tuned["tuned"]:
        pytest.skip("not glibc, or mallopt refused")
    assert default["faults"] > 2_000  # the problem is real: each strip faults its temporaries in again
    assert tuned["faults"] < default["faults"] / 10


def test_tune_is_idempotent_and_can_be_switched_off():
    code = ("import os; os.environ['COLORSTUDIO_MALLOC'] = 'default'; from colorstudio.core import allocator; "
            "print(allocator.tune(), allocator.tune())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "False"]
