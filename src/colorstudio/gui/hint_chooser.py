"""The colour chooser for the selected colour hint, docked beside the viewer (after Zhang et al. 2017,
"Real-Time User-Guided Image Colorization"): the colours that exist at the hint's lightness as an ab plane
(``GamutPicker``), the model's suggestions for that point and the colours used lately (``SwatchRow``s), and
"Gray here". Every pick is emitted as ``colourChosen(a, b)`` (CIELab chroma; the photo keeps its lightness).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from colorstudio.core import gamut

EXTENT = 110.0  # ab units from the plane's centre to its edge (color.AB_SCALE)
RECENT_LIMIT = 8
SAME_COLOUR = 1.0  # ab distance under which two recent colours count as one (not visibly different)
NO_HINT = "Select a hint, or click the photo with the hint tool (H) to add one."
FINDING = "Finding suggestions…"
Swatch = tuple[float, float, str]  # (a, b, tooltip)


def _ab_text(a: float, b: float) -> str:
    return f"a {a:.0f}, b {b:.0f}"


class SwatchRow(QWidget):
    """Colour buttons in rows that wrap to the width; a short text stands in when there are none."""

    picked = Signal(float, float)
    SPACING = 4

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._swatches: list[Swatch] = []
        self._buttons: list[QToolButton] = []
        self._lightness, self._gap_after_first = 50.0, False
        self._placeholder = QLabel(placeholder, self, wordWrap=True)
        self._placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.setSizePolicy(_height_for_width(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed))

    def set_placeholder(self, text: str) -> None:
        self._placeholder.setText(text)

    def placeholder(self) -> str:  # the text on show ('' while there are swatches)
        return "" if self._swatches else self._placeholder.text()

    def set_swatches(self, lightness: float, swatches: list[Swatch], gap_after_first: bool = False) -> None:
        """Show these colours (painted at L* ``lightness``); ``gap_after_first`` sets the first one apart."""
        self._swatches, self._lightness, self._gap_after_first = list(swatches), lightness, gap_after_first
        for button in self._buttons:
            button.deleteLater()
        self._buttons = []
        for a, b, tip in self._swatches:
            button = QToolButton(self, autoRaise=True, focusPolicy=Qt.FocusPolicy.StrongFocus)
            button.clicked.connect(lambda _=False, a=a, b=b: self.picked.emit(a, b))
            self._dress(button, a, b, tip)
            button.show()
            self._buttons.append(button)
        self._placeholder.setVisible(not self._swatches)
        self._place()
        self.updateGeometry()

    def set_lightness(self, lightness: float) -> None:
        """Repaint the same colours at another lightness."""
        self._lightness = lightness
        for button, (a, b, tip) in zip(self._buttons, self._swatches):
            self._dress(button, a, b, tip)

    def colours(self) -> list[tuple[float, float]]:
        return [(a, b) for a, b, _ in self._swatches]

    def buttons(self) -> list[QToolButton]:
        return list(self._buttons)

    def _dress(self, button: QToolButton, a: float, b: float, tip: str) -> None:
        hex_colour = gamut.rgb_hex(self._lightness, a, b)
        side = self._side() - 6
        button.setIconSize(QSize(side, side))
        button.setIcon(_swatch_icon(QColor(hex_colour), side, self.palette(), self.devicePixelRatioF()))
        button.setToolTip(f"{tip} ({_ab_text(a, b)}; {hex_colour} here)")
        button.setAccessibleName(f"{tip}: {_ab_text(a, b)}")

    def _side(self) -> int:
        return max(20, round(self.fontMetrics().height() * 1.8))

    def _positions(self, width: int) -> list[QRect]:
        side, rects, x, y = self._side(), [], 0, 0
        for i in range(len(self._buttons)):
            if x and x + side > width:
                x, y = 0, y + side + self.SPACING
            rects.append(QRect(x, y, side, side))
            x += side + self.SPACING + (2 * self.SPACING if i == 0 and self._gap_after_first else 0)
        return rects

    def heightForWidth(self, width: int) -> int:
        if not self._swatches:
            return self._placeholder.heightForWidth(width)
        return self._positions(width)[-1].bottom() + 1

    def sizeHint(self) -> QSize:
        width = max(len(self._buttons), 6) * (self._side() + self.SPACING)
        return QSize(width, self.heightForWidth(self.width() if self.width() > self._side() else width))

    def minimumSizeHint(self) -> QSize:
        # the height the current width needs: a dock that does not ask heightForWidth still fits the rows
        return QSize(self._side(), self.heightForWidth(max(self.width(), self._side())))

    def resizeEvent(self, event) -> None:
        self._place()
        self.updateGeometry()  # the rows may wrap differently now: minimumSizeHint follows the width

    def _place(self) -> None:
        self._placeholder.setGeometry(0, 0, self.width(), self._placeholder.heightForWidth(self.width()))
        for button, rect in zip(self._buttons, self._positions(self.width())):
            button.setGeometry(rect)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self.set_lightness(self._lightness)  # the swatches' outline follows the theme


def _swatch_icon(colour: QColor, side: int, palette: QPalette, ratio: float) -> QPixmap:
    """A rounded square of ``colour`` with a thin outline that shows on light and dark windows alike."""
    pixmap = QPixmap(round(side * ratio), round(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(_faint(palette, 90), 1))
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(0.5, 0.5, side - 1, side - 1), 3, 3)
    painter.end()
    return pixmap


class GamutPicker(QWidget):
    """The ab plane at one lightness, only its displayable colours drawn; click or drag to move the ring,
    release (or Enter) to pick. Arrow keys move the ring a pixel (Shift: five)."""

    picked = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lightness, self._dragging = 50.0, False
        self._marker: tuple[float, float] | None = None
        self._image, self._image_key = QImage(), None
        self.setMinimumSize(120, 120)
        # a square: spare height goes below the chooser, not around the plane
        self.setSizePolicy(_height_for_width(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Colours at this lightness")
        where = "red to the right, green left, yellow up, blue down, gray in the middle"
        self.setAccessibleDescription(f"{where.capitalize()}. Arrow keys move the ring; Enter picks it.")
        self.setToolTip(f"The colours that exist at this point's lightness: {where}. Click or drag to pick.")

    def sizeHint(self) -> QSize:
        return QSize(220, 220)

    def heightForWidth(self, width: int) -> int:
        return width

    def set_lightness(self, lightness: float) -> None:
        self._lightness = float(lightness)
        self.update()

    def set_marker(self, ab: tuple[float, float] | None) -> None:
        self._marker = None if ab is None else (float(ab[0]), float(ab[1]))
        self.update()

    def marker(self) -> tuple[float, float] | None:
        return self._marker

    def plane_rect(self) -> QRect:
        """Where the plane is drawn: the largest centred square, one pixel in from the edges."""
        side = max(min(self.width(), self.height()) - 2, 1)
        return QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)

    def ab_at_point(self, pos: QPointF) -> tuple[float, float]:
        """The (a, b) under a widget position, kept within the plane."""
        r = self.plane_rect()
        return _within_plane(*gamut.ab_at(pos.x() - r.x() - 0.5, pos.y() - r.y() - 0.5, r.width(), EXTENT))

    def point_of(self, a: float, b: float) -> QPointF:
        r = self.plane_rect()
        px, py = gamut.pixel_of(a, b, r.width(), EXTENT)
        return QPointF(r.x() + px + 0.5, r.y() + py + 0.5)

    def _plane_image(self, side: int) -> QImage:
        ratio = self.devicePixelRatioF()
        key = (round(self._lightness, 2), side, ratio)
        if key != self._image_key:
            pixels = round(side * ratio)
            rgb, mask = gamut.ab_plane(self._lightness, pixels, EXTENT)
            rgba = np.ascontiguousarray(np.dstack([rgb, mask.astype(np.uint8) * 255]))
            image = QImage(rgba.data, pixels, pixels, 4 * pixels, QImage.Format.Format_RGBA8888).copy()
            image.setDevicePixelRatio(ratio)
            self._image, self._image_key = image, key
        return self._image

    def paintEvent(self, event) -> None:
        r = self.plane_rect()
        palette = self.palette()
        painter = QPainter(self)
        painter.fillRect(r, QBrush(_faint(palette, 28), Qt.BrushStyle.BDiagPattern))  # "no such colour here"
        painter.setOpacity(1.0 if self.isEnabled() else 0.3)
        painter.drawImage(r, self._plane_image(r.width()))
        painter.setOpacity(1.0)
        painter.setPen(QPen(_faint(palette, 45), 1))
        centre = self.point_of(0.0, 0.0)
        painter.drawLine(QPointF(r.left(), centre.y()), QPointF(r.right() + 1, centre.y()))
        painter.drawLine(QPointF(centre.x(), r.top()), QPointF(centre.x(), r.bottom() + 1))
        focus = palette.color(QPalette.ColorRole.Highlight)
        painter.setPen(focus if self.hasFocus() else _faint(palette, 110))
        painter.drawRect(r.adjusted(0, 0, -1, -1))
        if self._marker is not None and self.isEnabled():
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for pen in (QPen(QColor(0, 0, 0, 200), 3), QPen(Qt.GlobalColor.white, 1.5)):  # seen on any colour
                painter.setPen(pen)
                painter.drawEllipse(self.point_of(*self._marker), 6, 6)
        painter.end()

    def _track(self, pos: QPointF) -> None:
        self.set_marker(gamut.nearest_in_gamut(self._lightness, *self.ab_at_point(pos)))

    def mousePressEvent(self, event) -> None:
        self._dragging = event.button() == Qt.MouseButton.LeftButton
        if self._dragging:
            self._track(event.position())

    def mouseMoveEvent(self, event) -> None:
        if self._dragging:
            self._track(event.position())

    def mouseReleaseEvent(self, event) -> None:
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False
            self._track(event.position())
            self.picked.emit(*self._marker)

    def keyPressEvent(self, event) -> None:
        key, step = event.key(), 2 * EXTENT / self.plane_rect().width()
        step *= 5 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
        moves = {Qt.Key.Key_Left: (-step, 0), Qt.Key.Key_Right: (step, 0),
                 Qt.Key.Key_Up: (0, step), Qt.Key.Key_Down: (0, -step)}
        if key in moves:
            (a, b), (da, db) = self._marker or (0.0, 0.0), moves[key]
            self.set_marker(gamut.nearest_in_gamut(self._lightness, *_within_plane(a + da, b + db)))
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self._marker is not None:
            self.picked.emit(*self._marker)
        else:
            super().keyPressEvent(event)


class HintColourChooser(QWidget):
    """The chooser for the selected hint's colour (the window docks it as "Hint colour")."""

    colourChosen = Signal(float, float)
    recentChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lightness = 50.0
        self._recent: list[tuple[float, float]] = []
        self.message = QLabel(NO_HINT, wordWrap=True)
        self.current_patch = QLabel(accessibleName="The hint's colour")
        self.lightness_label = QLabel(wordWrap=True, toolTip="CIELab L* of the photo at the hint (0 black, "
                                      "100 white). The photo keeps its own lightness: only colours that "
                                      "exist at it are shown.")
        self.picker = GamutPicker()
        self.suggestion_row = SwatchRow("No suggestions yet.")
        self.recent_row = SwatchRow("Colours you pick appear here.")
        self.gray_button = QPushButton("Gray here", toolTip="No colour at this point: keep it a neutral gray")
        for source in (self.picker, self.suggestion_row, self.recent_row):
            source.picked.connect(self._choose)
        self.gray_button.clicked.connect(lambda: self._choose(0.0, 0.0))
        header = QHBoxLayout()
        header.addWidget(self.current_patch)
        header.addWidget(self.lightness_label, 1)
        header.addWidget(self.gray_button, 0, Qt.AlignmentFlag.AlignRight)  # its own size, also alone
        self.body = QWidget()  # all that is disabled while no hint is selected
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(header)
        body.addWidget(self.picker)
        body.addWidget(_heading("Suggested", "The model's own colour here first, then other colours it "
                                             "finds likely for this point"))
        body.addWidget(self.suggestion_row)
        body.addWidget(_heading("Recent", f"The last {RECENT_LIMIT} colours you picked"))
        body.addWidget(self.recent_row)
        body.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.body, 1)
        self.clear()

    def show_hint(self, lightness: float, a: float, b: float) -> None:
        """A hint is selected: its lightness (L*) and its colour (a, b)."""
        self._lightness = min(max(float(lightness), 0.0), 100.0)
        self.picker.set_lightness(self._lightness)
        self._show_current(a, b)
        note = ""
        if gamut.ab_plane(self._lightness, 48, EXTENT)[1].mean() < 0.04:  # hardly any colour exists there
            note = f" (too {'dark' if self._lightness < 50 else 'light'} for strong colours)"
        self.lightness_label.setText(f"Lightness here: {self._lightness:.0f}{note}")
        for row in (self.suggestion_row, self.recent_row):
            row.set_lightness(self._lightness)
        self._set_hint_shown(True)

    def set_suggestions(self, model_ab: tuple[float, float] | None,
                        alternatives: list[tuple[float, float]]) -> None:
        """The model's colour at the hint and its alternatives; ``(None, [])`` while they are worked out."""
        swatches = [] if model_ab is None else [(*map(float, model_ab), "The model's colour here")]
        swatches += [(float(a), float(b), "Suggested by the model") for a, b in alternatives]
        self.suggestion_row.set_placeholder(FINDING)  # shown only while there are none
        self.suggestion_row.set_swatches(self._lightness, swatches, gap_after_first=model_ab is not None)

    def clear(self) -> None:
        """No hint selected."""
        self.picker.set_marker(None)
        self.suggestion_row.set_placeholder("No suggestions yet.")
        self.suggestion_row.set_swatches(self._lightness, [])
        self._set_hint_shown(False)

    def _set_hint_shown(self, shown: bool) -> None:
        self.body.setEnabled(shown)
        self.message.setVisible(not shown)
        self.lightness_label.setVisible(shown)
        self.current_patch.setVisible(shown)

    def recent(self) -> list[tuple[float, float]]:
        return list(self._recent)

    def set_recent(self, colours) -> None:
        """Restore the recent colours (newest first), e.g. from QSettings; unreadable ones are skipped."""
        self._recent = []
        for entry in reversed(list(colours or [])[: 4 * RECENT_LIMIT]):
            try:
                a, b = (float(v) for v in entry)
            except (TypeError, ValueError):
                continue
            if math.isfinite(a) and math.isfinite(b):
                self._remember(a, b, announce=False)
        self._show_recent()

    def _remember(self, a: float, b: float, announce: bool = True) -> None:
        colour = (round(a, 1), round(b, 1))
        others = [c for c in self._recent if math.dist(c, colour) >= SAME_COLOUR]
        self._recent = [colour, *others][:RECENT_LIMIT]
        if announce:
            self._show_recent()
            self.recentChanged.emit()

    def _show_recent(self) -> None:
        self.recent_row.set_swatches(self._lightness, [(a, b, "Used lately") for a, b in self._recent])

    def _choose(self, a: float, b: float) -> None:
        self._show_current(a, b)
        self._remember(a, b)
        self.colourChosen.emit(float(a), float(b))

    def _show_current(self, a: float, b: float) -> None:
        self.picker.set_marker((a, b))
        side = max(16, self.fontMetrics().height())
        hex_colour = gamut.rgb_hex(self._lightness, a, b)
        self.current_patch.setPixmap(_swatch_icon(QColor(hex_colour), side, self.palette(),
                                                  self.devicePixelRatioF()))
        self.current_patch.setToolTip(f"The hint's colour: {_ab_text(a, b)} ({hex_colour} here)")


def _faint(palette: QPalette, alpha: int) -> QColor:
    """The palette's text colour, see-through: lines that show on light and dark windows alike."""
    colour = QColor(palette.color(QPalette.ColorRole.WindowText))
    colour.setAlpha(alpha)
    return colour


def _within_plane(a: float, b: float) -> tuple[float, float]:
    return min(max(a, -EXTENT), EXTENT), min(max(b, -EXTENT), EXTENT)


def _height_for_width(horizontal: QSizePolicy.Policy, vertical: QSizePolicy.Policy) -> QSizePolicy:
    policy = QSizePolicy(horizontal, vertical)
    policy.setHeightForWidth(True)
    return policy


def _heading(text: str, tip: str) -> QLabel:
    label = QLabel(text, toolTip=tip)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label
