"""Colour hints belong to the photo: kept with its queue row (and a restart), used when the batch renders it,
recorded in the output's provenance, exported as the JSON the command line reads (--hints, --hints-dir)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from window_helpers import colorized, statuses

from colorstudio.cli import run as cli
from colorstudio.core import color, imageio
from colorstudio.core.hints import ColorHint, load_hints, save_hints
from colorstudio.core.queue import Status

RED_AB = (55.0, 40.0)  # a strong red's chroma (CIELab a, b)
DARK_RED = (30.0, 20.0)  # a red that exists at L* 30


def scene(path: Path, seed: int = 0) -> Path:
    """Two flat regions (a dark left, a light right) with a little grain: a hint recolours its region."""
    rng = np.random.default_rng(seed)
    pixels = np.full((90, 120), 70, np.float32)
    pixels[:, 60:] = 180
    pixels += rng.normal(0, 2, pixels.shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path)
    return path


def chroma_at(path: Path, x: int, y: int) -> np.ndarray:
    lab = color.rgb_to_lab(imageio.read_image(path).pixels[y - 2:y + 3, x - 2:x + 3])
    return lab[..., 1:].reshape(-1, 2).mean(axis=0)


def test_hints_are_kept_used_recorded_and_read_by_the_command_line_alike(make_window, qtbot, tmp_path,
                                                                          monkeypatch):
    source = scene(tmp_path / "photos" / "portrait.png")
    hints_in = tmp_path / "given.json"
    save_hints(hints_in, [ColorHint(30, 45, *RED_AB)])
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName", lambda *a, **k: (str(hints_in), ""))
    window = make_window()
    window.add_paths([source])
    window.table.selectRow(0)
    window.queue_actions.import_hints()
    assert window.queue_model.queue.items[0].hints == (ColorHint(30.0, 45.0, *RED_AB),)
    assert "1 hint" in window.queue_model.data(window.queue_model.index(0, 0))
    window.close()  # the hints live with the row: a restart keeps them

    again = make_window()
    item = again.queue_model.queue.items[0]
    assert item.hints == (ColorHint(30.0, 45.0, *RED_AB),)
    again.runner.start()
    qtbot.waitUntil(lambda: statuses(again) == [Status.DONE], timeout=30000)
    with_hints = item.output
    assert imageio.read_provenance(with_hints)["hints"] == 1
    red = chroma_at(with_hints, 30, 45)
    # the hint's region takes its colour: within 5 CIELab units of the chroma asked for (measured 2.9: 8-bit
    # output and the edge-aware spread's smoothing leave a little), while the other region stays far from it
    assert np.hypot(*(red - RED_AB)) < 5, red
    assert np.hypot(*(chroma_at(with_hints, 95, 45) - RED_AB)) > 30

    exported = tmp_path / "hints-out" / "portrait.png.json"
    exported.parent.mkdir()
    again.table.selectRow(0)
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(exported), ""))
    again.queue_actions.export_hints()
    assert load_hints(exported) == load_hints(hints_in)
    cli_out = tmp_path / "cli"
    assert cli(["colorize", str(source.parent), "-o", str(cli_out), "--model", "tiny", "--device", "cpu",
                "--hints-dir", str(exported.parent)]) == 0
    a = imageio.read_image(with_hints).pixels.astype(int)
    b = imageio.read_image(cli_out / "portrait.png").pixels.astype(int)
    assert np.abs(a - b).max() <= 1  # the window and the command line: the same photo
    assert imageio.read_provenance(cli_out / "portrait.png")["hints"] == 1


def test_a_hints_file_is_never_exported_beside_the_photo(make_window, qtbot, tmp_path, monkeypatch):
    from colorstudio.gui import window_dialogs

    told = []
    monkeypatch.setattr(window_dialogs, "inform", lambda parent, title, text: told.append(text))
    source = scene(tmp_path / "photos" / "a.png")
    window = make_window()
    window.add_paths([source])
    window.queue_model.queue.items[0].hints = (ColorHint(10.0, 10.0, *RED_AB),)
    window.table.selectRow(0)
    beside = source.parent / "a.png.json"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(beside), ""))
    window.queue_actions.export_hints()
    assert not beside.exists() and "never writes into your photos' folders" in told[0]


def test_hints_dir_gives_each_photo_its_own_hints_and_a_bad_file_fails_only_its_photo(tmp_path):
    import torch

    from colorstudio.core import checkpoint
    from colorstudio.core.models import registry

    torch.manual_seed(0)
    model = tmp_path / "m.safetensors"
    checkpoint.save_model(model, registry.build("seed-cnn"), {"title": "m"})
    photos = tmp_path / "photos"
    for name in ("a", "b", "c"):
        scene(photos / f"{name}.png", seed=ord(name))
    hints = tmp_path / "hints"
    save_hints(hints / "a.png.json", [ColorHint(30, 45, *RED_AB)])
    save_hints(hints / "b.json", [ColorHint(30, 45, *RED_AB), ColorHint(90, 45, -30.0, -30.0)])
    (hints / "c.json").write_text("{not json")
    out = tmp_path / "out"
    assert cli(["colorize", str(photos), "-o", str(out), "--model", str(model), "--device", "cpu",
                "--hints-dir", str(hints)]) == 1  # c's hints file is broken: c fails, a and b are written
    assert imageio.read_provenance(out / "a.png")["hints"] == 1
    assert imageio.read_provenance(out / "b.png")["hints"] == 2
    assert "guided by 2 colour hints" in imageio.read_provenance(out / "b.png")["description"]
    assert not (out / "c.png").exists()
    assert sorted(p.name for p in photos.iterdir()) == ["a.png", "b.png", "c.png"]  # nothing written there


def wheel(view, pos, notches: int) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    event = QWheelEvent(QPointF(pos), QPointF(view.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view, event)


def test_the_hint_tool_adds_moves_recolours_resizes_removes_and_undoes_each(make_window, qtbot, tmp_path,
                                                                             monkeypatch):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QColor

    from colorstudio.gui.hint_editing import HintEditor

    monkeypatch.setattr(HintEditor, "choose_colour", classmethod(lambda cls, parent, initial: QColor(30, 60, 200)))
    window = make_window()
    window.add_paths([scene(tmp_path / "p.png")])
    window.table.selectRow(0)
    view, chooser = window.viewer, window.hint_panel.chooser
    qtbot.waitUntil(lambda: view.before is not None, timeout=20000)
    window.hint_editor.tool.setChecked(True)
    assert window.hint_panel.dock.isVisible()  # the Hint colour panel comes with the tool
    assert not chooser.gray_button.isEnabled()  # nothing selected yet
    item = window.queue_model.queue.items[0]
    centre = QPoint(view.width() // 2, view.height() // 2)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre)  # add: the model's colour there, selected
    assert len(item.hints) == 1 and view.selected_hint == 0
    x0, y0, radius = item.hints[0].x, item.hints[0].y, item.hints[0].radius
    assert abs(x0 - 60) < 2 and abs(y0 - 45) < 2 and radius == 1.0  # photo pixels; 1/400 of 120 px, at least 1
    assert chooser.gray_button.isEnabled()
    # pick a red on the chooser's ab plane (one that exists at the dark region's L* 30): the hint takes it
    qtbot.mouseClick(chooser.picker, Qt.MouseButton.LeftButton, pos=chooser.picker.point_of(*DARK_RED).toPoint())
    assert np.hypot(item.hints[0].a - DARK_RED[0], item.hints[0].b - DARK_RED[1]) < 3
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=centre)  # drag it 40 screen px to the right
    qtbot.mouseMove(view, centre + QPoint(40, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=centre + QPoint(40, 0))
    moved = item.hints[0].x
    assert moved > x0 + 5
    here = centre + QPoint(40, 0)
    wheel(view, here, 3)  # over the hint the wheel sizes its patch (three steps: one edit), not the zoom
    scale = view.scale
    assert abs(item.hints[0].radius - round(1.25**3, 1)) < 0.05 and view.scale == scale
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)  # ] grows it once more
    grown = item.hints[0].radius
    assert grown > 1.9
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=here)  # a double-click: the colour dialog (blue)
    assert item.hints[0].b < -20  # a blue's b*
    qtbot.mouseClick(chooser.gray_button, Qt.MouseButton.LeftButton)  # "Gray here"
    assert (item.hints[0].a, item.hints[0].b) == (0.0, 0.0)
    qtbot.mouseClick(view, Qt.MouseButton.RightButton, pos=here)  # remove
    assert item.hints == ()
    undo, redo = window.hint_editor.undo, window.hint_editor.redo
    undo.trigger()
    assert (item.hints[0].a, item.hints[0].b) == (0.0, 0.0)  # back: the gray one
    undo.trigger()
    assert item.hints[0].b < -20  # the blue
    undo.trigger()
    assert item.hints[0].radius == grown and item.hints[0].a > 25  # the red
    undo.trigger()
    assert item.hints[0].radius == 1.0  # before the resize: the wheel's three steps and ] right after are one edit
    undo.trigger()
    assert abs(item.hints[0].x - x0) < 1e-6  # before the move
    undo.trigger()
    assert np.hypot(item.hints[0].a, item.hints[0].b) < 20  # before the red: the model's colour
    undo.trigger()
    assert item.hints == ()  # before the add
    for _ in range(7):
        redo.trigger()
    assert item.hints == ()  # redone to the end: removed again
    undo.trigger()
    view.setFocus()
    view.select_hint(0)
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # Delete removes the hint, not the photo's row
    assert item.hints == () and len(window.queue_model.queue.items) == 1
    assert view.hints == ()
    recent = window.hint_panel.chooser.recent()  # the picks are remembered, the newest first
    assert recent[0] == (0.0, 0.0) and np.hypot(recent[1][0] - DARK_RED[0], recent[1][1] - DARK_RED[1]) < 3


def test_a_finished_photo_is_colorized_again_with_its_new_hints_over_its_own_output(make_window, qtbot, tmp_path):
    window = make_window()
    item = colorized(window, qtbot, scene(tmp_path / "photos" / "p.png"))
    output = item.output
    assert np.hypot(*(chroma_at(output, 30, 45) - DARK_RED)) > 15
    window.table.selectRow(0)
    window.session.set_hints(item.id, (ColorHint(30.0, 45.0, *DARK_RED),))
    assert "Colorize again" in window.status_text.text()  # the way to have them written is told
    window.queue_actions.colorize_again()
    assert statuses(window) == [Status.WAITING]
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE], timeout=30000)
    assert item.output == output and sorted(p.name for p in output.parent.iterdir()) == ["p.png"]  # replaced
    assert np.hypot(*(chroma_at(output, 30, 45) - DARK_RED)) < 5


def with_a_selected_hint(window, qtbot, photos):
    """The first photo on show with the hint tool on and one hint, selected; returns its queue item."""
    window.add_paths(photos)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.viewer.before is not None, timeout=20000)
    window.hint_editor.tool.setChecked(True)
    item = window.queue_model.queue.items[0]
    window.session.set_hints(item.id, (ColorHint(30.0, 45.0, *DARK_RED),), 0)
    return item


def test_the_chooser_never_shows_another_photos_hint(make_window, qtbot, tmp_path):
    window = make_window()
    with_a_selected_hint(window, qtbot, [scene(tmp_path / "a.png"), scene(tmp_path / "b.png", seed=1)])
    chooser = window.hint_panel.chooser
    assert chooser.gray_button.isEnabled()  # a's hint is selected, and shown
    window.table.selectRow(1)
    assert not chooser.gray_button.isEnabled()  # b has none selected: "Gray here" must not recolour a's


def test_delete_in_the_hint_colour_panel_never_removes_the_photo(make_window, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    window = make_window()
    window.show()
    item = with_a_selected_hint(window, qtbot, [scene(tmp_path / "a.png")])
    chooser = window.hint_panel.chooser
    chooser.gray_button.setFocus()  # as after a click on "Gray here" or a swatch
    qtbot.keyClick(chooser.gray_button, Qt.Key.Key_Delete)
    assert len(window.queue_model.queue.items) == 1 and item.hints  # the photo and its hint are still there
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)  # in the queue, Delete still removes the photo
    assert window.queue_model.queue.items == []


def test_the_split_line_still_drags_with_the_hint_tool_on(make_window, qtbot, tmp_path):
    from PySide6.QtCore import QPoint, Qt

    window = make_window()
    window.add_paths([scene(tmp_path / "a.png")])
    window.table.selectRow(0)
    view = window.viewer
    qtbot.waitUntil(lambda: view.before is not None, timeout=20000)
    window.hint_editor.tool.setChecked(True)
    qtbot.waitUntil(lambda: view.after is not None, timeout=20000)  # the live After: the split line is on show
    line = QPoint(round(view.split * view.width()), view.height() // 2)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=line)
    qtbot.mouseMove(view, line - QPoint(60, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=line - QPoint(60, 0))
    assert view.split < 0.45 and window.queue_model.queue.items[0].hints == ()  # moved, and no hint added


def test_imported_hints_keep_their_patch_size_and_the_import_can_be_undone(make_window, qtbot, tmp_path,
                                                                           monkeypatch):
    hints_in = save_hints(tmp_path / "given.json", [ColorHint(30, 45, *RED_AB, radius=6.0)])
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName", lambda *a, **k: (str(hints_in), ""))
    window = make_window()
    window.add_paths([scene(tmp_path / "photos" / "p.png")])
    window.table.selectRow(0)
    window.hint_editor.tool.setChecked(True)
    item = window.queue_model.queue.items[0]
    window.queue_actions.import_hints()
    assert item.hints == (ColorHint(30.0, 45.0, *RED_AB, 6.0),)  # (the patch was dropped on import before)
    assert window.viewer.hints == item.hints  # shown at once
    window.hint_editor.undo.trigger()
    assert item.hints == () and window.viewer.hints == ()
