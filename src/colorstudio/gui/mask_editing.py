"""Showing and editing the dust mask: the overlay over the "before" photo, and a brush that adds to the
mask or erases from it. The strokes are the photo's own (``PhotoSession.add_stroke``, kept with its queue
row) and used when the photo is colorized."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from colorstudio.core.options import JobSettings
from colorstudio.core.restoration.strokes import Stroke
from colorstudio.gui.messages import JobRequest
from colorstudio.gui.photo_session import PhotoSession


class MaskEditor(QObject):
    def __init__(self, session: PhotoSession, engine, viewer, settings: Callable[[], JobSettings],
                 parent: QWidget) -> None:
        """``settings``: the settings as they are now (the overlay shows what they would remove, even while
        another setting needs fixing)."""
        super().__init__(parent)
        self.session, self.engine, self.viewer, self._settings = session, engine, viewer, settings
        self.show = self._action("Show dust mask", "Ctrl+M", "Show in red what restoration will fill in")
        self.add = self._action("Brush: add to mask", "B", "Paint where dust or scratches should be removed")
        self.erase = self._action("Brush: erase from mask", "Shift+B", "Paint where nothing should be removed")
        self.clear = QAction("Clear my mask edits", parent)
        self.show.toggled.connect(self._toggle_overlay)
        self.add.toggled.connect(lambda on: self._brush("add", on))
        self.erase.toggled.connect(lambda on: self._brush("erase", on))
        self.clear.triggered.connect(self._clear)
        viewer.stroked.connect(self._stroked)
        engine.worker.mask_ready.connect(self._mask_ready)
        session.photoChanged.connect(self.refresh)
        session.hintToolChanged.connect(self._hint_tool)
        self._recompute = QTimer(self)  # restoration settings being dragged: once they settle
        self._recompute.setSingleShot(True)
        self._recompute.setInterval(400)
        self._recompute.timeout.connect(self.refresh)

    def _action(self, text: str, key: str, tip: str) -> QAction:
        action = QAction(text, self.parent())
        action.setCheckable(True)
        action.setShortcut(QKeySequence(key))
        action.setToolTip(f"{tip} ({key})")
        return action

    def actions(self) -> tuple[QAction, ...]:
        return self.show, self.add, self.erase, self.clear

    def settings_changed(self) -> None:
        self._recompute.start()

    def refresh(self) -> None:
        """Recompute the overlay for the photo on show (settings or photo changed)."""
        item = self.session.item
        self.viewer.set_overlay(None)
        if item is None or not self.show.isChecked():
            return
        self.engine.compute_mask(JobRequest.for_item(item, self._settings()))

    def _toggle_overlay(self, on: bool) -> None:
        self.viewer.show_overlay = on
        if not on:
            self.add.setChecked(False)
            self.erase.setChecked(False)
        self.refresh()

    def _hint_tool(self, on: bool) -> None:
        if on:  # one tool at a time: the hint tool takes the clicks
            self.add.setChecked(False)
            self.erase.setChecked(False)

    def _brush(self, kind: str, on: bool) -> None:
        other = self.erase if kind == "add" else self.add
        if on:
            other.setChecked(False)
            if not self.show.isChecked():
                self.show.setChecked(True)
        self.viewer.set_brush(kind if on else (None if not other.isChecked() else self.viewer.brush))

    def _stroked(self, x: float, y: float, radius: float, add: bool) -> None:
        self.session.add_stroke(Stroke(round(x, 1), round(y, 1), round(radius, 1), add))

    def _mask_ready(self, item_id: int, overlay) -> None:
        item = self.session.item
        if item is not None and item.id == item_id and self.show.isChecked():
            self.viewer.set_overlay(overlay)

    def _clear(self) -> None:
        self.session.clear_strokes()
        self.refresh()
