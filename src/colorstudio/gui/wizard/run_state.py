"""The wizard's training run as a state machine: what the user and the training thread may do to it, and
which buttons each state offers. Plain Python (no Qt), so the table can be read and tested on its own.

A run is started once. The user's events (start, pause, continue, stop, resume) and the training
thread's answers (trained, cancelled, failed) go through ``TRANSITIONS``; an event the table does not
list for the current state is ignored, so a second "start" (the page entered again), a late "cancelled"
or a double click changes nothing. ``controls`` derives every button of the training page from the state,
in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class State(Enum):
    NOT_STARTED = "not started"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"  # asked to stop; the thread stops after the step in progress
    STOPPED = "stopped"  # the checkpoint is kept: resumable, or compared and saved as it is
    FINISHED = "finished"  # the budget is spent: the model can be compared and saved
    FAILED = "failed"  # an error ended it: resumable from the last checkpoint


class Event(Enum):
    START = "start"
    PAUSE = "pause"
    CONTINUE = "continue"
    STOP = "stop"
    RESUME = "resume"
    TRAINED = "trained"  # from the training thread: the run ended normally
    CANCELLED = "cancelled"  # from the training thread: it stopped at a stop request
    FAILED = "failed"  # from the training thread: an error ended it


_TRAINING = (State.RUNNING, State.PAUSED, State.STOPPING)  # the thread is working on the run

TRANSITIONS: dict[tuple[State, Event], State] = {
    (State.NOT_STARTED, Event.START): State.RUNNING,
    (State.RUNNING, Event.PAUSE): State.PAUSED,
    (State.PAUSED, Event.CONTINUE): State.RUNNING,
    (State.RUNNING, Event.STOP): State.STOPPING,
    (State.PAUSED, Event.STOP): State.STOPPING,
    (State.STOPPED, Event.RESUME): State.RUNNING,
    (State.FAILED, Event.RESUME): State.RUNNING,
    # the thread's answers; "trained" after a stop request: the run ended before it saw the request
    **{(state, Event.TRAINED): State.FINISHED for state in _TRAINING},
    **{(state, Event.CANCELLED): State.STOPPED for state in _TRAINING},
    **{(state, Event.FAILED): State.FAILED for state in _TRAINING},
}


@dataclass(frozen=True)
class Controls:
    """The training page's buttons in a state: enabled (shown, for Resume) or not, and Pause's label."""

    pause: bool
    pause_text: str
    stop: bool
    resume: bool
    next: bool
    back: bool


def controls(state: State) -> Controls:
    """Next leads to the last page (compare and save) once the run has finished, or has stopped: then what
    it learnt so far is in its checkpoint. Back is offered only once the run has stopped (the settings page
    is a commit page): the settings then start a new run, and the stopped one stays resumable."""
    return Controls(pause=state in (State.RUNNING, State.PAUSED),
                    pause_text="Continue" if state is State.PAUSED else "Pause",
                    stop=state in (State.RUNNING, State.PAUSED),
                    resume=state in (State.STOPPED, State.FAILED),
                    next=state in (State.STOPPED, State.FINISHED),
                    back=state is State.STOPPED)


class RunMachine:
    def __init__(self, state: State = State.NOT_STARTED) -> None:
        self.state = state

    def fire(self, event: Event) -> State | None:
        """The new state when the table allows ``event`` now, else None (and nothing changes)."""
        after = TRANSITIONS.get((self.state, event))
        if after is not None:
            self.state = after
        return after
