"""The About box: the version, what colorstudio does, and the card of the active model (readable, scrolling)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from colorstudio import __version__
from colorstudio.gui.model_card import card_dialog, show_model_card

__all__ = ["show_about", "show_model_card"]  # Help > About, and Help > the active model's card

INTRO = ("<h2>colorstudio {version}</h2><p>colorstudio brings old black-and-white photographs back to life, on "
         "your own computer: a neural network predicts the colours from the photo's lightness, and the photo's "
         "own full-resolution lightness is kept. The colours are a machine's guess, not a record of the real "
         "ones, and every photo it writes says in its metadata that it was colorized.</p>"
         "<p><b>The active model</b></p>")


def show_about(parent: QWidget | None, model_name: str) -> QDialog:
    """Help > About: shown without blocking (a resizable window that scrolls); returns it."""
    return card_dialog(parent, "About colorstudio", model_name, INTRO.format(version=__version__))
