"""Showing and editing the dust mask: the overlay over the "before" photo, and a brush that adds to the
mask or erases from it. The strokes are stored with the queue item and used when the photo is colorized."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence

from colorstudio.gui.worker import JobRequest


class MaskEditor(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.show = self._action("Show dust mask", "Ctrl+M", "Show in red what restoration will fill in")
        self.add = self._action("Brush: add to mask", "B", "Paint where dust or scratches should be removed")
        self.erase = self._action("Brush: erase from mask", "Shift+B", "Paint where nothing should be removed")
        self.clear = QAction("Clear my mask edits", window)
        self.show.toggled.connect(self._toggle_overlay)
        self.add.toggled.connect(lambda on: self._brush("add", on))
        self.erase.toggled.connect(lambda on: self._brush("erase", on))
        self.clear.triggered.connect(self._clear)
        window.viewer.stroked.connect(self._stroked)
        window.engine.worker.mask_ready.connect(self._mask_ready)
        self._recompute = self._debounced(400, self.refresh)  # restoration settings being dragged
        self._save = self._debounced(1000, window.runner.save)  # strokes being painted
        window.settings_panel.changed.connect(self._recompute.start)

    def _debounced(self, ms: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    def _action(self, text: str, key: str, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setCheckable(True)
        action.setShortcut(QKeySequence(key))
        action.setToolTip(f"{tip} ({key})")
        return action

    def actions(self) -> tuple[QAction, ...]:
        return self.show, self.add, self.erase, self.clear

    def _current(self):
        ids = self.window.selected_ids()
        return self.window.queue_model.queue.get(ids[0]) if ids else None

    def refresh(self) -> None:
        """Recompute the overlay for the selected photo (settings or selection changed)."""
        item = self._current()
        self.window.viewer.set_overlay(None)
        if item is None or not self.show.isChecked():
            return
        settings = self.window.settings_panel.job_settings()
        self.window.engine.compute_mask(JobRequest(item.id, item.source, None, settings, strokes=tuple(item.strokes)))

    def _toggle_overlay(self, on: bool) -> None:
        self.window.viewer.show_overlay = on
        if not on:
            self.add.setChecked(False)
            self.erase.setChecked(False)
        self.refresh()

    def _brush(self, kind: str, on: bool) -> None:
        other = self.erase if kind == "add" else self.add
        if on:
            other.setChecked(False)
            if not self.show.isChecked():
                self.show.setChecked(True)
        self.window.viewer.set_brush(kind if on else (None if not other.isChecked() else self.window.viewer.brush))

    def _stroked(self, x: float, y: float, radius: float, add: bool) -> None:
        item = self._current()
        if item is not None:
            item.strokes.append([round(x, 1), round(y, 1), round(radius, 1), add])
            self._save.start()

    def _mask_ready(self, item_id: int, overlay) -> None:
        item = self._current()
        if item is not None and item.id == item_id and self.show.isChecked():
            self.window.viewer.set_overlay(overlay)

    def _clear(self) -> None:
        item = self._current()
        if item is not None:
            item.strokes.clear()
            self.window.runner.save()
            self.refresh()
