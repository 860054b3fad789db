"""Render resources/colorstudio.svg into the icon files the platforms want: PNG sizes, .ico and .icns.

    .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(ROOT / "resources" / "colorstudio.svg"))
    out = ROOT / "resources" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    pngs = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        path = out / f"colorstudio-{size}.png"
        image.save(str(path))
        pngs[size] = path
    big = Image.open(pngs[256])
    big.save(out / "colorstudio.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    Image.open(pngs[512]).save(out / "colorstudio.icns")
    print(f"wrote {len(pngs)} PNGs, colorstudio.ico and colorstudio.icns to {out}")
    del app


if __name__ == "__main__":
    main()
