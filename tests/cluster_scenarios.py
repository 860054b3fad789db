"""Cluster scenarios for the tests: each runs in a process of its own, on a local Ray cluster of 2 CPUs that
it starts itself, and writes what it saw as JSON for the tests to check (``run_isolated``).

On machines where the tests run as root, the process gets a network namespace with only the loopback
interface (``unshare -n``), so that Ray's traffic stays on 127.0.0.1; elsewhere it runs as it is.

    python tests/cluster_scenarios.py colorize|train|reference WORKDIR
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SCENARIO_TIMEOUT = 300  # seconds; a hung cluster fails the test instead of the whole run


def _own_network() -> list[str]:
    """The command prefix that runs a command with only a loopback interface, where that can be done."""
    if os.name != "posix" or os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("ip")):
        return []
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True)
    if probe.returncode:
        return []
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']


def run_isolated(name: str, work: Path) -> dict:
    """Run scenario ``name`` in ``work`` (which holds what it needs); its results, with its output as ``log``."""
    env = {**os.environ, "COLORSTUDIO_HOME": str(work / "home"), "RAY_DEDUP_LOGS": "0"}
    command = [*_own_network(), sys.executable, __file__, name, str(work)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=SCENARIO_TIMEOUT)
    log = done.stdout + done.stderr
    results_file = work / "results.json"
    if done.returncode or not results_file.exists():
        raise AssertionError(f"the {name} scenario failed (exit {done.returncode}):\n{log[-8000:]}")
    return {**json.loads(results_file.read_text()), "log": log}


def _cli(args: list[str]) -> tuple[int, str]:
    from colorstudio.cli import run

    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        code = run(args)
    return code, captured.getvalue()


def _files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


def colorize(work: Path) -> dict:
    """The photos of ``work/in`` with ``work/tiny.safetensors`` on two workers; a re-run; a job in which a
    worker is killed once the first photo is back."""
    import ray

    from colorstudio.cluster.colorize_job import colorize as colorize_on_cluster
    from colorstudio.cluster.connect import Workers
    from colorstudio.core import batch
    from colorstudio.core.options import JobSettings, OutputSettings

    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    command = ["colorize", str(work / "in"), "-o", str(work / "ray"), "--model", str(work / "tiny.safetensors"),
               "--cluster", "--workers", "2"]
    first_code, first_said = _cli(command)
    before = _files(work / "ray")
    again_code, again_said = _cli(command)
    after = _files(work / "ray")

    settings = JobSettings(model=str(work / "tiny.safetensors"), output=OutputSettings(work / "killed"))
    plan = batch.plan_batch([work / "big"], settings.output)
    outcomes, killed = [], None
    for outcome in colorize_on_cluster(plan.jobs, settings, Workers(2, 1, 0)):
        outcomes.append(outcome.__dict__)
        if killed is None:
            killed = _kill_a_worker()
    time.sleep(1)  # the restarted actor's state reaches the actor table
    restarts = ray._private.state.actors()[killed]["NumRestarts"] if killed else None
    return {"first": [first_code, first_said], "again": [again_code, again_said], "before": before,
            "after": after, "killed": killed, "restarts": restarts, "kill_outcomes": outcomes,
            "planned": [str(job.source) for job in plan.jobs]}


def _kill_a_worker() -> str | None:
    """``ray.kill`` one live actor of the job (allowed to restart, as when a node is lost); its ID."""
    import ray
    from ray._raylet import ActorID

    for actor_id, actor in ray._private.state.actors().items():
        if actor["ActorClassName"].startswith("MapWorker") and actor["State"] == "ALIVE":
            handle = ray._private.worker.global_worker.core_worker.get_actor_handle(ActorID.from_hex(actor_id))
            ray.kill(handle, no_restart=False)
            return actor_id
    return None


def train(work: Path) -> dict:
    """Two processes train a seed-resnet18 (batch normalisation: buffers too) on ``work/photos`` for 5 epochs, then the run resumes to 10."""
    import ray

    from colorstudio.cluster.train_job import worker_records
    from colorstudio.core.training import recipe, runlog

    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    model = work / "ddp.safetensors"
    command = ["train", str(work / "photos"), "--out", str(model), "--arch", "seed-resnet18", "--size", "64",
               "--batch", "4", "--workers", "2", "--device", "cpu", "--seed", "1"]
    first_code, first_said = _cli([*command, "--epochs", "5"])
    run_dir = recipe.runs_dir() / "ddp"
    first = {"code": first_code, "said": first_said, "records": worker_records(run_dir),
             "log": runlog.read(run_dir), "model_bytes": model.stat().st_size if model.exists() else 0}
    resumed_code, resumed_said = _cli([*command, "--epochs", "10", "--resume"])
    resumed = {"code": resumed_code, "said": resumed_said, "records": worker_records(run_dir),
               "log": runlog.read(run_dir), "run": json.loads((run_dir / recipe.RUN_FILE).read_text())}
    return {"first": first, "resumed": resumed, "model": str(model)}


def reference(work: Path) -> dict:
    """The photos of ``work/in`` guided by the reference photo ``work/reference.png``, then by the reference
    folder ``work/references``, on one worker, with the shipped model at render size 256."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    command = ["colorize", str(work / "in"), "--device", "cpu", "--engine", "torch", "--render-size", "256",
               "--cluster", "--workers", "1"]
    photo = _cli([*command, "-o", str(work / "photo"), "--reference", str(work / "reference.png")])
    folder = _cli([*command, "-o", str(work / "folder"), "--reference", str(work / "references"),
                   "--reference-strength", "0.9"])
    return {"photo": photo, "folder": folder}


if __name__ == "__main__":
    scenario, folder = sys.argv[1], Path(sys.argv[2])
    results = {"colorize": colorize, "train": train, "reference": reference}[scenario](folder)
    (folder / "results.json").write_text(json.dumps(results, indent=1, default=str))
