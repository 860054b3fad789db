"""core.allocator: the strips of a big photo reuse memory instead of faulting it in afresh (glibc only)."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")

# Works on the strips of a 6000-px-wide photo on a worker thread, as the GUI's engine does (strip-sized
# float temporaries, made and freed), and prints the minor page faults after a warm-up strip. Run in a
# fresh interpreter: mallopt is process-wide.
WORKLOAD = """
import json, resource, sys, threading
import numpy as np
from colorstudio.core import allocator
tuned = allocator.tune() if sys.argv[1] == "tuned" else False
rng = np.random.default_rng(0)
l_rows = rng.uniform(0, 100, (256, 6000)).astype(np.float32)
ab = rng.normal(0, 12, (256, 6000, 2)).astype(np.float32)
out = {}
def strip():
    lab = np.dstack([l_rows, ab])
    linear = np.power(np.clip(lab / 100, 0, 1), 2.4)
    return (np.sqrt(linear * linear + 1) * 255).astype(np.uint8)
def work():
    strip()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        strip()
    out["faults"] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
thread = threading.Thread(target=work)
thread.start()
thread.join()
print(json.dumps({"tuned": tuned, **out}))
"""


def _faults(mode: str, workload: str = WORKLOAD) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.pop("COLORSTUDIO_MALLOC", None)
    done = subprocess.run([sys.executable, "-c", workload, mode], capture_output=True, text=True, env=env,
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


# Blocks over 32 MB (a 24 MP photo's tensors and outputs) freed and allocated again on a worker thread while
# another thread holds a buffer allocated between them (as the window's saver does); then the RSS before and
# after ``release``.
BIG_BLOCKS = """
import json, resource, sys, threading
import numpy as np
from colorstudio.core import allocator
tuned = allocator.tune() if sys.argv[1] == "tuned" else False
def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20
out = {}
def work():
    blocks = [np.ones(64 << 20, np.uint8) for _ in range(4)]
    held = np.ones(8 << 20, np.uint8)  # allocated after them, kept
    del blocks
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        blocks = [np.ones(64 << 20, np.uint8) for _ in range(4)]
        del blocks
    out["faults"] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    out["rss_before_release"] = rss_mib()
    out["released"] = allocator.release()
    out["rss_after_release"] = rss_mib()
    out["held"] = int(held[-1])
thread = threading.Thread(target=work)
thread.start()
thread.join()
print(json.dumps({"tuned": tuned, **out}))
"""


def test_big_blocks_are_reused_and_given_back_on_release():
    tuned, default = _faults("tuned", BIG_BLOCKS), _faults("default", BIG_BLOCKS)
    if not tuned["tuned"]:
        pytest.skip("not glibc, or mallopt refused")
    assert default["faults"] > 90  # glibc maps every block over 32 MB afresh: 12 x 64 MB (>= 96 huge pages)
    assert tuned["faults"] < default["faults"] / 10, (tuned, default)
    assert tuned["rss_before_release"] > 200  # the 256 MB freed are kept for the next photo...
    assert tuned["released"] and tuned["rss_after_release"] < tuned["rss_before_release"] - 200  # ...until released
    assert not default["released"]  # untuned, release leaves glibc alone
