"""After Stop (issue 32, 10): what the run learnt so far can be compared and saved (Next), or resumed, and
closing the wizard asks about it before leaving it unsaved."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard
from test_wizard import colour_folder
from test_wizard_result import ASK_UNSAVED, answer_question, planned_run, wait_for_comparison

from colorstudio import paths
from colorstudio.core import catalog, checkpoint
from colorstudio.core.training import recipe, state_io
from colorstudio.gui.wizard.run_state import State
from colorstudio.gui.wizard.wizard import DISCARD, KEEP, SAVE, TrainingWizard

B = QWizard.WizardButton


@pytest.fixture(autouse=True)
def _never_a_modal_question(monkeypatch):
    """Closing a wizard with a model not saved asks; a test (or its teardown) must not hang on it."""
    monkeypatch.setattr(TrainingWizard, "ask_unsaved", lambda self: KEEP)


@pytest.fixture
def stopped(qtbot, tiny_model, tmp_path):
    """A wizard whose run was stopped after its first steps: a run planned earlier and opened to resume, so
    that no speed estimate is waited for and the photos are small (test_wizard.py stops one started from the
    pages)."""
    wizard = TrainingWizard(device="cpu", resume=planned_run(colour_folder(tmp_path / "family"), epochs=50))
    qtbot.addWidget(wizard)
    wizard.show()
    worker = wizard.training.worker
    steps = []
    worker.step.connect(lambda step, *a: steps.append(step))
    try:
        assert wizard.currentPage() is wizard.training_page
        qtbot.waitUntil(lambda: bool(steps), timeout=60000)
        with qtbot.waitSignal(worker.cancelled, timeout=30000):
            wizard.training_page.stop.click()
        assert wizard.training_page.machine.state is State.STOPPED
        yield wizard
    finally:
        wizard.training.shutdown()


def test_after_stop_next_compares_and_saves_the_model_learnt_so_far(qtbot, stopped, monkeypatch):
    wizard, page = stopped, stopped.training_page
    run = wizard.run
    assert wizard.button(B.NextButton).isEnabled()  # (before the fix: greyed out)
    assert page.resume_button.isVisible() and page.resume_button.isEnabled()  # resuming stays possible
    assert "Stopped" in page.time.text() and "Next compares" in page.time.text()
    wizard.button(B.NextButton).click()
    result = wizard.result_page
    assert wizard.currentPage() is result
    wait_for_comparison(qtbot, wizard)
    assert all(result.table.item(row, col).text() not in ("", "–") for row in range(5) for col in range(2))
    named = []
    wizard.model_saved.connect(named.append)
    result.name.setText("Stopped early")
    with qtbot.waitSignal(wizard.training.worker.saved, timeout=60000):
        result.save.click()
    assert named == ["Stopped early"]
    assert "Stopped early" in [entry.name for entry in catalog.list_models()]  # listed with the user's models
    saved, _ = checkpoint.load_model(paths.user_models_dir() / "Stopped early.safetensors")
    ema = state_io.load(run.run_dir / recipe.STATE_FILE)[0]["ema"]  # the EMA weights of the stop's checkpoint
    assert all(torch.equal(value, ema[key]) for key, value in saved.state_dict().items())
    assert recipe.unfinished_runs() == [] and recipe.unsaved_runs() == []  # saved: closed
    monkeypatch.setattr(TrainingWizard, "ask_unsaved", lambda self: pytest.fail("nothing unsaved to ask"))
    assert result.isComplete()
    wizard.button(B.FinishButton).click()
    assert not wizard.isVisible()


@pytest.mark.parametrize(("close", "choice"), [("cancel button", KEEP), ("escape", DISCARD),
                                                ("close button", SAVE)])
def test_closing_after_stop_asks_about_the_model_learnt_so_far(qtbot, stopped, monkeypatch, close, choice):
    wizard, run = stopped, stopped.run
    asked = []
    monkeypatch.setattr(TrainingWizard, "ask_unsaved", lambda self: (asked.append(self.stopped()), choice)[1])
    if close == "cancel button":
        wizard.button(B.CancelButton).click()
    elif close == "escape":
        QTest.keyClick(wizard, Qt.Key.Key_Escape)
    else:
        wizard.close()
    assert asked == [True]  # (before the fix: it closed without asking)
    if choice == SAVE:
        qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=60000)  # closed once saved
        assert (paths.user_models_dir() / f"{run.name}.safetensors").exists()
    assert not wizard.isVisible()
    assert (run.run_dir / recipe.STATE_FILE).exists() == (choice != DISCARD)  # discarding removes it
    # kept: the next start offers to resume it (window_dialogs.open_training_wizard asks about these)
    assert [r.name for r in recipe.unfinished_runs()] == ([run.name] if choice == KEEP else [])
    assert recipe.unsaved_runs() == []


def test_the_question_after_stop_says_the_run_can_be_resumed(qtbot, tmp_path):
    wizard = TrainingWizard(device="cpu")
    qtbot.addWidget(wizard)
    try:
        wizard.run = recipe.TrainingRun(name="stopped", folder=str(tmp_path), train=[], val=[])
        wizard.training_page.machine.state = State.STOPPED
        assert wizard.unsaved_model()
        seen = []
        QTimer.singleShot(0, lambda: answer_question("escape", seen))
        assert ASK_UNSAVED(wizard) == KEEP
        assert seen == [("Save the model learnt so far?", "Leave without saving the model learnt so far?",
                         "You can resume this run next time.", "Keep training later")]
    finally:
        wizard.training.shutdown()
