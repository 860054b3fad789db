"""Colour hints belong to the photo: kept with its queue row (and a restart), used when the batch renders it,
recorded in the output's provenance, exported as the JSON the command line reads (--hints, --hints-dir)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from colorstudio.cli import run as cli
from colorstudio.core import color, imageio
from colorstudio.core.hints import ColorHint, load_hints, save_hints
from colorstudio.core.queue import Status

from window_helpers import statuses

RED_AB = (55.0, 40.0)  # a strong red's chroma (CIELab a, b)


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
    window.import_hints()
    assert window.queue_model.queue.items[0].hints == [[30.0, 45.0, *RED_AB]]
    assert "1 hint" in window.queue_model.data(window.queue_model.index(0, 0))
    window.close()  # the hints live with the row: a restart keeps them

    again = make_window()
    item = again.queue_model.queue.items[0]
    assert item.hints == [[30.0, 45.0, *RED_AB]]
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
    again.export_hints()
    assert load_hints(exported) == load_hints(hints_in)
    cli_out = tmp_path / "cli"
    assert cli(["colorize", str(source.parent), "-o", str(cli_out), "--model", "tiny", "--device", "cpu",
                "--hints-dir", str(exported.parent)]) == 0
    a = imageio.read_image(with_hints).pixels.astype(int)
    b = imageio.read_image(cli_out / "portrait.png").pixels.astype(int)
    assert np.abs(a - b).max() <= 1  # the window and the command line: the same photo
    assert imageio.read_provenance(cli_out / "portrait.png")["hints"] == 1


def test_a_hints_file_is_never_exported_beside_the_photo(make_window, qtbot, tmp_path, monkeypatch):
    from colorstudio.gui.main_window import MainWindow

    told = []
    monkeypatch.setattr(MainWindow, "inform", classmethod(lambda cls, parent, title, text: told.append(text)))
    source = scene(tmp_path / "photos" / "a.png")
    window = make_window()
    window.add_paths([source])
    window.queue_model.queue.items[0].hints = [[10.0, 10.0, *RED_AB]]
    window.table.selectRow(0)
    beside = source.parent / "a.png.json"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(beside), ""))
    window.export_hints()
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


def test_the_hint_tool_adds_moves_recolours_removes_and_undoes_each(make_window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QColor

    from colorstudio.gui.hint_editing import HintEditor

    colours = iter([QColor(200, 30, 30), QColor(30, 60, 200)])
    monkeypatch.setattr(HintEditor, "choose_colour", classmethod(lambda cls, parent, initial: next(colours)))
    window = make_window()
    window.add_paths([scene(tmp_path / "p.png")])
    window.table.selectRow(0)
    view = window.viewer
    qtbot.waitUntil(lambda: view.before is not None, timeout=20000)
    window.hint_editor.tool.setChecked(True)
    item = window.queue_model.queue.items[0]
    centre = QPoint(view.width() // 2, view.height() // 2)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=centre)  # add (red)
    assert len(item.hints) == 1 and item.hints[0][2] > 40  # a red's a*
    x0, y0 = item.hints[0][:2]
    assert abs(x0 - 60) < 2 and abs(y0 - 45) < 2  # the photo's centre, in photo pixels
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=centre)  # drag it 40 screen px to the right
    qtbot.mouseMove(view, centre + QPoint(40, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=centre + QPoint(40, 0))
    moved = item.hints[0][0]
    assert moved > x0 + 5
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=centre + QPoint(40, 0))  # recolour (blue)
    assert item.hints[0][3] < -20  # a blue's b*
    qtbot.mouseClick(view, Qt.MouseButton.RightButton, pos=centre + QPoint(40, 0))  # remove
    assert item.hints == []
    undo, redo = window.hint_editor.undo, window.hint_editor.redo
    undo.trigger()
    assert item.hints[0][3] < -20  # back: the blue one
    undo.trigger()
    assert item.hints[0][2] > 40 and abs(item.hints[0][0] - moved) < 1e-6  # red again, where it was moved to
    undo.trigger()
    assert abs(item.hints[0][0] - x0) < 1e-6  # before the move
    undo.trigger()
    assert item.hints == []  # before the add
    for _ in range(4):
        redo.trigger()
    assert item.hints == []  # redone to the end: removed again
    undo.trigger()
    view.setFocus()
    view.selected_hint = 0
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # Delete removes the hint, not the photo's row
    assert item.hints == [] and len(window.queue_model.queue.items) == 1
    assert view.hints == []
