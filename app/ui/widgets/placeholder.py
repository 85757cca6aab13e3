"""An honest page for what is not built yet: its title, what it will do, and that it is not
available yet. Never a blank page or a button that does nothing. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.widgets.text import heading_label


class PlaceholderPage(QWidget):
    def __init__(self, title: str, body: str, status: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PlaceholderPage")
        self._title = title
        self.heading = heading_label(title, level=1)
        self.body = QLabel(body)
        self.body.setWordWrap(True)
        self.body.setObjectName("placeholderBody")
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(status)
        self.status.setObjectName("hintText")
        self.status.setWordWrap(True)
        m = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setSpacing(m // 2)
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        layout.addWidget(self.status)
        layout.addStretch(1)
        # Long lines are hard to read; keep the text to about 75 characters. (No alignment
        # flag on the wrapped labels: that breaks their height-for-width and clips them.)
        measure = self.fontMetrics().averageCharWidth() * 75
        self.body.setMaximumWidth(measure)
        self.status.setMaximumWidth(measure)

    def title(self) -> str:
        return self._title
