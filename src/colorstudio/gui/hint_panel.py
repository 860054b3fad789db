"""The Hint colour panel: the chooser (``hint_chooser``) for the selected hint, in a dock the main window
places as a tab next to Settings, shown while the hint tool is on.

It shows the hint's lightness and colour, asks the engine for the model's suggestions at that point
(``core.hint_suggest``, on the engine thread, from the photo's prepared live preview) and turns a pick into
``recolour`` (the hint tool makes it an undoable edit). Recently used colours are kept between sessions.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDockWidget, QWidget

from colorstudio.core.errors import ColorStudioError
from colorstudio.gui.hint_chooser import HintColourChooser
from colorstudio.gui.images import pixel_lab
from colorstudio.gui.photo_session import PhotoSession
from colorstudio.gui.window_state import settings_store


class HintPanel(QObject):
    recolour = Signal(int, float, float)  # the selected hint's index, its new chroma (a, b)

    def __init__(self, session: PhotoSession, engine, viewer, parent: QWidget) -> None:
        super().__init__(parent)
        self.session, self.engine, self.viewer = session, engine, viewer
        self.chooser = HintColourChooser()
        self.dock = QDockWidget("Hint colour", parent)
        self.dock.setObjectName("hint-colour-dock")
        self.dock.setWidget(self.chooser)
        self._asked: tuple | None = None  # the point the suggestions on show (or coming) are for
        self.chooser.colourChosen.connect(self._chosen)
        self.chooser.recentChanged.connect(
            lambda: settings_store().setValue("hints/recent", [list(c) for c in self.chooser.recent()]))
        self.chooser.set_recent(settings_store().value("hints/recent") or [])
        for signal in (session.photoChanged, session.hintsChanged, session.selectionChanged):
            signal.connect(self.show_selected)
        session.hintToolChanged.connect(self.tool_toggled)
        engine.worker.hint_suggestions.connect(self._suggested)

    def tool_toggled(self, on: bool) -> None:
        self.dock.setVisible(on)
        if on:
            self.dock.raise_()
            self.show_selected()

    def show_selected(self) -> None:
        """Show the selected hint in the chooser, and ask for the model's suggestions at its point."""
        selected, item = self.session.selected(), self.session.item
        if selected is None or item is None:
            self.chooser.clear()
            self._asked = None
            return
        hint = selected[1]
        lab = pixel_lab(self.viewer.before, hint.x, hint.y)
        self.chooser.show_hint(float(lab[0]) if lab is not None else 50.0, hint.a, hint.b)
        point = (item.id, round(hint.x), round(hint.y), hint.radius)
        if point != self._asked:
            self._asked = point
            self.chooser.set_suggestions(None, [])
            self._ask(hint.x, hint.y, hint.radius, point)

    def _ask(self, x: float, y: float, radius: float, point: tuple) -> None:
        try:
            request = self.session.request()
        except ColorStudioError:
            self.chooser.suggestion_row.set_placeholder("No suggestions: the settings need fixing first.")
            return
        self.engine.suggest_hint(request, x, y, radius, point)

    def _suggested(self, point: tuple, suggestions) -> None:
        if point != self._asked:
            return  # for a hint no longer selected, or since moved
        if suggestions is None:
            self.chooser.suggestion_row.set_placeholder("No suggestions for this point.")
            return
        self.chooser.set_suggestions(tuple(suggestions.model), [tuple(c) for c in suggestions.alternatives])

    def _chosen(self, a: float, b: float) -> None:
        selected = self.session.selected()
        if selected is not None:
            self.recolour.emit(selected[0], a, b)
