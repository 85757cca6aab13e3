"""Text widgets sized from the application font, so they grow with the font scale.

``heading_label(text, level)``: level 1 is a window title, 2 a section, 3 a sub-section.
``WrappingLabel``: word-wrapped text that a layout gives exactly the height it needs.
GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

_HEADING_SCALE = {1: 1.6, 2: 1.3, 3: 1.1}


def heading_label(text: str, level: int = 2, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(f"heading{level}")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * _HEADING_SCALE.get(level, 1.0))
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class WrappingLabel(QLabel):
    """A word-wrapped label that asks for the height its text needs at its real width.

    A plain wrapped QLabel guesses its size hint at some other width (often three short
    lines), so a layout holding one gives it too much or too little height. This one reports
    the height for the width it has been given, and asks for a new layout when that changes.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self._laid_out_width = -1

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self._laid_out_width > 0:
            hint.setHeight(self.heightForWidth(self._laid_out_width))
        return hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self._laid_out_width > 0:
            hint.setHeight(self.heightForWidth(self._laid_out_width))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._laid_out_width:
            self._laid_out_width = event.size().width()
            self.updateGeometry()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.updateGeometry()
