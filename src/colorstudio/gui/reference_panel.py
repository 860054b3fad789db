"""The Reference photo panel (issue 30): "colour this photo like that one".

A dock beside the viewer (a tab next to Settings) shows the reference colour photo of the photo on show: its
thumbnail and name, a strength slider (0-100 %: how much its matched colours count), Remove, and "Use for
the selected photos". A reference comes in two ways:

- dropped onto the viewer while a photo is on show: one file dropped there is the shown photo's reference
  (photos dropped on the queue, or several files or a folder dropped anywhere, are added to the queue, as
  before); while it is dragged over the viewer the status line says which it will be;
- Photo > Reference photo… (a file dialog).

The file is read off the GUI thread through the engine's ``ReferenceCache`` (what the engine uses next); a
gray or sepia photo is refused with the core's words, and nothing changes. Every change (set, strength,
removed, used for other photos) is an undoable edit of each photo it changes (``PhotoSession.change_reference``);
the live preview follows it (``hint_live.LivePreview``: quick view first, exact after).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QImage, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from colorstudio.core.queue import PhotoReference
from colorstudio.core.text import plural
from colorstudio.gui import window_dialogs
from colorstudio.gui.photo_session import PhotoSession
from colorstudio.gui.threads import TaskPool
from colorstudio.gui.window_state import settings_store

THUMB_SIDE = 220
MAX_THUMBS = 8
STEPS_APART = 1.5  # seconds: strength steps closer than this (Page Down, arrow keys, clicks) are one undo step
DROP_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
PHOTO_FILTER = "Photos (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp);;All files (*)"


def dropped_file(mime) -> Path | None:
    """The one file of a drop (None for several, a folder, or anything but a local file)."""
    urls = [u for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
    if len(urls) != 1:
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.is_file() else None


def pixmap_of(pixels) -> QPixmap:
    """A thumbnail of RGB uint8 ``pixels``."""
    height, width = pixels.shape[:2]
    image = QImage(pixels.tobytes(), width, height, 3 * width, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.scaled(THUMB_SIDE, THUMB_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))


class ReferencePanel(QObject):
    """The reference photo's dock, its menu actions and the viewer's drop; talks to the session only."""

    def __init__(self, session: PhotoSession, engine, viewer, selected_ids: Callable[[], list[int]],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.session, self.viewer, self.selected_ids = session, viewer, selected_ids
        self.cache = engine.worker.references
        self.reader = TaskPool(1, self)
        self.thumbs: OrderedDict[Path, QPixmap] = OrderedDict()
        self._build(parent)
        self.choose = QAction("Reference photo…", parent)
        self.choose.setToolTip("A colour photo of a similar scene whose colours guide this photo's where they "
                               "match (you can also drop one onto the photo)")
        self.choose.triggered.connect(self.ask_for_file)
        self.remove = QAction("Remove reference photo", parent)
        self.remove.triggered.connect(self.remove_reference)
        self.use_for_selected = QAction("Use this reference for the selected photos", parent)
        self.use_for_selected.triggered.connect(self.use_for_selected_photos)
        for button, action in ((self.choose_button, self.choose), (self.remove_button, self.remove),
                               (self.use_button, self.use_for_selected)):
            button.clicked.connect(action.trigger)
        self.slider.valueChanged.connect(self._strength_moved)
        self.drags = 0  # the slider's gestures: the steps of one are one undoable edit
        self.last_step = float("-inf")  # when the strength last changed (time.monotonic)
        self.slider.sliderPressed.connect(self._drag_started)
        viewer.setAcceptDrops(True)
        viewer.installEventFilter(self)
        session.photoChanged.connect(lambda _another: self.show_current())
        session.referenceChanged.connect(self._changed)
        self.show_current()

    def _build(self, parent: QWidget) -> None:
        self.widget = QWidget()
        layout = QVBoxLayout(self.widget)
        self.thumb = QLabel()
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setMinimumSize(THUMB_SIDE, THUMB_SIDE * 2 // 3)
        self.thumb.setWordWrap(True)
        self.name = QLabel()
        self.name.setWordWrap(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setPageStep(10)
        self.slider.setToolTip("How much the reference's colours count where they match the photo "
                               "(0 %: not at all; where nothing matches, the model's own colours stay)")
        self.strength_label = QLabel()
        self.strength_label.setMinimumWidth(40)
        strength = QHBoxLayout()
        strength.addWidget(QLabel("Strength"))
        strength.addWidget(self.slider, 1)
        strength.addWidget(self.strength_label)
        self.choose_button = QPushButton("Choose…")
        self.remove_button = QPushButton("Remove")
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        self.use_button = QPushButton("Use for the selected photos")
        self.use_button.setToolTip("Give every selected photo of the queue this reference photo, at this strength")
        for part in (self.thumb, self.name):
            layout.addWidget(part)
        layout.addLayout(strength)
        layout.addLayout(buttons)
        layout.addWidget(self.use_button)
        layout.addStretch(1)
        self.dock = QDockWidget("Reference photo", parent)
        self.dock.setObjectName("reference-dock")
        self.dock.setWidget(self.widget)

    def actions(self) -> tuple[QAction, ...]:
        return self.choose, self.remove, self.use_for_selected

    # -- what is shown -------------------------------------------------------------------------------------
    def _changed(self, item_id: int) -> None:
        item = self.session.item
        if item is not None and item.id == item_id:
            self.show_current()

    def show_current(self) -> None:
        """The panel shows the reference of the photo on show (or how to give it one)."""
        item, reference = self.session.item, self.session.reference
        has = reference is not None
        for part in (self.slider, self.remove_button, self.use_button, self.remove, self.use_for_selected):
            part.setEnabled(has)
        self.choose.setEnabled(item is not None)
        self.choose_button.setEnabled(item is not None)
        self.slider.blockSignals(True)
        self.slider.setValue(round(100 * reference.strength) if has else 100)
        self.slider.blockSignals(False)
        self.strength_label.setText(f"{self.slider.value()} %" if has else "")
        if not has:
            self.thumb.setPixmap(QPixmap())
            self.thumb.setText("Drop a colour photo of a similar scene (the same place, house, beach or person) "
                               "onto the photo, or Choose… one: its colours guide this photo's where they match."
                               if item is not None else "Select a photo to give it a reference photo.")
            self.name.setText("")
            return
        self.name.setText(reference.name)
        self.name.setToolTip(str(reference.path))
        pixmap = self.thumbs.get(reference.path)
        if pixmap is not None:
            self.thumb.setPixmap(pixmap)
        else:
            self.thumb.setText("Reading…")
            self.reader.run(self.cache.read, reference.path, then=self._thumb_read)

    def _thumb_read(self, result) -> None:
        path, reference, error = result
        if reference is not None:
            self._keep_thumb(path, reference)
        current = self.session.reference
        if current is not None and current.path == path:
            if reference is None:
                self.thumb.setText(f"Cannot be read: {error}")
            else:
                self.thumb.setPixmap(self.thumbs[path])

    def _keep_thumb(self, path: Path, reference) -> None:
        self.thumbs[path] = pixmap_of(reference.pixels)
        self.thumbs.move_to_end(path)
        while len(self.thumbs) > MAX_THUMBS:
            self.thumbs.popitem(last=False)

    # -- changes -------------------------------------------------------------------------------------------
    @classmethod
    def choose_file(cls, parent: QWidget, start: str) -> Path | None:
        """The user's reference photo from a file dialog (tests replace this)."""
        file, _ = QFileDialog.getOpenFileName(parent, "Reference photo: a colour photo of a similar scene",
                                              start, PHOTO_FILTER)
        return Path(file) if file else None

    def ask_for_file(self) -> None:
        item = self.session.item
        if item is None:
            self.session.message.emit("Select a photo first: a reference photo guides the photo on show.")
            return
        store = settings_store()
        path = self.choose_file(self.widget.window(), str(store.value("reference/folder") or item.source.parent))
        if path is not None:
            store.setValue("reference/folder", str(path.parent))
            self.use_file(path)

    def use_file(self, path: Path) -> None:
        """Make ``path`` the reference of the photo on show, once it is read and found to be a colour photo."""
        item = self.session.item
        if item is None:
            return
        self.session.message.emit(f"Reading {path.name}…")
        self.reader.run(self.cache.read, path, then=partial(self._read, item.id))

    def _read(self, item_id: int, result) -> None:
        path, reference, error = result
        item = self.session.queue_model.queue.get(item_id)
        if item is None:
            return
        if reference is None:
            text = f"{path.name} is not used as a reference photo: {error}."
            self.session.message.emit(text)
            window_dialogs.inform(self.widget.window(), "Not a colour photo", text)
            return
        self._keep_thumb(path, reference)
        strength = item.reference.strength if item.reference is not None else 1.0
        self.session.change_reference([item_id], PhotoReference(path, strength), "Set reference photo")
        self.session.message.emit(f"{path.name} colours {item.source.name} where they match (After: live). "
                                  "Undo takes it back.")
        self.dock.show()
        self.dock.raise_()

    def remove_reference(self) -> None:
        item = self.session.item
        if item is not None and item.reference is not None:
            name = item.reference.name
            self.session.change_reference([item.id], None, "Remove reference photo")
            self.session.message.emit(f"{item.source.name} is colorized without {name} now (Undo brings it back).")

    def use_for_selected_photos(self) -> None:
        reference = self.session.reference
        if reference is None:
            return
        ids = self.selected_ids()
        changed = self.session.change_reference(ids, reference, "Use reference photo")
        self.session.message.emit(
            f"{reference.name} is the reference of {plural(len(ids), 'selected photo')} ({changed} changed). "
            "Undo takes it back from the photo on show; each other photo's own Undo, from that one.")

    def _drag_started(self) -> None:
        self.drags += 1

    def _strength_moved(self, value: int) -> None:
        item = self.session.item
        if item is not None and item.reference is not None:
            self.strength_label.setText(f"{value} %")
            # one gesture, one undo step: a drag, or clicks and keys on the slider each within STEPS_APART
            now = time.monotonic()
            if not self.slider.isSliderDown() and now - self.last_step > STEPS_APART:
                self.drags += 1
            self.last_step = now
            self.session.change_reference([item.id], replace(item.reference, strength=value / 100),
                                          "Reference strength", merge=self.drags)

    # -- the viewer's drop ---------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is not self.viewer or event.type() not in DROP_EVENTS:
            return False
        item = self.session.item
        path = dropped_file(event.mimeData()) if item is not None else None
        if path is None:  # several files, a folder, or no photo on show: the window adds them to the queue
            event.ignore()
            return False
        if event.type() == QEvent.Type.Drop:
            event.acceptProposedAction()
            self.use_file(path)
            return True
        if event.type() == QEvent.Type.DragEnter:
            self.session.message.emit(f"Drop {path.name} here to make it the reference photo of "
                                      f"{item.source.name}; drop it on the queue to add it as a photo.")
        event.acceptProposedAction()
        return True
