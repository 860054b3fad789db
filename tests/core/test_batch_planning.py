"""Where each photo's output goes: one rule for the command line and the window (core.batch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorstudio.core.batch import OutputPlanner, OutputSettings, plan_batch


def photo(path: Path, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((np.random.default_rng(seed).random((20, 24)) * 255).astype(np.uint8)).save(path)
    return path


def test_two_photos_of_the_same_name_get_their_own_outputs_and_the_user_is_told(tmp_path):
    a, b = photo(tmp_path / "A" / "scan001.png"), photo(tmp_path / "B" / "scan001.png", 1)
    out = tmp_path / "out"
    plan = plan_batch([a.parent, b.parent], OutputSettings(out))
    assert [(j.source, j.output) for j in plan.jobs] == [(a, out / "scan001.png"), (b, out / "scan001 (2).png")]
    assert plan.problems == [] and plan.skipped == []
    assert plan.notes == [(b, "another photo is also called scan001.png: this one is written as scan001 (2).png")]


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_re_run_of_the_same_inputs_finds_the_same_outputs(tmp_path, overwrite):
    a, b = photo(tmp_path / "A" / "x.png"), photo(tmp_path / "B" / "x.png", 1)
    out = tmp_path / "out"
    first = plan_batch([a.parent, b.parent], OutputSettings(out))
    for job in first.jobs:
        job.output.parent.mkdir(parents=True, exist_ok=True)
        job.output.write_bytes(b"done")
    again = plan_batch([a.parent, b.parent], OutputSettings(out, overwrite=overwrite))
    assert (again.jobs if overwrite else again.skipped) == first.jobs


def test_outputs_already_given_to_photos_are_never_given_to_another(tmp_path):
    a, b, c = (photo(tmp_path / d / "p.png", i) for i, d in enumerate("ABC"))
    out = tmp_path / "out"
    planner = OutputPlanner(OutputSettings(out))
    planner.claim(a, out / "p.png")  # a photo done earlier in the window's queue
    (out).mkdir()
    (out / "p.png").write_bytes(b"a's result")
    decision = planner.decide(b, Path("p.png"))
    assert decision.action == "do" and decision.job.output == out / "p (2).png"
    assert planner.decide(c, Path("p.png")).job.output == out / "p (3).png"
    assert planner.decide(b, Path("p.png")).job.output == out / "p (2).png"  # asked again: its own output


def test_an_output_on_its_input_is_refused_and_a_photo_named_twice_is_done_once(tmp_path):
    a = photo(tmp_path / "a.png")
    plan = plan_batch([a, tmp_path], OutputSettings(tmp_path / "out"))
    assert [j.source for j in plan.jobs] == [a]
    assert plan.notes == [(a, "named more than once; colorized once")]
    refused = plan_batch([a], OutputSettings(tmp_path))
    assert refused.jobs == [] and "would overwrite the input" in refused.problems[0][1]


def test_a_photo_colorized_again_writes_over_its_own_output_and_no_one_elses(tmp_path):
    from colorstudio.core.queue import JobQueue, QueueItem, Status

    a, b = photo(tmp_path / "A" / "x.png"), photo(tmp_path / "B" / "y.png", 1)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("x.png", "y.png"):
        (out / name).write_bytes(b"earlier")  # x's own output, and a y.png someone else put there
    queue = JobQueue([QueueItem(1, a, Path("x.png"), Status.DONE, output=out / "x.png"),
                      QueueItem(2, b, Path("y.png"), Status.WAITING)], 3)
    assert queue.again({1, 2}) == 1  # only a finished photo is colorized again
    planner = OutputPlanner(OutputSettings(out))  # overwrite off
    queue.begin_batch(planner)
    planned = {item.id: item for item in queue.plan_waiting(planner)}
    assert planned[1].status == Status.WAITING and planned[1].output == out / "x.png"  # its own: replaced
    assert planned[2].status == Status.SKIPPED  # not its own: kept, as always without overwrite
    restored = JobQueue([QueueItem.from_json(item.to_json()) for item in queue.items], 3)
    assert restored.items[0].previous == out / "x.png"  # a restart keeps it


def test_the_queue_finds_its_photos_by_id_after_every_kind_of_change(tmp_path):
    from colorstudio.core.queue import JobQueue

    queue = JobQueue()
    for name in "abcdef":
        (tmp_path / f"{name}.png").write_bytes(b"")
    queue.add(sorted(tmp_path.glob("*.png")))
    ids = [item.id for item in queue.items]
    assert [queue.index_of(i) for i in ids] == list(range(6))
    queue.move(ids[0], 3)
    assert queue.index_of(ids[0]) == 3 and queue.get(ids[0]).source.name == "a.png"
    queue.remove({ids[1], ids[4]})
    assert queue.get(ids[1]) is None and queue.get(ids[4]) is None
    kept = (ids[0], ids[2], ids[3], ids[5])
    assert [queue.get(i).source.name for i in kept] == ["a.png", "c.png", "d.png", "f.png"]
    assert [queue.index_of(i) for i in (ids[2], ids[3], ids[0], ids[5])] == [0, 1, 2, 3]
    queue.items.clear()
    assert queue.get(ids[0]) is None
