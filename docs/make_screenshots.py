"""Screenshots of the real window for the README: mid-batch, and a finished photo at the split view.

Run under a real X server (Xvfb) so the window manager-free screen is captured with ImageMagick:

    Xvfb :99 -screen 0 1440x900x24 & DISPLAY=:99 .venv/bin/python docs/make_screenshots.py PHOTO_DIR

Writes docs/screenshot-batch.png and docs/screenshot-split.png.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent


def main() -> None:
    photos = sorted(Path(sys.argv[1]).glob("*.jpg"))[: int(sys.argv[2]) if len(sys.argv) > 2 else 8]
    app = QApplication(sys.argv[:1])
    from colorstudio.core.queue import Status
    from colorstudio.gui.app import apply_theme
    from colorstudio.gui.main_window import MainWindow

    apply_theme(app)
    window = MainWindow()
    window.settings_panel.output_folder.setText(tempfile.mkdtemp(prefix="colorstudio-shots-"))
    window.settings_panel.overwrite.setChecked(True)
    window.resize(1400, 860)
    window.move(20, 20)
    window.show()
    window.add_paths(photos)

    def shoot(name: str) -> None:
        subprocess.run(["import", "-window", "root", "-crop", "1420x880+10+10", str(HERE / name)], check=True)

    def wait_mid() -> None:
        if window.queue_model.queue.counts()[Status.DONE] >= 2 and window.runner.running:
            window.table.selectRow(1)
            QTimer.singleShot(700, lambda: shoot("screenshot-batch.png"))
            return
        QTimer.singleShot(100, wait_mid)

    def wait_end() -> None:
        if not window.runner.running and window.queue_model.queue.unfinished() == 0:
            window.table.selectRow(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
            window.viewer.split = 0.45

            def final() -> None:
                shoot("screenshot-split.png")
                window.shutdown()
                app.quit()

            QTimer.singleShot(1500, final)
            return
        QTimer.singleShot(300, wait_end)

    window.engine.worker.model_ready.connect(window.runner.start)  # a QObject method: runs on the GUI thread
    QTimer.singleShot(500, wait_mid)
    QTimer.singleShot(600, wait_end)
    app.exec()


if __name__ == "__main__":
    main()
