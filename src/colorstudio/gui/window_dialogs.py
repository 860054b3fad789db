"""The window's dialogs and messages: About and the model card, the models dialog, the training wizard,
the logs folder and Report a problem, opening a folder or a file with the system's programs; and the two
plain ones every part of the window uses, ``inform`` and ``ask`` (tests replace them)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget


def inform(parent: QWidget, title: str, text: str) -> None:
    """A message the user reads and closes."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the path can be copied
    box.open()


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question."""
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class WindowDialogs(QObject):
    """Opens the window's dialogs over ``parent``, with the models and settings of ``settings_panel``."""

    message = Signal(str)  # for the status line

    def __init__(self, parent: QWidget, settings_panel) -> None:
        super().__init__(parent)
        self._parent, self.settings_panel = parent, settings_panel
        self.wizard = None  # the training wizard, once opened

    def show_about(self):
        from colorstudio.gui.about import show_about

        return show_about(self._parent, self.settings_panel.job_settings().model)

    def show_model_card(self):
        from colorstudio.gui.about import show_model_card

        return show_model_card(self._parent, self.settings_panel.job_settings().model)

    def open_models_dialog(self):
        from colorstudio.gui.models_dialog import ModelsDialog

        dialog = ModelsDialog(self._parent)
        dialog.renamed.connect(self._model_renamed)  # emitted before ``changed``, while the old name is listed
        dialog.deleted.connect(self._model_deleted)
        dialog.changed.connect(self.settings_panel.refresh_models)
        dialog.show()
        return dialog

    def _model_renamed(self, old: str, new: str) -> None:
        """The model in use was renamed: keep using it, under its new name."""
        panel = self.settings_panel
        if panel.model.currentData() == old:
            panel.refresh_models()
            panel.model.setCurrentIndex(panel.model.findData(new))
            self.message.emit(f"The model in use is now called {new}.")

    def _model_deleted(self, name: str) -> None:
        if self.settings_panel.model.currentData() == name:
            self.message.emit(f"{name} was deleted: the default model is used instead.")

    def open_training_wizard(self):
        from colorstudio.core.training.recipe import unfinished_runs
        from colorstudio.gui.wizard.wizard import TrainingWizard

        resume = None
        runs = unfinished_runs()
        if runs and ask(self._parent, "Resume training?", f"A training run on {runs[-1].folder} stopped before it "
                             "was finished. Continue it from its last checkpoint?"):
            resume = runs[-1]
        wizard = TrainingWizard(self._parent, device=self.settings_panel.job_settings().options.device, resume=resume)
        wizard.model_saved.connect(lambda name: self.settings_panel.refresh_models())
        wizard.show()
        self.wizard = wizard
        return wizard

    def open_output_folder(self) -> None:
        folder = self.settings_panel.job_settings().output.folder
        if not folder.is_dir():
            inform(self._parent, "Output folder", f"Nothing has been colorized into {folder} yet: the folder is made "
                        "when the first photo is written.")
            return
        self.open_path(folder)

    def open_logs_folder(self) -> None:
        """Help > Open logs folder (and the error dialog's button)."""
        from colorstudio import logs

        folder = logs.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.open_path(folder)

    def report_problem(self):
        """Help > Report a problem: the system information and the log's path, to copy into a bug report."""
        from colorstudio.gui.error_dialog import ReportDialog

        dialog = ReportDialog(self._parent, self.open_logs_folder)
        dialog.open()
        return dialog

    def open_path(self, path: Path) -> None:
        """Open a file or folder with the system's program for it, or say where it is when none starts."""
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            inform(self._parent, "Nothing to open it with", f"No program could be started to open it. It is here:"
                        f"\n\n{path}")
