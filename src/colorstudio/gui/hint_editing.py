"""The colour-hint tool: click the photo to say "here the colour was…" (a hint with the model's colour
there, chosen anew in the Hint colour panel, ``hint_panel``), drag a hint to move it, the wheel over it or
[ ] for its patch size, right-click or Delete to remove it, double-click for a colour dialog; Ctrl+Z /
Ctrl+Shift+Z undo and redo each edit.

The hints are the photo's own (its queue row keeps them, see ``QueueItem.hints``); each edit is a command on
the photo's undo history (``PhotoSession.history``: the active one follows the photo on show)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QColor, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QColorDialog, QWidget

from colorstudio.core.hints import ColorHint, hint_from_rgb
from colorstudio.gui.images import pixel_lab
from colorstudio.gui.photo_session import PhotoSession

RESIZE = 1  # the undo id of a patch resize: the steps of one wheel turn merge into one edit

Hints = tuple[ColorHint, ...]


class _Edit(QUndoCommand):
    """One change of a photo's hints: the hints before and after (small, so whole tuples are kept), and the
    hint selected after it."""

    def __init__(self, session: PhotoSession, item_id: int, text: str, before: Hints, after: Hints,
                 selected: int | None, merge: tuple | None = None) -> None:
        super().__init__(text)
        self.session, self.item_id, self.before, self.after = session, item_id, before, after
        self.selected, self.merge = selected, merge

    def id(self) -> int:  # noqa: A003 - Qt API
        return RESIZE if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not (isinstance(other, _Edit) and self.merge and other.merge == self.merge):
            return False
        self.after = other.after  # one resize of one hint, however many steps
        return True

    def redo(self) -> None:
        self.session.set_hints(self.item_id, self.after, self.selected)

    def undo(self) -> None:
        self.session.set_hints(self.item_id, self.before, self.selected if self.selected is not None
                               and self.selected < len(self.before) else None)


class HintEditor(QObject):
    """Turns the viewer's hint gestures into undoable edits of the session's photo."""

    def __init__(self, session: PhotoSession, viewer, parent: QWidget) -> None:
        super().__init__(parent)
        self.session, self.viewer = session, viewer
        self.tool = QAction("Colour hints", parent)
        self.tool.setCheckable(True)
        self.tool.setShortcut(QKeySequence("H"))
        self.tool.setToolTip("Colour hints (H): click the photo where you know the colour; drag to move, "
                             "right-click to remove, double-click to change the colour")
        self.tool.toggled.connect(self._toggle)
        self.undo = session.undo_group.createUndoAction(parent, "Undo")
        self.undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo = session.undo_group.createRedoAction(parent, "Redo")
        # Ctrl+Shift+Z everywhere, and the system's own Redo keys; each once (most systems' Redo has
        # Ctrl+Shift+Z already, and a key given twice is an "ambiguous shortcut" that does nothing)
        keys = [QKeySequence("Ctrl+Shift+Z"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)]
        self.redo.setShortcuts(list({key.toString(): key for key in keys}.values()))
        # the status line says what was undone (it still said what the edit had done: "... Undo takes it back")
        self.undo.triggered.connect(lambda: self._said("Undone", session.undo_group.redoText()))
        self.redo.triggered.connect(lambda: self._said("Redone", session.undo_group.undoText()))
        self.clear = QAction("Clear colour hints", parent)
        self.clear.triggered.connect(lambda: self._edit("Clear hints", lambda hints: (), None))
        viewer.hintAdded.connect(self._add)
        viewer.hintMoved.connect(lambda i, x, y: self._edit("Move hint", lambda h: _set(h, i, replace(h[i], x=x, y=y)), i))
        viewer.hintRemoved.connect(lambda i: self._edit("Remove hint", lambda h: h[:i] + h[i + 1:], None))
        viewer.hintResized.connect(self._resize)
        viewer.hintPicked.connect(self._recolour)

    def _said(self, done: str, text: str) -> None:
        item = self.session.item
        if text:
            self.session.message.emit(f"{done}: {text[:1].lower()}{text[1:]}" + (
                f" ({item.source.name})." if item is not None else "."))

    def actions(self) -> tuple[QAction, ...]:
        return self.tool, self.clear

    def _toggle(self, on: bool) -> None:
        self.session.set_hint_tool(on)
        if on:
            self.session.message.emit("Colour hints: click where you know the colour, then choose it in the Hint "
                                      "colour panel. Wheel over a hint: its size. Middle button pans.")

    # -- edits -------------------------------------------------------------------------------------------
    @classmethod
    def choose_colour(cls, parent, initial: QColor) -> QColor | None:
        """The user's colour for a hint (tests replace this)."""
        chosen = QColorDialog.getColor(initial, parent, "The colour it was")
        return chosen if chosen.isValid() else None

    def colour_shown_at(self, x: float, y: float) -> tuple[float, float]:
        """The colour at photo point (x, y) without the photo's other hints (whose spread the After side shows
        there: a new hint beside a blue one would start blue), with its reference photo's colours where it has
        one; gray if there is none yet."""
        lab = pixel_lab(self.session.plain_colours() or self.viewer.after, x, y)
        return (round(float(lab[1]), 3), round(float(lab[2]), 3)) if lab is not None else (0.0, 0.0)

    def _add(self, x: float, y: float) -> None:
        """A new hint at (x, y) with the colour shown there now (without the other hints), selected: its colour
        is then chosen in the Hint colour panel."""
        a, b = self.colour_shown_at(x, y)
        hint = ColorHint(round(x, 1), round(y, 1), a, b, default_radius(self.viewer))
        self._edit("Add hint", lambda hints: (*hints, hint), len(self.session.hints))

    def _recolour(self, index: int) -> None:
        """A double-click: any colour, from the system's colour dialog."""
        colour = self.choose_colour(self.parent(), QColor("#b03a2e"))
        if colour is not None:
            hint = hint_from_rgb(0, 0, (colour.red(), colour.green(), colour.blue()))
            self.recolour(index, hint.a, hint.b)

    def recolour(self, index: int, a: float, b: float) -> None:
        self._edit("Recolour hint", lambda h: _set(h, index, replace(h[index], a=round(a, 3), b=round(b, 3))), index)

    def replace_all(self, text: str, hints: Hints) -> None:
        """The photo on show gets these hints instead of its own (an import), as one edit."""
        self._edit(text, lambda _: tuple(hints), None)

    def _resize(self, index: int, factor: float) -> None:
        def change(hints: Hints) -> Hints:
            radius = round(min(max(hints[index].radius * factor, 1.0), max_radius(self.viewer)), 1)
            return _set(hints, index, replace(hints[index], radius=radius))

        self._edit("Resize hint", change, index, merge=(index,))

    def _edit(self, text: str, change, selected: int | None, merge: tuple | None = None) -> None:
        item = self.session.item
        if item is None:
            return
        before = item.hints
        after = change(before)
        if after != before:
            merge = (item.id, *merge) if merge else None
            self.session.history(item.id).push(_Edit(self.session, item.id, text, before, after, selected, merge))


def _set(hints: Hints, index: int, value: ColorHint) -> Hints:
    return (*hints[:index], value, *hints[index + 1:])


def default_radius(viewer) -> float:
    """A new hint's patch half-width, in photo pixels: 1/400 of the photo's long side (10 px on a 4000 px
    scan: a few of the network's pixels, as the 3x3 patches of Zhang et al. are at 256 px)."""
    image = viewer.before or viewer.after
    return round(max(1.0, max(image.width, image.height) / 400), 1) if image is not None else 1.0


def max_radius(viewer) -> float:
    image = viewer.before or viewer.after
    return max(image.width, image.height) / 8 if image is not None else 1.0
