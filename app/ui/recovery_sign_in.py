"""Signing in with the recovery key: field IT's way back in when no administrator password is
known (docs/SECURITY.md, "The recovery key").

A modal dialog from the login window: the recovery key (as written on paper: groups, dashes
and case do not matter), the administrator's username and a new password typed twice. Sign in
calls ``auth.recover`` through ``Op`` (two scrypt derivations: never on the GUI thread); a
refusal appears in the dialog next to the field it is about, in the interface language, and
what was typed stays (only the key field is selected for a retry). On success ``recovered``
carries the administrator, and the login window goes on as after any sign-in (first showing
the replacement recovery key, which the service made because this one has now been typed).

Keyboard: each field has a mnemonic, Enter moves on and the last field submits, Esc closes
(not while the work runs). GUI thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import User
from app.ui.messages import error_text
from app.ui.tasks import Op
from app.ui.widgets.text import WrappingLabel, heading_label

if TYPE_CHECKING:
    from app.services.auth import AuthService


class RecoverySignInDialog(QDialog):
    recovered = Signal(object)  # User

    def __init__(self, auth: AuthService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RecoverySignInDialog")
        self.setModal(True)
        self.setWindowTitle(self.tr("Sign in with the recovery key"))
        self._auth = auth
        self._busy = False

        title = heading_label(self.tr("Sign in with the recovery key"), level=2)
        intro = WrappingLabel(
            self.tr(
                "For field IT when no administrator can sign in. The recovery key opens this "
                "PC's data; the administrator account you name gets a new password. The key "
                "is replaced afterwards: write the new one down."
            )
        )
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("recoveryKeyInput")
        # Monospace, so groups line up with the paper; at the interface's size (150 % too).
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setPointSizeF(self.font().pointSizeF())
        self.key_edit.setFont(fixed)
        self.key_edit.setPlaceholderText("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")
        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("recoveryUsername")
        self.password_edit = _password_field("recoveryPassword")
        self.password_edit.setPlaceholderText(self.tr("at least 8 characters"))
        self.confirm_edit = _password_field("recoveryConfirm")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, field in (
            (self.tr("Recovery &key:"), self.key_edit),
            (self.tr("Administrator's &username:"), self.username_edit),
            (self.tr("&New password:"), self.password_edit),
            (self.tr("&Confirm password:"), self.confirm_edit),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)

        self.error_label = WrappingLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setAccessibleName(self.tr("Problem"))
        self.error_label.hide()

        buttons = QDialogButtonBox()
        self.sign_in_button = buttons.addButton(
            self.tr("&Sign in"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_in_button.setObjectName("recoverySignIn")
        self.sign_in_button.setProperty("primary", True)
        self.cancel_button = buttons.addButton(
            self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.key_edit.returnPressed.connect(self.username_edit.setFocus)
        self.username_edit.returnPressed.connect(self.password_edit.setFocus)
        self.password_edit.returnPressed.connect(self.confirm_edit.setFocus)
        self.confirm_edit.returnPressed.connect(self.submit)

        m = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(m, m, m, m)
        layout.setSpacing(m // 2)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(32 * m)
        QWidget.setTabOrder(self.key_edit, self.username_edit)
        QWidget.setTabOrder(self.username_edit, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.confirm_edit)
        QWidget.setTabOrder(self.confirm_edit, self.sign_in_button)
        QWidget.setTabOrder(self.sign_in_button, self.cancel_button)
        self.key_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self._busy:
            return
        key = self.key_edit.text()
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not key.strip():
            self._show_error(self.tr("Type the recovery key."), self.key_edit)
            return
        if not username:
            self._show_error(self.tr("Type the administrator's username."), self.username_edit)
            return
        if password != self.confirm_edit.text():
            self.confirm_edit.clear()
            self._show_error(
                self.tr("The two passwords are not the same. Type the password again."),
                self.confirm_edit,
            )
            return
        self._set_busy(True)
        self.error_label.hide()
        auth = self._auth
        (
            Op(self, lambda: auth.recover(key, username, password))
            .success(self._on_recovered)
            .failure(self._on_failed)
            .run()
        )

    def _on_recovered(self, user: User) -> None:
        self._set_busy(False)
        self.accept()
        self.recovered.emit(user)

    def _on_failed(self, exc: BaseException) -> bool:
        self._set_busy(False)
        field = getattr(exc, "field", None)
        focus = {
            "username": self.username_edit,
            "password": self.password_edit,
        }.get(field or "", self.key_edit)
        if getattr(exc, "code", "").startswith("auth.password"):
            focus = self.password_edit
            self.confirm_edit.clear()
        self._show_error(error_text(exc), focus)
        return True

    def _show_error(self, text: str, focus: QLineEdit) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        focus.selectAll()

    def error(self) -> str:
        """The problem shown, or "" (for tests)."""
        return "" if self.error_label.isHidden() else self.error_label.text()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (
            self.key_edit,
            self.username_edit,
            self.password_edit,
            self.confirm_edit,
            self.sign_in_button,
            self.cancel_button,
        ):
            widget.setEnabled(not busy)
        self.sign_in_button.setText(self.tr("Signing in…") if busy else self.tr("&Sign in"))

    def is_busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        if not self._busy:  # the work is under way: let it finish and report
            super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter moves from field to field and submits from the last one (returnPressed): the
        # dialog's default button must not take it first, nor a second time while busy.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and not self._busy:
                focused.click()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field
