"""The batch queue as a Qt table model, with thumbnails and sizes read in the background.

Every photo added is read once at once (its size, and whether it can be read at all, are known before the
batch reaches it); its thumbnail is kept among the ``MAX_THUMBS`` last shown, and a row that comes back into
view after its thumbnail was dropped reads it again: a queue of any length holds a bounded number of them."""

from __future__ import annotations

from collections import OrderedDict
from functools import partial
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap

from colorstudio.core.queue import JobQueue, QueueItem, Status
from colorstudio.core.text import plural
from colorstudio.gui.reference_photo import note_for
from colorstudio.gui.threads import TaskPool

THUMB = 56
MAX_THUMBS = 2000  # about 22 KB each (44 MB); more rows than that do not fit on any screen
COLUMNS = ("Photo", "Status", "Output")
PHOTO, STATUS, OUTPUT = range(3)  # the photo's name has its size below it
STATUS_TEXT = {Status.WAITING: "Waiting", Status.WORKING: "Working", Status.DONE: "Done",
               Status.FAILED: "Failed", Status.CANCELLED: "Cancelled", Status.SKIPPED: "Skipped (exists)"}
STATUS_COLOUR = {Status.DONE: "#3a9d5d", Status.FAILED: "#d9534f", Status.WORKING: "#3d6fb6",
                 Status.CANCELLED: "#b58900", Status.SKIPPED: "#7a7a7a"}


def reference_words(item: QueueItem) -> str:
    """What a row says of its reference photo: the one it has ("reference (70%): beach.jpg"), else what its
    last colorizing said (a folder's choice, or a reference that went missing)."""
    return item.reference_note if item.reference is None else note_for(item.reference)


def thumbnail(path: Path) -> tuple[QImage, int, int, str, str]:
    """A small picture of the photo, its size, if it cannot be read why, and what reading it told (an
    animation: only its first frame is colorized). Run off the GUI thread.

    Read through the project's reader (``read_thumbnail``), with its size guard: what it accepts gets a
    thumbnail, however large, and what it refuses is refused with its message.
    """
    from colorstudio.core.errors import ColorStudioError
    from colorstudio.core.imageio import read_thumbnail

    try:
        thumb = read_thumbnail(path, THUMB)
        height, width = thumb.pixels.shape[:2]
        image = QImage(thumb.pixels.tobytes(), width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        return image, thumb.info.width, thumb.info.height, "", thumb.info.note
    except ColorStudioError as exc:  # the project's reader says why: that is what the user is told
        return QImage(), 0, 0, str(exc), ""
    except (OSError, ValueError) as exc:
        return QImage(), 0, 0, f"cannot be read: {exc}", ""


class QueueModel(QAbstractTableModel):
    unreadable = Signal(int)  # a queued photo turned out not to be readable (it is Failed, with the reason)

    def __init__(self, queue: JobQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.thumbs: OrderedDict[int, QIcon] = OrderedDict()  # item id -> thumbnail, the last shown last
        self._reading: set[int] = set()  # ids whose thumbnail is being read again
        self.previews: dict[int, Path] = {}  # where waiting photos would be written with today's settings
        self.paused = False  # the batch is paused: the photo being colorized says so
        self.restoring: int | None = None  # the photo being restored before it is colorized (its row says so)
        self.tasks = TaskPool(2, self)
        self.load_thumbnails(queue.items)  # a queue restored from disk

    def load_thumbnails(self, items) -> None:
        for item in items:
            self.tasks.run(thumbnail, item.source, then=partial(self._thumb_ready, item.id))

    # -- structure ---------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.queue.items)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def item_at(self, row: int) -> QueueItem:
        return self.queue.items[row]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.queue.items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == PHOTO:
                hints = f" · {plural(len(item.hints), 'hint')}" if item.hints else ""
                size = f"{item.width} × {item.height}" if item.width else ""
                size += " · first frame only" if item.reading else ""  # (an animation: its tooltip says so)
                text = f"{item.source.name}\n{size}{hints}" if size or hints else item.source.name
                said = reference_words(item)  # a line of its own: elided in the middle, a name stays readable
                return f"{text}\n{said}" if said else text
            if col == STATUS:
                if item.status == Status.WORKING:
                    doing = "Paused" if self.paused else "Restoring" if item.id == self.restoring else "Working"
                    return f"{doing} {item.progress:.0%}"
                return STATUS_TEXT[item.status]
            if col == OUTPUT:
                output = item.output or self._preview(item) or self._kept(item)
                return output.name if output else ""
        if role == Qt.ItemDataRole.DecorationRole and col == PHOTO:
            return self._thumb(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.status == Status.FAILED:
                kept = f"\nIts earlier output is unchanged: {item.previous}" if self._kept(item) else ""
                return f"Failed: {item.error}{kept}"
            if col == OUTPUT and item.output:
                return str(item.output) + (f"\n({item.note})" if item.note else "")
            if col == OUTPUT and self._preview(item):
                return f"Will be written as {self._preview(item)} (with the settings as they are now)"
            told = [item.reading] if item.reading else []
            if item.reference is not None:
                told.append(f"Reference photo: {item.reference.path} (strength {item.reference.strength:.0%})")
            said = item.reference_detail or item.reference_note
            if said and item.status == Status.DONE:
                told.append(f"Colorized with {said}")
            elif said and item.reference is None:
                told.append(said)
            return "\n".join([str(item.source), *told])
        if role == Qt.ItemDataRole.ForegroundRole and col == STATUS and item.status in STATUS_COLOUR:
            return QColor(STATUS_COLOUR[item.status])
        if role == Qt.ItemDataRole.ForegroundRole and col == OUTPUT and not item.output:
            return QColor("#8a8a8a")  # not decided yet: a batch plans it when it starts
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        return None

    # -- changes -----------------------------------------------------------------------------------
    def add(self, paths: list[Path]) -> tuple[int, list[tuple[Path, str]]]:
        self.beginResetModel()
        added, missing = self.queue.add(paths)
        self.endResetModel()
        self.load_thumbnails(added)
        return len(added), missing

    def reset(self, action) -> None:
        """Run ``action()`` that changes the queue's structure, and refresh the view."""
        self.beginResetModel()
        try:
            action()
        finally:  # a failed action must not leave the view waiting for a reset that never ends
            self.endResetModel()
        self.forget_removed()

    def _preview(self, item: QueueItem) -> Path | None:
        return self.previews.get(item.id) if item.status == Status.WAITING else None

    @staticmethod
    def _kept(item: QueueItem) -> Path | None:
        """A failed photo's earlier output, still on disk (it failed colorized again)."""
        failed = item.status == Status.FAILED and item.previous is not None
        return item.previous if failed and item.previous.exists() else None

    def refresh_all(self) -> None:
        if self.queue.items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.queue.items) - 1, len(COLUMNS) - 1))

    def refresh(self, item_id: int) -> None:
        try:
            row = self.queue.index_of(item_id)
        except StopIteration:
            return
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _thumb(self, item: QueueItem) -> QIcon | None:
        icon = self.thumbs.get(item.id)
        if icon is not None:
            self.thumbs.move_to_end(item.id)
        elif item.width and item.id not in self._reading:  # read before (it can be), dropped since: again
            self._reading.add(item.id)
            self.tasks.run(thumbnail, item.source, then=partial(self._thumb_ready, item.id))
        return icon

    def forget_removed(self) -> None:
        """Drop the thumbnails of photos no longer in the queue."""
        queued = {item.id for item in self.queue.items}
        for item_id in [i for i in self.thumbs if i not in queued]:
            del self.thumbs[item_id]

    def _thumb_ready(self, item_id: int, result: tuple[QImage, int, int, str, str]) -> None:
        image, width, height, error, reading = result
        self._reading.discard(item_id)
        item = self.queue.get(item_id)
        if item is None:
            return
        if not image.isNull():
            self.thumbs[item_id] = QIcon(QPixmap.fromImage(image))
            while len(self.thumbs) > MAX_THUMBS:
                self.thumbs.popitem(last=False)
        item.width, item.height, item.reading = width, height, reading
        if error and item.status == Status.WAITING:  # known now, not when the batch reaches it
            item.status, item.error, item.output = Status.FAILED, error, None
            self.unreadable.emit(item_id)
        self.refresh(item_id)
