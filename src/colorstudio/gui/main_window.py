"""The main window: queue on the left, before/after viewer on the right, settings in a dock."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QWidget,
)
from superqt import QElidingLabel

from colorstudio import paths
from colorstudio.core.queue import JobQueue, Status
from colorstudio.core.text import plural, time_left
from colorstudio.gui import error_dialog, window_actions, window_dialogs, window_state
from colorstudio.gui.batch_runner import BatchRunner
from colorstudio.gui.engine import Engine
from colorstudio.gui.hint_editing import HintEditor
from colorstudio.gui.hint_live import LivePreview
from colorstudio.gui.hint_panel import HintPanel
from colorstudio.gui.images import load_pair
from colorstudio.gui.mask_editing import MaskEditor
from colorstudio.gui.messages import JobResult
from colorstudio.gui.notify import notify
from colorstudio.gui.photo_session import PhotoSession
from colorstudio.gui.queue_actions import QueueActions
from colorstudio.gui.queue_model import QueueModel
from colorstudio.gui.queue_table import QueueTable
from colorstudio.gui.reference_panel import ReferencePanel
from colorstudio.gui.reference_photo import forget_missing
from colorstudio.gui.settings_panel import SettingsPanel
from colorstudio.gui.threads import TaskPool
from colorstudio.gui.viewer import SIDE_BY_SIDE, SPLIT, BeforeAfterView
from colorstudio.gui.window_dialogs import WindowDialogs
from colorstudio.gui.window_state import queue_path


class MainWindow(QMainWindow):
    """Assembles the parts (the queue's table and ``QueueActions``, the viewer and the parts that edit the photo
    on show through a ``PhotoSession``, the settings dock, ``WindowDialogs``, the actions) and owns the status bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("colorstudio")
        self.setWindowIcon(QIcon(str(paths.resources_dir() / "colorstudio.svg")))
        self.setAcceptDrops(True)
        self.results: dict[int, object] = {}  # item id -> JobResult (recent ones)
        queue, saved = JobQueue.load(queue_path())
        self.missing_references = forget_missing(queue)  # moved or deleted since: said once the model is ready
        # photos a batch of an earlier session did not finish (closed or crashed while it ran)
        self.restored_unfinished = queue.unfinished() if saved.get("batch_running") else 0
        self.queue_model = QueueModel(queue, self)
        self.engine = Engine(self)
        self.settings_panel = SettingsPanel()
        self.runner = BatchRunner(self.queue_model, self.engine, self.settings_panel.checked_settings, queue_path(),
                                  self.settings_panel.reference_folder_path)
        self.loader = TaskPool(1, self)  # photos read from disk for the viewer
        self._reload_after_batch = False
        # the photo on show, and the parts that show and edit it (each told only the session and the engine)
        self.session = PhotoSession(self.queue_model, self.runner.settings, self.runner.save, self)
        self._build_views()
        self.mask_editor = MaskEditor(self.session, self.engine, self.viewer, self.settings_panel.job_settings, self)
        self.live = LivePreview(self.session, self.engine, self.viewer, self)
        self.hint_editor = HintEditor(self.session, self.viewer, self)
        self.hint_panel = HintPanel(self.session, self.engine, self.viewer, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.hint_panel.dock)
        self.tabifyDockWidget(self.settings_dock, self.hint_panel.dock)
        self.reference_panel = ReferencePanel(self.session, self.engine, self.viewer,
                                              lambda: self.queue_actions.selected_ids(), self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.reference_panel.dock)
        self.tabifyDockWidget(self.settings_dock, self.reference_panel.dock)
        self.dialogs = WindowDialogs(self, self.settings_panel)
        self.queue_actions = QueueActions(self.table, self.queue_model, self.runner, self.hint_editor, self.dialogs,
                                          self.runner.settings)
        self.commands = window_actions.build(self)
        # the log file, and a dialog for any unexpected error in the window's threads
        self.error_reporter = error_dialog.install(self, self.engine, self.dialogs.open_logs_folder)
        self._build_status()
        self._connect()
        window_state.restore(self, self.splitter, self.settings_panel, self.commands.side)
        self.toggle_side_by_side(self.commands.side.isChecked())
        self.hint_panel.tool_toggled(False)  # a restored layout may have the Hint colour tab open: the tool is off
        self.settings_dock.raise_()
        self.viewer.set_message(self._nothing_shown())  # a restored queue: none of it is selected yet
        self._load_model()
        self.queue_actions.show_planned_outputs()
        self._update_actions()

    # -- construction ------------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.table = QueueTable(self.queue_model)
        self.table.customContextMenuRequested.connect(self._row_menu)
        self.table.doubleClicked.connect(lambda _: self.queue_actions.open_selected_output())
        self.viewer = BeforeAfterView(self.session)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([440, 740])
        self.splitter = splitter
        self.setCentralWidget(splitter)
        scroll = QScrollArea()  # the panel stays usable on a small screen: it scrolls down, never sideways
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.settings_panel)
        scroll.setMinimumWidth(self.settings_panel.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width() + 2 * scroll.frameWidth())
        self.settings_dock = QDockWidget("Settings", self)
        self.settings_dock.setObjectName("settings-dock")
        self.settings_dock.setWidget(scroll)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.settings_dock)

    def _build_status(self) -> None:
        # a long message ends in "…" rather than being cut mid-word; its whole text is the tooltip
        self.status_text = QElidingLabel("Loading the model…")
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(260)
        self.progress_bar.setFormat("%p%")
        self.eta_label = QLabel()
        self.device_label = QLabel()
        bar = self.statusBar()
        bar.addWidget(self.status_text, 1)
        bar.addPermanentWidget(self.eta_label)
        bar.addPermanentWidget(self.progress_bar)
        bar.addPermanentWidget(self.device_label)

    def _connect(self) -> None:
        w = self.engine.worker
        w.model_ready.connect(self._model_ready)
        w.model_failed.connect(self._model_failed)  # a method: a lambda would run on the engine thread
        w.notice.connect(self._show_status)
        self.runner.progress.connect(self._progress)
        self.runner.runningChanged.connect(self._running_changed)
        self.runner.pausedChanged.connect(self.commands.pause.setChecked)
        self.runner.itemFinished.connect(self._item_finished)
        self.runner.previewReady.connect(self._preview_ready)
        self.runner.finished.connect(self._batch_finished)
        self.runner.message.connect(self._show_status)
        self.settings_panel.modelChanged.connect(self._reload_model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_selected())
        self.queue_model.modelReset.connect(self._queue_changed)
        self.queue_model.unreadable.connect(self._unreadable)
        # waiting rows' planned outputs follow the settings once they stop changing (a dragged slider or a
        # typed folder would otherwise re-plan the whole queue, a file check per photo, at every step)
        self._replan = QTimer(self)
        self._replan.setSingleShot(True)
        self._replan.setInterval(300)
        self._replan.timeout.connect(self.queue_actions.show_planned_outputs)
        self.settings_panel.changed.connect(self._replan.start)
        self.settings_panel.changed.connect(self.live.settings_changed)
        self.settings_panel.changed.connect(self.mask_editor.settings_changed)
        for part in (self.session, self.dialogs, self.queue_actions):
            part.message.connect(self._show_status)
        self.queue_actions.changed.connect(self._update_actions)
        self.session.hintToolChanged.connect(self._hint_tool_changed)
        self.session.photoChanged.connect(self._photo_changed)
        self.hint_panel.recolour.connect(self.hint_editor.recolour)
        self.settings_panel.validityChanged.connect(lambda _: self._update_actions())

    # -- viewer ------------------------------------------------------------------------------------
    def show_selected(self) -> None:
        ids = self.queue_actions.selected_ids()
        item = self.queue_model.queue.get(ids[0]) if ids else None
        self.engine.set_shown(item.id if item else None)
        self.session.show(item.id if item else None)
        failed = item is not None and item.status == Status.FAILED
        result = self.results.get(item.id) if item is not None and not failed else None
        if result is not None:  # (the same photo again keeps its zoom)
            live = self._live_after(item.id)
            self.viewer.set_images(result.before, live or result.after, keep_view=True)
            if live is None and result.output is None:  # a Preview's result, not the written photo
                self.viewer.set_after_label("After (preview, not saved)")
            return
        self.viewer.set_images(None, None)
        if item is None:  # (the photo on show was removed, say: nothing of it stays, not even "Loading…")
            self.viewer.set_message(self._nothing_shown())
            return
        if failed:  # its reason, not a photo that will never load nor an earlier result of it
            self.viewer.set_message(f"{item.source.name} failed:\n{item.error}")
            return
        done = item.status in (Status.DONE, Status.SKIPPED) and item.output is not None and item.output.exists()
        self.viewer.set_message(f"Loading {item.source.name}…")
        self.loader.run(load_pair, item.source, item.output if done else None, then=partial(self._pair_loaded, item.id))

    def _nothing_shown(self) -> str:
        """What the viewer says with no photo selected."""
        if self.queue_model.queue.items:
            return "Select a photo to compare it before and after."
        return self.viewer.EMPTY

    def _pair_loaded(self, item_id: int, pair) -> None:
        before, after, error = pair
        if self.queue_actions.selected_ids()[:1] != [item_id]:
            return
        if before is None:
            self.viewer.set_message(f"Cannot show {self.queue_model.queue.get(item_id).source.name}:\n{error}")
            return
        if after is not None:
            self.results[item_id] = JobResult(item_id, self.queue_model.queue.get(item_id).output, before, after, 0.0)
        self.viewer.set_images(before, self._live_after(item_id) or after, keep_view=True)

    def _live_after(self, item_id: int):
        """The live After of the photo, while the hint tool is on or its reference changed (else its own result)."""
        return self.live.after_for(item_id) if self.live.on else None

    def _hint_tool_changed(self, on: bool) -> None:
        if not on:
            self.settings_dock.raise_()
            self.show_selected()  # the written result again, not the live view

    def _photo_changed(self, another: bool) -> None:
        """What the status line said about another photo's hints goes with it; what reading this one told (an
        animation: only its first frame) is said when it comes on show."""
        said_about, said = self.session.said
        item = self.session.item
        if said and self.status_text.text() == said and (item is None or item.id != said_about):
            self._show_status("")
        if another and item is not None and item.reading:
            self._show_status(item.reading)

    def panes(self) -> list[QWidget]:
        """What F6 moves the keyboard between: the queue, the viewer, the Settings, Hint colour and Reference panels."""
        return [self.table, self.viewer, self.settings_panel, self.hint_panel.chooser, self.reference_panel.widget]

    def toggle_side_by_side(self, checked: bool) -> None:
        self.viewer.set_mode(SIDE_BY_SIDE if checked else SPLIT)

    def _remember(self, item_id: int, result) -> None:
        self.results[item_id] = result
        while len(self.results) > 6:
            self.results.pop(next(iter(self.results)))

    def _item_finished(self, item_id: int, result) -> None:
        self.live.drop(item_id)
        if result.after is not None:
            self._remember(item_id, result)
        ids = self.queue_actions.selected_ids()
        if not ids or ids[0] == item_id:  # (without its pyramids if selected while it was written: read from disk)
            self.table.selectRow(self.queue_model.queue.index_of(item_id))
            self.show_selected()

    def _preview_ready(self, item_id: int, result) -> None:
        self.live.drop(item_id)
        self._remember(item_id, result)
        self._show_status("Preview ready (not saved).")
        self.show_selected()

    def _queue_changed(self) -> None:
        """Photos removed or the queue cleared: the viewer follows the selection (none: it shows nothing)."""
        for item_id in [i for i in self.results if self.queue_model.queue.get(i) is None]:
            del self.results[item_id]
        self.queue_actions.show_planned_outputs()
        self.show_selected()
        self._update_actions()

    def _unreadable(self, item_id: int) -> None:
        item = self.queue_model.queue.get(item_id)
        self._show_status(f"{item.source.name} cannot be colorized: {item.error}")
        self.runner.save()
        if self.queue_actions.selected_ids()[:1] == [item_id]:
            self.show_selected()
        self._update_actions()

    def _row_menu(self, point) -> None:
        index = self.table.indexAt(point)
        if index.isValid():
            if index.row() not in {i.row() for i in self.table.selectionModel().selectedRows()}:
                self.table.selectRow(index.row())
            item = self.queue_model.item_at(index.row())
            menu = window_actions.row_menu(self, self.commands, self.queue_actions, item)
            menu.popup(self.table.viewport().mapToGlobal(point))

    # -- status ------------------------------------------------------------------------------------
    def _model_failed(self, message: str) -> None:
        self.device_label.setText("No model")
        self._show_status(f"Could not load the model: {message}")

    def _show_status(self, text: str) -> None:
        self.status_text.setText(text)
        self.status_text.setToolTip(text)

    def _model_ready(self, name: str, device: str) -> None:
        self.device_label.setText(device)
        missing, self.missing_references = self.missing_references, []
        self._show_status(" ".join([f"Model {name} ready.", *missing]))

    def _load_model(self) -> None:
        settings = self.settings_panel.job_settings()
        # said where it stays: the status line is soon taken by other news ("Added 3 photos.")
        self.device_label.setText("Loading the model…")
        self.engine.load_model(settings.model, settings.options)

    def _reload_model(self) -> None:
        if self.runner.running:  # the batch keeps its model; loading another now would only be undone
            self._reload_after_batch = True
            self._show_status("The batch goes on with its model; the one you chose is used from the next batch.")
            return
        self._load_model()

    def _running_changed(self, running: bool) -> None:
        self.settings_panel.set_batch_running(running)
        if not running and self._reload_after_batch:
            self._reload_after_batch = False
            self._load_model()
        self.queue_actions.show_planned_outputs()
        self._update_actions()

    def _progress(self, finished: int, total: int, fraction: float, eta: float) -> None:
        """The status line, the bar and the time left, all from the runner's one account of the batch."""
        self.progress_bar.setMaximum(max(1, total) * 100)
        self.progress_bar.setValue(int((finished + fraction) * 100))
        self.eta_label.setText(time_left(eta))
        text = self.runner.status()[0]
        if text:
            self._show_status(text)
        if not self.runner.running:  # the last photo of a cancelled batch ends after it: Start may take it
            self._update_actions()

    def _batch_finished(self, counts: dict) -> None:
        if not self.isActiveWindow():  # the user is elsewhere: say it is done
            notify(self, "colorstudio", self.runner.status()[0])

    def _update_actions(self) -> None:
        running = self.runner.running
        waiting = (Status.WAITING, Status.CANCELLED)  # Start takes cancelled photos again
        has_waiting = any(item.status in waiting for item in self.queue_model.queue.items)
        self.commands.start.setEnabled(not running and has_waiting and self.settings_panel.error is None)
        self.commands.start.setToolTip("Colorize the waiting photos (Ctrl+R)" if self.settings_panel.error is None else
                                f"Fix the settings first: {self.settings_panel.error}")
        self.commands.pause.setEnabled(running)
        self.commands.cancel.setEnabled(running)

    # -- drag and drop -----------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.add_paths([Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()])

    def add_paths(self, paths_: list[Path]) -> int:
        """Queue photos and folders (dropped, or given on the command line); the number of photos added."""
        return self.queue_actions.add_paths(paths_)

    # -- closing -----------------------------------------------------------------------------------
    def offer_to_continue(self) -> None:
        """At start-up: offer to finish the batch an earlier session left (only that: photos given on the
        command line now are queued without a question)."""
        left = min(self.restored_unfinished, self.queue_model.queue.unfinished())
        self.restored_unfinished = 0
        if left and window_dialogs.ask(self, "Continue the last batch?",
                             f"The last batch has {plural(left, 'photo')} not colorized yet. Continue now?"):
            self.runner.start()

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.runner.running and not window_dialogs.ask(
                self, "Stop the batch?", "Photos are still being colorized. Stop and quit? The photo in "
                "progress is not written; the queue is kept, so you can continue next time."):
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop the engine thread cleanly and save everything (also used by tests)."""
        self.runner.close()
        window_state.save(self, self.splitter, self.settings_panel, self.commands.side)
        self.runner.save()
        self.engine.shutdown()  # the photo being colorized stops; one already colorized is written
        QCoreApplication.sendPostedEvents()  # ... and its "done" reaches the queue
        self.runner.save()
        if self.dialogs.wizard is not None:
            self.dialogs.wizard.training.shutdown()
        self.queue_model.tasks.wait(5000)
        self.loader.wait(5000)
