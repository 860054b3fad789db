"""A small line chart (QPainter) for the live loss and validation curves: no chart library needed."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget


class CurveChart(QWidget):
    def __init__(self, title: str, colour: str = "#3d6fb6", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.colour = QColor(colour)
        self.points: list[tuple[float, float]] = []
        self.setMinimumSize(240, 120)

    def add(self, x: float, y: float) -> None:
        if y == y:  # skip NaN
            self.points.append((x, y))
            if len(self.points) > 2000:
                self.points = self.points[::2]
            self.update()

    def clear(self) -> None:
        self.points = []
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        p.setPen(self.palette().text().color())
        p.drawText(QRectF(6, 2, self.width() - 12, 18), Qt.AlignmentFlag.AlignLeft, self.title)
        if len(self.points) < 2:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "waiting for data…")
            return
        xs, ys = [x for x, _ in self.points], [y for _, y in self.points]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if y1 - y0 < 1e-9:
            y0, y1 = y0 - 1, y1 + 1
        top, bottom = axis_labels(y0, y1)
        margin = 8 + max(p.fontMetrics().horizontalAdvance(t) for t in (top, bottom))
        area = QRectF(margin, 22, self.width() - margin - 10, self.height() - 34)
        p.drawText(QRectF(0, area.top() - 6, margin - 4, 14), Qt.AlignmentFlag.AlignRight, top)
        p.drawText(QRectF(0, area.bottom() - 8, margin - 4, 14), Qt.AlignmentFlag.AlignRight, bottom)

        def at(x: float, y: float) -> QPointF:
            return QPointF(area.left() + (x - x0) / max(x1 - x0, 1e-9) * area.width(),
                           area.bottom() - (y - y0) / (y1 - y0) * area.height())

        p.setPen(QPen(self.colour, 2))
        pts = [at(x, y) for x, y in self.points]
        for a, b in zip(pts, pts[1:]):
            p.drawLine(a, b)


def axis_labels(low: float, high: float) -> tuple[str, str]:
    """The top and bottom labels of an axis, with just enough decimals to tell them apart."""
    for decimals in range(0, 7):
        top, bottom = f"{high:.{decimals}f}", f"{low:.{decimals}f}"
        if top != bottom and abs(float(top) - high) <= 0.05 * (high - low) + 1e-12:
            return top, bottom
    return f"{high:.3g}", f"{low:.3g}"
