"""How a caller follows and steers a long piece of work in core: a photo's render, a hint preview, a model
being made ready to run.

One ``RunControl`` travels down the calls (``Colorizer.render`` -> ``pipeline.colorize`` -> the tile loop)
instead of three loose callables. Each field has a default that does nothing, so a caller names only what it
listens for: ``RunControl(progress=bar.update)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from colorstudio.core.errors import Cancelled

log = logging.getLogger(__name__)


def _no_progress(done: int, total: int) -> None:
    pass


def _never() -> bool:
    return False


@dataclass(frozen=True)
class RunControl:
    """``progress(done, total)``: told after every batch of tiles. ``should_cancel()``: asked before every
    batch; True stops the work with ``Cancelled`` and nothing is returned. ``on_notice(message)``: told what
    the user should know (a retry after running out of memory, an engine falling back, an animation of which
    only the first frame is colorized); None when no one listens, and the notices that matter are logged."""

    progress: Callable[[int, int], None] = _no_progress
    should_cancel: Callable[[], bool] = _never
    on_notice: Callable[[str], None] | None = None
    # told when a photo's render moves to another step: "restoring" (``progress`` then counts the restoration's
    # tiles), then "colorizing" (the network's tiles); None when no one listens
    on_stage: Callable[[str], None] | None = None

    def stage(self, name: str) -> None:
        if self.on_stage is not None:
            self.on_stage(name)

    def check_cancelled(self) -> None:
        """Raise ``Cancelled`` if the caller asks to stop."""
        if self.should_cancel():
            raise Cancelled()

    def notice(self, message: str) -> None:
        """Tell ``message`` to whoever listens, or log it as a warning when no one does."""
        if self.on_notice is not None:
            self.on_notice(message)
        else:
            log.warning("%s", message)
