"""Shows this PC's recovery key, once (docs/SECURITY.md, "Encryption at rest: key slots").

A modal dialog: the key in large monospace text (selectable, so it can also be copied), what it
is for, and "I have written it down", which must be ticked before Close is enabled. Escape
does not close it before the box is ticked: the key is never shown again.

Keyboard: the checkbox has the focus first (Space ticks it, Alt+I from anywhere), then Tab
reaches Close (Enter presses it). GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.text import WrappingLabel, heading_label


class RecoveryKeyDialog(QDialog):
    def __init__(self, secret: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RecoveryKeyDialog")
        self.setModal(True)
        self.setWindowTitle(self.tr("Recovery key of this PC"))

        title = heading_label(self.tr("Recovery key of this PC"), level=2)
        self.key_label = QLabel(secret)
        self.key_label.setObjectName("recoveryKey")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), self.font().pointSizeF()) * 1.6)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setAccessibleName(self.tr("Recovery key"))
        explain = WrappingLabel(
            self.tr(
                "Write it down and keep it away from this PC; it opens the clinic's data if "
                "every password is lost. It will not be shown again."
            )
        )
        explain.setWordWrap(True)

        self.written = QCheckBox(self.tr("&I have written it down"))
        self.written.setObjectName("recoveryWritten")
        self.close_button = QPushButton(self.tr("&Close"))
        self.close_button.setObjectName("recoveryClose")
        self.close_button.setEnabled(False)
        self.close_button.setDefault(True)
        self.written.toggled.connect(self.close_button.setEnabled)
        self.close_button.clicked.connect(self.accept)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.key_label)
        layout.addWidget(explain)
        layout.addWidget(self.written)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.written, self.close_button)
        self.written.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        """Escape or the window's close button: only once the key is written down."""
        if self.written.isChecked():
            super().reject()
