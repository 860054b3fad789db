"""The About box, with the model card of the active model."""

from __future__ import annotations

import html
import json

from PySide6.QtWidgets import QMessageBox, QWidget

from colorstudio import __version__
from colorstudio.core import catalog


def show_about(parent: QWidget, model_name: str) -> None:
    try:
        entry = catalog.resolve_model(model_name or None)
        card = json.dumps(entry.card, indent=1)[:1800]
    except Exception as exc:  # noqa: BLE001 - shown as text
        card = str(exc)
    QMessageBox.about(parent, "About colorstudio",
                      f"<h3>colorstudio {__version__}</h3><p>Brings old black-and-white photographs back to "
                      f"life, on your own computer. Colours are a machine's guess, and every output says so in "
                      f"its metadata.</p><p><b>Active model</b></p><pre>{html.escape(card)}</pre>")
