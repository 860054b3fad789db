"""The main window: queue on the left, before/after viewer on the right, settings in a dock."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QDragEnterEvent, QDropEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDockWidget, QFileDialog, QHeaderView, QLabel, QMainWindow,
                               QMessageBox, QProgressBar, QSplitter, QTableView, QToolBar, QWidget)

from colorstudio import paths
from colorstudio.core.imageio import INPUT_EXTENSIONS
from colorstudio.core.queue import JobQueue, Status
from colorstudio.core.text import plural, time_left
from colorstudio.gui.batch_runner import BatchRunner
from colorstudio.gui.images import load_pair
from colorstudio.gui.mask_editing import MaskEditor
from colorstudio.gui.queue_model import THUMB, QueueModel
from colorstudio.gui.settings_panel import SettingsPanel
from colorstudio.gui.threads import TaskPool
from colorstudio.gui.viewer import SIDE_BY_SIDE, SPLIT, BeforeAfterView
from colorstudio.gui.window_state import queue_path, settings_store
from colorstudio.gui.worker import Engine, JobResult


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("colorstudio")
        self.setWindowIcon(QIcon(str(paths.resources_dir() / "colorstudio.svg")))
        self.setAcceptDrops(True)
        self.results: dict[int, object] = {}  # item id -> JobResult (recent ones)
        queue, _ = JobQueue.load(queue_path())
        self.restored_unfinished = queue.unfinished()  # photos of an earlier session not done yet
        self.queue_model = QueueModel(queue, self)
        self.engine = Engine(self)
        self.settings_panel = SettingsPanel()
        self.runner = BatchRunner(self.queue_model, self.engine, self.settings_panel.checked_settings, queue_path())
        self.loader = TaskPool(1, self)  # photos read from disk for the viewer
        self._reload_after_batch = False
        self._build_views()
        self.mask_editor = MaskEditor(self)
        self._build_actions()
        self._build_status()
        self._connect()
        self._restore_settings()
        self._load_model()
        self._update_actions()

    # -- construction ------------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.table = QTableView()
        self.table.setModel(self.queue_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setIconSize(self.table.iconSize().expandedTo(self.table.iconSize().__class__(THUMB, THUMB)))
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 6)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(3, 120)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.viewer = BeforeAfterView()
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([420, 760])
        self.splitter = splitter
        self.setCentralWidget(splitter)
        dock = QDockWidget("Settings", self)
        dock.setObjectName("settings-dock")
        dock.setWidget(self.settings_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text} ({QKeySequence(shortcut).toString()})" if shortcut else (tip or text))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.a_add = self._action("Add photos…", self.choose_files, K.Open, "Add photos to the queue")
        self.a_add_folder = self._action("Add folder…", self.choose_folder, "Ctrl+Shift+O",
                                         "Add a folder of photos (with its sub-folders)")
        self.a_start = self._action("Start", self.runner.start, "Ctrl+R", "Colorize the waiting photos")
        self.a_pause = self._action("Pause", lambda checked: self.runner.set_paused(checked), "Ctrl+P",
                                    "Pause after the current tile")
        self.a_pause.setCheckable(True)
        self.a_cancel = self._action("Cancel", self.runner.cancel, "Esc",
                                     "Stop the batch; the current photo is not written")
        self.a_preview = self._action("Preview", self.preview_selected, "Ctrl+E",
                                      "Colorize the selected photo with these settings, without saving it")
        self.a_remove = self._action("Remove", self.remove_selected, K.Delete, "Remove the selected photos")
        self.a_clear = self._action("Clear finished", lambda: self.queue_model.reset(self.queue_model.queue.clear_finished))
        self.a_retry = self._action("Retry failed", self.retry_failed, "Ctrl+Shift+R")
        self.a_up = self._action("Move up", lambda: self.move_selected(-1), "Ctrl+Up")
        self.a_down = self._action("Move down", lambda: self.move_selected(1), "Ctrl+Down")
        self.a_side = self._action("Side by side", self.toggle_side_by_side, "Ctrl+T",
                                   "Show before and after side by side instead of the split line")
        self.a_side.setCheckable(True)
        self.a_fit = self._action("Fit", self.viewer.fit, "Ctrl+0")
        self.a_actual = self._action("100%", self.viewer.actual_size, "Ctrl+1")
        self.a_open_out = self._action("Open output folder", self.open_output_folder)
        self.a_about = self._action("About colorstudio", self.show_about)
        self.a_models = self._action("Models…", self.open_models_dialog, None,
                                     "Your models and the shipped ones: rename, delete, import, export")
        self.a_quit = self._action("Quit", self.close, K.Quit)
        self.a_train = self._action("Train on my photos…", self.open_training_wizard, None,
                                    "Teach the model the colours of your own colour photos")
        bar = QToolBar("Main")
        bar.setObjectName("main-toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.a_add, self.a_add_folder, None, self.a_start, self.a_pause, self.a_cancel, None,
                  self.a_preview, None, self.a_side, self.a_fit, self.a_actual):
            bar.addSeparator() if a is None else bar.addAction(a)
        self.addToolBar(bar)
        menus = {"&File": (self.a_add, self.a_add_folder, self.a_open_out, None, self.a_quit),
                 "&Queue": (self.a_start, self.a_pause, self.a_cancel, None, self.a_preview, self.a_remove,
                            self.a_up, self.a_down, self.a_retry, self.a_clear),
                 "&View": (self.a_side, self.a_fit, self.a_actual, None, *self.mask_editor.actions()),
                 "&Tools": (self.a_train, self.a_models), "&Help": (self.a_about,)}
        for title, actions in menus.items():
            menu = self.menuBar().addMenu(title)
            for a in actions:
                menu.addSeparator() if a is None else menu.addAction(a)

    def _build_status(self) -> None:
        self.status_text = QLabel("Loading the model…")
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
        self.runner.pausedChanged.connect(self.a_pause.setChecked)
        self.runner.itemFinished.connect(self._item_finished)
        self.runner.previewReady.connect(self._preview_ready)
        self.runner.finished.connect(self._batch_finished)
        self.runner.message.connect(self._show_status)
        self.settings_panel.modelChanged.connect(self._reload_model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_selected())
        self.queue_model.modelReset.connect(self._update_actions)
        self.settings_panel.validityChanged.connect(lambda _: self._update_actions())

    # -- queue API (drag and drop, menus and the command line all come here) -------------------------
    def add_paths(self, paths_: list[Path]) -> int:
        added, missing = self.queue_model.add([Path(p) for p in paths_])
        for path, reason in missing:
            self._show_status(f"{path}: {reason}")
        if added:
            self._show_status(f"Added {plural(added, 'photo')}.")
            self.runner.save()
            if self.table.currentIndex().row() < 0:
                self.table.selectRow(0)
        self._update_actions()
        if self.runner.running:
            self.runner.start()
        return added

    def choose_files(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(INPUT_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(self, "Add photos", str(Path.home()), f"Photos ({patterns})")
        self.add_paths([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", str(Path.home()))
        if folder:
            self.add_paths([Path(folder)])

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.queue_model.item_at(r).id for r in rows]

    def remove_selected(self) -> None:
        ids = set(self.selected_ids())
        self.queue_model.reset(lambda: self.queue_model.queue.remove(ids))
        self.runner.save()

    def retry_failed(self) -> None:
        self.queue_model.reset(self.queue_model.queue.retry)
        self.runner.save()

    def move_selected(self, delta: int) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.queue_model.reset(lambda: self.queue_model.queue.move(ids[0], delta))
            self.table.selectRow(self.queue_model.queue.index_of(ids[0]))
            self.runner.save()

    def preview_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._show_status("Previewing with the current settings…")
            self.runner.preview(ids[0])

    # -- viewer ------------------------------------------------------------------------------------
    def show_selected(self) -> None:
        ids = self.selected_ids()
        self.engine.set_shown(ids[0] if ids else None)
        result = self.results.get(ids[0]) if ids else None
        if result is not None:
            self.viewer.set_images(result.before, result.after, keep_view=True)
            self.mask_editor.refresh()
            return
        self.viewer.set_images(None, None)
        if not ids:
            return
        item = self.queue_model.queue.get(ids[0])
        done = item.status in (Status.DONE, Status.SKIPPED) and item.output is not None and item.output.exists()
        self.viewer.set_message(f"Loading {item.source.name}…")
        self.loader.run(load_pair, item.source, item.output if done else None, then=partial(self._pair_loaded, item.id))
        self.mask_editor.refresh()

    def _pair_loaded(self, item_id: int, pair) -> None:
        before, after = pair
        if before is None or self.selected_ids()[:1] != [item_id]:
            return
        if after is not None:
            self.results[item_id] = JobResult(item_id, None, before, after, 0.0)
        self.viewer.set_images(before, after, keep_view=True)

    def toggle_side_by_side(self, checked: bool) -> None:
        self.viewer.set_mode(SIDE_BY_SIDE if checked else SPLIT)

    def _remember(self, item_id: int, result) -> None:
        self.results[item_id] = result
        while len(self.results) > 6:
            self.results.pop(next(iter(self.results)))

    def _item_finished(self, item_id: int, result) -> None:
        if result.after is not None:
            self._remember(item_id, result)
        ids = self.selected_ids()
        if not ids or ids[0] == item_id:  # (without its pyramids if selected while it was written: read from disk)
            self.table.selectRow(self.queue_model.queue.index_of(item_id))
            self.show_selected()

    def _preview_ready(self, item_id: int, result) -> None:
        self._remember(item_id, result)
        self._show_status("Preview ready (not saved).")
        self.show_selected()

    # -- status ------------------------------------------------------------------------------------
    def _model_failed(self, message: str) -> None:
        self._show_status(f"Could not load the model: {message}")

    def _show_status(self, text: str) -> None:
        self.status_text.setText(text)

    def _model_ready(self, name: str, device: str) -> None:
        self.device_label.setText(device)
        self._show_status(f"Model {name} ready.")

    def _load_model(self) -> None:
        settings = self.settings_panel.job_settings()
        self.engine.load_model(settings.model, settings.options.device)

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
        self._update_actions()

    def _progress(self, finished: int, total: int, fraction: float, eta: float) -> None:
        self.progress_bar.setMaximum(max(1, total) * 100)
        self.progress_bar.setValue(int((finished + fraction) * 100))
        self.eta_label.setText(time_left(eta))
        if self.runner.running and self.runner.current is not None:
            item = self.queue_model.queue.get(self.runner.current)
            self._show_status(f"Colorizing {item.source.name} ({finished + 1} of {total})…")

    def _batch_finished(self, counts: dict) -> None:
        parts = [f"{counts[s.value]} {s.value}" for s in Status if counts.get(s.value)]
        self._show_status("Batch finished: " + ", ".join(parts) + ".")
        self.eta_label.clear()

    def _update_actions(self) -> None:
        running = self.runner.running
        has_waiting = self.queue_model.queue.next_waiting() is not None
        self.a_start.setEnabled(not running and has_waiting and self.settings_panel.error is None)
        self.a_start.setToolTip("Colorize the waiting photos (Ctrl+R)" if self.settings_panel.error is None else
                                f"Fix the settings first: {self.settings_panel.error}")
        self.a_pause.setEnabled(running)
        self.a_cancel.setEnabled(running)

    # -- dialogs -----------------------------------------------------------------------------------
    def show_about(self) -> None:
        from colorstudio.gui.about import show_about

        show_about(self, self.settings_panel.job_settings().model)

    def open_models_dialog(self):
        from colorstudio.gui.models_dialog import ModelsDialog

        dialog = ModelsDialog(self)
        dialog.changed.connect(self.settings_panel.refresh_models)
        dialog.show()
        return dialog

    def open_training_wizard(self):
        from colorstudio.core.training.recipe import unfinished_runs
        from colorstudio.gui.wizard.wizard import TrainingWizard

        resume = None
        runs = unfinished_runs()
        if runs and self.ask(self, "Resume training?", f"A training run on {runs[-1].folder} stopped before it "
                             "was finished. Continue it from its last checkpoint?"):
            resume = runs[-1]
        wizard = TrainingWizard(self, device=self.settings_panel.job_settings().options.device, resume=resume)
        wizard.model_saved.connect(lambda name: self.settings_panel.refresh_models())
        wizard.show()
        self.wizard = wizard
        return wizard

    def open_output_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.settings_panel.job_settings().output.folder)))

    # -- drag and drop -----------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.add_paths([Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()])

    # -- settings and closing ----------------------------------------------------------------------
    def _restore_settings(self) -> None:
        store = settings_store()
        geometry, state = store.value("window/geometry"), store.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        if state is not None:
            self.restoreState(state)
        with QSignalBlocker(self.settings_panel):  # no "model changed": the engine loads the restored one once
            self.settings_panel.set_values({k: store.value(f"settings/{k}") for k in self.settings_panel.values()})
        self.a_side.setChecked(store.value("view/side_by_side", False, type=bool))
        self.toggle_side_by_side(self.a_side.isChecked())

    def save_settings(self) -> None:
        store = settings_store()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        for key, value in self.settings_panel.values().items():
            store.setValue(f"settings/{key}", value)
        store.setValue("view/side_by_side", self.a_side.isChecked())
        store.sync()

    @classmethod
    def ask(cls, parent: QWidget, title: str, text: str) -> bool:
        """A yes/no question (tests replace this)."""
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def offer_to_continue(self) -> None:
        """At start-up: offer to finish the batch an earlier session left (only that: photos given on the
        command line now are queued without a question)."""
        left = min(self.restored_unfinished, self.queue_model.queue.unfinished())
        self.restored_unfinished = 0
        if left and self.ask(self, "Continue the last batch?",
                             f"The last batch has {plural(left, 'photo')} not colorized yet. Continue now?"):
            self.runner.start()

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.runner.running and not self.ask(
                self, "Stop the batch?", "Photos are still being colorized. Stop and quit? The photo in "
                "progress is not written; the queue is kept, so you can continue next time."):
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop the engine thread cleanly and save everything (also used by tests)."""
        self.runner.running = False
        self.runner.closing = True
        self.save_settings()
        self.runner.save()
        self.engine.shutdown()  # the photo being colorized stops; one already colorized is written
        QCoreApplication.sendPostedEvents()  # ... and its "done" reaches the queue
        self.runner.save()
        wizard = getattr(self, "wizard", None)
        if wizard is not None:
            wizard.training.shutdown()
        self.queue_model.tasks.wait(5000)
        self.loader.wait(5000)
