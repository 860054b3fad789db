"""The queue's table: a row a photo (thumbnail, name and size; status; output), names elided in the middle so
both ends stay readable, the Output column as wide as its names need up to a share of the table (so widening
the list, by the window or its splitter, shows whole names in both columns)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from colorstudio.gui.queue_model import OUTPUT, PHOTO, STATUS, THUMB, QueueModel

OUTPUT_MIN, OUTPUT_SHARE = 110, 0.4  # the Output column's least width, and its most as a share of the table


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
        """The Output column as wide as the names on show need, between ``OUTPUT_MIN`` and ``OUTPUT_SHARE``
        of the table (the Photo column takes the rest)."""
        wanted = self.sizeHintForColumn(OUTPUT)  # (the rows on show only: cheap at every tile's progress)
        width = max(OUTPUT_MIN, min(wanted, int(self.viewport().width() * OUTPUT_SHARE)))
        if width != self.columnWidth(OUTPUT):
            self.setColumnWidth(OUTPUT, width)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.fit_output()
