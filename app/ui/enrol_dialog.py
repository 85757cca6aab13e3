"""Enrolling this PC with a hub: the dialog field IT opens from the Sync page.

Field IT pastes (or types) the enrolment token the hub printed for this clinic
(``HOST:PORT/XXXX-XXXX-…``, docs/SYNC.md). Capital or small letters, spaces, dashes and line
breaks do not matter. The token is read (``app.domain.enrolment.decode``, pure and quick, so
on the GUI thread) at every change: what is wrong with it shows under the field at once, in
words, and **Enrol** is enabled only for a complete token. A complete one shows the hub it
names.

**Advanced** (Alt+A) opens a second field, the hub's address (``https://…``), for a hub that
this PC reaches at another address than the one in the token; the hub's certificate is still
checked against the token, so the override cannot lead to a different hub unnoticed.

**Enrol** (Alt+E, or Enter) runs ``SyncService.enrol`` through ``Op``: a busy bar shows, the
fields are disabled, Cancel (or Esc) still closes the dialog. The request cannot be stopped
half-way, so a cancelled enrolment is left to finish on its worker: its outcome is logged
there and never reaches the dialog (the ``Op`` is cancelled, and drops results for a deleted
dialog anyway). A PC that got enrolled that way shows as enrolled when the page next reads its
status, and starts syncing like any other.

What the service refuses shows in the dialog, translated (``app.ui.messages``). A hub whose
certificate does not match the token's pin (``sync.enrol_pin_mismatch``) reads as a warning
that the connection may be intercepted, and **Enrol** stays disabled until the token or the
address is changed: that is never a fault to retry blindly. On success the call also starts
the sync worker and nudges it (sign-in starts one only on an enrolled PC), ``enrolled`` is
emitted with the result and the dialog closes.

**Moving to another hub** (``move=True``, from the Sync page of an enrolled PC): the same
dialog with a warning of what a move means, a confirmation box that must be ticked ("this PC
stops sending to the hub at …") before **Move** is enabled, and ``ProvisioningService.reprovision``
as the call. When records or photos have not reached the current hub yet, the service refuses
(``provision.unsent_data``); the dialog then says how many and offers a second box, "Move
anyway", which sends them to the new hub with the clinic's history (docs/SYNC.md, "Moving a
clinic to another hub"). A failed move leaves the PC with its current hub.

``show_provisioning_outcome`` tells an administrator, after sign-in, what became of the
installer's provisioning file (``ProvisioningService.after_sign_in``): a status-bar line when
enrolment is under way, a message box when the file could not be used or deleted.

Keyboard: the token field has the focus; Tab goes on to Advanced, the hub address (when
open), Enrol and Cancel; Enter enrols once Enrol is enabled; Esc cancels, also while enrolling.

Threading: GUI thread only; the service call runs on a worker through ``Op``.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import enrolment as token_format
from app.ui.messages import error_text
from app.ui.tasks import Op
from app.ui.widgets.text import WrappingLabel

if TYPE_CHECKING:
    from app.services.provisioning import Outcome
    from app.ui.session import Session

log = logging.getLogger(__name__)

# A code that says the connection itself is not to be trusted: never to be retried blindly.
PIN_MISMATCH = "sync.enrol_pin_mismatch"
# The move was refused because records or photos have not reached the current hub yet.
UNSENT_DATA = "provision.unsent_data"


# A token for "hub.example.org:8765", with its dashes, is 75 characters; and the clear button.
TOKEN_WIDTH_CHARS = 84

# Spaces around "/" (a token copied from a printout or split over two lines) are not part of
# the address; ``decode`` already ignores them in the groups.
_AROUND_SLASH = re.compile(r"\s*/\s*")
_LINE_BREAKS = str.maketrans({"\r": " ", "\n": " ", "\t": " "})


class EnrolmentResult(Protocol):
    """What ``SyncService.enrol`` returns (``app.sync.enrolment.Enrolled``), as read here."""

    @property
    def spoke_id(self) -> str: ...

    @property
    def facility(self) -> str: ...

    @property
    def hub_name(self) -> str: ...

    @property
    def hub_url(self) -> str: ...


def clean_token(text: str) -> str:
    """The token as typed or pasted, with line breaks and spaces around "/" taken out."""
    return _AROUND_SLASH.sub("/", text.strip())


def token_problem_text(exc: token_format.TokenError) -> str:
    """What is wrong with a token, in the interface language."""
    p = exc.params
    if exc.code == "token.shape":
        return QCoreApplication.translate(
            "EnrolDialog",
            "An enrolment token starts with the hub's address, then “/” and 11 groups of four "
            "letters and digits, like hub.example.org:8765/K7QM-2XPD-…",
        )
    if exc.code == "token.address":
        return QCoreApplication.translate(
            "EnrolDialog",
            "The start of the token, before “/”, must be the hub's address: HOST:PORT.",
        )
    if exc.code == "token.port":
        return QCoreApplication.translate(
            "EnrolDialog", "The port in the hub's address (%1) must be between 1 and 65535."
        ).replace("%1", str(p["port"]))
    if exc.code == "token.length":
        if p["has"] < p["needs"]:
            text = QCoreApplication.translate(
                "EnrolDialog",
                "The token is not complete: %1 of the %2 letters and digits after the address "
                "so far.",
            )
        else:
            text = QCoreApplication.translate(
                "EnrolDialog",
                "The token has %1 letters and digits after the address; it needs exactly %2. "
                "Copy it again, or check for extra characters.",
            )
        return text.replace("%1", str(p["has"])).replace("%2", str(p["needs"]))
    if exc.code == "token.characters":
        return QCoreApplication.translate(
            "EnrolDialog",
            "The token cannot contain %1. Check those characters against the printed token.",
        ).replace("%1", str(p["bad"]))
    if exc.code == "token.mistyped":
        return QCoreApplication.translate(
            "EnrolDialog",
            "The token is mistyped: its last group does not match the rest. Check each letter "
            "and digit against the printed token.",
        )
    return QCoreApplication.translate(
        "EnrolDialog", "This is not a complete enrolment token (%1)."
    ).replace("%1", exc.message)


def hub_address_problem(text: str) -> str | None:
    """Why ``text`` cannot be the hub's address (None when it can, or is empty)."""
    address = text.strip()
    if not address:
        return None
    parts = urlsplit(address)
    if parts.scheme.lower() != "https" or not parts.netloc or " " in address:
        return QCoreApplication.translate(
            "EnrolDialog",
            "Write the hub's address as https://HOST:PORT, for example https://hub.example.org:8765.",
        )
    return None


class StatusWindow(Protocol):
    """The main window, as ``show_provisioning_outcome`` uses it."""

    def status_message(self, text: str) -> None: ...


def provisioning_notice_text(notice: BaseException) -> str:
    """What an administrator reads about a provisioning file that was not (fully) used."""
    if isinstance(notice, token_format.TokenError):
        return QCoreApplication.translate(
            "EnrolDialog",
            "The enrolment token in the provisioning file was not used: %1 Ask field IT "
            "for a new provisioning file, or enrol this PC on the Sync page.",
        ).replace("%1", token_problem_text(notice))
    return error_text(notice)


def show_provisioning_outcome(window: QWidget, outcome: Outcome) -> None:
    """After sign-in: a status line while enrolment with the installer's token is under way,
    a message box (not waited for) when the provisioning file needs a person."""
    if outcome.action == "held" and outcome.hub and hasattr(window, "status_message"):
        window.status_message(
            QCoreApplication.translate(
                "EnrolDialog",
                "Enrolling with the hub at %1 (the token the installer left). Sending starts "
                "once the hub answers; the Sync page shows how it goes.",
            ).replace("%1", outcome.hub)
        )
    if outcome.notice is None:
        return
    box = QMessageBox(window)
    box.setObjectName("provisioningNotice")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("EnrolDialog", "Provisioning file"))
    box.setText(provisioning_notice_text(outcome.notice))
    ok = box.addButton(
        QCoreApplication.translate("EnrolDialog", "OK"), QMessageBox.ButtonRole.AcceptRole
    )
    box.setDefaultButton(ok)
    box.setEscapeButton(ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class EnrolDialog(QDialog):
    """A token field, an optional hub address behind Advanced, Enrol and Cancel."""

    enrolled = Signal(object)  # EnrolmentResult

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        move: bool = False,
        current_hub: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MoveHubDialog" if move else "EnrolDialog")
        self.setWindowTitle(
            self.tr("Move this PC to another hub") if move else self.tr("Enrol this PC with a hub")
        )
        self.setModal(True)
        self._session = session
        self._sync = session.services.sync
        self._provisioning = session.services.provisioning
        self._move = move
        self._op: Op[EnrolmentResult] | None = None
        self._token: token_format.EnrolmentToken | None = None
        # After a pin mismatch the same token and address must not simply be sent again.
        self._blocked: tuple[str, str] | None = None
        m = self.fontMetrics().height()

        intro = WrappingLabel(
            self.tr(
                "Paste or type the enrolment token the hub printed for this clinic. Capital or "
                "small letters, spaces and dashes do not matter. Each token works once."
            )
        )
        intro.setObjectName("mutedText")

        # --- moving to another hub: the warning and the confirmations -----------------------
        self.move_warning = WrappingLabel(
            self.tr(
                "⚠ This PC is enrolled with %1. Moving it to another hub sends this clinic's "
                "whole record (every patient and case it has sent) to the new hub, and nothing "
                "more goes to %1: answers it has not sent yet will not arrive. Move only when "
                "the administrators of both hubs have agreed. If the new hub cannot be "
                "enrolled with, this PC stays with %1."
            ).replace("%1", current_hub)
        )
        self.move_warning.setObjectName("errorText")
        self.move_warning.setVisible(move)
        self.confirm_check = QCheckBox(
            self.tr("I &understand: this PC stops sending to %1").replace("%1", current_hub)
        )
        self.confirm_check.setObjectName("confirmMove")
        self.confirm_check.setVisible(move)
        self.confirm_check.toggled.connect(self._on_input_changed)
        self.force_check = QCheckBox(
            self.tr("Move anywa&y: the unsent records and photos go to the new hub")
        )
        self.force_check.setObjectName("forceMove")
        self.force_check.hide()  # shown when the service refuses for unsent data
        self.force_check.toggled.connect(self._on_input_changed)

        self.token_edit = QLineEdit()
        self.token_edit.setObjectName("tokenEdit")
        self.token_edit.setPlaceholderText(self.tr("hub.example.org:8765/K7QM-2XPD-…"))
        self.token_edit.setAccessibleName(self.tr("Enrolment token"))
        self.token_edit.setClearButtonEnabled(True)
        # A fixed-width face keeps 0 and O, 1 and I apart when the token is checked by eye.
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font = QFont(self.token_edit.font())
        font.setFamilies([fixed.family()])
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.token_edit.setFont(font)
        self.token_edit.textChanged.connect(self._on_token_changed)
        self.token_label = QLabel(self.tr("Enrolment &token:"))
        self.token_label.setBuddy(self.token_edit)

        # Under the field: what is wrong with the token, or which hub it names.
        self.token_note = WrappingLabel()
        self.token_note.setObjectName("hintText")
        self.token_note.setTextFormat(Qt.TextFormat.PlainText)
        self.token_note.setProperty("noteFor", "token")

        # --- Advanced: another address for the hub ------------------------------------------
        # Text, not an arrow icon: it grows with the font like the rest.
        self.advanced_button = QToolButton()
        self.advanced_button.setObjectName("advancedButton")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.setAccessibleName(self.tr("Advanced: another hub address"))
        self.advanced_button.toggled.connect(self._on_advanced_toggled)

        self.hub_edit = QLineEdit()
        self.hub_edit.setObjectName("hubAddressEdit")
        self.hub_edit.setPlaceholderText(self.tr("https://…"))
        self.hub_edit.setAccessibleName(self.tr("Hub address"))
        self.hub_edit.textChanged.connect(self._on_input_changed)
        hub_label = QLabel(self.tr("Hub a&ddress:"))
        hub_label.setBuddy(self.hub_edit)
        self.hub_help = WrappingLabel(
            self.tr(
                "Only when this PC reaches the hub at another address than the one in the "
                "token, for example through another network. The hub's certificate is still "
                "checked against the token. Leave empty to use the token's address."
            )
        )
        self.hub_help.setObjectName("mutedText")
        self.hub_error = WrappingLabel()
        self.hub_error.setObjectName("errorText")
        self.hub_error.setTextFormat(Qt.TextFormat.PlainText)

        # --- while enrolling ----------------------------------------------------------------
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("enrolProgress")
        self.progress_bar.setRange(0, 0)  # busy: the service reports no fractions
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(m // 2 + 2)
        self.progress_bar.setAccessibleName(self.tr("Enrolling"))
        self.progress_bar.hide()
        self.progress_label = WrappingLabel()
        self.progress_label.setObjectName("mutedText")
        self.progress_label.hide()

        self.error_label = WrappingLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setProperty("errorFor", "enrol")
        self.error_label.hide()

        self.buttons = QDialogButtonBox()
        self.enrol_button = self.buttons.addButton(
            self.tr("&Move") if move else self.tr("&Enrol"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.enrol_button.setObjectName("enrolButton")
        self.enrol_button.setDefault(True)
        self.enrol_button.setProperty("primary", True)
        self.enrol_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(
            self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.enrol_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        # One form, labels above their fields: a whole token needs the full width, and the
        # notes line up under the field they speak of at any text size. Hidden rows take no
        # room.
        self.form = form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(self.token_label, self.token_edit)
        form.addRow("", self.token_note)
        form.addRow(self.advanced_button)
        form.addRow(hub_label, self.hub_edit)
        form.addRow("", self.hub_error)
        form.addRow("", self.hub_help)
        for row in (self.token_note, self.hub_edit, self.hub_error, self.hub_help):
            form.setRowVisible(row, False)
        self._on_advanced_toggled(False)

        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(m, m, m, m)
        layout.setSpacing(m // 2)
        layout.addWidget(intro)
        layout.addWidget(self.move_warning)
        layout.addLayout(form)
        layout.addWidget(self.confirm_check)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.force_check)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        # Room for a whole token in the token's own (fixed-width) face, as styled, as far as
        # the screen allows (at 150 % text a small screen scrolls the field instead).
        self.token_edit.ensurePolished()
        whole = self.token_edit.fontMetrics().horizontalAdvance("M" * TOKEN_WIDTH_CHARS)
        screen = self.screen().availableGeometry().width() if self.screen() else whole
        self.token_edit.setMinimumWidth(min(whole, screen * 3 // 4))

        QWidget.setTabOrder(self.token_edit, self.advanced_button)
        QWidget.setTabOrder(self.advanced_button, self.hub_edit)
        QWidget.setTabOrder(self.hub_edit, self.confirm_check)
        QWidget.setTabOrder(self.confirm_check, self.force_check)
        QWidget.setTabOrder(self.force_check, self.enrol_button)
        QWidget.setTabOrder(self.enrol_button, self.cancel_button)
        self.token_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- reading the inputs -----------------------------------------------------------------

    def token_text(self) -> str:
        return clean_token(self.token_edit.text())

    def hub_override(self) -> str | None:
        """The hub address typed under Advanced (None when closed or empty)."""
        if not self.advanced_button.isChecked():
            return None
        return self.hub_edit.text().strip().rstrip("/") or None

    def token_note_text(self) -> str:
        """What shows under the token field ("" when nothing; for tests)."""
        return self.token_note.text() if not self.token_note.isHidden() else ""

    def token_is_valid(self) -> bool:
        return self._token is not None

    def error(self) -> str:
        """The service's refusal shown in the dialog ("" when none; for tests)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def is_busy(self) -> bool:
        return self._op is not None

    def _on_token_changed(self, text: str) -> None:
        if any(c in text for c in "\r\n\t"):
            # A token pasted from a message split over lines: one line, same positions.
            cursor = self.token_edit.cursorPosition()
            self.token_edit.setText(text.translate(_LINE_BREAKS))  # comes back here
            self.token_edit.setCursorPosition(cursor)
            return
        self._on_input_changed()

    def _on_input_changed(self, _text: object = "") -> None:
        if self._op is not None:
            return
        if self.force_check.isHidden():  # else the refusal the box answers stays readable
            self.error_label.hide()
        self._check_token()
        self._check_hub()
        self._update_enrol_button()

    def _check_token(self) -> None:
        text = self.token_text()
        self._token = None
        if not text:
            self._set_row(self.token_note, False)
            return
        try:
            self._token = token_format.decode(text)
        except token_format.TokenError as exc:
            self._show_note(token_problem_text(exc), problem=True)
            return
        self._show_note(
            self.tr("A complete token for the hub at %1.").replace("%1", self._token.url),
            problem=False,
        )

    def _show_note(self, text: str, *, problem: bool) -> None:
        # The error style for a problem, the hint style for the hub the token names.
        name = "errorText" if problem else "hintText"
        if self.token_note.objectName() != name:
            self.token_note.setObjectName(name)
            self.token_note.style().unpolish(self.token_note)
            self.token_note.style().polish(self.token_note)
        self.token_note.setText(text)
        self.token_note.setAccessibleDescription(text)
        self._set_row(self.token_note, True)

    def _check_hub(self) -> bool:
        problem = hub_address_problem(self.hub_edit.text()) if self.hub_override() else None
        self.hub_error.setText(problem or "")
        self._set_row(self.hub_error, problem is not None)
        return problem is None

    def _set_row(self, field: QWidget, shown: bool) -> None:
        if self.form.isRowVisible(field) != shown:
            self.form.setRowVisible(field, shown)
            self._fit_soon()

    def _fit_soon(self) -> None:
        # A note that appears or wraps needs height; the layout knows how much only once it
        # has laid the new text out at the dialog's width, so grow after this event.
        QTimer.singleShot(0, self, self._fit_height)

    def _fit_height(self) -> None:
        layout = self._layout
        layout.activate()
        needed = max(self.minimumSizeHint().height(), layout.totalHeightForWidth(self.width()))
        if self.height() < needed:
            self.resize(self.width(), needed)

    def _inputs(self) -> tuple[str, str]:
        return self.token_text(), self.hub_override() or ""

    def _update_enrol_button(self) -> None:
        blocked = self._blocked is not None and self._blocked == self._inputs()
        self.enrol_button.setEnabled(
            self._op is None
            and self._token is not None
            and hub_address_problem(self.hub_override() or "") is None
            and not blocked
            and (not self._move or self.confirm_check.isChecked())
        )

    def _on_advanced_toggled(self, shown: bool) -> None:
        arrow = "▾" if shown else "▸"
        self.advanced_button.setText(arrow + " " + self.tr("&Advanced"))
        self.form.setRowVisible(self.hub_edit, shown)
        self.form.setRowVisible(self.hub_help, shown)
        if shown and self.isVisible():
            self.hub_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self._on_input_changed()
        self._fit_soon()

    # --- enrolling --------------------------------------------------------------------------

    def submit(self) -> None:
        """Enrol with the token (through ``Op``); does nothing until the inputs are usable."""
        self._on_input_changed()
        if self._op is not None or not self.enrol_button.isEnabled() or self._token is None:
            return
        token, hub = self.token_text(), self.hub_override()
        sync, actor = self._sync, self._session.user
        provisioning, move = self._provisioning, self._move
        force = move and self.force_check.isVisible() and self.force_check.isChecked()
        where = hub or self._token.url

        def work(cancel: threading.Event) -> EnrolmentResult:
            # A worker thread: no widget here. After a Cancel the outcome is only logged.
            try:
                done: EnrolmentResult = (
                    provisioning.reprovision(actor, token, hub, force=force)
                    if move
                    else sync.enrol(actor, token, hub)
                )
            except Exception as exc:
                if cancel.is_set():
                    log.info(
                        "enrolment cancelled in the dialog then failed: %s",
                        getattr(exc, "code", type(exc).__name__),
                    )
                raise
            if cancel.is_set():
                log.info("enrolment cancelled in the dialog but completed with %s", done.hub_url)
            try:
                # Sign-in starts the worker only on an enrolled PC: start it now, and ask for
                # a first round so the waiting records go at once.
                sync.start_worker()
                sync.nudge()
            except Exception:  # enrolled all the same; the next sign-in starts the worker
                log.exception("could not start syncing after enrolment")
            return done

        self.error_label.hide()
        self.progress_label.setText(
            self.tr("Contacting the hub at %1… On a slow network this can take a minute.").replace(
                "%1", where
            )
        )
        self._set_busy(True)
        self._op = Op(self, work).success(self._on_enrolled).failure(self._on_failed).run()

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.token_edit,
            self.hub_edit,
            self.advanced_button,
            self.confirm_check,
            self.force_check,
        ):
            widget.setEnabled(not busy)
        self.progress_bar.setVisible(busy)
        self.progress_label.setVisible(busy)
        self._fit_soon()
        if busy:
            self.enrol_button.setEnabled(False)
            self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._update_enrol_button()

    def _on_enrolled(self, result: EnrolmentResult) -> None:
        self._op = None
        self._set_busy(False)
        self.enrolled.emit(result)
        self.accept()

    def _on_failed(self, exc: BaseException) -> bool:
        self._op = None
        code = getattr(exc, "code", None)
        text = error_text(exc)
        if code == PIN_MISMATCH:
            self._blocked = self._inputs()
            text = f"⚠ {text}"
        if code == UNSENT_DATA:
            # Only now is there something to move anyway; the person decides with the count.
            self.force_check.setChecked(False)
            self.force_check.show()
        self.error_label.setText(text)
        self.error_label.setAccessibleDescription(text)
        self.error_label.show()
        self._fit_soon()
        self._set_busy(False)
        if code == UNSENT_DATA:
            self.force_check.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.token_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.token_edit.selectAll()
        return True

    # --- closing ----------------------------------------------------------------------------

    def done(self, result: int) -> None:
        op, self._op = self._op, None
        if op is not None:
            # The request cannot be stopped half-way: drop its result (the worker logs it).
            op.cancel()
            log.info("enrolment dialog closed while the hub was being contacted")
        super().done(result)
