"""Page 4: the new model against the one it started from, on the held-out photos, and saving it.

Two measures, each labelled: the whole photos through the full colorizing pipeline (what the main window
will give), and the measure of the chart on the training page (centre crops at the training size of the
same photos), whose "Your new model" value is the chart's last point."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from colorstudio.core import model_files
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.text import plural
from colorstudio.gui.wizard.pages import crops_measure, pixmap, score_text

ROWS = (("psnr", "PSNR (dB, higher is better)"), ("ssim", "SSIM (higher is better)"),
        ("ciede2000", "Colour error CIEDE2000 (lower is better)"),
        ("colourfulness_ratio", "Colourfulness vs originals"))
CROPS_ROW = len(ROWS)  # CIEDE2000 as measured during training


class ResultPage(QWizardPage):
    def __init__(self, training) -> None:
        super().__init__()
        self.training = training
        self.saved_path: str | None = None
        self.setTitle("Did it help?")
        self.setSubTitle("Your new model against the one it started from, on photos it has not seen.")
        self.measure = QLabel()
        self.measure.setWordWrap(True)
        self.table = QTableWidget(len(ROWS) + 1, 2)
        self.table.setHorizontalHeaderLabels(["Started from", "Your new model"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)  # no empty rows
        self.table.setVerticalHeaderLabels([label for _, label in ROWS] +
                                           ["CIEDE2000 on centre crops (as on the previous page)"])
        rows_height = self.table.rowCount() * self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + rows_height
                                    + 2 * self.table.frameWidth() + 2)  # every row shows, on a small screen too
        self.table.setMaximumHeight(max(180, self.table.minimumHeight()))
        self.samples = QGridLayout()
        for col, head in enumerate(("Gray", "Started from", "Your new model", "Original")):
            self.samples.addWidget(QLabel(head), 0, col)
        self.name = QLineEdit()
        self.save = QPushButton("Save model")
        self.save.clicked.connect(self.save_model)
        self.status = QLabel("Comparing…")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Name"))
        row.addWidget(self.name, 1)
        row.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.measure)
        layout.addWidget(self.table)
        layout.addLayout(self.samples)
        layout.addLayout(row)
        layout.addWidget(self.status)
        training.worker.evaluated.connect(self._evaluated)
        training.worker.saved.connect(self._saved)
        training.worker.result_failed.connect(self._failed)

    def initializePage(self) -> None:  # noqa: N802
        run = self.wizard().run
        self.name.setText(run.name)
        self.measure.setText("")
        self.status.setText("Comparing the two models on your held-out photos…")
        self.training.evaluate(run)

    def _evaluated(self, result, samples: list) -> None:
        run = self.wizard().run
        self.measure.setText(
            f"The first {len(ROWS)} rows: {plural(result.photos, 'held-out photo')}, whole, through the full "
            f"colorizing pipeline, as the main window colorizes. The last row: {crops_measure(run)}, as the "
            "chart on the previous page measured them; for your new model it is the chart's last point.")
        columns = ((result.base, result.crops_base), (result.new, result.crops_new))
        for col, (scores, crops) in enumerate(columns):
            for row, (key, _) in enumerate(ROWS):
                self.table.setItem(row, col, QTableWidgetItem(score_text(scores, key)))
            self.table.setItem(CROPS_ROW, col, QTableWidgetItem(score_text(crops, "ciede2000")))
        self.status.setText("Your model's colours are closer to the originals." if result.improved else
                            "Your model is not closer to the originals than the one it started from; "
                            "more photos or more time may help.")
        for row, images in enumerate(samples, start=1):
            for col, image in enumerate(images):
                label = QLabel()
                label.setPixmap(pixmap(image, 130))
                self.samples.addWidget(label, row, col)

    def save_model(self) -> bool:
        """Save the model under the name typed (the run's name if none); False when it cannot be started."""
        try:
            target = model_files.new_model_path(self.name.text() or self.wizard().run.name)
        except ColorStudioError as exc:
            self.status.setText(str(exc))
            return False
        self.save.setEnabled(False)
        self.training.save(self.wizard().run, str(target))
        return True

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        self.save.setEnabled(True)

    def _saved(self, path: str) -> None:
        self.saved_path = path
        self.status.setText(f"Saved as {Path(path).stem}. It is in the main window's model list now.")
        self.wizard().model_saved.emit(Path(path).stem)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.saved_path is not None
