"""The docked chooser for the selected hint's colour: the ab plane, the model's suggestions, recent colours,
"Gray here", and its state with no hint selected."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from colorstudio.core import gamut
from colorstudio.gui.hint_chooser import FINDING, NO_HINT, RECENT_LIMIT, HintColourChooser


@pytest.fixture
def chooser(qtbot):
    widget = HintColourChooser()
    qtbot.addWidget(widget)
    widget.resize(260, 520)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def picks(chooser):
    chosen = []
    chooser.colourChosen.connect(lambda a, b: chosen.append((a, b)))
    return chosen


def test_clicking_the_plane_picks_the_colour_under_the_pointer(chooser, qtbot):
    chooser.show_hint(60.0, 0.0, 0.0)
    chosen = picks(chooser)
    picker = chooser.picker
    rect = picker.plane_rect()
    side = rect.width()
    assert side > 150
    px, py = (round(v) for v in gamut.pixel_of(30.0, 20.0, side, 110.0))  # a warm colour that exists at L 60
    qtbot.mouseClick(picker, Qt.MouseButton.LeftButton, pos=QPoint(rect.x() + px, rect.y() + py))
    assert len(chosen) == 1
    step = 2 * 110.0 / side
    assert chosen[0] == pytest.approx((30.0, 20.0), abs=1.5 * step)
    assert picker.marker() == pytest.approx(chosen[0])
    assert chooser.recent()[0] == pytest.approx(chosen[0], abs=0.05)


def test_clicking_where_no_such_colour_exists_picks_the_nearest_that_does(chooser, qtbot):
    chooser.show_hint(60.0, 0.0, 0.0)
    chosen = picks(chooser)
    rect = chooser.picker.plane_rect()
    qtbot.mouseClick(chooser.picker, Qt.MouseButton.LeftButton, pos=QPoint(rect.right() - 1, rect.top() + 1))
    (a, b), = chosen
    assert gamut.is_displayable(60.0, a, b)
    assert math.atan2(b, a) == pytest.approx(math.atan2(1.0, 1.0), abs=0.03)  # towards the corner, up-right
    assert 20.0 < math.hypot(a, b) < 100.0


def test_dragging_moves_the_ring_and_the_release_picks(chooser, qtbot):
    chooser.show_hint(55.0, 0.0, 0.0)
    chosen = picks(chooser)
    picker = chooser.picker
    start, end = picker.point_of(-20.0, 10.0).toPoint(), picker.point_of(10.0, -25.0).toPoint()
    qtbot.mousePress(picker, Qt.MouseButton.LeftButton, pos=start)
    assert picker.marker() == pytest.approx((-20.0, 10.0), abs=2.0)
    # QTest's mouseMove carries no pressed button; a real drag's move does
    move = QMouseEvent(QEvent.Type.MouseMove, QPointF(end), QPointF(end), Qt.MouseButton.NoButton,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    picker.mouseMoveEvent(move)
    assert picker.marker() == pytest.approx((10.0, -25.0), abs=2.0)
    assert chosen == []  # live, not yet a pick
    qtbot.mouseRelease(picker, Qt.MouseButton.LeftButton, pos=end)
    assert chosen == [pytest.approx((10.0, -25.0), abs=2.0)]


def test_the_suggestions_show_the_models_colour_first_and_a_click_picks_one(chooser, qtbot):
    chooser.show_hint(60.0, 5.0, 5.0)
    chooser.set_suggestions(None, [])
    assert chooser.suggestion_row.placeholder() == FINDING
    assert chooser.suggestion_row.buttons() == []
    alternatives = [(10.0, 45.0), (-20.0, 30.0), (5.0, -30.0), (45.0, 5.0)]
    chooser.set_suggestions((28.0, 22.0), alternatives)
    buttons = chooser.suggestion_row.buttons()
    assert len(buttons) == 5 and chooser.suggestion_row.placeholder() == ""
    assert "model's colour here" in buttons[0].toolTip()
    assert all("suggested by the model" in b.toolTip().lower() for b in buttons[1:])
    assert all(b.accessibleName() and b.focusPolicy() & Qt.FocusPolicy.TabFocus for b in buttons)
    # painted at the hint's lightness: the model's warm colour is a warm swatch
    swatch = buttons[0].icon().pixmap(buttons[0].iconSize()).toImage()
    centre = swatch.pixelColor(swatch.width() // 2, swatch.height() // 2)
    assert centre.name() == gamut.rgb_hex(60.0, 28.0, 22.0)
    chosen = picks(chooser)
    qtbot.mouseClick(buttons[2], Qt.MouseButton.LeftButton)
    assert chosen == [(-20.0, 30.0)]
    assert chooser.picker.marker() == (-20.0, 30.0)


def test_gray_here_picks_no_colour(chooser, qtbot):
    chooser.show_hint(40.0, 30.0, 30.0)
    chosen = picks(chooser)
    qtbot.mouseClick(chooser.gray_button, Qt.MouseButton.LeftButton)
    assert chosen == [(0.0, 0.0)]
    assert chooser.picker.marker() == (0.0, 0.0)


def test_recent_colours_are_the_last_distinct_picks_most_recent_first(chooser, qtbot):
    chooser.show_hint(60.0, 0.0, 0.0)
    changes = []
    chooser.recentChanged.connect(lambda: changes.append(1))
    chooser.set_suggestions(None, [(float(i), 2.0 * i) for i in range(10)] + [(3.2, 6.1)])
    buttons = chooser.suggestion_row.buttons()
    for button in buttons[:10]:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(changes) == 10
    assert chooser.recent() == [(float(i), 2.0 * i) for i in range(9, 1, -1)]  # capped, newest first
    assert len(chooser.recent_row.buttons()) == RECENT_LIMIT
    qtbot.mouseClick(buttons[10], Qt.MouseButton.LeftButton)  # (3.2, 6.1): the same colour as (3, 6)
    assert chooser.recent()[0] == (3.2, 6.1)
    assert len(chooser.recent()) == RECENT_LIMIT and (3.0, 6.0) not in chooser.recent()
    chosen = picks(chooser)
    qtbot.mouseClick(chooser.recent_row.buttons()[3], Qt.MouseButton.LeftButton)  # a recent one, again
    assert chosen == [chooser.recent()[0]]
    assert chooser.recent_row.colours() == chooser.recent()


def test_recent_colours_are_restored_from_settings_values(chooser):
    chooser.set_recent([["12.5", "-3"], (12.6, -3.1), "junk", (None, 1), (float("nan"), 0)]
                       + [(float(i * 5), 0.0) for i in range(1, 12)])
    assert chooser.recent()[0] == (12.5, -3.0)  # the duplicate after it and the unreadable entries are gone
    assert len(chooser.recent()) == RECENT_LIMIT
    assert chooser.recent()[1:] == [(float(i * 5), 0.0) for i in range(1, 8)]
    assert len(chooser.recent_row.buttons()) == RECENT_LIMIT


def test_with_no_hint_selected_nothing_can_be_picked(chooser, qtbot):
    chooser.show_hint(60.0, 10.0, 10.0)
    assert chooser.picker.isEnabled() and chooser.gray_button.isEnabled() and chooser.message.isHidden()
    chooser.set_recent([(20.0, 20.0)])
    chooser.clear()
    assert not chooser.picker.isEnabled() and not chooser.gray_button.isEnabled()
    assert not chooser.recent_row.buttons()[0].isEnabled()
    assert chooser.message.isVisible() and chooser.message.text() == NO_HINT
    assert chooser.picker.marker() is None
    chosen = picks(chooser)
    qtbot.mouseClick(chooser.picker, Qt.MouseButton.LeftButton, pos=chooser.picker.rect().center())
    qtbot.mouseClick(chooser.gray_button, Qt.MouseButton.LeftButton)
    assert chosen == []


def test_showing_a_hint_moves_the_ring_and_redraws_the_plane_at_its_lightness(chooser, qtbot):
    chooser.show_hint(60.0, 10.0, 10.0)
    assert chooser.lightness_label.text().startswith("Lightness here: 60")
    assert chooser.picker.marker() == (10.0, 10.0)
    rect = chooser.picker.plane_rect()
    centre = QPoint(rect.x() + rect.width() // 2, rect.y() + rect.height() // 2)
    gray_60 = chooser.picker.grab().toImage().pixelColor(centre + QPoint(0, rect.height() // 8)).lightness()
    chooser.show_hint(25.0, -40.0, 30.0)
    assert chooser.lightness_label.text().startswith("Lightness here: 25")
    assert chooser.picker.marker() == (-40.0, 30.0)
    gray_25 = chooser.picker.grab().toImage().pixelColor(centre + QPoint(0, rect.height() // 8)).lightness()
    assert gray_25 < gray_60 - 40  # the plane is darker now
    chooser.show_hint(2.0, 0.0, 0.0)
    assert "too dark" in chooser.lightness_label.text()
