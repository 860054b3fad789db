"""What the wizard's pages share: their ids, thumbnails, how scores are written, the default run name.
The pages are in ``folder_page``, ``settings_page``, ``training_page`` and ``result_page``."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from colorstudio.core.text import plural
from colorstudio.core.training.recipe import VALIDATION_PHOTOS, TrainingRun, runs_dir

FOLDER, SETTINGS, TRAINING, RESULT = range(4)  # page ids
SAMPLE = 150
MIN_PHOTOS = 20
# decimals of each score, the same on the live page and the last page
SCORE_DECIMALS = {"psnr": 2, "ssim": 3, "ciede2000": 2, "colourfulness_ratio": 2}


def pixmap(image, side: int = SAMPLE) -> QPixmap:
    return QPixmap.fromImage(image).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)


def score_text(scores: dict, key: str) -> str:
    value = scores.get(key, float("nan"))
    return f"{value:.{SCORE_DECIMALS[key]}f}" if value == value else "–"


def crops_measure(run: TrainingRun) -> str:
    """What the validation during training measures, in words: which photos, at which size."""
    photos = min(len(run.val), VALIDATION_PHOTOS)
    return f"centre crops at {run.size} px of {plural(photos, 'held-out photo')}"


def default_run_name() -> str:
    """my-photos-<date>-<time>; a second run within the minute gets -2 (-3...): never an earlier run's folder."""
    name = datetime.now().strftime("my-photos-%Y%m%d-%H%M")
    candidate, number = name, 1
    while (runs_dir() / candidate).exists():
        number += 1
        candidate = f"{name}-{number}"
    return candidate
