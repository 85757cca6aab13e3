"""The first window: set up the first administrator on a fresh PC, then sign in.

On show it asks the services (through ``Op``) whether any account exists. With none it shows
the set-up form for the first administrator; otherwise the sign-in form. Signing in checks a
scrypt hash (tens of milliseconds, 32 MiB), so it runs through ``Op`` too and the window stays
responsive. Wrong passwords and other refusals appear in the form itself, never in a pop-up,
and the password field is cleared and focused for the next try.

Below the card, "Language / भाषा" (each language named in itself) lets whoever sits at the
desk choose the interface language. The window only says so (``language_chosen``); the owner
of the windows (``app.ui.run.Shell``) saves the choice, switches the translator and builds a
new login window in that language.

Keyboard: every field has a mnemonic; Enter in the username goes on to the password, Enter in
the password (or the last set-up field) submits; Alt+L reaches the language; F1 (or
"Diagnostics…", Alt+D) opens field IT's diagnostics, which need nobody signed in.

Encrypted data folders (``services.keys``): signing in on a locked PC unlocks the database
(the login does it); a refusal that is about the PC rather than the password (no key slot
here yet, a key file that does not match) is said plainly. When a recovery key is waiting to
be shown (a new PC, or a PC just encrypted at its first sign-in) and the person signing in
is an administrator, ``RecoveryKeyDialog`` shows it once before ``signed_in``; otherwise it
waits for the next administrator who signs in during this run. "Sign in with the recovery
key…" (Alt+R; only on an encrypted folder) opens ``RecoverySignInDialog`` for field IT when
no administrator password is known; its administrator then goes on as after a sign-in.

Signals: ``ready`` once the form is chosen and usable; ``signed_in(User)`` after a successful
sign-in (or after the first administrator is created, who is then signed in);
``language_chosen(str)`` when the person picks another language. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.domain.models import User
from app.security.permissions import Permission, allowed
from app.ui.application import LANGUAGE_NAMES, current_language
from app.ui.messages import error_text, role_name
from app.ui.recovery_key_dialog import RecoveryKeyDialog
from app.ui.recovery_sign_in import RecoverySignInDialog
from app.ui.tasks import Op
from app.ui.widgets.text import WrappingLabel, heading_label

if TYPE_CHECKING:
    from app.services.container import Services

CARD_WIDTH_EM = 30  # card width in font heights: keeps lines short at any text size


class LoginWindow(QWidget):
    ready = Signal()
    signed_in = Signal(object)  # User
    language_chosen = Signal(str)  # a code from app.ui.application.LANGUAGES

    LOADING, SET_UP, SIGN_IN = 0, 1, 2

    def __init__(
        self,
        services: Services,
        demo_accounts: Sequence[tuple[str, str, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LoginWindow")
        self._services = services
        self._busy = False
        self._is_ready = False
        self.recovery_dialog: RecoveryKeyDialog | None = None
        self.recovery_sign_in: RecoverySignInDialog | None = None
        self.setWindowTitle(self.tr("HWC Spoke — Sign in"))

        title = heading_label(self.tr("HWC Spoke"), level=1)
        subtitle = QLabel(self.tr("Health & Wellness Centre teleconsultation"))
        subtitle.setObjectName("mutedText")
        subtitle.setWordWrap(True)

        # One form shows at a time. Not a QStackedWidget: its height-for-width counts the
        # hidden forms too, which would leave the card as tall as the set-up form.
        self._forms = [
            self._build_loading(),
            self._build_set_up(),
            self._build_sign_in(demo_accounts),
        ]
        self._mode = self.LOADING
        self._show_form(self.LOADING)

        card = QFrame()
        card.setObjectName("card")
        card_layout = QVBoxLayout(card)
        m = self.fontMetrics().height()
        card_layout.setContentsMargins(2 * m, int(1.5 * m), 2 * m, int(1.5 * m))
        card_layout.setSpacing(m // 2)
        card_layout.addWidget(title)
        card_layout.addWidget(subtitle)
        card_layout.addSpacing(m // 2)
        for form in self._forms:
            card_layout.addWidget(form)
        # A fixed measure (in font heights, so it grows with the text) keeps the wrapped
        # labels' height-for-width stable: the card is exactly as tall as its content.
        screen = self.screen().availableGeometry().width() if self.screen() else 0
        width = CARD_WIDTH_EM * m
        card.setFixedWidth(min(width, screen - 4 * m) if screen > 20 * m else width)
        policy = QSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        policy.setHeightForWidth(True)
        card.setSizePolicy(policy)

        language_row = self._build_language_row()

        version = QLabel(self.tr("Version %1 · works without internet").replace("%1", __version__))
        version.setObjectName("mutedText")
        version.setAlignment(Qt.AlignmentFlag.AlignCenter)

        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(card)
        centre.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(m, m, m, m)
        outer.addStretch(1)
        outer.addLayout(centre)
        outer.addSpacing(m // 2)
        outer.addLayout(language_row)
        outer.addSpacing(m // 2)
        outer.addWidget(version)
        # Field IT may need the checks on a PC where nobody can sign in (F1 too).
        self.diagnostics_button = QPushButton(self.tr("&Diagnostics…"))
        self.diagnostics_button.setObjectName("loginDiagnosticsButton")
        self.diagnostics_button.setFlat(True)
        self.diagnostics_button.clicked.connect(self.open_diagnostics)
        outer.addWidget(self.diagnostics_button, 0, Qt.AlignmentFlag.AlignCenter)
        QShortcut(QKeySequence("F1"), self, self.open_diagnostics)
        outer.addStretch(1)

    # --- building ----------------------------------------------------------------------------

    def _build_loading(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.loading_label = QLabel(self.tr("Opening the clinic records…"))
        self.loading_label.setWordWrap(True)
        layout.addWidget(self.loading_label)
        layout.addStretch(1)
        return page

    def _build_set_up(self) -> QWidget:
        page = QWidget()
        intro = heading_label(self.tr("Set up this PC"), level=2)
        explain = WrappingLabel(
            self.tr(
                "No staff accounts exist yet. Create the administrator account first; the "
                "administrator then adds the paramedics and doctors who work here."
            )
        )
        explain.setWordWrap(True)

        self.setup_name = QLineEdit()
        self.setup_name.setObjectName("setupName")
        self.setup_username = QLineEdit()
        self.setup_username.setObjectName("setupUsername")
        self.setup_username.setPlaceholderText(self.tr("e.g. admin"))
        self.setup_password = QLineEdit()
        self.setup_password.setObjectName("setupPassword")
        self.setup_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.setup_password.setPlaceholderText(self.tr("at least 8 characters"))
        self.setup_confirm = QLineEdit()
        self.setup_confirm.setObjectName("setupConfirm")
        self.setup_confirm.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self._buddy(self.tr("Full &name:"), self.setup_name), self.setup_name)
        form.addRow(self._buddy(self.tr("&Username:"), self.setup_username), self.setup_username)
        form.addRow(self._buddy(self.tr("&Password:"), self.setup_password), self.setup_password)
        form.addRow(
            self._buddy(self.tr("&Confirm password:"), self.setup_confirm), self.setup_confirm
        )

        self.setup_error = _error_label("setupError")
        self.setup_button = QPushButton(self.tr("Create &administrator and sign in"))
        self.setup_button.setObjectName("setupButton")
        self.setup_button.setProperty("primary", True)
        self.setup_button.clicked.connect(self.submit_set_up)

        self.setup_name.returnPressed.connect(self.setup_username.setFocus)
        self.setup_username.returnPressed.connect(self.setup_password.setFocus)
        self.setup_password.returnPressed.connect(self.setup_confirm.setFocus)
        self.setup_confirm.returnPressed.connect(self.submit_set_up)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.setup_error)
        layout.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)  # spare height (wrapped text estimates) goes below, not between
        QWidget.setTabOrder(self.setup_name, self.setup_username)
        QWidget.setTabOrder(self.setup_username, self.setup_password)
        QWidget.setTabOrder(self.setup_password, self.setup_confirm)
        QWidget.setTabOrder(self.setup_confirm, self.setup_button)
        return page

    def _build_sign_in(self, demo_accounts: Sequence[tuple[str, str, str]] | None) -> QWidget:
        page = QWidget()
        intro = heading_label(self.tr("Sign in"), level=2)

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self._buddy(self.tr("&Username:"), self.username), self.username)
        form.addRow(self._buddy(self.tr("&Password:"), self.password), self.password)

        self.error_label = _error_label("loginError")
        self.sign_in_button = QPushButton(self.tr("&Sign in"))
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setProperty("primary", True)
        self.sign_in_button.clicked.connect(self.submit_sign_in)

        self.username.returnPressed.connect(self._username_entered)
        self.password.returnPressed.connect(self.submit_sign_in)

        # Only where a recovery key exists: an encrypted data folder.
        keys = self._services.keys
        self.recovery_button = QPushButton(self.tr("Sign in with the &recovery key…"))
        self.recovery_button.setObjectName("recoverySignInButton")
        self.recovery_button.setVisible(keys is not None and keys.encrypted)
        self.recovery_button.clicked.connect(self.open_recovery_sign_in)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recovery_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.demo_label: QLabel | None = None
        if demo_accounts:
            lines = [
                f"{role_name(role)}: {username} / {password}"
                for username, password, role in demo_accounts
            ]
            self.demo_label = WrappingLabel(
                "\n".join([self.tr("Demo mode — sample accounts:"), *lines])
            )
            self.demo_label.setObjectName("hintText")
            self.demo_label.setWordWrap(True)
            self.demo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addSpacing(self.fontMetrics().height() // 2)
            layout.addWidget(self.demo_label)
        layout.addStretch(1)
        QWidget.setTabOrder(self.username, self.password)
        QWidget.setTabOrder(self.password, self.sign_in_button)
        QWidget.setTabOrder(self.sign_in_button, self.recovery_button)
        return page

    def _build_language_row(self) -> QHBoxLayout:
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        index = self.language_combo.findData(current_language())
        self.language_combo.setCurrentIndex(max(0, index))
        self.language_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.language_combo.activated.connect(self._on_language_activated)
        # The label names itself in both languages: whoever cannot read the current one can
        # still find it.
        label = self._buddy(self.tr("&Language / भाषा:"), self.language_combo)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(label)
        row.addWidget(self.language_combo)
        row.addStretch(1)
        return row

    def open_diagnostics(self) -> None:
        """The diagnostics dialog: before a sign-in, the checks that need the locked database
        say so, and the rest run (app.ui.diagnostics_dialog)."""
        from app.ui.diagnostics_dialog import DiagnosticsDialog

        dialog = DiagnosticsDialog(self._services, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.diagnostics_dialog = dialog
        dialog.open()

    def _on_language_activated(self, index: int) -> None:
        code = self.language_combo.itemData(index)
        if isinstance(code, str) and code != current_language():
            self.language_chosen.emit(code)

    def _show_form(self, index: int) -> None:
        self._mode = index
        for i, form in enumerate(self._forms):
            form.setVisible(i == index)

    def _buddy(self, text: str, field: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(field)
        return label

    # --- start -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._is_ready and not self._busy:
            self.check_accounts()

    def check_accounts(self) -> None:
        """Ask (off the GUI thread) whether this PC has any account yet."""
        self._busy = True
        auth = self._services.auth
        (
            Op(self, auth.needs_first_admin)
            .success(self._on_accounts_checked)
            .failure(self._on_check_failed)
            .run()
        )

    def _on_accounts_checked(self, needs_admin: bool) -> None:
        self._busy = False
        self._is_ready = True
        if needs_admin:
            self._show_form(self.SET_UP)
            self.setup_name.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._show_form(self.SIGN_IN)
            self.username.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ready.emit()

    def _on_check_failed(self, exc: BaseException) -> bool:
        self._busy = False
        self.loading_label.setText(error_text(exc))
        return True

    def is_ready(self) -> bool:
        return self._is_ready

    def mode(self) -> int:
        """``LOADING``, ``SET_UP`` or ``SIGN_IN``."""
        return self._mode

    # --- sign in -----------------------------------------------------------------------------

    def _username_entered(self) -> None:
        if self.password.text():
            self.submit_sign_in()
        else:
            self.password.setFocus(Qt.FocusReason.TabFocusReason)

    def submit_sign_in(self) -> None:
        if self._busy or self.mode() != self.SIGN_IN:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username:
            self._show_error(self.error_label, self.tr("Enter your username."), self.username)
            return
        if not password:
            self._show_error(self.error_label, self.tr("Enter your password."), self.password)
            return
        self._set_busy(True)
        self.error_label.hide()
        auth = self._services.auth
        (
            Op(self, lambda: auth.login(username, password))
            .success(self._on_signed_in)
            .failure(self._on_sign_in_failed)
            .run()
        )

    def open_recovery_sign_in(self) -> None:
        """Field IT's way in when no administrator password is known."""
        if self._busy or self.recovery_sign_in is not None:
            return
        dialog = RecoverySignInDialog(self._services.auth, self)
        self.recovery_sign_in = dialog

        def closed() -> None:
            self.recovery_sign_in = None
            dialog.deleteLater()

        dialog.recovered.connect(self._enter)
        dialog.finished.connect(closed)
        dialog.open()

    def _on_signed_in(self, user: User) -> None:
        self._set_busy(False)
        self.password.clear()
        self._enter(user)

    def _enter(self, user: User) -> None:
        """``signed_in``, after showing a waiting recovery key to an administrator."""
        keys = self._services.keys
        secret = keys.pending_recovery if keys is not None else None
        if keys is None or not secret or not allowed(user, Permission.MANAGE_USERS):
            self.signed_in.emit(user)
            return
        dialog = RecoveryKeyDialog(secret, self)
        self.recovery_dialog = dialog

        def shown() -> None:
            keys.recovery_key_shown()
            self.recovery_dialog = None
            dialog.deleteLater()
            self.signed_in.emit(user)

        dialog.finished.connect(shown)
        dialog.open()

    def _on_sign_in_failed(self, exc: BaseException) -> bool:
        self._set_busy(False)
        self.password.clear()
        self._show_error(self.error_label, self._error_text(exc), self.password)
        return True

    def _error_text(self, exc: BaseException) -> str:
        code = getattr(exc, "code", None)
        if code == "keys.no_slot":
            return self.tr(
                "This PC is locked and your account has not been used on it yet: someone who "
                "has used it, or field IT with the recovery key, must sign in first."
            )
        if code in ("keys.not_this_database", "keys.damaged"):
            return self.tr(
                "The key file of this PC does not match its clinic database, or is damaged. "
                "Call field IT; do not delete anything."
            )
        return error_text(exc)

    # --- first administrator -----------------------------------------------------------------

    def submit_set_up(self) -> None:
        if self._busy or self.mode() != self.SET_UP:
            return
        name = self.setup_name.text().strip()
        username = self.setup_username.text().strip()
        password = self.setup_password.text()
        if not name:
            self._show_error(self.setup_error, self.tr("Enter your full name."), self.setup_name)
            return
        if not username:
            self._show_error(self.setup_error, self.tr("Choose a username."), self.setup_username)
            return
        if password != self.setup_confirm.text():
            self.setup_confirm.clear()
            self._show_error(
                self.setup_error,
                self.tr("The two passwords are not the same. Type the password again."),
                self.setup_confirm,
            )
            return
        self._set_busy(True)
        self.setup_error.hide()
        auth = self._services.auth
        (
            Op(self, lambda: auth.create_first_admin(username, name, password))
            .success(self._on_admin_created)
            .failure(self._on_set_up_failed)
            .run()
        )

    def _on_admin_created(self, user: User) -> None:
        self._set_busy(False)
        self.setup_password.clear()
        self.setup_confirm.clear()
        self.username.setText(user.username)
        self._enter(user)

    def _on_set_up_failed(self, exc: BaseException) -> bool:
        self._set_busy(False)
        code = getattr(exc, "code", "")
        if code == "auth.first_admin_exists":
            # Someone else finished set-up meanwhile: this PC now wants a normal sign-in.
            self._show_form(self.SIGN_IN)
            self._show_error(self.error_label, error_text(exc), self.username)
            return True
        focus: QLineEdit = self.setup_name
        if code.startswith("auth.username"):
            focus = self.setup_username
        elif code.startswith("auth.password"):
            self.setup_password.clear()
            self.setup_confirm.clear()
            focus = self.setup_password
        self._show_error(self.setup_error, error_text(exc), focus)
        return True

    # --- shared ------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (
            self.username,
            self.password,
            self.sign_in_button,
            self.setup_name,
            self.setup_username,
            self.setup_password,
            self.setup_confirm,
            self.setup_button,
            self.language_combo,
            self.recovery_button,
        ):
            widget.setEnabled(not busy)
        self.sign_in_button.setText(self.tr("Signing in…") if busy else self.tr("&Sign in"))

    def _show_error(self, label: QLabel, text: str, focus: QLineEdit) -> None:
        label.setText(text)
        label.show()
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        focus.selectAll()

    def is_busy(self) -> bool:
        return self._busy


def _error_label(name: str) -> QLabel:
    label = WrappingLabel()
    label.setObjectName("errorText")
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.hide()
    return label
