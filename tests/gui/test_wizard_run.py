"""The wizard's training run as a state machine: every sequence of the user's clicks and the training
thread's answers leads to one state and one set of buttons, and a run is started once."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard
from test_wizard import _to_training, colour_folder

from colorstudio.core.training.photos import ScanReport
from colorstudio.core.training.recipe import TrainingRun
from colorstudio.gui.wizard.run_state import TRANSITIONS, Event, RunMachine, State
from colorstudio.gui.wizard.wizard import KEEP, TrainingWizard

B = QWizard.WizardButton
R, P, SG, SD, F, X = (State.RUNNING, State.PAUSED, State.STOPPING, State.STOPPED, State.FINISHED,
                      State.FAILED)

# What each state offers: (Pause enabled, its label), Stop, Resume (shown and enabled), Next, Back
BUTTONS = {
    R: ((True, "Pause"), True, False, False, False),
    P: ((True, "Continue"), True, False, False, False),
    SG: ((False, "Pause"), False, False, False, False),
    SD: ((False, "Pause"), False, True, True, True),  # Next: compare and save; Back: the settings
    F: ((False, "Pause"), False, False, True, False),
    X: ((False, "Pause"), False, True, False, False),
}

# Sequences of actions, each with the state and the number of train calls after it. "thread:" actions are
# the training thread's answers; the others are the user's clicks. Entering the page is the first start.
SEQUENCES = {
    "enter the page": [],
    "back and next during the run": [("back", R, 1), ("next", R, 1), ("back", R, 1)],
    "pause and continue": [("pause", P, 1), ("continue", R, 1), ("pause", P, 1)],
    "pause, back, next, continue": [("pause", P, 1), ("back", P, 1), ("next", P, 1), ("continue", R, 1)],
    "stop, then the thread stops": [("stop", SG, 1), ("thread: cancelled", SD, 1)],
    "stop twice": [("stop", SG, 1), ("stop", SG, 1), ("thread: cancelled", SD, 1)],
    "pause then stop": [("pause", P, 1), ("stop", SG, 1), ("thread: cancelled", SD, 1)],
    "a stopped run does not start by itself": [("stop", SG, 1), ("thread: cancelled", SD, 1), ("pause", SD, 1),
                                               ("stop", SD, 1), ("thread: cancelled", SD, 1)],
    "stop, resume, stop again": [("stop", SG, 1), ("thread: cancelled", SD, 1), ("resume", R, 2),
                                 ("resume", R, 2), ("stop", SG, 2), ("thread: cancelled", SD, 2)],
    "finished": [("thread: trained", F, 1), ("pause", F, 1), ("stop", F, 1), ("resume", F, 1),
                 ("thread: cancelled", F, 1), ("thread: failed", F, 1)],
    "stop as the run ends": [("stop", SG, 1), ("thread: trained", F, 1)],
    "failed, resume, finished": [("thread: failed", X, 1), ("back", X, 1), ("resume", R, 2),
                                 ("thread: trained", F, 2)],
    "cancel during the run": [("cancel", SG, 1)],
    "cancel while paused": [("pause", P, 1), ("cancel", SG, 1)],
    "cancel a stopped run": [("stop", SG, 1), ("thread: cancelled", SD, 1), ("cancel", SD, 1)],
}


@pytest.fixture(autouse=True)
def _never_a_modal_question(monkeypatch):
    """Closing a wizard with a trained model not saved asks; a test (or its teardown) must not hang on it."""
    monkeypatch.setattr(TrainingWizard, "ask_unsaved", lambda self: KEEP)


@pytest.fixture
def on_training_page(qtbot, tmp_path, monkeypatch):
    """A wizard on its training page, its training thread's calls recorded and not run."""
    w = TrainingWizard(device="cpu")
    qtbot.addWidget(w)
    trains = []
    monkeypatch.setattr(w.training, "submit",
                        lambda function, *args: trains.append(args) if function.__name__ == "train" else None)
    w.show()
    folder = tmp_path / "photos"
    w.folder_page.folder.setText(str(folder))
    w.folder_page.report = ScanReport(usable=[folder / f"p{i:02d}.png" for i in range(30)])  # never read
    w.next()
    commit = w.button(B.CommitButton)
    assert w.currentPage() is w.settings_page and commit.isVisible() and commit.text() == "Start training"
    commit.click()
    assert w.currentPage() is w.training_page
    yield w, trains
    w.training.shutdown()


def do(wizard, action: str) -> None:
    page, worker = wizard.training_page, wizard.training.worker
    clicks = {"back": wizard.button(B.BackButton), "next": wizard.button(B.NextButton),
              "cancel": wizard.button(B.CancelButton), "pause": page.pause, "continue": page.pause,
              "stop": page.stop, "resume": page.resume_button}
    if action in ("pause", "continue") and page.pause.isEnabled():
        assert page.pause.text() == action.capitalize()
    if action in clicks:
        clicks[action].click()  # does nothing when the button is disabled, as for the user
    elif action == "thread: cancelled":
        worker.cancelled.emit()
    elif action == "thread: trained":
        worker.trained.emit({})
    else:
        worker.failed.emit("out of memory")


def shown_buttons(wizard):
    page = wizard.training_page
    back = wizard.button(B.BackButton)
    return ((page.pause.isEnabled(), page.pause.text()), page.stop.isEnabled(),
            page.resume_button.isVisibleTo(page) and page.resume_button.isEnabled(),
            wizard.button(B.NextButton).isEnabled(), back.isVisibleTo(wizard) and back.isEnabled())


@pytest.mark.parametrize("sequence", list(SEQUENCES), ids=list(SEQUENCES))
def test_every_sequence_of_actions_gives_one_state_and_its_buttons(on_training_page, sequence):
    wizard, train_calls = on_training_page
    page, flags = wizard.training_page, wizard.training.worker.flags
    steps = [("enter", R, 1)] + SEQUENCES[sequence]
    for number, (action, state, calls) in enumerate(steps):
        if action != "enter":
            do(wizard, action)
        where = f"after {[a for a, _, _ in steps[1:number + 1]]}"
        assert page.machine.state is state, where
        assert shown_buttons(wizard) == BUTTONS[state], where
        assert len(train_calls) == calls, where  # a run is started once; only Resume starts it again
        assert flags.paused == (state is P), where
        if state in (R, P, SG):  # a running run is not cancelled (a resume resets it); a stopping one is
            assert flags._cancel.is_set() == (state is SG), where  # (should_cancel() would wait while paused)
        assert wizard.isVisible() == (action != "cancel"), where
    assert all(resume for _, resume in train_calls[1:])  # a resume continues from the checkpoint


def test_back_after_stop_leads_to_the_settings_where_a_new_run_starts(on_training_page):
    """(issue 32, 10) After Stop, Back leads to the settings; "Start training" there starts a new run with
    them, and the stopped run is left as it is (its checkpoint, resumable next time)."""
    wizard, train_calls = on_training_page
    for action in ("stop", "thread: cancelled", "back"):
        do(wizard, action)
    stopped = train_calls[0][0]
    commit = wizard.button(B.CommitButton)
    assert wizard.currentPage() is wizard.settings_page and commit.isVisible() and commit.text() == "Start training"
    wizard.settings_page.epochs.setValue(9)
    wizard.settings_page.by_epochs.setChecked(True)
    commit.click()
    page = wizard.training_page
    assert wizard.currentPage() is page and page.machine.state is R and shown_buttons(wizard) == BUTTONS[R]
    assert len(train_calls) == 2
    run, resume = train_calls[1]
    assert run is wizard.run and run.name != stopped.name and run.epochs == 9 and not resume
    assert page.metrics.text().startswith("Validation: after the first pass")  # nothing of the stopped run
    assert (stopped.run_dir / "run.json").exists()  # (a second run in the same minute: its own folder)


def test_a_resumed_run_stopped_again_offers_next_but_no_back(qtbot, tmp_path, monkeypatch):
    """A stopped run resumed from the main window opens on the training page: no settings page before it."""
    run = TrainingRun(name="my-photos-earlier", folder=str(tmp_path), train=["a.png"], val=["b.png"])
    w = TrainingWizard(device="cpu", resume=run)
    qtbot.addWidget(w)
    monkeypatch.setattr(w.training, "submit", lambda function, *args: None)
    w.show()
    try:
        assert w.currentPage() is w.training_page and w.training_page.machine.state is R
        for action in ("stop", "thread: cancelled"):
            do(w, action)
        assert w.button(B.NextButton).isEnabled() and not w.button(B.BackButton).isEnabled()
    finally:
        w.training.shutdown()


def test_the_table_ignores_what_it_does_not_list():
    machine = RunMachine()
    for event in Event:
        if event is not Event.START:
            assert machine.fire(event) is None and machine.state is State.NOT_STARTED
    assert machine.fire(Event.START) is State.RUNNING and machine.fire(Event.START) is None
    assert all(before is not State.FINISHED for before, _ in TRANSITIONS)  # the end: nothing leaves it


def test_back_and_next_during_a_real_run_do_not_start_another(qtbot, tiny_model, tmp_path):
    w = TrainingWizard(device="cpu")
    qtbot.addWidget(w)
    w.show()
    calls = []
    real_train = w.training.train
    w.training.train = lambda *args: (calls.append(args), real_train(*args))[1]
    steps, cancels = [], []
    worker = w.training.worker
    worker.step.connect(lambda step, *a: steps.append(step))
    worker.cancelled.connect(lambda: cancels.append(len(steps)))
    try:
        _to_training(qtbot, w, colour_folder(tmp_path / "family"), epochs=2)
        page = w.training_page
        qtbot.waitUntil(lambda: len(steps) >= 2, timeout=60000)
        assert "pauses not counted" in page.time.text()  # the time shown is training time
        back = w.button(B.BackButton)
        if back.isEnabled():
            back.click()  # (before the fix: the settings page, the run going on)
        w.button(B.NextButton).click()  # (before: back to the training page, a second run queued)
        assert w.currentPage() is page
        page.stop.click()
        qtbot.waitUntil(lambda: bool(cancels), timeout=30000)
        qtbot.wait(3000)  # (before: the queued second run began here, at step 1)
        assert "Stopped" in page.time.text() and page.resume_button.isVisible()
        assert len(steps) == cancels[0]  # no step after the stop
        assert steps == list(range(1, len(steps) + 1))  # one run: steps 1, 2, 3... never from 1 again
        assert len(calls) == 1
        page.resume_button.click()
        qtbot.waitUntil(page.isComplete, timeout=120000)
        qtbot.wait(1000)
        assert len(calls) == 2 and calls[1][1] is True  # the resume, from the checkpoint
        assert steps == list(range(1, len(steps) + 1)) and len(steps) == 2 * (len(w.run.train) // 4)
        xs = [x for x, _ in page.loss.points]
        assert xs == sorted(set(xs))  # one curve, no zig-zag
    finally:
        w.training.shutdown()
