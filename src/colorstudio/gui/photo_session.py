"""The photo on show, as one model: its queue row, its colour hints (``core.hints.ColorHint``), the selected
hint, its dust strokes (``core.restoration.Stroke``), its undo history, and the hint tool's live state.

The viewer, the hint tool, the Hint colour panel, the live preview and the mask editor each receive this
object (and the engine) and talk through it: they change the photo here and follow its signals, never each
other or the main window. The main window only says which photo is on show (``show``) and puts ``message``
on its status line.

A photo's reference colour photo (issue 30) is here too: ``reference`` (``core.queue.PhotoReference``: its path
and strength, kept on the photo's queue row), changed by ``change_reference`` as an undoable edit on the
photo's own history, followed through ``referenceChanged``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from colorstudio.core.hints import ColorHint
from colorstudio.core.options import JobSettings
from colorstudio.core.queue import PhotoReference, QueueItem, Status
from colorstudio.core.restoration.strokes import Stroke
from colorstudio.core.text import plural
from colorstudio.gui.messages import JobRequest

MAX_UNDO_PHOTOS = 20
STRENGTH = 2  # the undo id of a reference's strength change: the steps of one slider drag merge into one edit


class ReferenceEdit(QUndoCommand):
    """One change of a photo's reference photo (set, strength, removed): before and after."""

    def __init__(self, session: PhotoSession, item_id: int, text: str, before: PhotoReference | None,
                 after: PhotoReference | None, merge: int | None = None) -> None:
        super().__init__(text)
        self.session, self.item_id, self.before, self.after, self.merge = session, item_id, before, after, merge

    def id(self) -> int:  # noqa: A003 - Qt API
        return STRENGTH if self.merge is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not (isinstance(other, ReferenceEdit) and other.merge is not None and other.merge == self.merge
                and other.item_id == self.item_id):
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.session.set_reference(self.item_id, self.after)

    def undo(self) -> None:
        self.session.set_reference(self.item_id, self.before)


class PhotoSession(QObject):
    photoChanged = Signal(bool)  # the photo on show was shown again; True: another one (or none) now
    hintsChanged = Signal(int)  # the item id whose hints changed (an undo may change a photo not on show)
    selectionChanged = Signal()  # the selected hint of the photo on show
    hintToolChanged = Signal(bool)  # the hint tool was switched on or off
    referenceChanged = Signal(int)  # the item id whose reference photo (or its strength) changed
    message = Signal(str)  # for the status line

    def __init__(self, queue_model, settings: Callable[[], JobSettings], save: Callable[[], None],
                 parent: QObject | None = None) -> None:
        """``queue_model``: the queue's rows; ``settings``: the checked settings (raises the settings' error);
        ``save``: writes the queue to disk (called soon after an edit, not at every step)."""
        super().__init__(parent)
        self.queue_model = queue_model
        self.settings = settings
        self._id: int | None = None
        self.selected_hint: int | None = None
        self.hint_tool_on = False
        self.said: tuple[int | None, str] = (None, "")  # (item id, text) of the last hint message
        self.plain = None  # Pyramid: the model's colours of the photo on show, without hints (a new hint's colour)
        self._plain_id: int | None = None
        self.undo_group = QUndoGroup(self)
        self.histories: OrderedDict[int, QUndoStack] = OrderedDict()  # item id -> its history, last used last
        self._save = QTimer(self)
        self._save.setSingleShot(True)
        self._save.setInterval(800)
        self._save.timeout.connect(save)

    # -- the photo on show -------------------------------------------------------------------------------
    @property
    def item(self) -> QueueItem | None:
        return self.queue_model.queue.get(self._id) if self._id is not None else None

    @property
    def hints(self) -> tuple[ColorHint, ...]:
        item = self.item
        return item.hints if item is not None else ()

    @property
    def reference(self) -> PhotoReference | None:
        """The reference photo of the photo on show."""
        item = self.item
        return item.reference if item is not None else None

    def show(self, item_id: int | None) -> None:
        """This photo is on show now (None: none is); its undo history becomes the active one."""
        if item_id is not None and self.queue_model.queue.get(item_id) is None:
            item_id = None
        changed = item_id != self._id
        self._id = item_id
        if changed:
            self.selected_hint = None
        self.undo_group.setActiveStack(self.history(item_id) if item_id is not None else None)
        self.photoChanged.emit(changed)

    def request(self, output=None) -> JobRequest | None:
        """The engine's request for the photo on show, with the checked settings (which may raise
        ``ColorStudioError``); None with no photo on show."""
        item = self.item
        return JobRequest.for_item(item, self.settings(), output) if item is not None else None

    # -- hints -------------------------------------------------------------------------------------------
    def select_hint(self, index: int | None) -> None:
        if index is not None and not 0 <= index < len(self.hints):
            index = None
        if index != self.selected_hint:
            self.selected_hint = index
            self.selectionChanged.emit()

    def selected(self) -> tuple[int, ColorHint] | None:
        """(index, hint) of the selected hint of the photo on show, or None."""
        index = self.selected_hint
        return (index, self.hints[index]) if index is not None and index < len(self.hints) else None

    def set_hints(self, item_id: int, hints: tuple[ColorHint, ...], selected: int | None = None) -> None:
        """Give a photo these hints (an edit, its undo or its redo); if it is on show, ``selected`` is selected."""
        item = self.queue_model.queue.get(item_id)
        if item is None:
            return
        item.hints = tuple(hints)
        self.queue_model.refresh(item_id)
        before = self.selected_hint
        if item_id == self._id:
            self.selected_hint = selected if selected is not None and selected < len(item.hints) else None
        self.hintsChanged.emit(item_id)  # (what follows the hints reads the selection with them)
        if self.selected_hint != before:
            self.selectionChanged.emit()
        when = ("Queue > Colorize again writes it with them." if item.status == Status.DONE
                else "The batch colorizes it with them.")
        self.said = (item_id, f"{plural(len(item.hints), 'colour hint')} on {item.source.name}. {when}")
        self.message.emit(self.said[1])
        self._save.start()

    def history(self, item_id: int) -> QUndoStack:
        """The photo's undo history, made the most recent. A long session keeps the histories of the last
        ``MAX_UNDO_PHOTOS`` photos edited; empty ones and those of photos no longer queued are dropped (the
        hints themselves stay with their photos)."""
        stack = self.histories.pop(item_id, None) or QUndoStack(self.undo_group)
        queued = {item.id for item in self.queue_model.queue.items}
        for other in list(self.histories):
            if self.histories[other].count() == 0 or other not in queued:
                self._drop(other)
        while len(self.histories) >= MAX_UNDO_PHOTOS:
            self._drop(next(iter(self.histories)))
        self.histories[item_id] = stack
        return stack

    def _drop(self, item_id: int) -> None:
        stack = self.histories.pop(item_id)
        self.undo_group.removeStack(stack)
        stack.deleteLater()

    def set_hint_tool(self, on: bool) -> None:
        if on != self.hint_tool_on:
            self.hint_tool_on = on
            self.hintToolChanged.emit(on)

    def set_plain(self, item_id: int, pyramid) -> None:
        """A photo coloured without its hints (kept for the photo being edited only)."""
        self.plain, self._plain_id = pyramid, item_id

    def plain_colours(self):
        """The photo on show as it is coloured without its hints (with its reference photo, if it has one),
        if the live preview has made it: where a new hint takes its first colour."""
        return self.plain if self._plain_id is not None and self._plain_id == self._id else None

    # -- the reference photo ----------------------------------------------------------------------------
    def set_reference(self, item_id: int, reference: PhotoReference | None) -> None:
        """Give a photo this reference photo (None: none); an edit, its undo or its redo."""
        item = self.queue_model.queue.get(item_id)
        if item is None or item.reference == reference:
            return
        item.reference = reference
        item.reference_note = item.reference_detail = ""  # what the last colorizing took: not for its row now
        self.queue_model.refresh(item_id)
        self.referenceChanged.emit(item_id)
        self._save.start()

    def change_reference(self, item_ids, reference: PhotoReference | None, text: str, merge: int | None = None
                         ) -> int:
        """Change the reference of these photos, each as one undoable edit on its own history (Undo on a photo
        takes it back from that photo); edits of a photo with the same ``merge`` number are one (a slider drag).
        Returns how many photos changed."""
        changed = 0
        for item_id in sorted(item_ids, key=lambda i: i == self._id):  # the one on show last: its history is kept
            item = self.queue_model.queue.get(item_id)
            if item is not None and item.reference != reference:
                self.history(item_id).push(ReferenceEdit(self, item_id, text, item.reference, reference, merge))
                changed += 1
        if self._id is not None:  # (``history`` makes each photo's the most recent: the one on show is kept)
            self.undo_group.setActiveStack(self.history(self._id))
        return changed

    # -- dust strokes ------------------------------------------------------------------------------------
    def add_stroke(self, stroke: Stroke) -> None:
        item = self.item
        if item is not None:
            item.strokes = (*item.strokes, stroke)
            self._save.start()

    def clear_strokes(self) -> None:
        item = self.item
        if item is not None and item.strokes:
            item.strokes = ()
            self._save.start()
