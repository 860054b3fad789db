"""Model cards as a person reads them: the card view, the About box and the active model's card window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QLabel, QTextBrowser, QWidget

from colorstudio import __version__
from colorstudio.core import catalog

SHIPPED = "colorstudio-unet-v1"


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture(autouse=True)
def _no_blocking_message_box(monkeypatch):
    """The old About box was a modal QMessageBox: record it instead of blocking the test."""
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.about", lambda *args: shown.append(args))
    return shown


def _json_in(text: str) -> dict:
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


def test_card_view_shows_a_shipped_card_as_readable_text(qtbot):
    from colorstudio.gui.model_card import ModelCardView

    entry = catalog.resolve_model(SHIPPED)
    view = ModelCardView()
    qtbot.addWidget(view)
    view.show_card(entry)
    text = view.toPlainText()
    assert entry.card["title"] in text and entry.card["summary"] in text
    for words in ("What it learned from", "2,371 steps (14 epochs)", "240.1 minutes", "x86_64, CPU, 2 threads",
                  "PSNR", "SSIM", "CIEDE2000", "Colourfulness", "23.05", "0.930", "10.30", "28.5 (74%)",
                  "Gray (no colour at all)", "11.58",  # the gray floor
                  "seed-resnet18 at strength 1 (as trained)", "22.19",  # a model beside it
                  "Gain", "0.3", "Contrast", "0.8", "Training photos carry mixed terms", "unet-lite0",
                  "22 November 2026", "1.2", "Details"):
        assert words in text, words
    assert "{" not in text and '"psnr"' not in text and "0.9301005483177314" not in text  # not JSON


def test_details_link_shows_the_whole_card_as_json_and_back(qtbot):
    from colorstudio.gui.model_card import ModelCardView

    entry = catalog.resolve_model(SHIPPED)
    view = ModelCardView()
    qtbot.addWidget(view)
    view.show_card(entry)
    assert "#details" in view.toHtml()
    view.anchorClicked.emit(QUrl("#details"))
    assert _json_in(view.toPlainText()) == entry.card  # the whole card: nothing cut off
    view.anchorClicked.emit(QUrl("#card"))
    assert entry.card["summary"] in view.toPlainText() and "{" not in view.toPlainText()


def test_a_card_the_wizard_made_shows_what_it_has_and_escapes_everything(qtbot):
    from colorstudio.gui.model_card import ModelCardView, card_html

    card = {"base_model": SHIPPED, "name": "Family landscapes", "architecture": "unet-lite0",
            "created": "2026-12-01T09:30:00+00:00", "software": f"colorstudio {__version__}",
            "training": {"data": "/photos/<family>", "photos_train": 64, "photos_val": 16, "steps": 461,
                         "epochs": 8, "minutes": 20.0, "loss": "colourful", "photo_size": 224, "batch": 16,
                         "lr": 0.0001, "machine": "x86_64, CPU"},
            "validation": {"psnr": 20.47, "ssim": 0.91, "ciede2000": 12.89, "colourfulness": 30.0,
                           "colourfulness_ratio": 0.8}}
    view = ModelCardView()
    qtbot.addWidget(view)
    view.show_card(card)
    text = view.toPlainText()
    for words in ("Family landscapes", "Started from: " + SHIPPED, "/photos/<family>", "461 steps", "20 minutes",
                  "held out while it trained", "12.89", "1 December 2026"):
        assert words in text, words
    for absent in ("None", "Licence", "Colour response", "Gray", "photos-val"):  # fields it does not have
        assert absent not in text, absent
    assert "<family>" not in card_html(card) and "&lt;family&gt;" in card_html(card)
    assert "A model without a name" in card_html({}) and card_html({"validation": None, "training": "x"})


def test_the_learning_rate_is_shown_with_three_figures():
    """The card said "learning rate 0.00016666666666666666" (issue 32, defect 11)."""
    from colorstudio.gui.model_card import card_html

    assert "learning rate 0.000167" in card_html({"training": {"lr": 5e-4 / 3, "batch": 16}})


def test_about_is_a_resizable_scrolling_dialog_with_the_whole_card(qtbot, parent, _no_blocking_message_box):
    from colorstudio.gui.about import show_about

    dialog = show_about(parent, SHIPPED)
    assert not _no_blocking_message_box, "About is still a message box"
    assert isinstance(dialog, QDialog) and dialog.isVisible() and not dialog.isModal()
    assert dialog.minimumSize() != dialog.maximumSize()  # resizable
    labels = " ".join(w.text() for w in dialog.findChildren(QLabel))
    assert __version__ in labels and "guess" in labels
    view = dialog.findChild(QTextBrowser)
    entry = catalog.resolve_model(SHIPPED)
    assert entry.card["title"] in view.toPlainText() and "10.30" in view.toPlainText()
    assert "Details" in view.toPlainText()  # the end of the card is there too
    dialog.resize(500, 300)
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0)  # it scrolls
    view.anchorClicked.emit(QUrl("#details"))
    assert _json_in(view.toPlainText()) == entry.card


def test_about_says_when_the_model_is_missing(qtbot, parent):
    from colorstudio.gui.about import show_about

    dialog = show_about(parent, "no such model")
    assert "No model named 'no such model'" in dialog.findChild(QTextBrowser).toPlainText()


def test_active_model_card_window(qtbot, parent, tiny_model):
    from colorstudio.gui.model_card import show_model_card

    dialog = show_model_card(parent, tiny_model)
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.windowTitle() == "Model card: Tiny test model"
    text = dialog.findChild(QTextBrowser).toPlainText()
    assert "Tiny test model" in text and "One of your own models" in text
    dialog.close()  # the Close button's slot: the window goes away
    assert not dialog.isVisible()


def test_the_card_window_is_also_reachable_from_about():
    from colorstudio.gui import about, model_card

    assert about.show_model_card is model_card.show_model_card
