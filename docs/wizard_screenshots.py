"""Screenshots of each page of the training wizard, for docs/ (run under Xvfb, like make_screenshots.py):

    DISPLAY=:99 .venv/bin/python docs/wizard_screenshots.py PHOTO_DIR [MINUTES]

Writes docs/wizard-1-folder.png ... docs/wizard-4-result.png.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent


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

    def shoot(name: str) -> None:
        geometry = wizard.frameGeometry()
        crop = f"{geometry.width()}x{geometry.height()}+{geometry.x()}+{geometry.y()}"
        subprocess.run(["import", "-window", "root", "-crop", crop, str(HERE / name)], check=True)

    def scanned(_report) -> None:
        QTimer.singleShot(800, lambda: (shoot("wizard-1-folder.png"), wizard.next()))

    def estimated(_seconds) -> None:
        if wizard.currentPage() is wizard.settings_page and not hasattr(wizard, "_shot2"):
            wizard._shot2 = True
            wizard.settings_page.minutes.setValue(max(1, int(minutes)))
            QTimer.singleShot(800, lambda: (shoot("wizard-2-settings.png"), wizard.next()))

    def epoch(n, val, samples) -> None:
        if n == 2:
            QTimer.singleShot(500, lambda: shoot("wizard-3-training.png"))

    def trained(_best) -> None:
        QTimer.singleShot(500, lambda: (shoot("wizard-3-training.png") if not (HERE / "wizard-3-training.png").exists()
                                        else None, wizard.next()))

    def evaluated(*_args) -> None:
        QTimer.singleShot(1000, lambda: (shoot("wizard-4-result.png"), wizard.training.shutdown(), app.quit()))

    worker.scanned.connect(scanned)
    worker.estimated.connect(estimated)
    worker.epoch.connect(epoch)
    worker.trained.connect(trained)
    worker.evaluated.connect(evaluated)
    (HERE / "wizard-3-training.png").unlink(missing_ok=True)
    QTimer.singleShot(500, lambda: wizard.folder_page.scan(folder))
    app.exec()


if __name__ == "__main__":
    main()
