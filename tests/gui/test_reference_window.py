"""A photo's reference colour photo in the window (issue 30): dropped onto the viewer or chosen from the Photo
menu, shown live (quick, then exact), its strength, Remove, Undo/Redo, kept with the queue across a restart,
written by a batch (the matched regions take its colours), refused when gray."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QAbstractSlider, QApplication
from reference_scene import GRASS_AB, SKY_AB, colour_scene
from window_helpers import statuses

from colorstudio.core import color, imageio
from colorstudio.core.queue import JobQueue, PhotoReference, QueueItem, Status
from colorstudio.gui import window_dialogs
from colorstudio.gui.reference_panel import ReferencePanel
from colorstudio.gui.window_state import queue_path

SKY_POINT, GRASS_POINT = (100, 30), (200, 150)  # (x, y) inside the sky and the grass




def save(path: Path, pixels: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def scenes(tmp_path: Path) -> tuple[Path, Path]:
    """(the gray photo, its colour reference)."""
    rgb = colour_scene()
    gray = np.clip(np.round(color.compose_rgb(color.lightness(rgb), np.zeros(rgb.shape[:2] + (2,), np.float32),
                                              np.uint8)[..., 0]), 0, 255).astype(np.uint8)
    return save(tmp_path / "photos" / "old.png", gray), save(tmp_path / "refs" / "beach.png", rgb)


def drop(widget, paths: list[Path], kind=QEvent.Type.Drop):
    """A drop (or only a drag entering) of ``paths`` onto ``widget``, as the system sends it: the drag enters
    first (Qt gives the drop to the widget that accepted it); the last event."""
    if kind == QEvent.Type.Drop:
        drop(widget, paths, QEvent.Type.DragEnter)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = QPointF(widget.width() / 2, widget.height() / 2)
    args = (point.toPoint(),) if kind == QEvent.Type.DragEnter else (point,)
    event = (QDragEnterEvent if kind == QEvent.Type.DragEnter else QDropEvent)(
        *args, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return event


def after_ab(view, x: int, y: int) -> np.ndarray:
    image, factor = view.after.level_for(1.0)
    px, py = int(x * factor), int(y * factor)
    patch = np.array([[image.pixelColor(px + dx, py + dy).getRgb()[:3] for dx in (-2, 0, 2)] for dy in (-2, 0, 2)],
                     np.uint8)
    return color.rgb_to_lab(patch)[..., 1:].reshape(-1, 2).mean(axis=0)


def file_ab(path: Path, x: int, y: int) -> np.ndarray:
    lab = color.rgb_to_lab(imageio.read_image(path).pixels[y - 3:y + 4, x - 3:x + 4])
    return lab[..., 1:].reshape(-1, 2).mean(axis=0)


def shown(make_window, qtbot, photos: list[Path]):
    window = make_window()
    window.add_paths(photos)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.viewer.before is not None, timeout=20000)
    return window


def wait_exact(window, qtbot) -> int:
    """Waits for the exact live view of the newest change; its version."""
    version = window.live.version
    qtbot.waitUntil(lambda: (version, True) in [(v, e) for v, _, e in window.live.timings], timeout=30000)
    return version


def test_a_dropped_reference_shows_live_follows_strength_undoes_and_survives_a_restart(make_window, qtbot,
                                                                                       tmp_path):
    photo, reference = scenes(tmp_path)
    window = shown(make_window, qtbot, [photo])
    item, view, panel = window.queue_model.queue.items[0], window.viewer, window.reference_panel
    assert window.viewer.acceptDrops()
    entering = drop(view, [reference], QEvent.Type.DragEnter)
    assert entering.isAccepted() and "reference photo of old.png" in window.status_text.text()
    assert drop(view, [reference]).isAccepted()
    qtbot.waitUntil(lambda: item.reference is not None, timeout=20000)
    assert item.reference == PhotoReference(reference, 1.0)
    assert "reference: beach.png" in window.queue_model.data(window.queue_model.index(0, 0))
    assert panel.name.text() == "beach.png" and not panel.thumb.pixmap().isNull()
    assert panel.slider.isEnabled() and panel.slider.value() == 100
    window.table.setFocus()  # its dock came forward: F6 reaches it after the queue, the viewer and nothing behind it
    visited = []
    for _ in range(3):
        window.commands.next_pane.trigger()
        visited.append(QApplication.focusWidget())
    assert visited[0] is view and panel.widget.isAncestorOf(visited[1]) and visited[2] is window.table

    # the After side follows at once (the hint tool is off): the sky takes the reference's blue
    wait_exact(window, qtbot)
    assert "live" in view.after_label
    assert np.hypot(*(after_ab(view, *SKY_POINT) - SKY_AB)) < 10
    assert np.hypot(*(after_ab(view, *GRASS_POINT) - GRASS_AB)) < 12
    guided_sky = after_ab(view, *SKY_POINT)

    # the strength: at 0 the model's own colour, far from the reference's
    panel.slider.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)  # Page Down, twice, then 0:
    panel.slider.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)  # one gesture, one undo step
    assert item.reference.strength == 0.8
    panel.slider.setValue(0)
    assert item.reference.strength == 0.0 and "0 %" in panel.strength_label.text()
    wait_exact(window, qtbot)
    assert np.hypot(*(after_ab(view, *SKY_POINT) - SKY_AB)) > 25
    panel.slider.setSliderDown(True)  # one drag (pressed, moved, released): one undo step
    panel.slider.setValue(40)
    panel.slider.setValue(60)
    panel.slider.setSliderDown(False)
    wait_exact(window, qtbot)
    half_sky = after_ab(view, *SKY_POINT)
    assert np.hypot(*(half_sky - guided_sky)) > 5 and np.hypot(*(half_sky - SKY_AB)) > 5
    assert window.hint_editor.undo.text() == "Undo Reference strength"

    panel.remove_button.click()
    assert item.reference is None and not panel.slider.isEnabled() and panel.name.text() == ""
    window.hint_editor.undo.trigger()
    assert item.reference == PhotoReference(reference, 0.6)
    assert window.status_text.text() == "Undone: remove reference photo (old.png)."  # not what Remove said
    window.hint_editor.undo.trigger()  # the drag, in one step
    assert item.reference == PhotoReference(reference, 0.0)
    window.hint_editor.undo.trigger()  # the steps before it, in one
    assert item.reference == PhotoReference(reference, 1.0)
    window.hint_editor.redo.trigger()
    window.hint_editor.redo.trigger()
    assert window.status_text.text() == "Redone: reference strength (old.png)."
    window.hint_editor.redo.trigger()
    assert item.reference is None
    window.hint_editor.undo.trigger()
    assert item.reference == PhotoReference(reference, 0.6) and panel.slider.value() == 60
    window.close()  # kept with the queue

    saved = json.loads(queue_path().read_text(encoding="utf-8"))["items"][0]["reference"]
    assert saved == {"path": str(reference), "strength": 0.6}
    again = make_window()
    assert again.queue_model.queue.items[0].reference == PhotoReference(reference, 0.6)
    again.table.selectRow(0)
    qtbot.waitUntil(lambda: again.reference_panel.name.text() == "beach.png", timeout=20000)
    assert again.reference_panel.slider.value() == 60


def test_a_batch_writes_the_reference_and_each_row_says_which_it_took(make_window, qtbot, tmp_path):
    photo, reference = scenes(tmp_path)
    automatic = save(tmp_path / "photos" / "auto.png", np.array(Image.open(photo)))
    window = shown(make_window, qtbot, [photo, automatic])
    window.reference_panel.use_file(reference)
    guided_item, plain_item = window.queue_model.queue.items
    qtbot.waitUntil(lambda: guided_item.reference is not None, timeout=20000)
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE, Status.DONE], timeout=60000)
    out, plain = guided_item.output, plain_item.output
    assert imageio.read_provenance(out)["reference"] == "beach.png"
    assert not imageio.read_provenance(plain).get("reference")
    for point, ab in ((SKY_POINT, SKY_AB), (GRASS_POINT, GRASS_AB)):
        assert np.hypot(*(file_ab(out, *point) - ab)) < 10  # the matched regions take the reference's colours
        assert np.hypot(*(file_ab(out, *point) - file_ab(plain, *point))) > 20  # automatic does not
    assert guided_item.reference_note == "reference: beach.png" and plain_item.reference_note == ""
    model = window.queue_model
    assert "reference: beach.png" in model.data(model.index(0, 0))
    assert "Colorized with reference: beach.png" in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "reference" not in model.data(model.index(1, 0))
    window.reference_panel.remove_button.click()  # removed after the batch: its row no longer names it
    assert "reference" not in model.data(model.index(0, 0))


def test_a_gray_or_sepia_reference_is_refused_and_nothing_changes(make_window, qtbot, tmp_path, monkeypatch):
    told = []
    monkeypatch.setattr(window_dialogs, "inform", lambda parent, title, text: told.append(text))
    photo, _ = scenes(tmp_path)
    sepia = np.array(Image.open(photo).convert("RGB"), np.float32) * np.array([1.0, 0.85, 0.65], np.float32)
    sepia_file = save(tmp_path / "refs" / "sepia.png", sepia.astype(np.uint8))
    window = shown(make_window, qtbot, [photo])
    item = window.queue_model.queue.items[0]
    for refused in (photo, sepia_file):
        drop(window.viewer, [refused])
        qtbot.waitUntil(lambda n=len(told): len(told) > n, timeout=20000)
    assert all("too little colour" in text or "gray" in text for text in told), told
    assert "sepia.png is not used as a reference photo" in window.status_text.text()
    assert item.reference is None and window.hint_editor.undo.text() == "Undo"  # nothing to undo
    assert not window.reference_panel.slider.isEnabled()


def test_the_photo_menu_and_use_for_the_selected_photos(make_window, qtbot, tmp_path, monkeypatch):
    photo, reference = scenes(tmp_path)
    others = [save(tmp_path / "photos" / f"o{i}.png", np.array(Image.open(photo))) for i in range(2)]
    window = shown(make_window, qtbot, [photo, *others])
    asked = []
    monkeypatch.setattr(ReferencePanel, "choose_file", classmethod(lambda cls, parent, start: asked.append(start)
                                                                   or reference))
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Photo")
    next(a for a in menu.actions() if a.text() == "Reference photo…").trigger()
    items = window.queue_model.queue.items
    qtbot.waitUntil(lambda: items[0].reference is not None, timeout=20000)
    assert asked and items[1].reference is None
    window.reference_panel.slider.setValue(70)
    window.table.selectAll()
    assert window.session.item.id == items[0].id
    window.reference_panel.use_button.click()
    assert [i.reference for i in items] == [PhotoReference(reference, 0.7)] * 3
    assert "reference of 3 selected photos (2 changed)" in window.status_text.text()
    # each photo's own Undo takes it back from that photo
    window.table.selectRow(1)
    window.hint_editor.undo.trigger()
    assert items[1].reference is None and items[0].reference is not None and items[2].reference is not None
    # several photos dropped onto the viewer are added to the queue (the window takes them, not the viewer)
    window.table.selectRow(0)
    more = [save(tmp_path / "more" / f"m{i}.png", np.array(Image.open(photo))) for i in range(2)]
    drop(window.viewer, more)
    assert [i.source.name for i in window.queue_model.queue.items][-2:] == ["m0.png", "m1.png"]
    assert window.queue_model.queue.items[0].reference == PhotoReference(reference, 0.7)


def test_a_reference_gone_between_sessions_is_said_and_the_photo_goes_on_without_it(make_window, qtbot,
                                                                                    tmp_path):
    photo, reference = scenes(tmp_path)
    window = shown(make_window, qtbot, [photo])
    window.reference_panel.use_file(reference)
    item = window.queue_model.queue.items[0]
    qtbot.waitUntil(lambda: item.reference is not None, timeout=20000)
    window.close()
    reference.unlink()
    again = make_window()
    item = again.queue_model.queue.items[0]
    assert item.reference is None
    assert "The reference photo of old.png, beach.png, is no longer at" in again.status_text.text()
    assert "is no longer at" in again.queue_model.data(again.queue_model.index(0, 0))
    again.runner.start()
    qtbot.waitUntil(lambda: statuses(again) == [Status.DONE], timeout=30000)
    assert not imageio.read_provenance(item.output).get("reference")


def test_a_reference_deleted_during_the_session_fails_its_photo_with_the_reason(make_window, qtbot, tmp_path):
    photo, reference = scenes(tmp_path)
    moved = save(tmp_path / "elsewhere" / "beach.png", np.array(Image.open(reference)))
    window = shown(make_window, qtbot, [photo])
    window.reference_panel.use_file(moved)
    item = window.queue_model.queue.items[0]
    qtbot.waitUntil(lambda: item.reference is not None, timeout=20000)
    moved.unlink()
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.FAILED], timeout=30000)
    assert "the reference photo beach.png cannot be read: it is no longer at" in item.error
    assert "no longer at" in window.queue_model.data(window.queue_model.index(0, 0), Qt.ItemDataRole.ToolTipRole)


def test_queue_files_without_a_reference_still_load(tmp_path):
    older = {"format": 2, "next_id": 2, "extra": {}, "items": [
        {"id": 1, "source": str(tmp_path / "a.png"), "relative": "a.png", "status": "waiting", "progress": 0.0,
         "output": None, "error": "", "note": "", "reading": "", "width": 0, "height": 0, "strokes": [],
         "hints": [], "previous": None}]}
    path = tmp_path / "queue.json"
    path.write_text(json.dumps(older), encoding="utf-8")
    queue, _ = JobQueue.load(path)
    assert queue.items[0].reference is None and queue.items[0].source == tmp_path / "a.png"
    queue.items[0].reference = PhotoReference(tmp_path / "ref.jpg", 0.25)
    queue.save(path)
    assert JobQueue.load(path)[0].items[0].reference == PhotoReference(tmp_path / "ref.jpg", 0.25)
    assert QueueItem.from_json({**older["items"][0], "reference": "garbage"}).reference is None


def test_settings_colour_from_a_folder_opens_it_once_a_batch_and_a_photos_own_reference_wins(
        make_window, qtbot, tmp_path, monkeypatch):
    from colorstudio.core.reference_folder import ReferenceFolder

    photo, partner = scenes(tmp_path)
    folder = partner.parent
    rng = np.random.default_rng(5)
    save(folder / "noise.png", (rng.random((96, 128, 3)) * 255).astype(np.uint8))  # another colour photo
    own_ref = save(tmp_path / "own" / "violet.png", colour_scene()[..., [2, 0, 1]])  # the scene, hues turned
    own = save(tmp_path / "photos" / "own.png", np.array(Image.open(photo)))
    opened = []
    real_open = ReferenceFolder.open.__func__
    monkeypatch.setattr(ReferenceFolder, "open", classmethod(
        lambda cls, *a, **k: opened.append(a[0]) or real_open(cls, *a, **k)))
    window = shown(make_window, qtbot, [photo, own])
    panel = window.settings_panel
    panel.reference_folder_on.setChecked(True)  # no folder yet: the batch cannot start
    assert not window.commands.start.isEnabled()
    assert panel.errors["reference_folder"].isVisibleTo(panel)
    panel.reference_folder.setText(str(folder))
    assert window.commands.start.isEnabled() and panel.reference_folder_path() == folder
    window.table.selectRow(1)
    qtbot.waitUntil(lambda: window.session.item is not None and window.session.item.id == 2, timeout=10000)
    window.reference_panel.use_file(own_ref)
    from_folder, with_own = window.queue_model.queue.items
    qtbot.waitUntil(lambda: with_own.reference is not None, timeout=20000)
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE, Status.DONE], timeout=60000)
    assert opened == [folder]  # once for the batch (the photo with its own reference did not need it)
    assert from_folder.reference_note == "reference: beach.png"  # the row; the match in its tooltip
    assert from_folder.reference_detail.startswith("reference: beach.png (match ")
    assert "beach.png" in window.queue_model.data(window.queue_model.index(0, 0))
    assert imageio.read_provenance(from_folder.output)["reference"] == "beach.png"
    assert np.hypot(*(file_ab(from_folder.output, *SKY_POINT) - SKY_AB)) < 10
    assert imageio.read_provenance(with_own.output)["reference"] == "violet.png"  # its own wins
    assert with_own.reference_note == "reference: violet.png"
    window.table.selectAll()  # a second batch opens it again (photos added to the folder since are seen)
    window.queue_actions.colorize_again()
    window.runner.start()
    qtbot.waitUntil(lambda: statuses(window) == [Status.DONE, Status.DONE], timeout=60000)
    assert opened == [folder, folder]
    window.close()
    assert make_window().settings_panel.reference_folder_path() == folder  # kept in the preferences


def test_a_folders_choice_of_several_names_the_best_on_its_row_and_every_one_in_its_tooltip(qtbot):
    """Found under Xvfb: a row whose folder gave it three photos read "references: d… (match 0.41)", elided
    in the middle of the core's whole account, which did not say which."""
    from types import SimpleNamespace

    from colorstudio.core.reference import Reference
    from colorstudio.gui.engine import _notes
    from colorstudio.gui.queue_model import QueueModel

    parts = [Reference.from_pixels(colour_scene(), name) for name in ("dunes at noon.png", "b.png", "c.png")]
    why = "references: dunes at noon.png (match 0.45), b.png (match 0.43), c.png (match 0.41)"
    notes = _notes(SimpleNamespace(reference=Reference.combine(parts, strength=0.7), reference_note=why))
    assert notes == {"reference_note": "references (70%): dunes at noon.png +2", "reference_detail": why}
    none = "no reference matched well enough (best 0.31): automatic colour"
    assert _notes(SimpleNamespace(reference=None, reference_note=none)) == {
        "reference_note": none, "reference_detail": ""}

    queue = JobQueue()
    item = QueueItem(1, Path("/photos/old.png"), Path("old.png"), Status.DONE, output=Path("/out/old.jpg"))
    queue.items.append(item)
    item.reference_note, item.reference_detail = notes["reference_note"], notes["reference_detail"]
    model = QueueModel(queue)
    assert model.data(model.index(0, 0)).splitlines()[-1] == "references (70%): dunes at noon.png +2"
    assert f"Colorized with {why}" in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    restored = QueueItem.from_json(json.loads(json.dumps(item.to_json())))
    assert (restored.reference_note, restored.reference_detail) == (item.reference_note, why)


def test_a_new_hint_on_a_photo_with_a_reference_starts_from_the_colour_its_reference_gives(make_window, qtbot,
                                                                                          tmp_path):
    """Found under Xvfb: a hint added to the sky of a photo coloured from its reference started from the
    model's own colour there (what the photo would be without the reference), not the blue on show."""
    photo, reference = scenes(tmp_path)
    window = shown(make_window, qtbot, [photo])
    item = window.queue_model.queue.items[0]
    window.reference_panel.use_file(reference)
    qtbot.waitUntil(lambda: item.reference is not None, timeout=20000)
    wait_exact(window, qtbot)
    qtbot.waitUntil(lambda: window.session.plain_colours() is not None, timeout=20000)
    window.hint_editor.tool.setChecked(True)
    window.viewer.hintAdded.emit(*SKY_POINT)
    assert len(item.hints) == 1
    assert np.hypot(item.hints[0].a - SKY_AB[0], item.hints[0].b - SKY_AB[1]) < 10
