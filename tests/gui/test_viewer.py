"""The before/after viewer: zoom, pan, split line, and painting from the right pyramid level."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from colorstudio.gui.images import Pyramid
from colorstudio.gui.viewer import SIDE_BY_SIDE, BeforeAfterView


def make_view(qtbot, w=4000, h=3000):
    view = BeforeAfterView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    before = np.full((h, w, 3), 30, np.uint8)
    after = np.zeros((h, w, 3), np.uint8)
    after[..., 2] = 255
    view.set_images(Pyramid(before), Pyramid(after))
    return view


def test_fit_zoom_around_the_cursor_and_actual_size(qtbot):
    view = make_view(qtbot)
    assert abs(view.scale - 0.2) < 1e-6  # 4000 x 3000 into 800 x 600
    anchor = QPointF(200, 150)
    before = view._to_image(anchor, view._pane_origin(anchor))
    view.zoom_to(0.8, anchor)
    after = view._to_image(anchor, view._pane_origin(anchor))
    assert abs(before.x() - after.x()) < 1e-6 and abs(before.y() - after.y()) < 1e-6
    view.actual_size()
    assert view.scale == 1.0 and not view.fitting
    view.fit()
    assert view.fitting and abs(view.scale - 0.2) < 1e-6


def test_pyramid_level_follows_the_zoom(qtbot):
    view = make_view(qtbot)
    image, factor = view.before.level_for(0.2)
    assert image.width() == 1000 and factor == 0.25  # a level near screen size, not the 12-megapixel original
    image, factor = view.before.level_for(1.0)
    assert image.width() == 4000 and factor == 1.0


def test_split_line_drags_and_both_sides_share_one_view(qtbot):
    view = make_view(qtbot)
    split_x = int(view.split * view.width())
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(split_x, 300))
    qtbot.mouseMove(view, QPoint(200, 300))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(200, 300))
    assert abs(view.split - 0.25) < 0.01
    shot = view.grab().toImage()
    assert shot.pixelColor(100, 300).blue() < 100 and shot.pixelColor(600, 300).blue() > 200  # before | after
    view.set_mode(SIDE_BY_SIDE)
    # the same image point sits at the same place in each pane
    left = view._to_image(QPointF(100, 200), view._pane_origin(QPointF(100, 200)))
    right = view._to_image(QPointF(500, 200), view._pane_origin(QPointF(500, 200)))
    assert abs(left.x() - right.x()) < 1e-6 and abs(left.y() - right.y()) < 1e-6
    center = QPointF(view.center)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    qtbot.mouseMove(view, QPoint(350, 320))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(350, 320))
    assert view.center != center  # panned, for both panes at once
