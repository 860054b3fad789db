"""Page 2: the start, the budget and the photo size, with the time estimate and the held-out photos. Its
button is "Start training": a commit page, so the run it starts is never started again from here."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWizard,
    QWizardPage,
)

from colorstudio.core import catalog
from colorstudio.core.text import plural
from colorstudio.core.training.recipe import describe_estimate, split_photos


class SettingsPage(QWizardPage):
    def __init__(self, training) -> None:
        super().__init__()
        self.training = training
        self.seconds_per_step = float("nan")
        self.setTitle("How long to learn")
        self.setSubTitle("Longer training usually helps, up to a point. You can pause, and stop at any time.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Start training")
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
        self.estimate.setWordWrap(True)
        self.held_out = QLabel()
        self.held_out.setWordWrap(True)
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
        self.val_split.setPrefix("about ")  # photos are held out by a hash of their names (stable as the
        self.val_split.setSuffix(" % held out")  # folder grows): a small folder's share differs a little
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
        form.addRow("", self.held_out)
        form.addRow(self.advanced)
        training.worker.estimated.connect(self._estimated)
        for signal in (self.minutes.valueChanged, self.epochs.valueChanged, self.by_time.toggled,
                       self.batch.valueChanged, self.val_split.valueChanged):
            signal.connect(self._show_estimate)
        self.size.currentIndexChanged.connect(self._measure)
        self.base.currentIndexChanged.connect(self._measure)

    def initializePage(self) -> None:  # noqa: N802
        self._measure()

    def split(self) -> tuple[list, list]:
        """(training, held-out) photos, by the split the run will use (``recipe.split_photos``)."""
        folder_page = self.wizard().folder_page
        usable = folder_page.report.usable if folder_page.report else []
        return split_photos(folder_page.folder.text(), usable, self.val_split.value() / 100)

    def _measure(self) -> None:
        self.estimate.setText("Measuring the speed of this computer…")
        self._show_held_out()
        self.training.estimate(self.base.currentData() or "", self.size.currentData(), self.batch.value(),
                               self.wizard().device)

    def _estimated(self, seconds: float) -> None:
        self.seconds_per_step = seconds
        self._show_estimate()

    def _show_held_out(self) -> tuple[list, list]:
        train, val = self.split()
        total = len(train) + len(val)
        share = f" ({len(val) / total:.0%})" if total else ""
        self.held_out.setText(f"{len(val)} of {plural(total, 'photo')} held out to check progress{share}; the "
                              f"model learns from the other {len(train)}.")
        return train, val

    def _show_estimate(self) -> None:
        train, _ = self._show_held_out()
        by_time = self.by_time.isChecked()
        self.estimate.setText(describe_estimate(self.seconds_per_step, len(train) // self.batch.value(),
                                                self.minutes.value() if by_time else 0,
                                                0 if by_time else self.epochs.value()))
