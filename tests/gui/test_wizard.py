"""The training wizard, page by page, with small generated photos and a tiny model."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from colorstudio import paths
from colorstudio.core.training.recipe import unfinished_runs
from colorstudio.gui import window_dialogs
from colorstudio.gui.main_window import MainWindow
from colorstudio.gui.wizard.wizard import KEEP, TrainingWizard


def colour_folder(folder: Path, n: int = 24, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        base = rng.integers(20, 230, (6, 8, 3)).astype(np.uint8)
        Image.fromarray(np.kron(base, np.ones((24, 24, 1), np.uint8))).save(folder / f"c{i:02d}.png")
    return folder


@pytest.fixture(autouse=True)
def _never_a_modal_question(monkeypatch):
    """Closing a wizard with a trained model not saved asks; a test (or its teardown) must not hang on it."""
    monkeypatch.setattr(TrainingWizard, "ask_unsaved", lambda self: KEEP)


@pytest.fixture
def wizard(qtbot, tiny_model):
    w = TrainingWizard(device="cpu")
    qtbot.addWidget(w)
    w.show()
    yield w
    w.training.shutdown()


def scan(qtbot, wizard, folder) -> None:
    wizard.folder_page.scan(str(folder))
    qtbot.waitUntil(lambda: "usable" in wizard.folder_page.summary.text()
                    or "Cannot" in wizard.folder_page.summary.text(), timeout=30000)


def test_scan_report_counts_and_reasons(qtbot, wizard, tmp_path):
    folder = colour_folder(tmp_path / "photos", n=22)
    Image.fromarray(np.full((150, 150), 90, np.uint8)).save(folder / "gray.png")
    Image.fromarray(np.zeros((40, 40, 3), np.uint8)).save(folder / "tiny.png")
    (folder / "broken.jpg").write_text("nope")
    Image.open(folder / "c00.png").save(folder / "zz-copy.png")
    scan(qtbot, wizard, folder)
    page = wizard.folder_page
    assert len(page.report.usable) == 22
    text = page.summary.text()
    assert "22 usable colour photos" in text
    for reason in ("already grayscale", "too small", "unreadable", "duplicate"):
        assert f"1 {reason}" in text
    assert page.skipped.count() == 4
    assert page.isComplete()


@pytest.mark.parametrize("kind", ["empty", "gray", "unreadable"])
def test_unusable_folders_get_a_clear_message_and_block_next(qtbot, wizard, tmp_path, kind):
    folder = tmp_path / kind
    if kind == "empty":
        folder.mkdir()
    elif kind == "gray":
        folder.mkdir()
        for i in range(25):
            Image.fromarray(np.full((150, 150), 10 * i, np.uint8)).save(folder / f"g{i}.png")
    else:
        folder = tmp_path / "a-file.txt"
        folder.write_text("not a folder")
    scan(qtbot, wizard, folder)
    text = wizard.folder_page.summary.text()
    assert not wizard.folder_page.isComplete()
    if kind == "unreadable":
        assert "Cannot read" in text and "not a folder" in text
    else:
        assert "0 usable colour photos" in text and "At least 20" in text
    if kind == "gray":
        assert "25 already grayscale" in text


def _to_training(qtbot, wizard, folder, epochs=6):
    scan(qtbot, wizard, folder)
    wizard.next()
    s = wizard.settings_page
    s.by_epochs.setChecked(True)
    s.epochs.setValue(epochs)
    s.size.setCurrentIndex(s.size.findData(160))
    s.batch.setValue(4)
    qtbot.waitUntil(lambda: "computer" in s.estimate.text() and "Measuring" not in s.estimate.text(), timeout=60000)
    wizard.next()
    assert wizard.currentPage() is wizard.training_page


def test_train_cancel_resume_save_and_the_model_is_listed(qtbot, tiny_model, tmp_path, monkeypatch):
    window = MainWindow()
    qtbot.addWidget(window)
    monkeypatch.setattr(window_dialogs, "ask", lambda parent, title, text: True)
    wizard = window.dialogs.open_training_wizard()
    wizard.device = "cpu"
    folder = colour_folder(tmp_path / "family")
    worker = wizard.training.worker
    steps = []
    worker.step.connect(lambda step, *a: steps.append(step))
    failures = []
    worker.failed.connect(failures.append)
    _to_training(qtbot, wizard, folder)
    qtbot.waitUntil(lambda: bool(steps or failures), timeout=60000)
    assert not failures
    page = wizard.training_page
    threads = []
    real_act = page.act
    page.act = lambda event, message="": (threads.append(QThread.currentThread()),
                                          real_act(event, message))[1]
    started = time.monotonic()
    with qtbot.waitSignal(worker.cancelled, timeout=10000):
        page.stop.click()
    assert time.monotonic() - started < 5
    qtbot.waitUntil(lambda: len(threads) == 2, timeout=5000)  # the click, then the thread's answer
    assert set(threads) == {QApplication.instance().thread()}  # widgets change on the GUI thread only
    run = wizard.run
    assert (run.run_dir / "state.safetensors").exists()
    stopped_at = max(steps)
    assert wizard.training_page.isComplete()  # Next: compare and save the model learnt so far (issue 32, 10)
    assert "Resume" in wizard.training_page.time.text()

    # Closing the wizard keeps the run; opening it again offers to resume (ask() says yes)
    wizard.close()
    assert [r.name for r in unfinished_runs()] == [run.name]
    wizard = window.dialogs.open_training_wizard()
    assert wizard.resuming and wizard.currentPage() is wizard.training_page
    worker = wizard.training.worker
    resumed_steps = []
    worker.step.connect(lambda step, *a: resumed_steps.append(step))
    qtbot.waitUntil(wizard.training_page.isComplete, timeout=120000)
    assert resumed_steps and min(resumed_steps) >= stopped_at  # continued, did not start over
    assert max(resumed_steps) == 6 * (len(run.train) // 4)  # and finished the planned steps

    wizard.next()
    result = wizard.result_page
    qtbot.waitUntil(lambda: result.table.item(2, 1) is not None, timeout=120000)
    result.name.setText("Family colours")
    with qtbot.waitSignal(worker.saved, timeout=30000):
        result.save.click()
    assert (paths.user_models_dir() / "Family colours.safetensors").exists()  # the name as typed
    names = [window.settings_panel.model.itemData(i) for i in range(window.settings_panel.model.count())]
    assert "Family colours" in names
    assert unfinished_runs() == []
    wizard.close()
    window.shutdown()
