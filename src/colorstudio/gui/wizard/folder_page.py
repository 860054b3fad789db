"""Page 1: the folder of colour photos, checked on the training thread; and the offer to compare and save
a model trained earlier and kept for later."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from colorstudio.core.text import plural
from colorstudio.core.training.recipe import TrainingRun
from colorstudio.gui.window_state import last_folder, remember_folder
from colorstudio.gui.wizard.pages import MIN_PHOTOS, RESULT


class FolderPage(QWizardPage):
    def __init__(self, training) -> None:
        super().__init__()
        self.training = training
        self.report = None
        self._offered: TrainingRun | None = None  # a trained run kept for later...
        self.unsaved: TrainingRun | None = None  # ...once the user chose to open it
        self._scanned_folder = ""
        self.setTitle("Your colour photos")
        self.setSubTitle("Choose a folder of colour photos of the same people, places and decades as your "
                         "black and white ones. Sub-folders are included.")
        self.offer = QLabel()
        self.offer.setWordWrap(True)
        self.offer_button = QPushButton("Compare and save it")
        self.offer_button.clicked.connect(self._open_unsaved)
        offer_row = QHBoxLayout()
        offer_row.addWidget(self.offer, 1)
        offer_row.addWidget(self.offer_button)
        self.offer.hide()
        self.offer_button.hide()
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Folder of colour photos")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.folder.editingFinished.connect(self._typed)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.summary = QLabel("No folder chosen yet.")
        self.summary.setWordWrap(True)
        self.thumbs = QHBoxLayout()
        self.skipped = QListWidget()
        self.skipped.setMaximumHeight(140)
        layout = QVBoxLayout(self)
        layout.addLayout(offer_row)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addLayout(self.thumbs)
        layout.addWidget(QLabel("Photos that will not be used, and why:"))
        layout.addWidget(self.skipped)
        training.worker.scanned.connect(self._scanned)
        training.worker.scan_failed.connect(self._failed)

    # -- a model trained earlier, not saved yet ----------------------------------------------------------
    def offer_unsaved(self, run: TrainingRun) -> None:
        """Offer to go straight to the last page with ``run``, whose training ended but whose model was not
        saved (the user kept it for later)."""
        self.offer.setText(f"The training run on {run.folder} finished, but its model was not saved yet. "
                           "Compare it with the model it started from, and save it?")
        self.offer.show()
        self.offer_button.show()
        self._offered = run

    def _open_unsaved(self) -> None:
        self.unsaved = self._offered
        self.wizard().adopt(self.unsaved)
        self.wizard().next()  # nextId() leads to the last page

    def nextId(self) -> int:  # noqa: N802 - Qt API
        return RESULT if self.unsaved is not None else super().nextId()

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        return self.unsaved is not None or self.isComplete()

    # -- the folder -------------------------------------------------------------------------------------
    def _typed(self) -> None:
        if self.folder.text() != self._scanned_folder:
            self.scan(self.folder.text())

    def _browse(self) -> None:
        typed = self.folder.text()
        start = typed if typed and Path(typed).is_dir() else last_folder("training")
        folder = QFileDialog.getExistingDirectory(self, "Folder of colour photos", start)
        if folder:
            remember_folder("training", folder)
            self.scan(folder)

    def scan(self, folder: str) -> None:
        if not folder:
            return
        self.folder.setText(folder)
        self._scanned_folder = folder
        self.report = None
        self.summary.setText("Looking at the photos…")
        self.skipped.clear()
        self.completeChanged.emit()
        self.training.scan(folder)

    def _failed(self, message: str) -> None:
        self.summary.setText(message)
        self.completeChanged.emit()

    def _scanned(self, report) -> None:
        self.report = report
        usable = len(report.usable)
        reasons = ", ".join(f"{n} {why}" for why, n in report.reasons().items())
        text = f"{plural(usable, 'usable colour photo')}."
        if reasons:
            text += f" Not used: {reasons}."
        if usable < MIN_PHOTOS:
            text += (f"\nAt least {MIN_PHOTOS} usable colour photos are needed to learn from; "
                     "add more photos to the folder, or choose another one.")
        self.summary.setText(text)
        for path, reason in report.skipped[:200]:
            self.skipped.addItem(f"{path.name}: {reason}")
        while self.thumbs.count():
            self.thumbs.takeAt(0).widget().deleteLater()
        for path in report.usable[:6]:
            reader = QImageReader(str(path))
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid():
                reader.setScaledSize(size.scaled(96, 96, Qt.AspectRatioMode.KeepAspectRatio))
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(reader.read()))
            self.thumbs.addWidget(label)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.report is not None and len(self.report.usable) >= MIN_PHOTOS
