"""The hint tool's live preview: the After side follows every edit (quick, then exact), and edits made while a
preview renders are never lost: the newest one is what ends up shown."""

from __future__ import annotations

import threading

import numpy as np
from test_photo_hints import RED_AB, scene

from colorstudio.core import color
from colorstudio.core.hints import ColorHint

BLUE_AB = (-10.0, -25.0)  # a blue that exists at the dark region's lightness (L* 30)


def after_chroma(view, x: float, y: float) -> np.ndarray:
    """The live After's chroma around photo pixel (x, y)."""
    image, factor = view.after.level_for(1.0)
    px, py = int(x * factor), int(y * factor)
    patch = np.array([[image.pixelColor(px + dx, py + dy).getRgb()[:3] for dx in (-1, 0, 1)] for dy in (-1, 0, 1)],
                     np.uint8)
    return color.rgb_to_lab(patch)[..., 1:].reshape(-1, 2).mean(axis=0)


def live_window(make_window, qtbot, path):
    window = make_window()
    window.add_paths([path])
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.viewer.before is not None, timeout=20000)
    window.hint_editor.tool.setChecked(True)  # switching the tool on prepares the photo's preview
    qtbot.waitUntil(lambda: bool(window.live.timings), timeout=20000)
    return window


def test_each_edit_shows_live_first_quick_then_exact(make_window, qtbot, tmp_path):
    window = live_window(make_window, qtbot, scene(tmp_path / "p.png"))
    item, view = window.queue_model.queue.items[0], window.viewer
    assert view.after is not None and view.after.width == 120  # stands for the whole photo
    window.session.set_hints(item.id, (ColorHint(30.0, 45.0, *RED_AB, 3.0),))
    version = window.live.version
    qtbot.waitUntil(lambda: any(v == version for v, _, _ in window.live.timings), timeout=20000)
    assert np.hypot(*(after_chroma(view, 30, 45) - RED_AB)) < 6  # the hint's colour, at once
    assert np.hypot(*(after_chroma(view, 100, 45) - RED_AB)) > 30  # not the other region
    qtbot.waitUntil(lambda: (version, True) in [(v, e) for v, _, e in window.live.timings], timeout=20000)
    assert "live" in view.after_label
    assert not list(tmp_path.glob("outputs/*"))  # a preview writes nothing


def test_edits_made_while_a_preview_renders_are_not_lost(make_window, qtbot, tmp_path):
    window = live_window(make_window, qtbot, scene(tmp_path / "p.png"))
    item, view, worker = window.queue_model.queue.items[0], window.viewer, window.engine.worker
    # hold the engine inside a preview of the first edit while five more edits are made
    release, entered = threading.Event(), []
    original = worker._hint_preview

    def slow(request):
        entered.append(request)
        release.wait(20)
        return original(request)

    worker._hint_preview = slow
    try:
        window.session.set_hints(item.id, (ColorHint(30.0, 45.0, *RED_AB),))
        qtbot.waitUntil(lambda: bool(entered), timeout=20000)
        for x in (35.0, 40.0, 45.0, 50.0):
            window.session.set_hints(item.id, (ColorHint(x, 45.0, *RED_AB),))
        window.session.set_hints(item.id, (ColorHint(30.0, 45.0, *BLUE_AB),))  # the newest: blue
        newest = window.live.version
    finally:
        release.set()
    qtbot.waitUntil(lambda: window.live._shown.get(item.id) == newest, timeout=20000)
    assert np.hypot(*(after_chroma(view, 30, 45) - BLUE_AB)) < 6
    shown = [v for v, _, _ in window.live.timings]
    assert shown == sorted(shown)  # never an older edit after a newer one
    assert len(entered) <= 3  # the edits in between were replaced, not queued one behind another


def test_a_new_hint_starts_with_the_models_colour_not_a_neighbouring_hints(make_window, qtbot, tmp_path):
    window = live_window(make_window, qtbot, scene(tmp_path / "p.png"))
    item, editor = window.queue_model.queue.items[0], window.hint_editor
    window.session.set_hints(item.id, (ColorHint(20.0, 45.0, *RED_AB),))  # red spreads over the dark region
    version = window.live.version
    qtbot.waitUntil(lambda: window.live._shown.get(item.id) == version, timeout=20000)
    assert np.hypot(*(after_chroma(window.viewer, 45, 45) - RED_AB)) < 10  # the After is red there now
    editor._add(45.0, 45.0)  # a second hint in the same region
    assert np.hypot(*(np.array([item.hints[1].a, item.hints[1].b]) - RED_AB)) > 30  # it starts from the model's colour
