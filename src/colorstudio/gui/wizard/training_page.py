"""Page 3: the run, live: curves, held-out samples, Pause/Continue, Stop and Resume.

The page drives a ``RunMachine`` (``run_state``): every button and every answer of the training thread
is an event, the table decides, and only a transition it allows does anything (submits the run, sets the
pause or cancel flag); ``_render`` then sets all the buttons from the new state. Entering the page sends
"start", which only a run not started yet accepts: the run is started once. Back is not offered while the
run goes on (the settings page is a commit page), so the settings cannot be changed under a run. After
Stop, Next compares what the run learnt so far and saves it (the last page), and Back leads to the
settings: "Start training" there starts a new run, the stopped one staying resumable (its checkpoint).
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWizard, QWizardPage

from colorstudio.core.text import plural
from colorstudio.core.training import runlog
from colorstudio.core.training.recipe import TrainingRun, duration_text
from colorstudio.gui.wizard.curves import CurveChart
from colorstudio.gui.wizard.pages import crops_measure, pixmap, score_text
from colorstudio.gui.wizard.run_state import Event, RunMachine, State, controls

_SAYS = {  # the status line after each event the table allowed
    Event.START: "Preparing the photos…",
    Event.RESUME: "Preparing the photos…",
    Event.PAUSE: "Paused. Paused time does not count toward the time budget.",
    Event.CONTINUE: "Continuing…",
    Event.STOP: "Stopping after this step…",
    Event.CANCELLED: "Stopped. The last checkpoint is kept: Resume continues from it. Next compares the "
                     "model learnt so far with the one it started from, to save it.",
    Event.TRAINED: "Finished.",
}

_NO_VALIDATION_YET = "Validation: after the first pass over the photos."


class TrainingPage(QWizardPage):
    def __init__(self, training) -> None:
        super().__init__()
        self.training = training
        self.machine = RunMachine()
        self.setTitle("Learning your colours")
        self.setSubTitle("The main window stays usable. Closing the app keeps the last checkpoint, so you "
                         "can resume next time.")
        self.loss = CurveChart("Training loss")
        self.val = CurveChart("Colour error, held-out crops (CIEDE2000, lower is better)",
                              "#d9534f")
        self.metrics = QLabel(_NO_VALIDATION_YET)
        self.metrics.setWordWrap(True)
        self.time = QLabel("Starting…")
        self.time.setWordWrap(True)
        self.pause = QPushButton("Pause")
        self.pause.clicked.connect(lambda: self.act(Event.CONTINUE if self.machine.state is State.PAUSED
                                                    else Event.PAUSE))
        self.stop = QPushButton("Stop")
        self.stop.clicked.connect(lambda: self.act(Event.STOP))
        self.resume_button = QPushButton("Resume")
        self.resume_button.clicked.connect(lambda: self.act(Event.RESUME))
        self.samples = QGridLayout()
        for col, head in enumerate(("Gray", "Model", "Original")):
            self.samples.addWidget(QLabel(head), 0, col)
        buttons = QHBoxLayout()
        for b in (self.pause, self.stop, self.resume_button):
            buttons.addWidget(b)
        buttons.addWidget(self.time, 1)
        charts = QHBoxLayout()
        charts.addWidget(self.loss)
        charts.addWidget(self.val)
        layout = QVBoxLayout(self)
        layout.addLayout(charts, 2)
        layout.addWidget(self.metrics)
        layout.addLayout(self.samples, 1)
        layout.addLayout(buttons)
        w = training.worker
        # methods, not lambdas: a lambda would run on the training thread and touch widgets from there
        w.step.connect(self._step)
        w.epoch.connect(self._epoch)
        w.trained.connect(self._trained)
        w.notice.connect(self._notice)
        w.cancelled.connect(self._cancelled)
        w.failed.connect(self._failed)
        self._render()

    # -- the state machine ------------------------------------------------------------------------------
    def act(self, event: Event, message: str = "") -> bool:
        """Send ``event`` to the run; when the table allows it, do what it means and show the new state.
        Returns whether it was allowed (an event the table does not list is ignored)."""
        if self.machine.fire(event) is None:
            return False
        if event in (Event.START, Event.RESUME):
            self._submit(resume=self.wizard().resuming or event is Event.RESUME)
        elif event is Event.STOP:
            self.training.worker.cancel()  # a flag: must not queue behind the run
        self.training.worker.set_paused(self.machine.state is State.PAUSED)
        self._render(message or _SAYS.get(event, ""))
        return True

    def _render(self, message: str = "") -> None:
        """Every button and the status line, from the state: the one place that sets them."""
        c = controls(self.machine.state)
        self.pause.setEnabled(c.pause)
        self.pause.setText(c.pause_text)
        self.stop.setEnabled(c.stop)
        self.resume_button.setVisible(c.resume)
        self.resume_button.setEnabled(c.resume)
        if message:
            self.time.setText(message)
        self.completeChanged.emit()  # Next follows isComplete()
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:  # (a resumed run has no page before this one)
            wizard.button(QWizard.WizardButton.BackButton).setEnabled(c.back and len(wizard.visitedIds()) > 1)

    def isComplete(self) -> bool:  # noqa: N802
        return controls(self.machine.state).next

    # -- the run ----------------------------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802
        wizard = self.wizard()
        if self.machine.state is State.STOPPED:  # Back to the settings after Stop, then "Start training":
            self.machine = RunMachine()  # a new run; the stopped one stays on disk, resumable next time
            wizard.run, wizard.resuming = None, False
        if self.machine.state is State.NOT_STARTED:
            if wizard.run is None:
                wizard.run = wizard.make_run()
            self.show_history(wizard.run)
        self.act(Event.START)  # ignored unless the run has not started: never a second run

    def _submit(self, resume: bool) -> None:
        run = self.wizard().run
        run.save()
        self.training.train(run, resume)

    def show_history(self, run: TrainingRun) -> None:
        """The curves of the passes the run has made already (a resumed run), from its log; nothing of a
        run shown before it."""
        self.loss.clear()
        self.val.clear()
        self.metrics.setText(_NO_VALIDATION_YET)
        for row in range(1, self.samples.rowCount()):
            for col in range(self.samples.columnCount()):
                label = self.samples.itemAtPosition(row, col)
                if label is not None:
                    label.widget().clear()
        for entry in runlog.read(run.run_dir):
            self.loss.add(entry["step"], entry["loss"])
            self._show_validation(entry["epoch"], entry.get("val") or {})

    def _show_validation(self, epoch: int, val: dict) -> None:
        if not val:
            return
        self.val.add(epoch, val["ciede2000"])
        self.metrics.setText(
            f"After {plural(epoch, 'pass', 'passes')}, on {crops_measure(self.wizard().run)}: "
            f"CIEDE2000 {score_text(val, 'ciede2000')} · PSNR {score_text(val, 'psnr')} dB · "
            f"SSIM {score_text(val, 'ssim')} · colourfulness {score_text(val, 'colourfulness_ratio')} of "
            "the originals. (The last page also scores the whole photos.)")

    # -- from the training thread -----------------------------------------------------------------------
    def _step(self, step: int, loss: float, seconds: float, eta: float) -> None:
        self.loss.add(step, loss)
        if self.machine.state is State.RUNNING:
            self.time.setText(f"step {step} · {duration_text(seconds)} trained (pauses not counted) · "
                              f"about {duration_text(eta)} left")

    def _epoch(self, epoch: int, val: dict, samples: list) -> None:
        self._show_validation(epoch, val)
        for row, triple in enumerate(samples[:3], start=1):
            for col, image in enumerate(triple):
                label = self.samples.itemAtPosition(row, col)
                if label is None:
                    self.samples.addWidget(QLabel(), row, col)
                    label = self.samples.itemAtPosition(row, col)
                label.widget().setPixmap(pixmap(image, 110))

    def _notice(self, text: str) -> None:
        self.time.setText(text)

    def _trained(self, best: dict) -> None:
        self.act(Event.TRAINED)

    def _cancelled(self) -> None:
        self.act(Event.CANCELLED)

    def _failed(self, message: str) -> None:
        self.act(Event.FAILED, f"Training stopped: {message}. Resume continues from the last checkpoint.")
