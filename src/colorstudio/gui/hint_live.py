"""The hint tool's live preview in the window: while the tool is on, the After side follows every edit. A
change of the photo's reference photo (set, strength, removed) makes its After live too, tool on or off, until
the photo is colorized again (``reference_photo.GuidedPreview`` on the engine's side).

Each edit (and its undo or redo) asks the engine for a quick view at once: the hints spread over the chroma
the network gave once for the photo, at screen size (``core.hint_preview``). When the edits pause for
``EXACT_AFTER_MS``, it asks for the exact view too: the network sees the hints, as the batch will. Edits are
numbered; the engine keeps only the newest request (``threads.Latest``) and stops an exact view between tiles
when a newer edit arrives, so no edit is lost and none waits behind an older one.

The live view stands for the photo until the photo is colorized again (by the batch or Preview): it is what
the hints make now, not what was written. The live views of the last ``MAX_LIVE_VIEWS`` photos edited are
kept (each is a screen-size image pyramid); an older one is made again when its photo is shown with the tool
on.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque

from PySide6.QtCore import QObject, QTimer

from colorstudio.core.errors import ColorStudioError
from colorstudio.gui.photo_session import PhotoSession

EXACT_AFTER_MS = 600
MAX_LIVE_VIEWS = 3


class LivePreview(QObject):
    """Asks the engine for live views of the session's photo, and shows them on the viewer's After side."""

    def __init__(self, session: PhotoSession, engine, viewer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.engine, self.viewer = session, engine, viewer
        self.version = 0  # the newest edit's number (one count for the whole window)
        self._asked: OrderedDict[int, float] = OrderedDict()  # version -> when it was made (the last few)
        self._shown: OrderedDict[int, int] = OrderedDict()  # item id -> version on show (the last photos)
        self.referenced: set[int] = set()  # photos whose reference changed since they were last colorized
        self.afters: OrderedDict[int, object] = OrderedDict()  # item id -> its live After (Pyramid)
        # (version, edit-to-view seconds, exact) of the last views: measured
        self.timings: deque[tuple[int, float, bool]] = deque(maxlen=256)
        self._exact = QTimer(self)
        self._exact.setSingleShot(True)
        self._exact.setInterval(EXACT_AFTER_MS)
        self._exact.timeout.connect(lambda: self._send(exact=True))
        self._settings = QTimer(self)  # settings changes (a dragged strength slider) settle first
        self._settings.setSingleShot(True)
        self._settings.setInterval(300)
        self._settings.timeout.connect(self.update)
        engine.worker.hint_view_ready.connect(self._ready)
        engine.worker.hint_plain_ready.connect(session.set_plain)  # the photo being edited only
        session.photoChanged.connect(self.update)
        session.hintsChanged.connect(self._hints_changed)
        session.referenceChanged.connect(self._reference_changed)
        session.hintToolChanged.connect(lambda on: self.update() if on else None)

    @property
    def on(self) -> bool:
        """The After side of the photo on show is live: the hint tool is on, or its reference changed."""
        item = self.session.item
        return self.session.hint_tool_on or (item is not None and item.id in self.referenced)

    def _hints_changed(self, item_id: int) -> None:
        item = self.session.item
        if item is not None and item.id == item_id:
            self.update()

    def _reference_changed(self, item_id: int) -> None:
        self.referenced.add(item_id)
        self._hints_changed(item_id)

    def update(self) -> None:
        """The photo on show or its hints changed (or the tool was switched on): show them live."""
        if not self.on:
            return
        self.version += 1
        self._asked[self.version] = time.monotonic()
        while len(self._asked) > 64:  # views of older edits are overtaken, never shown
            self._asked.popitem(last=False)
        if self._send(exact=False):
            self._exact.start()

    def settings_changed(self) -> None:
        self.afters.clear()
        if self.on:
            self._settings.start()

    def _send(self, exact: bool) -> bool:
        try:
            request = self.session.request()
        except ColorStudioError as exc:
            self.session.message.emit(f"No live preview: {exc}.")
            return False
        if request is None:
            return False
        self.engine.preview_hints(request, self.version, exact)
        return True

    def _ready(self, view) -> None:
        if view.version < self._shown.get(view.id, -1):
            return  # an older edit's view, overtaken
        asked = self._asked.get(view.version)
        if asked is not None:
            self.timings.append((view.version, time.monotonic() - asked, view.exact))
        for kept, value, limit in ((self._shown, view.version, 64),
                                   (self.afters, view.after, MAX_LIVE_VIEWS)):
            kept.pop(view.id, None)
            kept[view.id] = value
            while len(kept) > limit:
                kept.popitem(last=False)
        current, viewer = self.session.item, self.viewer
        if self.on and current is not None and current.id == view.id and viewer.before is not None:
            viewer.set_images(viewer.before, view.after, keep_view=True)
            viewer.set_after_label("After (live)" if not view.exact else "After (live, exact)")

    def after_for(self, item_id: int):
        """The photo's live After, if its hints were edited since it was last colorized."""
        return self.afters.get(item_id)

    def drop(self, item_id: int) -> None:
        """The photo was colorized again: its own result stands for it now."""
        self.afters.pop(item_id, None)
        self._shown.pop(item_id, None)
        self.referenced.discard(item_id)
