"""The wizard around a run: the held-out count and the estimate on the settings page, the last folder, the
curves of a resumed run, the two measures of the last page, and a trained model never lost on closing."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton
from test_wizard import colour_folder, scan

from colorstudio import paths
from colorstudio.core.text import plural
from colorstudio.core.training import recipe, runlog
from colorstudio.core.training.photos import list_photos, split
from colorstudio.gui.window_state import last_folder, remember_folder
from colorstudio.gui.wizard.wizard import DISCARD, KEEP, SAVE, TRAINED_QUESTION, TrainingWizard

ASK_UNSAVED = TrainingWizard.ask_unsaved  # the real question, before the fixture below replaces it


@pytest.fixture(autouse=True)
def _never_a_modal_question(monkeypatch):
    """Closing a wizard with a trained model not saved asks; a test (or its teardown) must not hang on it."""
    monkeypatch.setattr(TrainingWizard, "ask_unsaved", lambda self: KEEP)


@pytest.fixture
def open_wizard(qtbot):
    made = []

    def make(**kwargs):
        w = TrainingWizard(device="cpu", **kwargs)
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        w.training.shutdown()


def planned_run(folder, epochs=2):
    run = recipe.plan_run("my-photos-earlier", folder, list_photos(folder), 0.3, base="tiny", epochs=epochs,
                          size=64, batch=4, device="cpu")
    run.save()
    return run


@pytest.fixture
def trained_run(tiny_model, tmp_path):
    """A run trained in an earlier session whose model was kept for later."""
    run = planned_run(colour_folder(tmp_path / "family"))
    recipe.build_trainer(run).run()
    recipe.mark_trained(run)
    return run


def wait_for_comparison(qtbot, wizard):
    qtbot.waitUntil(lambda: wizard.result_page.table.item(4, 1) is not None, timeout=120000)


def test_the_settings_page_shows_the_held_out_count_of_the_real_split(qtbot, open_wizard, tiny_model,
                                                                       tmp_path):
    wizard = open_wizard()
    folder = colour_folder(tmp_path / "forty", n=40)
    scan(qtbot, wizard, folder)
    s = wizard.settings_page
    s.base.setCurrentIndex(s.base.findData("tiny"))  # (a quick estimate)
    s.size.setCurrentIndex(s.size.findData(160))
    wizard.next()
    usable = wizard.folder_page.report.usable
    assert len(usable) == 40
    for percent in (10, 25):
        s.val_split.setValue(percent)
        _, val = split(usable, percent / 100, root=folder)
        assert s.held_out.text().startswith(f"{len(val)} of 40 photos held out to check progress")
        # (issue 32, 11: "10 % held out" beside "6 of 40 photos held out": the share is said, and "about")
        assert f"({len(val) / 40:.0%})" in s.held_out.text() and s.val_split.text().startswith("about ")
    run = wizard.make_run()
    assert len(run.val) == len(val)
    assert recipe.build_trainer(run).card["training"]["photos_val"] == len(val)  # the card says the same
    qtbot.waitUntil(lambda: "computer" in s.estimate.text() and "Measuring" not in s.estimate.text(),
                    timeout=60000)
    assert s.estimate.wordWrap()  # a long estimate wraps instead of being cut off
    label = s.estimate
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=5000)
    assert s.estimate.geometry().right() <= s.width()


def test_the_folder_dialog_opens_in_the_last_folder_used(qtbot, open_wizard, tmp_path, monkeypatch):
    before, chosen = tmp_path / "before", colour_folder(tmp_path / "chosen", n=2)
    before.mkdir()
    remember_folder("training", before)
    opened = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda parent, caption, start: (opened.append(start), str(chosen))[1])
    wizard = open_wizard()
    browse = next(b for b in wizard.folder_page.findChildren(QPushButton) if b.text() == "Choose…")
    browse.click()
    assert opened == [str(before)]
    assert last_folder("training") == str(chosen)
    qtbot.waitUntil(lambda: "usable" in wizard.folder_page.summary.text(), timeout=30000)


def test_a_resumed_run_redraws_its_earlier_curves_and_goes_on(qtbot, open_wizard, tiny_model, tmp_path):
    run = planned_run(colour_folder(tmp_path / "family"), epochs=2)
    recipe.build_trainer(run).run()
    run.epochs = 3  # one more pass to go, as if stopped after two
    run.save()
    logged = runlog.read(run.run_dir)
    wizard = open_wizard(resume=run)
    page = wizard.training_page
    assert wizard.currentPage() is page
    assert [x for x, _ in page.val.points] == [1, 2]  # before the first new step: the earlier passes
    assert [x for x, _ in page.loss.points] == [e["step"] for e in logged]
    text = page.metrics.text()
    assert f"CIEDE2000 {logged[-1]['val']['ciede2000']:.2f}" in text
    assert f"centre crops at 64 px of {plural(len(run.val), 'held-out photo')}" in text
    qtbot.waitUntil(page.isComplete, timeout=120000)
    assert page.time.text() == "Finished."
    assert [x for x, _ in page.val.points] == [1, 2, 3]
    xs = [x for x, _ in page.loss.points]
    assert xs == sorted(set(xs)) and xs[:2] == [e["step"] for e in logged]
    assert recipe.TrainingRun.load(run.run_dir).trained  # recorded: trained, not saved yet


def test_the_last_page_shows_both_measures_and_the_charts_last_point(qtbot, open_wizard, trained_run):
    wizard = open_wizard(resume=trained_run)
    assert wizard.currentPage() is wizard.result_page  # a trained run: straight to comparing and saving
    wait_for_comparison(qtbot, wizard)
    table = wizard.result_page.table
    last = runlog.read(trained_run.run_dir)[-1]["val"]
    assert table.item(4, 1).text() == f"{last['ciede2000']:.2f}"  # the chart's last point, same decimals
    for row, col in ((2, 1), (4, 0)):
        assert re.fullmatch(r"\d+\.\d\d", table.item(row, col).text())
    assert "CIEDE2000" in table.verticalHeaderItem(4).text()
    measure = wizard.result_page.measure.text()
    photos = plural(len(trained_run.val), "held-out photo")
    assert f"{photos}, whole" in measure and f"centre crops at 64 px of {photos}" in measure


@pytest.mark.parametrize("choice", [SAVE, DISCARD, KEEP])
def test_closing_with_a_trained_model_not_saved_asks(qtbot, open_wizard, trained_run, monkeypatch, choice):
    asked = []
    monkeypatch.setattr(TrainingWizard, "ask_unsaved", lambda self: (asked.append(1), choice)[1])
    wizard = open_wizard(resume=trained_run)
    assert wizard.currentPage() is wizard.result_page
    wait_for_comparison(qtbot, wizard)
    wizard.reject()  # Cancel, Escape or the close button
    assert asked == [1]
    if choice == SAVE:
        qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=60000)  # closed once saved
        assert (paths.user_models_dir() / f"{trained_run.name}.safetensors").exists()
    assert not wizard.isVisible()
    state = trained_run.run_dir / recipe.STATE_FILE
    assert state.exists() == (choice != DISCARD)  # discarding removes the trained weights
    assert [r.name for r in recipe.unsaved_runs()] == ([trained_run.name] if choice == KEEP else [])
    assert recipe.unfinished_runs() == []  # never offered as a run that "stopped before it was finished"


def test_a_model_kept_for_later_is_offered_and_saved_next_time(qtbot, open_wizard, trained_run, monkeypatch):
    monkeypatch.setattr(TrainingWizard, "ask_unsaved", lambda self: pytest.fail("nothing unsaved to ask"))
    wizard = open_wizard()
    page = wizard.folder_page
    assert page.offer.isVisible() and page.offer_button.isVisible()
    assert trained_run.folder in page.offer.text() and "finished" in page.offer.text()
    assert "stopped before" not in page.offer.text()
    page.offer_button.click()
    assert wizard.currentPage() is wizard.result_page and wizard.run.name == trained_run.name
    wait_for_comparison(qtbot, wizard)
    wizard.result_page.name.setText("Kept colours")
    with qtbot.waitSignal(wizard.training.worker.saved, timeout=60000):
        wizard.result_page.save.click()
    assert (paths.user_models_dir() / "Kept colours.safetensors").exists()
    assert recipe.unsaved_runs() == []
    wizard.reject()
    assert not wizard.isVisible()
    assert not open_wizard().folder_page.offer.isVisible()  # nothing left to offer


def answer_question(press: str, seen: list | None = None, tries: int = 250) -> None:
    """Once the question shows (polled, for 5 s at most: no timer left behind when there is none), note its
    title, text, informative text and Escape button's text in ``seen``, and press save, discard, keep or
    escape."""
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    if not boxes:
        if tries:
            QTimer.singleShot(20, lambda: answer_question(press, seen, tries - 1))
        return
    box = boxes[0]
    if seen is not None:
        seen.append((box.windowTitle(), box.text(), box.informativeText(), box.escapeButton().text()))
    buttons = {"save": box.button(QMessageBox.StandardButton.Save),
               "discard": box.button(QMessageBox.StandardButton.Discard), "keep": box.escapeButton()}
    if press == "escape":
        QTest.keyClick(box, Qt.Key.Key_Escape)
    elif buttons[press] is not None:
        buttons[press].click()
    else:
        box.done(0)  # no such button: answer anyhow, never hang (the caller's assert fails)


def test_the_question_offers_save_discard_and_keep_for_later(qtbot, open_wizard):
    wizard = open_wizard()
    for press, expected in (("save", SAVE), ("discard", DISCARD), ("keep", KEEP), ("escape", KEEP)):
        seen = []
        QTimer.singleShot(0, lambda press=press, seen=seen: answer_question(press, seen))
        assert ASK_UNSAVED(wizard) == expected, press
        assert seen == [("Save your new model?", "Your new model is not saved yet.", TRAINED_QUESTION[2],
                         "Keep it for later")]
