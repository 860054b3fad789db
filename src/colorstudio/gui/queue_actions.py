"""What the window does to its queue: add photos (drag and drop, menus, File > Open recent and the command line
all come to ``add_paths``), select, remove, retry, reorder, open a result, show it in its folder, import and
export a photo's hints. It works on the queue's table, its model and the batch runner it is given, and tells
the window through its signals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QTableView

from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import load_hints, save_hints
from colorstudio.core.imageio import INPUT_EXTENSIONS
from colorstudio.core.options import JobSettings
from colorstudio.core.queue import Status
from colorstudio.core.text import plural
from colorstudio.gui import window_actions, window_dialogs
from colorstudio.gui.window_state import last_folder, remember_folder


class QueueActions(QObject):
    message = Signal(str)  # for the status line
    changed = Signal()  # rows were added or wait again: what can be started changed

    def __init__(self, table: QTableView, queue_model, runner, hint_editor, dialogs,
                 settings: Callable[[], JobSettings]) -> None:
        """``settings``: the checked settings (where waiting rows would be written)."""
        super().__init__(table)
        self.table, self.queue_model, self.runner = table, queue_model, runner
        self.hint_editor, self.dialogs, self._settings = hint_editor, dialogs, settings

    def add_paths(self, paths_: list[Path]) -> int:
        paths_ = [Path(p) for p in paths_]
        selected = self.selected_ids()
        first_new = len(self.queue_model.queue.items)
        added, missing = self.queue_model.add(paths_)
        for path, reason in missing:
            self.message.emit(f"{path}: {reason}")
        if added:
            self.message.emit(f"Added {plural(added, 'photo')}.")
            self.runner.save()
            window_actions.remember_recent([p for p in paths_ if p.exists()])
            self.table.scrollTo(self.queue_model.index(first_new, 0))  # where they went
        elif not missing and (queued := self._queued(paths_)):  # all there already: show which, and say so
            row = self.queue_model.queue.index_of(queued[0].id)
            self.table.selectRow(row)
            self.table.scrollTo(self.queue_model.index(row, 0))
            self.message.emit(f"{queued[0].source.name} is already in the queue." if len(queued) == 1
                              else f"These {len(queued)} photos are already in the queue.")
            selected = []
        # the photo on show stays selected; with none, the first one added is shown
        self.select_ids(selected) if selected else self.table.selectRow(first_new) if added else None
        self.changed.emit()
        if self.runner.running:
            self.runner.start()
        return added

    def _queued(self, paths_: list[Path]) -> list:
        """The queued photos that ``paths_`` name (a photo, or the photos of a folder)."""
        wanted = [p.resolve() for p in paths_]
        return [item for item in self.queue_model.queue.items
                if any(item.source.resolve() == p or p in item.source.resolve().parents for p in wanted)]

    def choose_files(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(INPUT_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(self.table.window(), "Add photos", last_folder("photos"), f"Photos ({patterns})")
        if files:
            remember_folder("photos", files[0])
            self.add_paths([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.table.window(), "Add a folder of photos", last_folder("photos"))
        if folder:
            remember_folder("photos", Path(folder).parent)
            self.add_paths([Path(folder)])

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.queue_model.item_at(r).id for r in rows]

    def select_ids(self, ids: list[int]) -> None:
        for item_id in ids:
            if self.queue_model.queue.get(item_id) is not None:
                self.table.selectRow(self.queue_model.queue.index_of(item_id))
                return

    def remove_selected(self) -> None:
        ids = set(self.selected_ids())
        self.queue_model.reset(lambda: self.queue_model.queue.remove(ids))
        self.runner.save()

    def clear_finished(self) -> None:
        self.queue_model.reset(self.queue_model.queue.clear_finished)
        self.runner.save()

    def retry_failed(self, ids: set[int] | None = None) -> None:
        selected = self.selected_ids()
        self.queue_model.reset(lambda: self.queue_model.queue.retry(ids))
        self.select_ids(selected)
        self.runner.save()
        if self.runner.running:
            self.runner.start()

    def retry_selected(self) -> None:
        self.retry_failed(set(self.selected_ids()))

    def colorize_again(self) -> None:
        """The selected finished photos wait again (their hints changed, say); each replaces its own output."""
        selected = self.selected_ids()
        count = 0

        def again() -> None:
            nonlocal count
            count = self.queue_model.queue.again(set(selected))

        self.queue_model.reset(again)
        self.select_ids(selected)
        self.runner.save()
        if count:
            self.message.emit(f"{plural(count, 'photo')} will be colorized again, each replacing its earlier "
                              "output" + (": it is in this batch." if self.runner.running else ": press Start."))
        if self.runner.running:
            self.runner.start()

    def show_planned_outputs(self) -> None:
        """Waiting rows show where they would be written with the settings as they are (greyed)."""
        try:
            settings = self._settings().output
        except ColorStudioError:
            self.queue_model.previews = {}
        else:
            self.queue_model.previews = self.queue_model.queue.preview_outputs(settings)
        self.queue_model.refresh_all()

    def selected_item(self):
        ids = self.selected_ids()
        return self.queue_model.queue.get(ids[0]) if ids else None

    def open_selected_output(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        if item.status in (Status.DONE, Status.SKIPPED) and item.output is not None and item.output.exists():
            self.dialogs.open_path(item.output)
        else:
            self.message.emit(f"{item.source.name} is not colorized yet: nothing to open.")

    def show_selected_in_folder(self) -> None:
        item = self.selected_item()
        if item is not None:
            done = item.output is not None and item.output.exists()
            self.dialogs.open_path(item.output.parent if done else item.source.parent)

    def move_selected(self, delta: int) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.queue_model.reset(lambda: self.queue_model.queue.move(ids[0], delta))
            self.table.selectRow(self.queue_model.queue.index_of(ids[0]))
            self.runner.save()

    def preview_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.message.emit("Previewing with the current settings…")
            self.runner.preview(ids[0])

    # -- colour hints: a photo's own, kept with its row, in the file the command line reads ----------------
    def import_hints(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        file, _ = QFileDialog.getOpenFileName(self.table.window(), f"Colour hints for {item.source.name}", last_folder("hints"),
                                              "Colour hints (*.json)")
        if not file:
            return
        remember_folder("hints", file)
        try:
            hints = load_hints(file)
        except ColorStudioError as exc:
            window_dialogs.inform(self.table.window(), "Colour hints", str(exc))
            return
        self.hint_editor.replace_all("Import hints", tuple(hints))  # an edit like any other: Ctrl+Z undoes it
        self.runner.save()
        self.message.emit(f"{plural(len(hints), 'colour hint')} for {item.source.name}: used when it is colorized.")

    def export_hints(self) -> None:
        item = self.selected_item()
        if item is None or not item.hints:
            self.message.emit("The selected photo has no colour hints to export.")
            return
        start = Path(last_folder("hints")) / f"{item.source.name}.json"
        file, _ = QFileDialog.getSaveFileName(self.table.window(), "Export colour hints", str(start), "Colour hints (*.json)")
        if not file:
            return
        if Path(file).resolve().parent == item.source.resolve().parent:  # nothing is ever written beside a photo
            window_dialogs.inform(self.table.window(), "Colour hints", "colorstudio never writes into your photos' folders: choose "
                        "another folder (colorstudio colorize --hints-dir reads it).")
            return
        remember_folder("hints", file)
        save_hints(file, item.hints)
        self.message.emit(f"Exported {plural(len(item.hints), 'colour hint')} to {file}.")

