"""The window's queue file: hints and dust strokes kept as core's own types, and files of earlier versions
still read."""

from __future__ import annotations

import json
from pathlib import Path

from colorstudio.core.hints import ColorHint, load_hints, save_hints
from colorstudio.core.queue import JobQueue, QueueItem, Status
from colorstudio.core.restoration import Stroke

FORMAT_1 = Path(__file__).with_name("queue-format-1.json")  # written by the window of 2026-12-04 (653de1f)


def test_a_queue_saved_by_the_earlier_format_loads_with_its_hints_and_strokes():
    queue, extra = JobQueue.load(FORMAT_1)
    assert [item.id for item in queue.items] == [1, 2] and queue.next_id == 3
    assert extra == {"output_folder": "/photos/colorized", "batch_running": False}
    first = queue.items[0]
    assert first.status == Status.DONE and first.output == Path("/photos/colorized/wedding 1961.jpg")
    assert first.hints == (ColorHint(1200.5, 840.0, 38.125, 22.5, 10.0), ColorHint(300.0, 400.0, -12.0, -30.5),
                           ColorHint(10.0, 20.0, 1.5, 2.5))
    assert first.strokes == (Stroke(100.0, 200.0, 12.0, True), Stroke(110.0, 205.0, 12.0, False))
    assert queue.items[1].hints == () and queue.items[1].strokes == ()


def test_hints_are_saved_as_a_hints_file_has_them_and_read_back(tmp_path):
    hints = (ColorHint(12.25, 40.5, 30.125, -20.0, 4.0), ColorHint(1.0, 2.0, 0.5, 0.25))
    item = QueueItem(7, tmp_path / "a.jpg", Path("a.jpg"), hints=hints, strokes=(Stroke(3.0, 4.0, 5.0, False),))
    queue = JobQueue([item], 8)
    queue.save(tmp_path / "queue.json")
    saved = json.loads((tmp_path / "queue.json").read_text())["items"][0]
    hints_file = save_hints(tmp_path / "a.jpg.json", hints)
    assert {"hints": saved["hints"]} == json.loads(hints_file.read_text())  # the same JSON as --hints files
    assert load_hints(hints_file) == list(hints)
    loaded, _ = JobQueue.load(tmp_path / "queue.json")
    assert loaded.items[0].hints == hints and loaded.items[0].strokes == item.strokes


def test_a_queue_with_an_unreadable_hint_starts_empty_instead_of_failing(tmp_path):
    data = json.loads(FORMAT_1.read_text())
    data["items"][0]["hints"] = [["x", 1, 2, 3]]
    (tmp_path / "queue.json").write_text(json.dumps(data))
    queue, extra = JobQueue.load(tmp_path / "queue.json")
    assert queue.items == [] and extra == {}


def test_the_time_left_counts_down_eases_lower_estimates_in_and_takes_real_changes_at_once():
    from colorstudio.core.queue import Countdown

    countdown = Countdown()
    assert countdown.show(56.0, now=0.0) == 56.0
    at_10 = countdown.show(29.0, now=10.0)  # ten seconds on, and a lower estimate: counted down, eased towards it
    assert 29.0 < at_10 < 46.0
    assert countdown.show(45.0, now=11.0) <= at_10  # a photo slower than foreseen: it holds, it does not grow
    steady = [countdown.show(30.0 - t, now=11.0 + t) for t in range(1, 20)]
    assert abs(steady[-1] - (30.0 - 19)) < 1.0  # an estimate that keeps counting down is followed
    assert countdown.show(300.0, now=31.0) == 300.0  # photos added: far more left, shown at once
    assert countdown.show(float("nan"), now=32.0) != countdown.show(float("nan"), now=32.0)  # none known
