"""Screenshots of each page of the training wizard, for docs/ (run under Xvfb, like make_screenshots.py):

    DISPLAY=:99 .venv/bin/python docs/wizard_screenshots.py PHOTO_DIR [MINUTES]

Writes docs/wizard-1-folder.png ... docs/wizard-4-result.png.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent


class Shooter(QObject):
    """Takes each page's picture when the wizard's worker reports; slots, so they run on the GUI thread."""

    def __init__(self, wizard, minutes: float, app) -> None:
        super().__init__()
        self.wizard, self.minutes, self.app = wizard, minutes, app
        self.shot_settings = False

    def shoot(self, name: str) -> None:
        geometry = self.wizard.frameGeometry()
        crop = f"{geometry.width()}x{geometry.height()}+{geometry.x()}+{geometry.y()}"
        subprocess.run(["import", "-window", "root", "-crop", crop, str(HERE / name)], check=True)

    @Slot(object)
    def scanned(self, _report) -> None:
        QTimer.singleShot(800, lambda: (self.shoot("wizard-1-folder.png"), self.wizard.next()))

    @Slot(float)
    def estimated(self, _seconds) -> None:
        if self.wizard.currentPage() is self.wizard.settings_page and not self.shot_settings:
            self.shot_settings = True
            self.wizard.settings_page.minutes.setValue(max(1, int(self.minutes)))
            QTimer.singleShot(800, lambda: (self.shoot("wizard-2-settings.png"), self.wizard.next()))

    @Slot(int, dict, list)
    def epoch(self, n, _val, _samples) -> None:
        if n == 2:
            QTimer.singleShot(500, lambda: self.shoot("wizard-3-training.png"))

    @Slot(dict)
    def trained(self, _best) -> None:
        def later() -> None:
            if not (HERE / "wizard-3-training.png").exists():
                self.shoot("wizard-3-training.png")
            self.wizard.next()

        QTimer.singleShot(500, later)

    @Slot(dict, dict, list)
    def evaluated(self, *_args) -> None:
        QTimer.singleShot(1000, lambda: (self.shoot("wizard-4-result.png"), self.wizard.training.shutdown(),
                                         self.app.quit()))


def main() -> None:
    folder, minutes = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    app = QApplication(sys.argv[:1])
    from colorstudio.gui.app import apply_theme
    from colorstudio.gui.wizard.wizard import TrainingWizard

    apply_theme(app)
    wizard = TrainingWizard(device="cpu")
    wizard.move(20, 20)
    wizard.show()
    worker = wizard.training.worker
    shooter = Shooter(wizard, minutes, app)  # a QObject of the GUI thread: its slots run there
    worker.scanned.connect(shooter.scanned)
    worker.estimated.connect(shooter.estimated)
    worker.epoch.connect(shooter.epoch)
    worker.trained.connect(shooter.trained)
    worker.evaluated.connect(shooter.evaluated)
    (HERE / "wizard-3-training.png").unlink(missing_ok=True)
    QTimer.singleShot(500, lambda: wizard.folder_page.scan(folder))
    app.exec()


if __name__ == "__main__":
    main()
