"""Tools > Train on my photos: a QWizard over the same training engine as `colorstudio train`."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from colorstudio.core.training.photos import split
from colorstudio.gui.wizard.pages import FolderPage, ResultPage, SettingsPage, TrainingPage, default_run_name
from colorstudio.gui.wizard.train_worker import TrainingThread, WizardRun


class TrainingWizard(QWizard):
    model_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None, device: str = "auto", resume: WizardRun | None = None) -> None:
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

    def make_run(self) -> WizardRun:
        s = self.settings_page
        report = self.folder_page.report
        root = self.folder_page.folder.text()
        train, val = split(report.usable, s.val_split.value() / 100, root=None)
        return WizardRun(name=default_run_name(), folder=root, train=[str(p) for p in train],
                         val=[str(p) for p in val], base=s.base.currentData() or "",
                         minutes=s.minutes.value() if s.by_time.isChecked() else 0,
                         epochs=0 if s.by_time.isChecked() else s.epochs.value(), size=s.size.currentData(),
                         batch=s.batch.value(), lr=s.lr.value(), augment=s.augment.isChecked(), device=self.device)

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        """Closing the wizard stops training between steps; the checkpoint stays for a later resume."""
        self.training.shutdown()
        super().done(result)
