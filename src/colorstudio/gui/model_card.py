"""A model card as a person reads it: what the model is, what it learned from, how well it colours.

``card_html`` turns a card (a shipped model's, a model the training wizard made, an imported one) into
readable HTML: every field that is missing is simply left out and every text is escaped. The whole card,
as JSON, stays one "Details" link away. ``ModelCardView`` shows a card (and scrolls); ``card_dialog`` puts
one in a resizable window, for Help > About and Help > Active model card.
"""

from __future__ import annotations

import html
import json
from datetime import datetime

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from colorstudio.core import catalog
from colorstudio.core.catalog import ModelEntry

DETAILS, READABLE = "details", "card"  # the anchors that switch between the two views
# (key, column heading, format): the scores a card keeps for a set of photos (core.metrics.Scores).
SCORES = (("psnr", "PSNR (dB, higher is closer)", "{:.2f}"),
          ("ssim", "SSIM (higher is closer)", "{:.3f}"),
          ("ciede2000", "CIEDE2000 (colour error, lower is better)", "{:.2f}"),
          ("colourfulness", "Colourfulness (share of the originals')", "{:.1f}"))
SOURCE_LINES = {"shipped": "Shipped with colorstudio.", "user": "One of your own models.",
                "file": "A model file."}


def _card(entry_or_card: ModelEntry | dict | None) -> dict:
    card = entry_or_card.card if isinstance(entry_or_card, ModelEntry) else entry_or_card
    return card if isinstance(card, dict) else {}


def _part(card: dict, key: str) -> dict:
    """``card[key]`` when it is a mapping, else an empty one (hand-edited cards can hold anything)."""
    value = card.get(key)
    return value if isinstance(value, dict) else {}


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _count(value) -> str:
    number = _number(value)
    if number is None:
        return ""
    return f"{int(number):,}" if number == int(number) else f"{number:g}"


def _text(value) -> str:
    """A field as escaped text ('' for nothing); lists are joined, mappings shown as ``key: value``."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(filter(None, (_text(v) for v in value)))
    if isinstance(value, dict):
        return "; ".join(f"{html.escape(str(k))}: {_text(v)}" for k, v in value.items() if _text(v))
    return html.escape(str(value))


def _date(value) -> str:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return _text(value)
    utc = when.utcoffset() is not None and not when.utcoffset()
    return html.escape(when.strftime("%d %B %Y, %H:%M") + (" UTC" if utc else ""))


def _items(pairs) -> str:
    """A list of ``label: value`` lines, the empty values left out (``value`` is already escaped)."""
    lines = [f"<li><b>{html.escape(label)}:</b> {value}</li>" for label, value in pairs if value]
    return f"<ul>{''.join(lines)}</ul>" if lines else ""


def _section(title: str, body: str) -> str:
    return f"<h3>{html.escape(title)}</h3>{body}" if body else ""


def _joined(*parts: str, between: str = ", ") -> str:
    return between.join(p for p in parts if p)


# -- the parts of a card ---------------------------------------------------------------------------
def _heading(card: dict, entry: ModelEntry | None) -> str:
    name = entry.name if entry is not None else str(card.get("name") or "")
    title = str(card.get("title") or name or "A model without a name")
    about = [SOURCE_LINES.get(entry.source, "") if entry is not None else "",
             "The default model." if card.get("default") is True else "",
             f"Its name in colorstudio: <b>{html.escape(name)}</b>." if name and name != title else ""]
    about, summary = " ".join(filter(None, about)), _text(card.get("summary"))
    return (f"<h2>{html.escape(title)}</h2>" + (f"<p><i>{about}</i></p>" if about else "")
            + (f"<p>{summary}</p>" if summary else ""))


def _training_line(training: dict) -> str:
    photos = _count(training.get("photos_train"))
    held_out = _count(training.get("photos_val"))
    steps, epochs, minutes = (_count(training.get(k)) for k in ("steps", "epochs", "minutes"))
    return _joined(
        f"{photos} photos" + (f" ({held_out} more held out to check it)" if held_out else "") if photos else "",
        _joined(f"{steps} steps" if steps else "", f"({epochs} epochs)" if epochs else "", between=" "),
        f"{minutes} minutes" if minutes else "",
        f"on {_text(training.get('machine'))}" if _text(training.get("machine")) else "")


def _recipe_line(training: dict) -> str:
    size, batch = (_text(training.get(k)) for k in ("photo_size", "batch"))
    lr = _number(training.get("lr"))
    lr = f"{lr:.3g}" if lr else ""  # a fine-tune's third of 5e-4 is 0.000167, not 0.00016666666666666666
    return _joined(f"{_text(training.get('loss'))} loss" if _text(training.get("loss")) else "",
                   f"photos of {size} px" if size else "", f"batches of {batch}" if batch else "",
                   f"learning rate {lr}" if lr else "")


def _learned(card: dict) -> str:
    data, training = _part(card, "data"), _part(card, "training")
    photos = _text(data.get("train")) or _text(card.get("data") if isinstance(card.get("data"), str) else None)
    return _section("What it learned from", _items([
        ("Photos", photos or _text(training.get("data"))),
        ("Checked on", _text(data.get("evaluation"))),
        ("Started from", _text(card.get("base_model"))),
        ("Encoder", _text(card.get("encoder_weights"))),
        ("Training", _training_line(training)),
        ("Recipe", _recipe_line(training)),
    ]))


def _score(scores: dict, key: str, form: str) -> str:
    value = _number(scores.get(key))
    if value is None:
        return ""
    text = form.format(value)
    ratio = _number(scores.get("colourfulness_ratio")) if key == "colourfulness" else None
    return f"{text} ({ratio:.0%})" if ratio is not None else text


def _table(rows: list[tuple[str, dict]]) -> str:
    """A table of scores: one row per (label, scores), one column per score any row has."""
    rows = [(label, scores) for label, scores in rows if any(_number(scores.get(k)) is not None
                                                              for k, _, _ in SCORES)]
    columns = [(k, head, form) for k, head, form in SCORES if any(k in scores for _, scores in rows)]
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h, _ in columns)
    body = "".join(f"<tr><td>{html.escape(label)}</td>"
                   + "".join(f"<td align='right'>{_score(scores, k, form)}</td>" for k, _, form in columns)
                   + "</tr>" for label, scores in rows)
    return f"<table border='1' cellspacing='0' cellpadding='4'><tr><th></th>{head}</tr>{body}</table>"


def _evaluation_note(evaluation: dict) -> str:
    photos, size = _count(evaluation.get("photos")), _text(evaluation.get("render_size"))
    strength = _count(evaluation.get("chosen_strength"))
    note = _joined(f"{photos} photos" if photos else "", f"rendered at {size} px" if size else "",
                   f"colour strength {strength}" if strength else "")
    return f"On photos-val, photos it never saw ({note}):" if note else "On photos-val, photos it never saw:"


def _scores(card: dict) -> str:
    evaluation = _part(card, "metrics_photos_val")
    rows = [("This model", _part(evaluation, "model")),
            ("Gray (no colour at all)", _part(evaluation, "gray_floor"))]
    rows += [(str(label), scores) for label, scores in _part(evaluation, "beside").items()
             if isinstance(scores, dict)]
    val_table = _table([("This model", _part(card, "validation"))])
    parts = [f"<p>{_evaluation_note(evaluation)}</p>{_table(rows)}" if _table(rows) else "",
             f"<p>On the photos held out while it trained:</p>{val_table}" if val_table else ""]
    return _section("How well it colours", "".join(parts))


def _response(card: dict) -> str:
    gain, contrast = _number(card.get("colour_gain")), _number(card.get("colour_contrast"))
    return _section("Colour response", _items([
        ("Gain", f"{gain:g}: its colours are used at {gain:g} times the colour strength you choose"
         if gain is not None else ""),
        ("Contrast", f"{contrast:g}: colours it is sure of are kept bolder than unsure ones, which fade toward "
                     "gray" if contrast else ("0: all its colours are treated alike" if contrast == 0 else "")),
    ]))


def _terms(card: dict) -> str:
    return _section("Licence and sources", _items([
        ("Licence", _text(card.get("licence") or card.get("license"))),
        ("Note", _text(card.get("licence_note") or card.get("license_note"))),
        ("Sources", _text(card.get("sources"))),
    ]))


def _made(card: dict) -> str:
    return _section("Made", _items([
        ("Created", _date(card["created"]) if card.get("created") else ""),
        ("Version", _text(card.get("version"))),
        ("Network", _text(card.get("architecture"))),
        ("By", _text(card.get("software"))),
    ]))


def card_html(entry_or_card: ModelEntry | dict | None) -> str:
    """The card as readable HTML, with a link (``#details``) to the whole card as JSON."""
    card = _card(entry_or_card)
    entry = entry_or_card if isinstance(entry_or_card, ModelEntry) else None
    parts = (_heading(card, entry), _learned(card), _scores(card), _response(card), _terms(card), _made(card))
    return "".join(parts) + f"<p><a href='#{DETAILS}'>Details: the whole card as JSON</a></p>"


def card_json(entry_or_card: ModelEntry | dict | None) -> str:
    return json.dumps(_card(entry_or_card), indent=2, ensure_ascii=False, default=str)


def details_html(entry_or_card: ModelEntry | dict | None) -> str:
    """The whole card as JSON, with a link (``#card``) back to the readable view."""
    back = f"<p><a href='#{READABLE}'>Back to the readable card</a></p>"
    return f"{back}<pre>{html.escape(card_json(entry_or_card))}</pre>{back}"


class ModelCardView(QTextBrowser):
    """A model card, readable, scrolling; its "Details" link shows the whole card as JSON and back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)  # the links switch views here; nothing is ever opened
        self.anchorClicked.connect(self._follow)
        self.entry: ModelEntry | dict | None = None
        self.details = False

    def show_card(self, entry_or_card: ModelEntry | dict | None) -> None:
        self.entry, self.details = entry_or_card, False
        self._render()

    def show_details(self, details: bool = True) -> None:
        self.details = details
        self._render()

    def show_message(self, text: str) -> None:
        """Say why there is no card (a model that cannot be found)."""
        self.entry, self.details = None, False
        self.setHtml(f"<p>{html.escape(text)}</p>")

    def _render(self) -> None:
        if self.entry is None:
            self.clear()
            return
        self.setHtml(details_html(self.entry) if self.details else card_html(self.entry))
        self.verticalScrollBar().setValue(0)

    def _follow(self, url: QUrl) -> None:
        self.show_details(url.fragment() == DETAILS)


def card_dialog(parent: QWidget | None, title: str, model_name: str | None, intro: str = "") -> QDialog:
    """A resizable window with ``intro`` (HTML) above the card of ``model_name`` (the default model for
    none); shown without blocking, closed and deleted by its Close button. Returns it."""
    dialog = QDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowTitle(title)
    dialog.setSizeGripEnabled(True)
    dialog.resize(680, 600)
    layout = QVBoxLayout(dialog)
    if intro:
        label = QLabel(intro)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(label)
    dialog.view = ModelCardView()
    try:
        dialog.view.show_card(catalog.resolve_model(model_name or None))
    except Exception as exc:  # noqa: BLE001 - a missing model is said in the window, not raised
        dialog.view.show_message(str(exc))
    layout.addWidget(dialog.view, 1)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout.addWidget(buttons)
    dialog.show()
    return dialog


def show_model_card(parent: QWidget | None, model_name: str | None) -> QDialog:
    """Help > Active model card: the card of ``model_name`` in its own window (not modal). Returns it."""
    dialog = card_dialog(parent, "Model card", model_name)
    if isinstance(dialog.view.entry, ModelEntry):
        dialog.setWindowTitle(f"Model card: {dialog.view.entry.title}")
    return dialog
