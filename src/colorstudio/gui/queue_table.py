"""The queue's table: a row a photo (thumbnail, name and size; status; output), names elided in the middle so
both ends stay readable. The Photo column's names come first: the Output column takes what room they leave,
up to what its own names need, so a wider list (by the window or its splitter) shows whole names in both."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from colorstudio.gui.queue_model import OUTPUT, PHOTO, STATUS, THUMB, QueueModel

OUTPUT_MIN = 110  # the Output column's least width


class QueueTable(QTableView):
    def __init__(self, model: QueueModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setIconSize(self.iconSize().expandedTo(QSize(THUMB, THUMB)))
        self.verticalHeader().setDefaultSectionSize(THUMB + 6)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(PHOTO, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(60)
        self.setColumnWidth(OUTPUT, OUTPUT_MIN)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "scan…001.jpg": both ends stay readable
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)  # Tab leaves the queue for the next control, as everywhere else
        self.setMinimumWidth(330)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        for signal in (model.modelReset, model.dataChanged, model.rowsInserted):
            signal.connect(self.fit_output)

    def fit_output(self, *_) -> None:
        """The Output column as wide as its names on show need, in the room the Photo column's names leave
        (at least ``OUTPUT_MIN``); the Photo column stretches over the rest."""
        # (sizeHintForColumn measures the rows on show only: cheap, even at every tile's progress)
        room = self.viewport().width() - self.columnWidth(STATUS) - self.sizeHintForColumn(PHOTO)
        width = max(OUTPUT_MIN, min(self.sizeHintForColumn(OUTPUT), room))
        if width != self.columnWidth(OUTPUT):
            self.setColumnWidth(OUTPUT, width)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.fit_output()
