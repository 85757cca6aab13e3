"""The lock page: what the main window shows instead of its pages while the session is locked.

It shows who locked it ("Locked — Asha Devi was working here": a staff name, not patient
data), a password field, "Unlock" (Enter in the field) and "Sign in as someone else…". It
holds nothing of the pages underneath: the main window swaps it in front of them and keeps
them as they were (``app.ui.main_window``).

The page does no work itself: ``unlock_requested(password)`` asks the window to check the
password (``services.auth.unlock`` through ``Op``); the window calls ``show_error`` or
``reset`` with the answer. ``switch_user_requested`` asks for the normal sign-out path.
GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.text import WrappingLabel, heading_label

CARD_WIDTH_EM = 30  # card width in font heights, as the login window's


class LockPage(QWidget):
    unlock_requested = Signal(str)  # the password typed
    switch_user_requested = Signal()

    def __init__(self, display_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LockPage")
        self._busy = False
        m = self.fontMetrics().height()

        self.heading = heading_label(
            self.tr("Locked — %1 was working here").replace("%1", display_name), level=2
        )
        self.heading.setWordWrap(True)
        self.heading.setObjectName("lockHeading")
        self.explain = WrappingLabel(
            self.tr(
                "Type your password to carry on where you left off. Someone else can sign in "
                "instead: your work is kept in your drafts."
            )
        )
        self.explain.setObjectName("hintText")
        self.explain.setWordWrap(True)

        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        label = QLabel(self.tr("&Password:"))
        label.setBuddy(self.password)

        self.error_label = WrappingLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setAccessibleName("lockError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setProperty("primary", True)
        self.unlock_button.setDefault(True)
        self.switch_button = QPushButton(self.tr("Sign in as &someone else…"))
        self.switch_button.setObjectName("switchUserButton")

        self.password.returnPressed.connect(self.submit)
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button.clicked.connect(self.switch_user_requested)

        card = QFrame()
        card.setObjectName("card")
        card.setMaximumWidth(CARD_WIDTH_EM * m)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(m, m, m, m)
        inner.setSpacing(m // 2)
        inner.addWidget(self.heading)
        inner.addWidget(self.explain)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.password, 1)
        inner.addLayout(row)
        inner.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(card, 4)
        centre.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(2)
        QWidget.setTabOrder(self.password, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.switch_button)

    def submit(self) -> None:
        if self._busy:
            return
        password = self.password.text()
        if not password:
            self.show_error(self.tr("Enter your password."))
            return
        self.set_busy(True)
        self.error_label.hide()
        self.unlock_requested.emit(password)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.password, self.unlock_button, self.switch_button):
            widget.setEnabled(not busy)
        self.unlock_button.setText(self.tr("Unlocking…") if busy else self.tr("&Unlock"))

    def is_busy(self) -> bool:
        return self._busy

    def show_error(self, text: str) -> None:
        """A refusal: said under the field, the field cleared and focused for the next try."""
        self.set_busy(False)
        self.password.clear()
        self.error_label.setText(text)
        self.error_label.show()
        self.focus_password()

    def reset(self) -> None:
        """Ready for the next lock: nothing typed, no message."""
        self.set_busy(False)
        self.password.clear()
        self.error_label.hide()

    def focus_password(self) -> None:
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
