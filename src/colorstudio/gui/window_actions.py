"""The main window's actions, toolbar and menus (File with Open recent, Queue, View with the Settings panel,
Tools, Help with the logs and Report a problem), the right-click menu of a queue row, and the recent photos
and folders kept for File > Open recent."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from colorstudio.core.queue import Status
from colorstudio.gui.window_state import settings_store

RECENT_COUNT = 8


def recent_paths() -> list[Path]:
    """Photos and folders added lately, newest first (those that still exist)."""
    value = settings_store().value("recent/paths") or []
    items = [value] if isinstance(value, str) else list(value)
    return [Path(p) for p in items if Path(p).exists()][:RECENT_COUNT]


def remember_recent(paths: list[Path]) -> None:
    items = [str(p) for p in paths] + [str(p) for p in recent_paths() if p not in paths]
    store = settings_store()
    store.setValue("recent/paths", items[:RECENT_COUNT])
    store.sync()


def _action(window, text: str, slot, shortcut=None, tip: str = "", checkable: bool = False) -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(f"{tip or text} ({QKeySequence(shortcut).toString()})" if shortcut else (tip or text))
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    return action


def build(window) -> None:
    """Create the window's actions (``window.a_*``), its toolbar and its menus."""
    w, K = window, QKeySequence.StandardKey
    w.a_add = _action(w, "Add photos…", w.choose_files, K.Open, "Add photos to the queue")
    w.a_add_folder = _action(w, "Add folder…", w.choose_folder, "Ctrl+Shift+O",
                             "Add a folder of photos (with its sub-folders)")
    w.a_start = _action(w, "Start", w.runner.start, "Ctrl+R", "Colorize the waiting photos")
    w.a_pause = _action(w, "Pause", lambda checked: w.runner.set_paused(checked), "Ctrl+P",
                        "Pause after the current tile", checkable=True)
    w.a_cancel = _action(w, "Cancel", w.runner.cancel, "Esc", "Stop the batch; the current photo is not written")
    w.a_preview = _action(w, "Preview", w.preview_selected, "Ctrl+E",
                          "Colorize the selected photo with these settings, without saving it")
    w.a_remove = _action(w, "Remove", w.remove_selected, K.Delete, "Remove the selected photos")
    # Delete removes photos only where the queue has the keyboard: pressed in the viewer or the Hint colour
    # panel it would otherwise take the selected photo (and its hints) out of the queue
    w.a_remove.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    w.table.addAction(w.a_remove)
    w.a_clear = _action(w, "Clear finished", w.clear_finished)
    # (a slot with no arguments: ``triggered`` would give ``retry_failed`` its ``checked`` flag as the ids)
    w.a_retry = _action(w, "Retry failed", lambda: w.retry_failed(), "Ctrl+Shift+R",
                        "Failed and cancelled photos wait again")
    w.a_again = _action(w, "Colorize again", w.colorize_again, None,
                        "The selected finished photos wait again (after changing their hints), each "
                        "replacing its earlier output")
    w.a_up = _action(w, "Move up", lambda: w.move_selected(-1), "Ctrl+Up")
    w.a_down = _action(w, "Move down", lambda: w.move_selected(1), "Ctrl+Down")
    w.a_side = _action(w, "Side by side", w.toggle_side_by_side, "Ctrl+T",
                       "Show before and after side by side instead of the split line", checkable=True)
    w.a_fit = _action(w, "Fit", w.viewer.fit, "Ctrl+0")
    w.a_actual = _action(w, "100%", w.viewer.actual_size, "Ctrl+1")
    w.a_open_out = _action(w, "Open output folder", w.open_output_folder)
    w.a_open_output = _action(w, "Open the colorized photo", w.open_selected_output, "Return")
    w.a_show_in_folder = _action(w, "Show in folder", w.show_selected_in_folder)
    w.a_import_hints = _action(w, "Import colour hints…", w.import_hints, None,
                               "Colour hints for the selected photo, from a file (colorize --hints reads the same)")
    w.a_export_hints = _action(w, "Export colour hints…", w.export_hints, None,
                               "Save the selected photo's colour hints for colorize --hints / --hints-dir")
    w.a_about = _action(w, "About colorstudio", w.show_about)
    w.a_card = _action(w, "The active model's card…", w.show_model_card, None,
                       "What the model in use was trained on, and how well it does")
    w.a_models = _action(w, "Models…", w.open_models_dialog, None,
                         "Your models and the shipped ones: rename, delete, import, export")
    w.a_logs = _action(w, "Open logs folder", w.open_logs_folder, None,
                       "The folder of colorstudio's log, to attach to a bug report")
    w.a_report = _action(w, "Report a problem…", w.report_problem, None,
                         "The system information and the log's path, to copy into a bug report "
                         "(nothing is sent)")
    w.a_quit = _action(w, "Quit", w.close, K.Quit)
    w.a_train = _action(w, "Train on my photos…", w.open_training_wizard, None,
                        "Teach the model the colours of your own colour photos")
    w.a_settings = w.settings_dock.toggleViewAction()  # the Settings panel, back after its × was clicked
    w.a_settings.setText("Settings panel")
    w.a_settings.setShortcut(QKeySequence("Ctrl+,"))
    bar = QToolBar("Main")
    bar.setObjectName("main-toolbar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for a in (w.a_add, w.a_add_folder, None, w.a_start, w.a_pause, w.a_cancel, None, w.a_preview,
              w.hint_editor.tool, None, w.a_side, w.a_fit, w.a_actual):
        bar.addSeparator() if a is None else bar.addAction(a)
    w.addToolBar(bar)
    w.recent_menu = QMenu("Open recent", w)
    w.recent_menu.aboutToShow.connect(lambda: fill_recent(w))
    menus = {"&File": (w.a_add, w.a_add_folder, w.recent_menu, None, w.a_open_out, None, w.a_quit),
             "&Edit": (w.hint_editor.undo, w.hint_editor.redo, None, *w.hint_editor.actions()),
             "&Queue": (w.a_start, w.a_pause, w.a_cancel, None, w.a_preview, w.a_open_output, w.a_show_in_folder,
                        w.a_import_hints, w.a_export_hints, None, w.a_remove, w.a_up, w.a_down, w.a_retry,
                        w.a_again, w.a_clear),
             "&View": (w.a_settings, None, w.a_side, w.a_fit, w.a_actual, None, *w.mask_editor.actions()),
             "&Tools": (w.a_train, w.a_models),
             "&Help": (w.a_card, None, w.a_report, w.a_logs, None, w.a_about)}
    for title, entries in menus.items():
        menu = w.menuBar().addMenu(title)
        for entry in entries:
            if entry is None:
                menu.addSeparator()
            elif isinstance(entry, QMenu):
                menu.addMenu(entry)
            else:
                menu.addAction(entry)


def fill_recent(window) -> None:
    menu = window.recent_menu
    menu.clear()
    recent = recent_paths()
    for path in recent:
        action = menu.addAction(f"{path.name}    ({path.parent})")
        action.triggered.connect(lambda _=False, p=path: window.add_paths([p]))
    if not recent:
        menu.addAction("Nothing yet").setEnabled(False)


def row_menu(window, item) -> QMenu:
    """The right-click menu of a queue row."""
    menu = QMenu(window)
    done = item.status in (Status.DONE, Status.SKIPPED) and item.output is not None
    entries = ((window.a_open_output, window.open_selected_output, done),
               (window.a_show_in_folder, window.show_selected_in_folder, True),
               (window.a_preview, window.preview_selected, True),
               (window.a_import_hints, window.import_hints, True),
               (window.a_export_hints, window.export_hints, bool(item.hints)), None,
               ("Retry", window.retry_selected, item.status in (Status.FAILED, Status.CANCELLED)),
               (window.a_again, window.colorize_again, item.status == Status.DONE),
               (window.a_remove, window.remove_selected, True))
    for entry in entries:
        if entry is None:
            menu.addSeparator()
            continue
        action, slot, enabled = entry
        text = action if isinstance(action, str) else action.text()
        menu.addAction(text, slot).setEnabled(enabled)
    return menu
