"""The main window's actions, toolbar and menus (File with Open recent, Queue, Photo with its reference photo,
View with the Settings panel, Tools, Help with the logs and Report a problem), the right-click menu of a queue
row, and the recent photos and folders kept for File > Open recent."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QToolBar, QWidget

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


class WindowActions:
    """The window's actions, one attribute each (``start``, ``pause``, ``remove``, …), and the Open recent menu."""

    def __init__(self, window) -> None:
        w, q, d, K = window, window.queue_actions, window.dialogs, QKeySequence.StandardKey
        self.add = _action(w, "Add photos…", q.choose_files, K.Open, "Add photos to the queue")
        self.add_folder = _action(w, "Add folder…", q.choose_folder, "Ctrl+Shift+O",
                                  "Add a folder of photos (with its sub-folders)")
        self.start = _action(w, "Start", w.runner.start, "Ctrl+R", "Colorize the waiting photos")
        self.pause = _action(w, "Pause", lambda checked: w.runner.set_paused(checked), "Ctrl+P",
                             "Pause after the current tile", checkable=True)
        self.cancel = _action(w, "Cancel", w.runner.cancel, "Esc", "Stop the batch; the current photo is not written")
        self.preview = _action(w, "Preview", q.preview_selected, "Ctrl+E",
                               "Colorize the selected photo with these settings, without saving it")
        self.remove = _action(w, "Remove", q.remove_selected, K.Delete, "Remove the selected photos")
        # Delete removes photos only where the queue has the keyboard: pressed in the viewer or the Hint colour
        # panel it would otherwise take the selected photo (and its hints) out of the queue
        self.remove.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        w.table.addAction(self.remove)
        self.clear = _action(w, "Clear finished", q.clear_finished)
        # (a slot with no arguments: ``triggered`` would give ``retry_failed`` its ``checked`` flag as the ids)
        self.retry = _action(w, "Retry failed", lambda: q.retry_failed(), "Ctrl+Shift+R",
                             "Failed and cancelled photos wait again")
        self.again = _action(w, "Colorize again", q.colorize_again, None,
                             "The selected finished photos wait again (after changing their hints), each "
                             "replacing its earlier output")
        self.up = _action(w, "Move up", lambda: q.move_selected(-1), "Ctrl+Up")
        self.down = _action(w, "Move down", lambda: q.move_selected(1), "Ctrl+Down")
        self.side = _action(w, "Side by side", w.toggle_side_by_side, "Ctrl+T",
                            "Show before and after side by side instead of the split line", checkable=True)
        self.fit = _action(w, "Fit", w.viewer.fit, "Ctrl+0")
        self.actual = _action(w, "100%", w.viewer.actual_size, "Ctrl+1")
        self.open_out = _action(w, "Open output folder", d.open_output_folder)
        self.open_output = _action(w, "Open the colorized photo", q.open_selected_output, "Return")
        self.show_in_folder = _action(w, "Show in folder", q.show_selected_in_folder)
        self.import_hints = _action(w, "Import colour hints…", q.import_hints, None,
                                    "Colour hints for the selected photo, from a file (colorize --hints reads the same)")
        self.export_hints = _action(w, "Export colour hints…", q.export_hints, None,
                                    "Save the selected photo's colour hints for colorize --hints / --hints-dir")
        self.about = _action(w, "About colorstudio", d.show_about)
        self.card = _action(w, "The active model's card…", d.show_model_card, None,
                            "What the model in use was trained on, and how well it does")
        self.models = _action(w, "Models…", d.open_models_dialog, None,
                              "Your models and the shipped ones: rename, delete, import, export")
        self.logs = _action(w, "Open logs folder", d.open_logs_folder, None,
                            "The folder of colorstudio's log, to attach to a bug report")
        self.report = _action(w, "Report a problem…", d.report_problem, None,
                              "The system information and the log's path, to copy into a bug report "
                              "(nothing is sent)")
        self.quit = _action(w, "Quit", w.close, K.Quit)
        self.train = _action(w, "Train on my photos…", d.open_training_wizard, None,
                             "Teach the model the colours of your own colour photos")
        self.settings = w.settings_dock.toggleViewAction()  # the Settings panel, back after its × was clicked
        self.settings.setText("Settings panel")
        self.settings.setShortcut(QKeySequence("Ctrl+,"))
        # F6 / Shift+F6: the next or previous pane (the queue, the viewer, the panel on show), as in most
        # desktop programs; Tab moves between the controls of a pane (the queue's table gives it up)
        self.next_pane = _action(w, "Next pane", lambda: cycle_focus(w.panes(), 1), "F6")
        self.previous_pane = _action(w, "Previous pane", lambda: cycle_focus(w.panes(), -1), "Shift+F6")
        self.recent_menu = QMenu("Open recent", w)
        self.recent_menu.aboutToShow.connect(lambda: fill_recent(self.recent_menu, q.add_paths))


def build(window) -> WindowActions:
    """Create the window's actions, its toolbar and its menus; the actions are returned."""
    a, w = WindowActions(window), window
    hints, mask = w.hint_editor, w.mask_editor
    bar = QToolBar("Main")
    bar.setObjectName("main-toolbar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for action in (a.add, a.add_folder, None, a.start, a.pause, a.cancel, None, a.preview, hints.tool, None,
                   a.side, a.fit, a.actual):
        bar.addSeparator() if action is None else bar.addAction(action)
    w.addToolBar(bar)
    menus = {"&File": (a.add, a.add_folder, a.recent_menu, None, a.open_out, None, a.quit),
             "&Edit": (hints.undo, hints.redo, None, *hints.actions()),
             "&Queue": (a.start, a.pause, a.cancel, None, a.preview, a.open_output, a.show_in_folder,
                        a.import_hints, a.export_hints, None, a.remove, a.up, a.down, a.retry, a.again, a.clear),
             "&Photo": w.reference_panel.actions(),
             "&View": (a.settings, None, a.side, a.fit, a.actual, None, a.next_pane, a.previous_pane, None,
                       *mask.actions()),
             "&Tools": (a.train, a.models),
             "&Help": (a.card, None, a.report, a.logs, None, a.about)}
    for title, entries in menus.items():
        menu = w.menuBar().addMenu(title)
        for entry in entries:
            if entry is None:
                menu.addSeparator()
            elif isinstance(entry, QMenu):
                menu.addMenu(entry)
            else:
                menu.addAction(entry)
    return a


def fill_recent(menu: QMenu, add_paths) -> None:
    menu.clear()
    recent = recent_paths()
    for path in recent:
        action = menu.addAction(f"{path.name}    ({path.parent})")
        action.triggered.connect(lambda _=False, p=path: add_paths([p]))
    if not recent:
        menu.addAction("Nothing yet").setEnabled(False)


def row_menu(parent, actions: WindowActions, queue_actions, item) -> QMenu:
    """The right-click menu of a queue row."""
    menu = QMenu(parent)
    a, q = actions, queue_actions
    done = item.status in (Status.DONE, Status.SKIPPED) and item.output is not None
    entries = ((a.open_output, q.open_selected_output, done),
               (a.show_in_folder, q.show_selected_in_folder, True),
               (a.preview, q.preview_selected, True),
               (a.import_hints, q.import_hints, True),
               (a.export_hints, q.export_hints, bool(item.hints)), None,
               ("Retry", q.retry_selected, item.status in (Status.FAILED, Status.CANCELLED)),
               (a.again, q.colorize_again, item.status == Status.DONE),
               (a.remove, q.remove_selected, True))
    for entry in entries:
        if entry is None:
            menu.addSeparator()
            continue
        action, slot, enabled = entry
        text = action if isinstance(action, str) else action.text()
        menu.addAction(text, slot).setEnabled(enabled)
    return menu


def _focusable(pane: QWidget) -> QWidget | None:
    """The widget of ``pane`` that takes the keyboard: the pane itself, else its first visible control."""
    if pane.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return pane
    return next((w for w in pane.findChildren(QWidget) if w.isVisibleTo(pane.window()) and w.isEnabled()
                 and w.focusPolicy() & Qt.FocusPolicy.TabFocus), None)


def cycle_focus(panes: list[QWidget], step: int) -> None:
    """Give the keyboard to the next (``step`` 1) or previous (-1) of the visible ``panes``."""
    # (a dock behind another's tab is "visible" but moved out of sight: its visible region is empty)
    panes = [p for p in panes if p.isVisible() and not p.visibleRegion().isEmpty() and _focusable(p) is not None]
    if not panes:
        return
    focus = QApplication.focusWidget()
    here = next((i for i, p in enumerate(panes) if focus is not None and (focus is p or p.isAncestorOf(focus))),
                -1 if step > 0 else 0)
    _focusable(panes[(here + step) % len(panes)]).setFocus(Qt.FocusReason.OtherFocusReason)
