"""The viewer's colour-hint layer: the hints drawn over the photo, and the hint tool's mouse and keys.

With the tool on (``hint_mode``): a click on the photo adds a hint, a click on a hint selects it and a drag
moves it, right-click removes it, the mouse wheel over a hint (or [ and ] for the selected one) changes its
patch size, Delete removes the selected one, a double-click opens a colour dialog for it. Elsewhere the wheel
zooms and the middle button pans, as always. The layer only reports; the hint editor makes the edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen

from colorstudio.core.hints import ColorHint

HINT_RADIUS = 7  # screen pixels
RESIZE_STEP = 1.25  # a patch grows or shrinks by this per wheel notch or bracket key


class HintLayer:
    """Mixed into ``BeforeAfterView`` (which has the signals, the view transform and the state)."""

    def set_hints(self, hints: Sequence[ColorHint], selected: int | None = None) -> None:
        """Show these hints (photo pixels); ``selected`` is ringed."""
        self.hints = tuple(hints)
        self.selected_hint = selected if selected is not None and 0 <= selected < len(self.hints) else None
        self.update()

    def _follow_session(self) -> None:
        """Show the hints of the session's photo, and its selected one, while the hint tool is on."""
        on = self.session.hint_tool_on
        self.set_hints(self.session.hints if on else (), self.session.selected_hint if on else None)

    def select_hint(self, index: int | None) -> None:
        if index != self.selected_hint:
            self.selected_hint = index
            self.hintSelected.emit(-1 if index is None else index)
            if self.session is not None:
                self.session.select_hint(index)
            self.update()

    def _draw_hints(self, painter: QPainter) -> None:
        """Each hint as a marker filled with its colour (at a mid lightness), with its patch's square when
        that is larger than the marker; the selected one ringed in yellow."""
        if not self.hints or (self.before is None and self.after is None):
            return
        from colorstudio.core.color import lab_to_rgb

        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for i, hint in enumerate(self.hints):
            patch = hint.radius * self.scale  # its patch's half-width on screen
            r, g, bl = lab_to_rgb(np.array([[[65.0, hint.a, hint.b]]], np.float32))[0, 0]
            selected = i == self.selected_hint
            for origin in self._pane_origins():
                centre = origin + (QPointF(hint.x, hint.y) - self.center) * self.scale
                if patch > HINT_RADIUS:
                    painter.setPen(QPen(QColor(255, 212, 0) if selected else QColor(255, 255, 255, 200), 1,
                                        Qt.PenStyle.DashLine))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRect(QRectF(centre.x() - patch, centre.y() - patch, 2 * patch, 2 * patch))
                painter.setPen(QPen(QColor("#ffd400" if selected else "white"), 3 if selected else 2))
                painter.setBrush(QColor(int(r * 255), int(g * 255), int(bl * 255)))
                painter.drawEllipse(centre, HINT_RADIUS, HINT_RADIUS)

    def _hint_at(self, pos: QPointF) -> int | None:
        point = self._to_image(pos, self._pane_origin(pos))
        for i in reversed(range(len(self.hints))):
            if (QPointF(self.hints[i].x, self.hints[i].y) - point).manhattanLength() * self.scale <= HINT_RADIUS * 1.5:
                return i
        return None

    def _hint_press(self, event: QMouseEvent) -> bool:
        """The hint tool's share of a mouse press; True when it took the press."""
        pos = event.position()
        index = self._hint_at(pos)
        if event.button() == Qt.MouseButton.RightButton and index is not None:
            self.hintRemoved.emit(index)
            return True
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if index is None and self.after is not None and self._near_split(pos.x()):
            return False  # the split line is still dragged with the tool on
        if index is not None:
            self.select_hint(index)
            self._drag, self._hint_drag = "hint", (index, False)
        else:
            point = self._to_image(pos, self._pane_origin(pos))
            self.hintAdded.emit(point.x(), point.y())
        return True

    def _hint_move(self, pos: QPointF) -> None:
        index, _ = self._hint_drag
        point = self._to_image(pos, self._pane_origin(pos))
        moved = replace(self.hints[index], x=point.x(), y=point.y())  # shown moving; the edit comes at release
        self.hints = (*self.hints[:index], moved, *self.hints[index + 1:])
        self._hint_drag = (index, True)
        self.update()

    def _hint_release(self) -> None:
        index, moved = self._hint_drag
        if moved:
            self.hintMoved.emit(index, self.hints[index].x, self.hints[index].y)

    def _hint_wheel(self, pos: QPointF, steps: float) -> bool:
        """The wheel over a hint resizes its patch (True); elsewhere it zooms (False)."""
        index = self._hint_at(pos) if self.hint_mode else None
        if index is None:
            return False
        self.select_hint(index)
        self.hintResized.emit(index, RESIZE_STEP**steps)
        return True

    def _deletes_hint(self, event) -> bool:
        return (self.hint_mode and self.selected_hint is not None
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace))

    def _hint_key(self, event) -> bool:
        """Delete removes the selected hint, [ and ] shrink and grow its patch; True when taken."""
        if self._deletes_hint(event):
            self.hintRemoved.emit(self.selected_hint)
            return True
        if self.hint_mode and self.selected_hint is not None and event.key() in (Qt.Key.Key_BracketLeft,
                                                                                Qt.Key.Key_BracketRight):
            grow = event.key() == Qt.Key.Key_BracketRight
            self.hintResized.emit(self.selected_hint, RESIZE_STEP if grow else 1 / RESIZE_STEP)
            return True
        return False
