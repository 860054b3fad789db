"""The colour-hint tool: click the photo to say "here the colour was…" (a hint with the model's colour
there, chosen anew in the Hint colour panel, ``hint_panel``), drag a hint to move it, the wheel over it or
[ ] for its patch size, right-click or Delete to remove it, double-click for a colour dialog; Ctrl+Z /
Ctrl+Shift+Z undo and redo each edit.

The hints are the photo's own (its queue row keeps them, see ``QueueItem.hints``); each photo has its own
undo history (a ``QUndoStack`` in a ``QUndoGroup``: the active one follows the photo on show), kept for the
last ``MAX_UNDO_PHOTOS`` photos edited."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QColor, QKeySequence, QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QColorDialog

from colorstudio.core.queue import Status
from colorstudio.core.text import plural

MAX_UNDO_PHOTOS = 20
RESIZE = 1  # the undo id of a patch resize: the steps of one wheel turn merge into one edit


class _Edit(QUndoCommand):
    """One change of a photo's hints: the list before and after (small, so whole lists are kept), and the
    hint selected after it."""

    def __init__(self, editor: HintEditor, item_id: int, text: str, before: list, after: list,
                 selected: int | None, merge: tuple | None = None) -> None:
        super().__init__(text)
        self.editor, self.item_id, self.before, self.after = editor, item_id, before, after
        self.selected, self.merge = selected, merge

    def id(self) -> int:  # noqa: A003 - Qt API
        return RESIZE if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not (isinstance(other, _Edit) and self.merge and other.merge == self.merge):
            return False
        self.after = other.after  # one resize of one hint, however many steps
        return True

    def redo(self) -> None:
        self.editor.apply(self.item_id, self.after, self.selected)

    def undo(self) -> None:
        self.editor.apply(self.item_id, self.before, self.selected if self.selected is not None
                          and self.selected < len(self.before) else None)


class HintEditor(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.tool = QAction("Colour hints", window)
        self.tool.setCheckable(True)
        self.tool.setShortcut(QKeySequence("H"))
        self.tool.setToolTip("Colour hints (H): click the photo where you know the colour; drag to move, "
                             "right-click to remove, double-click to change the colour")
        self.tool.toggled.connect(self._toggle)
        self.group = QUndoGroup(self)
        self.stacks: OrderedDict[int, QUndoStack] = OrderedDict()  # item id -> its history, last used last
        self.undo = self.group.createUndoAction(window, "Undo")
        self.undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo = self.group.createRedoAction(window, "Redo")
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        self.clear = QAction("Clear colour hints", window)
        self.clear.triggered.connect(lambda: self._edit("Clear hints", lambda hints: [], None))
        self._save = QTimer(self)
        self._save.setSingleShot(True)
        self._save.setInterval(800)
        self._save.timeout.connect(window.runner.save)
        viewer = window.viewer
        viewer.hintAdded.connect(self._add)
        viewer.hintMoved.connect(lambda i, x, y: self._edit("Move hint", lambda h: _set(h, i, [x, y, *h[i][2:]]), i))
        viewer.hintRemoved.connect(lambda i: self._edit("Remove hint", lambda h: h[:i] + h[i + 1:], None))
        viewer.hintResized.connect(self._resize)
        viewer.hintPicked.connect(self._recolour)

    def actions(self) -> tuple[QAction, ...]:
        return self.tool, self.clear

    # -- the photo on show -------------------------------------------------------------------------------
    def current(self):
        ids = self.window.selected_ids()
        return self.window.queue_model.queue.get(ids[0]) if ids else None

    def refresh(self) -> None:
        """Show the selected photo's hints, and make its undo history the active one."""
        item = self.current()
        self.window.viewer.set_hints(item.hints if item is not None else [])  # none selected
        self.window.hint_panel.show_selected()  # so the chooser shows no other photo's hint
        if item is not None:
            self.group.setActiveStack(self._stack(item.id))
        else:
            self.group.setActiveStack(None)
        self.window.live.update()

    def _stack(self, item_id: int) -> QUndoStack:
        """The photo's undo history, made the most recent. A long session keeps the histories of the last
        ``MAX_UNDO_PHOTOS`` photos edited; empty ones and those of photos no longer queued are dropped (the
        hints themselves stay with their photos)."""
        stack = self.stacks.pop(item_id, None) or QUndoStack(self.group)
        queued = {item.id for item in self.window.queue_model.queue.items}
        for other in list(self.stacks):
            if self.stacks[other].count() == 0 or other not in queued:
                self._drop(other)
        while len(self.stacks) >= MAX_UNDO_PHOTOS:
            self._drop(next(iter(self.stacks)))
        self.stacks[item_id] = stack
        return stack

    def _drop(self, item_id: int) -> None:
        stack = self.stacks.pop(item_id)
        self.group.removeStack(stack)
        stack.deleteLater()

    def _toggle(self, on: bool) -> None:
        self.window.viewer.hint_mode = on
        if on:
            self.window.mask_editor.add.setChecked(False)
            self.window.mask_editor.erase.setChecked(False)
            self.window._show_status("Colour hints: click where you know the colour, then choose it in the Hint "
                                     "colour panel. Wheel over a hint: its size. Middle button pans.")
            self.window.live.update()
        self.window.hint_panel.tool_toggled(on)

    # -- edits -------------------------------------------------------------------------------------------
    @classmethod
    def choose_colour(cls, parent, initial: QColor) -> QColor | None:
        """The user's colour for a hint (tests replace this)."""
        chosen = QColorDialog.getColor(initial, parent, "The colour it was")
        return chosen if chosen.isValid() else None

    def _ab(self, colour: QColor) -> tuple[float, float]:
        from colorstudio.core.hints import hint_from_rgb

        hint = hint_from_rgb(0, 0, (colour.red(), colour.green(), colour.blue()))
        return hint.a, hint.b

    def _add(self, x: float, y: float) -> None:
        """A new hint at (x, y) with the colour shown there now (the model's), selected: its colour is then
        chosen in the Hint colour panel."""
        a, b = self.window.hint_panel.colour_shown_at(x, y)
        radius = default_radius(self.window.viewer)
        index = len(self.current().hints) if self.current() is not None else 0
        self._edit("Add hint", lambda hints: hints + [[round(x, 1), round(y, 1), a, b, radius]], index)

    def _recolour(self, index: int) -> None:
        """A double-click: any colour, from the system's colour dialog."""
        colour = self.choose_colour(self.window, QColor("#b03a2e"))
        if colour is not None:
            self.recolour(index, *self._ab(colour))

    def recolour(self, index: int, a: float, b: float) -> None:
        self._edit("Recolour hint", lambda h: _set(h, index, [*h[index][:2], round(a, 3), round(b, 3), *h[index][4:]]),
                   index)

    def _resize(self, index: int, factor: float) -> None:
        def change(hints: list) -> list:
            hint = hints[index] + [0.0] * (5 - len(hints[index]))
            hint[4] = round(min(max(hint[4] * factor, 1.0), max_radius(self.window.viewer)), 1)
            return _set(hints, index, hint)

        self._edit("Resize hint", change, index, merge=(index,))

    def _edit(self, text: str, change, selected: int | None, merge: tuple | None = None) -> None:
        item = self.current()
        if item is None:
            return
        before = [list(h) for h in item.hints]
        after = change([list(h) for h in before])
        if after != before:
            merge = (item.id, *merge) if merge else None
            self._stack(item.id).push(
                _Edit(self, item.id, text, before, after, selected, merge))

    def apply(self, item_id: int, hints: list, selected: int | None = None) -> None:
        """Give a photo these hints (an edit, its undo or its redo), and show them if it is on show."""
        item = self.window.queue_model.queue.get(item_id)
        if item is None:
            return
        item.hints = [list(h) for h in hints]
        self.window.queue_model.refresh(item_id)
        current = self.current()
        if current is not None and current.id == item_id:
            self.window.viewer.set_hints(item.hints, selected)
            self.window.hint_panel.show_selected()
            self.window.live.update()
        when = ("Queue > Colorize again writes it with them." if item.status == Status.DONE
                else "The batch colorizes it with them.")
        self.window._show_status(f"{plural(len(item.hints), 'colour hint')} on {item.source.name}. {when}")
        self._save.start()


def _set(hints: list, index: int, value: list) -> list:
    return hints[:index] + [value] + hints[index + 1:]


def default_radius(viewer) -> float:
    """A new hint's patch half-width, in photo pixels: 1/400 of the photo's long side (10 px on a 4000 px
    scan: a few of the network's pixels, as the 3x3 patches of Zhang et al. are at 256 px)."""
    image = viewer.before or viewer.after
    return round(max(1.0, max(image.width, image.height) / 400), 1) if image is not None else 1.0


def max_radius(viewer) -> float:
    image = viewer.before or viewer.after
    return max(image.width, image.height) / 8 if image is not None else 1.0
