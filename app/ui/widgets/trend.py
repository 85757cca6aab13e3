"""A small trend line for one vital sign, drawn with QPainter (QtCharts is not installed).

``Sparkline.set_series(values, latest_text)`` takes the values oldest first. The widget sizes
itself from the font (so it grows at 150 % text) and states its newest value in words for
screen readers and tooltips. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class Sparkline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[float] = []
        self._caption = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.sizeHint().height())

    def values(self) -> list[float]:
        return list(self._values)

    def set_series(self, values: Sequence[float], caption: str = "") -> None:
        self._values = [float(v) for v in values]
        self._caption = caption
        self.setToolTip(caption)
        self.setAccessibleDescription(caption)
        self.update()

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 8, line * 2 + 6)

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 4, line * 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        area = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        if not self._values:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.tr("No readings yet"))
            return
        lo, hi = min(self._values), max(self._values)
        span = hi - lo or 1.0
        n = len(self._values)
        step = area.width() / max(n - 1, 1)

        def point(i: int, v: float) -> QPointF:
            x = area.left() + (step * i if n > 1 else area.width() / 2)
            y = area.bottom() - (v - lo) / span * area.height() if hi != lo else area.center().y()
            return QPointF(x, y)

        path = QPainterPath(point(0, self._values[0]))
        for i, v in enumerate(self._values[1:], start=1):
            path.lineTo(point(i, v))
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
        painter.drawPath(path)
        last = point(n - 1, self._values[-1])
        painter.setBrush(QColor(pal.color(QPalette.ColorRole.Highlight)))
        radius = max(3.0, self.fontMetrics().height() / 5)
        painter.drawEllipse(last, radius, radius)
