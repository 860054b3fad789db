"""Tools > Train on my photos: a QWizard over the same training engine as `colorstudio train`."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from colorstudio.core.training.recipe import TrainingRun, plan_run
from colorstudio.gui.wizard.pages import FolderPage, ResultPage, SettingsPage, TrainingPage, default_run_name
from colorstudio.gui.wizard.train_worker import TrainingThread


class TrainingWizard(QWizard):
    model_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None, device: str = "auto", resume: TrainingRun | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train on my photos")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.resize(860, 660)
        self.device = device
        self.run = resume
        self.resuming = resume is not None
        self.training = TrainingThread(self)
        self.folder_page = FolderPage(self.training)
        self.settings_page = SettingsPage(self.training)
        self.training_page = TrainingPage(self.training)
        self.result_page = ResultPage(self.training)
        for page in (self.folder_page, self.settings_page, self.training_page, self.result_page):
            self.addPage(page)
        if resume is not None:
            self.setStartId(2)

    def make_run(self) -> TrainingRun:
        s = self.settings_page
        by_time = s.by_time.isChecked()
        return plan_run(default_run_name(), self.folder_page.folder.text(), self.folder_page.report.usable,
                        s.val_split.value() / 100, base=s.base.currentData() or "",
                        minutes=s.minutes.value() if by_time else 0, epochs=0 if by_time else s.epochs.value(),
                        size=s.size.currentData(), batch=s.batch.value(), lr=s.lr.value(),
                        augment=s.augment.isChecked(), device=self.device)

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        """Closing the wizard stops training between steps; the checkpoint stays for a later resume."""
        self.training.shutdown()
        super().done(result)
