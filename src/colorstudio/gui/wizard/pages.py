"""The wizard's pages: folder, settings, training, result."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QRadioButton,
                               QHeaderView, QSizePolicy, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWizardPage)

from colorstudio.core import catalog, model_files
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.text import plural
from colorstudio.core.training.recipe import describe_estimate, duration_text
from colorstudio.gui.wizard.curves import CurveChart

SAMPLE = 150
MIN_PHOTOS = 20


def _pixmap(image, side: int = SAMPLE) -> QPixmap:
    return QPixmap.fromImage(image).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)


class FolderPage(QWizardPage):
    def __init__(self, training) -> None:
        super().__init__()
        self.training = training
        self.report = None
        self._scanned_folder = ""
        self.setTitle("Your colour photos")
        self.setSubTitle("Choose a folder of colour photos of the same people, places and decades as your black "
                         "and white ones. Sub-folders are included.")
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
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addLayout(self.thumbs)
        layout.addWidget(QLabel("Photos that will not be used, and why:"))
        layout.addWidget(self.skipped)
        training.worker.scanned.connect(self._scanned)
        training.worker.scan_failed.connect(self._failed)

    def _typed(self) -> None:
        if self.folder.text() != self._scanned_folder:
            self.scan(self.folder.text())

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of colour photos", self.folder.text())
        if folder:
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


class SettingsPage(QWizardPage):
    def __init__(self, training) -> None:
        super().__init__()
        self.training = training
        self.seconds_per_step = float("nan")
        self.setTitle("How long to learn")
        self.setSubTitle("Longer training usually helps, up to a point. You can pause, and stop at any time.")
        self.base = QComboBox()
        for entry in catalog.list_models():
            self.base.addItem(entry.title + (" (yours)" if entry.source == "user" else ""), entry.name)
        self.by_time = QRadioButton("Time budget")
        self.by_time.setChecked(True)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(20)
        self.minutes.setSuffix(" min")
        self.by_epochs = QRadioButton("Passes over the photos (epochs)")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1000)
        self.epochs.setValue(5)
        self.size = QComboBox()
        for px in (160, 224, 256):
            self.size.addItem(f"{px} px", px)
        self.size.setCurrentIndex(1)
        self.estimate = QLabel("Measuring the speed of this computer…")
        self.advanced = QGroupBox("Advanced")
        self.advanced.setCheckable(True)
        self.advanced.setChecked(False)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(6)
        self.lr.setRange(0, 0.01)
        self.lr.setSingleStep(0.0001)
        self.lr.setSpecialValueText("automatic")
        self.batch = QSpinBox()
        self.batch.setRange(1, 128)
        self.batch.setValue(16)
        self.val_split = QSpinBox()
        self.val_split.setRange(5, 50)
        self.val_split.setValue(10)
        self.val_split.setSuffix(" % held out")
        self.augment = QCheckBox("Random crops, scales and flips")
        self.augment.setChecked(True)
        adv = QFormLayout(self.advanced)
        adv.addRow("Learning rate", self.lr)
        adv.addRow("Batch size", self.batch)
        adv.addRow("Validation photos", self.val_split)
        adv.addRow("Augmentation", self.augment)
        form = QFormLayout(self)
        form.addRow("Start from", self.base)
        form.addRow(self.by_time, self.minutes)
        form.addRow(self.by_epochs, self.epochs)
        form.addRow("Photo size", self.size)
        form.addRow("", self.estimate)
        form.addRow(self.advanced)
        training.worker.estimated.connect(self._estimated)
        for signal in (self.minutes.valueChanged, self.epochs.valueChanged, self.by_time.toggled,
                       self.batch.valueChanged):
            signal.connect(self._show_estimate)
        self.size.currentIndexChanged.connect(self._measure)
        self.base.currentIndexChanged.connect(self._measure)

    def initializePage(self) -> None:  # noqa: N802
        self._measure()

    def _measure(self) -> None:
        self.estimate.setText("Measuring the speed of this computer…")
        self.training.estimate(self.base.currentData() or "", self.size.currentData(), self.batch.value(),
                               self.wizard().device)

    def _estimated(self, seconds: float) -> None:
        self.seconds_per_step = seconds
        self._show_estimate()

    def _show_estimate(self) -> None:
        report = self.wizard().page(0).report
        photos = len(report.usable) if report else 0
        steps_per_epoch = int(photos * (1 - self.val_split.value() / 100)) // self.batch.value()
        by_time = self.by_time.isChecked()
        self.estimate.setText(describe_estimate(self.seconds_per_step, steps_per_epoch,
                                                self.minutes.value() if by_time else 0,
                                                0 if by_time else self.epochs.value()))


class TrainingPage(QWizardPage):
    def __init__(self, training) -> None:
        super().__init__()
        self.training = training
        self.done = False
        self.setTitle("Learning your colours")
        self.setSubTitle("The main window stays usable. Closing the app keeps the last checkpoint, so you can "
                         "resume next time.")
        self.loss = CurveChart("Training loss")
        self.val = CurveChart("Colour error on held-out photos (CIEDE2000, lower is better)", "#d9534f")
        self.metrics = QLabel("Validation: after the first pass over the photos.")
        self.time = QLabel("Starting…")
        self.pause = QPushButton("Pause")
        self.pause.setCheckable(True)
        self.pause.toggled.connect(self._pause)
        self.stop = QPushButton("Stop")
        self.stop.clicked.connect(lambda: self.training.worker.cancel())  # a flag: must not queue behind training
        self.resume_button = QPushButton("Resume")
        self.resume_button.hide()
        self.resume_button.clicked.connect(lambda: self.start(resume=True))
        self.samples = QGridLayout()
        for col, head in enumerate(("Gray", "Model", "Original")):
            self.samples.addWidget(QLabel(head), 0, col)
        buttons = QHBoxLayout()
        for b in (self.pause, self.stop, self.resume_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.time)
        charts = QHBoxLayout()
        charts.addWidget(self.loss)
        charts.addWidget(self.val)
        layout = QVBoxLayout(self)
        layout.addLayout(charts, 2)
        layout.addWidget(self.metrics)
        layout.addLayout(self.samples, 1)
        layout.addLayout(buttons)
        w = training.worker
        w.step.connect(self._step)
        w.epoch.connect(self._epoch)
        w.trained.connect(self._trained)
        w.notice.connect(self.time.setText)
        # methods, not lambdas: a lambda would run on the training thread and touch widgets from there
        w.cancelled.connect(self._cancelled)
        w.failed.connect(self._failed)

    def initializePage(self) -> None:  # noqa: N802
        wizard = self.wizard()
        if wizard.run is None:
            wizard.run = wizard.make_run()
        self.start(resume=wizard.resuming)

    def start(self, resume: bool) -> None:
        self.done = False
        self.resume_button.hide()
        self.stop.setEnabled(True)
        self.pause.setEnabled(True)
        self.time.setText("Preparing the photos…")
        self.wizard().run.save()
        self.training.train(self.wizard().run, resume)
        self.completeChanged.emit()

    def _pause(self, paused: bool) -> None:
        self.training.worker.set_paused(paused)
        self.pause.setText("Continue" if paused else "Pause")

    def _step(self, step: int, loss: float, seconds: float, eta: float) -> None:
        self.loss.add(step, loss)
        self.time.setText(f"step {step} · {duration_text(seconds)} elapsed · about {duration_text(eta)} left")

    def _epoch(self, epoch: int, val: dict, samples: list) -> None:
        if val:
            self.val.add(epoch, val["ciede2000"])
            self.metrics.setText(f"After {plural(epoch, 'pass', 'passes')}: PSNR {val['psnr']:.2f} dB · "
                                 f"SSIM {val['ssim']:.3f} · CIEDE2000 {val['ciede2000']:.2f} · "
                                 f"colourfulness {val['colourfulness_ratio']:.2f} of the originals")
        for row, triple in enumerate(samples[:3], start=1):
            for col, image in enumerate(triple):
                label = self.samples.itemAtPosition(row, col)
                if label is None:
                    self.samples.addWidget(QLabel(), row, col)
                    label = self.samples.itemAtPosition(row, col)
                label.widget().setPixmap(_pixmap(image, 110))

    def _trained(self, best: dict) -> None:
        self.done = True
        self.time.setText("Finished.")
        self.stop.setEnabled(False)
        self.pause.setEnabled(False)
        self.completeChanged.emit()

    def _cancelled(self) -> None:
        self._stopped("Stopped. The last checkpoint is kept: Resume continues from it.")

    def _failed(self, message: str) -> None:
        self._stopped(f"Training stopped: {message}")

    def _stopped(self, message: str) -> None:
        self.time.setText(message)
        self.stop.setEnabled(False)
        self.pause.setEnabled(False)
        self.resume_button.show()

    def isComplete(self) -> bool:  # noqa: N802
        return self.done


class ResultPage(QWizardPage):
    def __init__(self, training) -> None:
        super().__init__()
        self.training = training
        self.saved_path: str | None = None
        self.setTitle("Did it help?")
        self.setSubTitle("Your new model against the one it started from, on photos it has not seen.")
        self.table = QTableWidget(4, 2)
        self.table.setHorizontalHeaderLabels(["Started from", "Your new model"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)  # no empty rows
        self.table.setVerticalHeaderLabels(["PSNR (dB, higher is better)", "SSIM (higher is better)",
                                            "Colour error CIEDE2000 (lower is better)", "Colourfulness vs originals"])
        self.table.setMaximumHeight(150)
        self.samples = QGridLayout()
        for col, head in enumerate(("Gray", "Started from", "Your new model", "Original")):
            self.samples.addWidget(QLabel(head), 0, col)
        self.name = QLineEdit()
        self.save = QPushButton("Save model")
        self.save.clicked.connect(self._save)
        self.status = QLabel("Comparing…")
        row = QHBoxLayout()
        row.addWidget(QLabel("Name"))
        row.addWidget(self.name, 1)
        row.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(self.samples)
        layout.addLayout(row)
        layout.addWidget(self.status)
        training.worker.evaluated.connect(self._evaluated)
        training.worker.saved.connect(self._saved)
        training.worker.failed.connect(self._failed)

    def initializePage(self) -> None:  # noqa: N802
        run = self.wizard().run
        self.name.setText(run.name)
        self.status.setText("Comparing the two models on your held-out photos…")
        self.training.evaluate(run)

    def _evaluated(self, base: dict, new: dict, samples: list) -> None:
        keys = ("psnr", "ssim", "ciede2000", "colourfulness_ratio")
        for col, scores in enumerate((base, new)):
            for row, key in enumerate(keys):
                self.table.setItem(row, col, QTableWidgetItem(f"{scores.get(key, float('nan')):.3f}"))
        better = new.get("ciede2000", 1e9) < base.get("ciede2000", 0)
        self.status.setText("Your model's colours are closer to the originals." if better else
                            "Your model is not closer to the originals than the one it started from; "
                            "more photos or more time may help.")
        for row, images in enumerate(samples, start=1):
            for col, image in enumerate(images):
                label = QLabel()
                label.setPixmap(_pixmap(image, 130))
                self.samples.addWidget(label, row, col)

    def _save(self) -> None:
        try:
            target = model_files.new_model_path(self.name.text())
        except ColorStudioError as exc:
            self.status.setText(str(exc))
            return
        self.save.setEnabled(False)
        self.training.save(self.wizard().run, str(target))

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


def default_run_name() -> str:
    return datetime.now().strftime("my-photos-%Y%m%d-%H%M")

