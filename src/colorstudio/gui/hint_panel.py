"""The Hint colour panel: the chooser (``hint_chooser``) for the selected hint, docked beside the viewer as a
tab next to Settings, shown while the hint tool is on.

It shows the hint's lightness and colour, asks the engine for the model's suggestions at that point
(``core.hint_suggest``, on the engine thread, from the photo's prepared live preview) and turns a pick into
an undoable recolour. Recently used colours are kept between sessions.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget

from colorstudio.core import color
from colorstudio.core.errors import ColorStudioError
from colorstudio.gui.hint_chooser import HintColourChooser
from colorstudio.gui.window_state import settings_store
from colorstudio.gui.worker import JobRequest


def _pixel_lab(pyramid, x: float, y: float) -> np.ndarray | None:
    """CIELab of the photo point (x, y) as ``pyramid`` shows it at its sharpest level; None outside."""
    if pyramid is None:
        return None
    image, factor = pyramid.level_for(1e9)
    px, py = int(x * factor), int(y * factor)
    if not (0 <= px < image.width() and 0 <= py < image.height()):
        return None
    rgb = image.pixelColor(px, py).getRgb()[:3]
    return color.rgb_to_lab(np.array([[rgb]], np.uint8))[0, 0]


class HintPanel(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.chooser = HintColourChooser()
        self.dock = QDockWidget("Hint colour", window)
        self.dock.setObjectName("hint-colour-dock")
        self.dock.setWidget(self.chooser)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.settings_dock, self.dock)
        self.dock.hide()
        self._asked: tuple | None = None  # the point the suggestions on show (or coming) are for
        self.chooser.colourChosen.connect(self._chosen)
        self.chooser.recentChanged.connect(
            lambda: settings_store().setValue("hints/recent", [list(c) for c in self.chooser.recent()]))
        self.chooser.set_recent(settings_store().value("hints/recent") or [])
        window.viewer.hintSelected.connect(lambda _: self.show_selected())
        window.engine.worker.hint_suggestions.connect(self._suggested)

    def tool_toggled(self, on: bool) -> None:
        self.dock.setVisible(on)
        if on:
            self.dock.raise_()
            self.show_selected()
        else:
            self.window.settings_dock.raise_()

    def _selected(self):
        """(photo's queue item, index of its selected hint), or None."""
        item, index = self.window.hint_editor.current(), self.window.viewer.selected_hint
        if item is None or index is None or index >= len(item.hints):
            return None
        return item, index

    def show_selected(self) -> None:
        """Show the selected hint in the chooser, and ask for the model's suggestions at its point."""
        selected = self._selected()
        if selected is None:
            self.chooser.clear()
            self._asked = None
            return
        item, index = selected
        x, y, a, b = item.hints[index][:4]
        radius = item.hints[index][4] if len(item.hints[index]) > 4 else 0.0
        lab = _pixel_lab(self.window.viewer.before, x, y)
        self.chooser.show_hint(float(lab[0]) if lab is not None else 50.0, a, b)
        point = (item.id, round(x), round(y), radius)
        if point != self._asked:
            self._asked = point
            self.chooser.set_suggestions(None, [])
            self._ask(item, x, y, radius, point)

    def _ask(self, item, x: float, y: float, radius: float, point: tuple) -> None:
        try:
            settings = self.window.runner.settings()
        except ColorStudioError:
            self.chooser.suggestion_row.set_placeholder("No suggestions: the settings need fixing first.")
            return
        request = JobRequest(item.id, item.source, None, settings)
        self.window.engine.suggest_hint(request, x, y, radius, point)

    def _suggested(self, point: tuple, suggestions) -> None:
        if point != self._asked:
            return  # for a hint no longer selected, or since moved
        if suggestions is None:
            self.chooser.suggestion_row.set_placeholder("No suggestions for this point.")
            return
        self.chooser.set_suggestions(tuple(suggestions.model), [tuple(c) for c in suggestions.alternatives])

    def _chosen(self, a: float, b: float) -> None:
        selected = self._selected()
        if selected is not None:
            self.window.hint_editor.recolour(selected[1], a, b)

    def colour_shown_at(self, x: float, y: float) -> tuple[float, float]:
        """The model's own colour at photo point (x, y), without the photo's other hints (whose spread the
        After side shows there: a new hint beside a blue one would start blue); gray if there is none yet."""
        item = self.window.hint_editor.current()
        plain = self.window.live.plain.get(item.id) if item is not None else None
        lab = _pixel_lab(plain or self.window.viewer.after, x, y)
        return (round(float(lab[1]), 3), round(float(lab[2]), 3)) if lab is not None else (0.0, 0.0)
