"""Before/after viewer: a draggable split line or side by side, zoom and pan kept in sync on both sides.

It paints from image pyramids, choosing the level closest to the zoom, so a 24-megapixel result
repaints as fast as a small one.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QWidget

from colorstudio.core.hints import ColorHint
from colorstudio.gui.images import Pyramid
from colorstudio.gui.photo_session import PhotoSession
from colorstudio.gui.viewer_hints import HintLayer

SPLIT, SIDE_BY_SIDE = "split", "side-by-side"
BACKDROP = QColor("#3c3c3c")


class BeforeAfterView(HintLayer, QWidget):
    EMPTY = "Add photos, then select one to compare it before and after."  # what it says with no photo
    zoomChanged = Signal(float)
    stroked = Signal(float, float, float, bool)  # x, y, radius in photo pixels; True adds to the mask
    # the colour-hint tool (photo pixels; see viewer_hints): add at a point, select, move, resize, remove,
    # choose a hint's colour in a dialog
    hintAdded = Signal(float, float)
    hintSelected = Signal(int)  # -1: none
    hintMoved = Signal(int, float, float)
    hintResized = Signal(int, float)  # index, factor
    hintRemoved = Signal(int)
    hintPicked = Signal(int)

    def __init__(self, session: PhotoSession | None = None, parent: QWidget | None = None) -> None:
        """With a ``session``, the viewer shows its photo's hints and the hint tool's state, and a click on a
        hint selects it there; without one (a comparison view), ``set_hints`` shows any."""
        super().__init__(parent)
        self.session = session
        self.before: Pyramid | None = None
        self.after: Pyramid | None = None
        self.mode = SPLIT
        self.split = 0.5  # split line position, fraction of the width
        self.scale = 1.0  # screen pixels per image pixel
        self.center = QPointF(0, 0)  # image point shown at the middle of each pane
        self.fitting = True
        self.message = self.EMPTY
        self.after_label = "After"
        self.overlay: QImage | None = None  # dust mask, drawn over the "before" photo
        self.show_overlay = False
        self.brush: str | None = None  # "add" or "erase" while editing the mask
        self.brush_size = 24  # screen pixels
        self._drag: str | None = None
        self.hint_mode = False  # clicks place colour hints; the middle button pans
        self.hints: tuple[ColorHint, ...] = ()  # the shown photo's hints
        self.selected_hint: int | None = None
        self._hint_drag = (0, False)  # the hint being dragged, and whether it moved
        self._last = QPointF()
        self.setMouseTracking(True)
        self.setMinimumSize(280, 240)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if session is not None:
            for signal in (session.photoChanged, session.hintsChanged, session.selectionChanged):
                signal.connect(self._follow_session)
            session.hintToolChanged.connect(self._set_hint_mode)

    def _set_hint_mode(self, on: bool) -> None:
        self.hint_mode = on
        self._follow_session()  # the markers show with the tool only

    # -- content -----------------------------------------------------------------------------------
    def set_images(self, before: Pyramid | None, after: Pyramid | None, keep_view: bool = False) -> None:
        same_size = self.before and before and (self.before.width, self.before.height) == (before.width, before.height)
        self.before, self.after = before, after
        self.after_label = "After"
        if not (keep_view and same_size):
            self.fit()
        self.update()

    def set_after_label(self, text: str) -> None:
        """What the After side is called ("After (live)": the hint tool's preview, not a written file)."""
        self.after_label = text
        self.update()

    def set_overlay(self, overlay: QImage | None) -> None:
        self.overlay = overlay
        self.update()

    def set_brush(self, brush: str | None) -> None:
        self.brush = brush
        self.setCursor(Qt.CursorShape.CrossCursor if brush else Qt.CursorShape.ArrowCursor)

    def set_message(self, text: str) -> None:
        self.message = text
        self.update()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if self.fitting:
            self.fit()
        self.update()

    # -- view --------------------------------------------------------------------------------------
    def _pane_size(self) -> tuple[float, float]:
        w = self.width() / 2 if self.mode == SIDE_BY_SIDE else self.width()
        return w, float(self.height())

    def fit(self) -> None:
        image = self.before or self.after
        self.fitting = True
        if image is None:
            return
        pw, ph = self._pane_size()
        self.scale = max(1e-3, min(pw / image.width, ph / image.height))
        self.center = QPointF(image.width / 2, image.height / 2)
        self.zoomChanged.emit(self.scale)
        self.update()

    def zoom_to(self, scale: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the image point under ``anchor`` (widget coordinates) in place."""
        scale = max(0.01, min(32.0, scale))
        if anchor is not None:
            origin = self._pane_origin(anchor)
            before = self._to_image(anchor, origin)
            self.scale = scale
            after = self._to_image(anchor, origin)
            self.center += before - after
        else:
            self.scale = scale
        self.fitting = False
        self.zoomChanged.emit(self.scale)
        self.update()

    def actual_size(self) -> None:
        """100%: one pixel of the photo on one pixel of the screen (on a high-DPI screen, a device pixel)."""
        self.zoom_to(1.0 / self.device_pixel_ratio())

    def device_pixel_ratio(self) -> float:
        return self.devicePixelRatioF()

    def _pane_origin(self, point: QPointF) -> QPointF:
        pw, ph = self._pane_size()
        left = pw if self.mode == SIDE_BY_SIDE and point.x() >= pw else 0.0
        return QPointF(left + pw / 2, ph / 2)

    def _to_image(self, point: QPointF, origin: QPointF) -> QPointF:
        return self.center + (point - origin) / self.scale

    # -- painting ----------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKDROP)  # neutral dark gray: judges colour best, in any theme
        if self.before is None and self.after is None:
            painter.setPen(QColor("#d0d0d0"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.scale * self.device_pixel_ratio() < 1)
        pw, ph = self._pane_size()
        if self.mode == SIDE_BY_SIDE:
            for i, pyramid in enumerate((self.before, self.after)):
                pane = QRectF(i * pw, 0, pw, ph)
                painter.save()
                painter.setClipRect(pane)
                self._draw(painter, pyramid, QPointF(pane.center()), overlay=i == 0)
                painter.restore()
            self._labels(painter, ("Before", 8.0), (self.after_label, pw + 8.0))
            painter.setPen(QPen(QColor(255, 255, 255, 180), 2))
            painter.drawLine(QPointF(pw, 0), QPointF(pw, ph))
        elif self.after is None:
            self._draw(painter, self.before, QPointF(pw / 2, ph / 2), overlay=True)
            self._labels(painter, ("Before", 8.0))
        else:
            x = self.split * self.width()
            centre = QPointF(pw / 2, ph / 2)
            for pyramid, clip in ((self.before, QRectF(0, 0, x, ph)), (self.after, QRectF(x, 0, self.width() - x, ph))):
                painter.save()
                painter.setClipRect(clip)
                self._draw(painter, pyramid, centre, overlay=pyramid is self.before)
                painter.restore()
            painter.setPen(QPen(QColor(255, 255, 255, 220), 2))
            painter.drawLine(QPointF(x, 0), QPointF(x, ph))
            painter.setBrush(QColor(255, 255, 255, 230))
            painter.drawEllipse(QPointF(x, ph / 2), 9, 9)
            after = self.after_label
            self._labels(painter, ("Before", 8.0), (after, self.width() - 8.0 - self._label_width(after)))
        self._draw_hints(painter)

    def _draw(self, painter: QPainter, pyramid: Pyramid | None, origin: QPointF, overlay: bool = False) -> None:
        if pyramid is None:
            return
        # the level sharp enough for the screen's device pixels, not its logical ones (high-DPI screens)
        image, factor = pyramid.level_for(self.scale * self.device_pixel_ratio())
        top_left = origin - self.center * self.scale
        target = QRectF(top_left.x(), top_left.y(), pyramid.width * self.scale, pyramid.height * self.scale)
        area = QRectF(painter.clipBoundingRect()) if painter.hasClipping() else QRectF(self.rect())
        visible = target.intersected(area)
        if visible.isEmpty():
            return
        source = QRectF((visible.x() - target.x()) / self.scale * factor,
                        (visible.y() - target.y()) / self.scale * factor,
                        visible.width() / self.scale * factor, visible.height() / self.scale * factor)
        painter.drawImage(visible, image, source)
        if overlay and self.show_overlay and self.overlay is not None:
            k = self.overlay.width() / pyramid.width / factor
            painter.drawImage(visible, self.overlay, QRectF(source.x() * k, source.y() * k,
                                                            source.width() * k, source.height() * k))

    def _pane_origins(self) -> list[QPointF]:
        pw, ph = self._pane_size()
        origins = [QPointF(pw / 2, ph / 2)]
        if self.mode == SIDE_BY_SIDE:
            origins.append(QPointF(pw * 1.5, ph / 2))
        return origins

    def _label_width(self, text: str) -> float:
        return max(56.0, self.fontMetrics().horizontalAdvance(text) + 16.0)

    def _labels(self, painter: QPainter, *labels: tuple[str, float]) -> None:
        for text, x in labels:
            rect = QRectF(x, 8, self._label_width(text), 22)
            painter.fillRect(rect, QColor(0, 0, 0, 140))
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    # -- interaction -------------------------------------------------------------------------------
    def _near_split(self, x: float) -> bool:
        return self.mode == SPLIT and abs(x - self.split * self.width()) < 8

    def _stroke(self, pos: QPointF) -> None:
        """Paint the brush at ``pos``: tell the window (photo coordinates) and show it at once."""
        image = self.before
        if image is None:
            return
        point = self._to_image(pos, self._pane_origin(pos))
        radius = self.brush_size / 2 / self.scale
        add = self.brush == "add"
        self.stroked.emit(point.x(), point.y(), radius, add)
        if self.overlay is not None:
            k = self.overlay.width() / image.width
            p = QPainter(self.overlay)
            if add:
                p.setBrush(QColor(255, 0, 0, 170))
            else:
                p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
                p.setBrush(QColor(0, 0, 0, 0))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(point * k, radius * k, radius * k)
            p.end()
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.hint_mode and self._hint_press(event):
            return
        if event.button() == Qt.MouseButton.MiddleButton:
            self._drag, self._last = "pan", event.position()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            if self.brush:
                self._drag = "brush"
                self._stroke(event.position())
                return
            self._drag = "split" if self._near_split(event.position().x()) else "pan"
            self._last = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self._drag == "hint":
            self._hint_move(pos)
            return
        if self._drag == "brush":
            self._stroke(pos)
            return
        if self._drag == "split":
            self.split = min(1.0, max(0.0, pos.x() / max(1, self.width())))
            self.update()
        elif self._drag == "pan":
            self.center -= (pos - self._last) / self.scale
            self._last = pos
            self.fitting = False
            self.update()
        if self.brush:
            return
        shape = Qt.CursorShape.SplitHCursor if self._near_split(pos.x()) else Qt.CursorShape.OpenHandCursor
        self.setCursor(shape)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag == "hint":
            self._hint_release()
        self._drag = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.hint_mode:
            index = self._hint_at(event.position())
            if index is not None:
                self.hintPicked.emit(index)
            return
        if self.fitting:
            self.zoom_to(1.0 / self.device_pixel_ratio(), event.position())
        else:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120
        if steps and not self._hint_wheel(event.position(), steps):
            self.zoom_to(self.scale * 1.25**steps, event.position())

    def resizeEvent(self, event) -> None:  # noqa: N802
        if self.fitting:
            self.fit()
        super().resizeEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if not self._hint_key(event):
            super().keyPressEvent(event)

