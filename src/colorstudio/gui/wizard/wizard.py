"""Tools > Train on my photos: a QWizard over the same training engine as `colorstudio train`.

``TrainingWizard(parent, device=..., resume=run)``: ``run`` a stopped run (``recipe.unfinished_runs()``)
continues on the training page; a trained run whose model was not saved (``recipe.unsaved_runs()``) opens
on the last page, to compare and save it. Without ``resume``, the first page offers the latest such
trained run itself. Closing the wizard with a trained model not saved asks: save, discard, or keep it for
later (the run stays in ``unsaved_runs()``); so does closing it after Stop, about the model learnt so far
(kept, the run stays in ``unfinished_runs()``, to resume next time).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget, QWizard

from colorstudio.core.training import recipe
from colorstudio.core.training.recipe import TrainingRun, plan_run
from colorstudio.gui.wizard.folder_page import FolderPage
from colorstudio.gui.wizard.pages import FOLDER, RESULT, SETTINGS, TRAINING, default_run_name
from colorstudio.gui.wizard.result_page import ResultPage
from colorstudio.gui.wizard.run_state import Event, State
from colorstudio.gui.wizard.settings_page import SettingsPage
from colorstudio.gui.wizard.train_worker import TrainingThread
from colorstudio.gui.wizard.training_page import TrainingPage

SAVE, DISCARD, KEEP = "save", "discard", "keep"
# What closing asks about a model not saved: (title, question, more, the text of the button that keeps it),
# for a trained model and for what a stopped run learnt so far
TRAINED_QUESTION = ("Save your new model?", "Your new model is not saved yet.",
                    "Keep it for later: the next time you open Train on my photos…, you can compare it and "
                    "save it.", "Keep it for later")
STOPPED_QUESTION = ("Save the model learnt so far?", "Leave without saving the model learnt so far?",
                    "You can resume this run next time.", "Keep training later")


class TrainingWizard(QWizard):
    model_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None, device: str = "auto", resume: TrainingRun | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train on my photos")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.resize(860, 660)
        self.device = device
        self.run: TrainingRun | None = None
        self.resuming = False
        self._close_when_saved = False
        self.training = TrainingThread(self)
        self.folder_page = FolderPage(self.training)
        self.settings_page = SettingsPage(self.training)
        self.training_page = TrainingPage(self.training)
        self.result_page = ResultPage(self.training)
        for page_id, page in ((FOLDER, self.folder_page), (SETTINGS, self.settings_page),
                              (TRAINING, self.training_page), (RESULT, self.result_page)):
            self.setPage(page_id, page)
        self.training.worker.saved.connect(self._saved)
        self.training.worker.result_failed.connect(self._not_saved)
        if resume is not None:
            self.adopt(resume)
            self.setStartId(RESULT if resume.trained else TRAINING)
        else:
            unsaved = recipe.unsaved_runs()
            if unsaved:
                self.folder_page.offer_unsaved(unsaved[-1])

    def adopt(self, run: TrainingRun) -> None:
        """Continue ``run``, planned earlier: a stopped one resumes; a trained one is compared and saved."""
        self.run = run
        self.resuming = True
        if run.trained:
            self.training_page.machine.state = State.FINISHED

    def make_run(self) -> TrainingRun:
        s = self.settings_page
        by_time = s.by_time.isChecked()
        return plan_run(default_run_name(), self.folder_page.folder.text(), self.folder_page.report.usable,
                        s.val_split.value() / 100, base=s.base.currentData() or "",
                        minutes=s.minutes.value() if by_time else 0, epochs=0 if by_time else s.epochs.value(),
                        size=s.size.currentData(), batch=s.batch.value(), lr=s.lr.value(),
                        augment=s.augment.isChecked(), device=self.device)

    def stopped(self) -> bool:
        """The run was stopped before its end: its checkpoint holds what it learnt so far."""
        return self.run is not None and self.training_page.machine.state is State.STOPPED

    def unsaved_model(self) -> bool:
        """A trained model, or a stopped run's, that is neither saved nor discarded yet."""
        return self.run is not None and (self.run.trained or self.stopped()) and not self.run.finished

    def ask_unsaved(self) -> str:
        """SAVE, DISCARD or KEEP (also Escape): what to do on closing with the trained model, or with what a
        stopped run learnt so far (tests replace this)."""
        title, question, more, keep_text = STOPPED_QUESTION if self.stopped() else TRAINED_QUESTION
        box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=self)
        box.setInformativeText(more)
        save = box.addButton(QMessageBox.StandardButton.Save)
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        keep = box.addButton(keep_text, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(keep)
        box.exec()
        return {save: SAVE, discard: DISCARD}.get(box.clickedButton(), KEEP)

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        """Closing (Cancel, Escape, the window's close button) stops training between steps, keeping the
        checkpoint for a later resume; with a model not saved yet (trained, or a stopped run's), it asks
        first."""
        choice = KEEP
        if result != QDialog.DialogCode.Accepted and self._close_when_saved:
            return  # saving: it closes once saved
        if result != QDialog.DialogCode.Accepted and self.unsaved_model():
            choice = self.ask_unsaved()
            if choice == SAVE:
                # the wizard closes once the model is saved; if it cannot be, it stays open and says why
                self._close_when_saved = self.result_page.save_model()
                return
        self.training_page.act(Event.STOP)
        self.training.shutdown()
        if choice == DISCARD:
            recipe.discard(self.run)
        super().done(result)

    def _saved(self, path: str) -> None:
        if self._close_when_saved:
            self.accept()

    def _not_saved(self, message: str) -> None:
        self._close_when_saved = False  # the last page says why; the wizard stays open
