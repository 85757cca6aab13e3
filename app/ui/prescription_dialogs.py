"""One prescription at the clinic: the detail dialog, and the two dialogs it opens (a question
for the specialist, and what was handed over per item).

``PrescriptionDialog`` reads ``PrescriptionService.detail`` through ``Op`` and lays the
prescription out in the order the Telemedicine Practice Guidelines' sample prescription uses
(docs/PRESCRIPTIONS.md), then the verdict, then the case's thread. The generalist's actions
(``Permission.REVIEW_PRESCRIPTION``) are Acknowledge (Alt+A), Ask the specialist a question
(Alt+Q) and Record dispensing (Alt+D); a paramedic sees none of them, and the service refuses
them anyway. A prescription whose signature did not verify offers no Acknowledge and no
dispensing, only a banner saying it must not be dispensed; a replaced one offers no dispensing.

Print… (Alt+P), only when ``printable_as_valid``, asks the system's print dialog where to and
prints on A4 with the QR code a pharmacist scans (``app.ui.rx_print``). GUI thread only.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.security.permissions import Permission, allowed
from app.services.prescriptions import (
    MAX_QUERY_CHARS,
    DispenseStatus,
    ItemDispense,
    PrescriptionDetail,
    RxState,
    Verification,
)
from app.ui import clinical_text as ct
from app.ui import rx_print
from app.ui.messages import error_text
from app.ui.tasks import Op
from app.ui.widgets.text import WrappingLabel, heading_label

if TYPE_CHECKING:
    from app.domain.prescriptions import Prescription, PrescriptionItem
    from app.services.prescriptions import CaseMessage, ItemDispensing
    from app.ui.session import Session

_CTX = "prescriptions"

STATE_NAMES: dict[str, str] = {
    RxState.NEW: QT_TRANSLATE_NOOP("prescriptions", "New"),
    RxState.ACKNOWLEDGED: QT_TRANSLATE_NOOP("prescriptions", "Acknowledged"),
    RxState.QUERIED: QT_TRANSLATE_NOOP("prescriptions", "Queried"),
    RxState.DISPENSED: QT_TRANSLATE_NOOP("prescriptions", "Dispensed"),
}

# The verdict in words a clinic reads at a glance; the English reason is only a detail.
VERDICT_NAMES: dict[str, str] = {
    Verification.VALID: QT_TRANSLATE_NOOP("prescriptions", "Verified"),
    Verification.TAMPERED: QT_TRANSLATE_NOOP("prescriptions", "NOT VALID: tampered"),
    Verification.UNKNOWN_SIGNER: QT_TRANSLATE_NOOP("prescriptions", "NOT VALID: unknown signer"),
    Verification.REVOKED: QT_TRANSLATE_NOOP("prescriptions", "NOT VALID: revoked"),
    Verification.EXPIRED: QT_TRANSLATE_NOOP("prescriptions", "NOT VALID: expired"),
}
REPLACED = QT_TRANSLATE_NOOP("prescriptions", "Replaced by a correction")

DISPENSE_NAMES: dict[str, str] = {
    DispenseStatus.DISPENSED: QT_TRANSLATE_NOOP("prescriptions", "Dispensed"),
    DispenseStatus.PARTLY: QT_TRANSLATE_NOOP("prescriptions", "Partly dispensed"),
    DispenseStatus.NOT_AVAILABLE: QT_TRANSLATE_NOOP("prescriptions", "Not available"),
    DispenseStatus.DECLINED: QT_TRANSLATE_NOOP("prescriptions", "Declined by the patient"),
}

_MODES: dict[str, str] = {
    "video": QT_TRANSLATE_NOOP("prescriptions", "video"),
    "audio": QT_TRANSLATE_NOOP("prescriptions", "audio"),
    "text": QT_TRANSLATE_NOOP("prescriptions", "text"),
}
_VISITS: dict[str, str] = {
    "first": QT_TRANSLATE_NOOP("prescriptions", "first consultation"),
    "follow_up": QT_TRANSLATE_NOOP("prescriptions", "follow-up"),
}

# (background, text) pairs with at least 4.5:1 contrast, as in app.ui.widgets.badges.
VALID_COLOURS = ("#dcf3e2", "#0d5223")
INVALID_COLOURS = ("#c5221f", "#ffffff")
REPLACED_COLOURS = ("#fff4d6", "#5c3d00")


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def state_text(state: str) -> str:
    return _t(STATE_NAMES[state]) if state in STATE_NAMES else state


def verdict_text(verification: str, superseded: bool) -> str:
    """The verdict badge: a failed check always wins over "replaced", which is only news
    about a prescription that was valid."""
    if verification != Verification.VALID:
        return _t(VERDICT_NAMES.get(verification, VERDICT_NAMES[Verification.TAMPERED]))
    return _t(REPLACED) if superseded else _t(VERDICT_NAMES[Verification.VALID])


def verdict_colours(verification: str, superseded: bool) -> tuple[str, str]:
    if verification != Verification.VALID:
        return INVALID_COLOURS
    return REPLACED_COLOURS if superseded else VALID_COLOURS


def dispense_text(status: str) -> str:
    return _t(DISPENSE_NAMES[status]) if status in DISPENSE_NAMES else status


def item_line(item: PrescriptionItem) -> str:
    """The medicine as one line: generic name (capitals, as signed), strength and form."""
    return f"{item.generic_name} {item.strength} {item.dosage_form}".strip()


def fit_to_screen(dialog: QDialog, width: int, height: int) -> None:
    """Size from the font, but never beyond the screen: at 150 % text on a small laptop
    screen the font-based size would put the buttons off the edge."""
    screen = dialog.screen().availableGeometry()
    dialog.resize(min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9)))


def _e(text: str) -> str:
    # Prescription text is the prescriber's, never markup; line breaks are kept (advice lists).
    return html.escape(text).replace("\n", "<br>")


def prescription_html(detail: PrescriptionDetail) -> str:
    """The whole prescription, in the guideline's order, then the clinic's thread."""
    rx: Prescription = detail.prescription
    dr = rx.practitioner
    from app.ui.case_form import specialty_name  # late: the form module imports many widgets

    def row(label: str, value: str) -> str:
        if not value:
            return ""
        return f"<tr><th align='left' valign='top'>{_e(label)}</th><td>{value}</td></tr>"

    age = QCoreApplication.translate("prescriptions", "%1 years").replace(
        "%1", str(rx.patient.age_years)
    )
    if rx.patient.age_years == 0:
        age = QCoreApplication.translate("prescriptions", "%1 months").replace(
            "%1", str(rx.patient.age_months)
        )
    practitioner = ", ".join(
        p
        for p in (
            _e(dr.name),
            _e(dr.qualification),
            specialty_name(dr.specialty) if dr.specialty else "",
        )
        if p
    )
    registration = QCoreApplication.translate("prescriptions", "Reg. no. %1 (%2)").replace(
        "%1", _e(dr.registration_number)
    )
    registration = registration.replace("%2", _e(dr.registration_council))
    consultation = QCoreApplication.translate("prescriptions", "%1 teleconsultation, %2").replace(
        "%1", _t(_MODES.get(rx.mode, rx.mode))
    )
    consultation = consultation.replace("%2", _t(_VISITS.get(rx.visit, rx.visit)))
    parts = [
        "<table cellspacing='0' cellpadding='3'>",
        row(
            QCoreApplication.translate("prescriptions", "Practitioner"),
            f"{practitioner}<br>{registration}",
        ),
        row(
            QCoreApplication.translate("prescriptions", "Patient"),
            _e(f"{rx.patient.name}, {age}, {ct.sex_long(rx.patient.sex)}"),
        ),
        row(
            QCoreApplication.translate("prescriptions", "Date"),
            _e(ct.local_time(rx.issued_at, with_date=True)),
        ),
        row(QCoreApplication.translate("prescriptions", "Consultation"), _e(consultation)),
        row(QCoreApplication.translate("prescriptions", "Chief complaint"), _e(rx.chief_complaint)),
        row(QCoreApplication.translate("prescriptions", "Findings"), _e(rx.findings)),
        row(
            QCoreApplication.translate("prescriptions", "Provisional diagnosis"),
            _e(rx.provisional_diagnosis),
        ),
        "</table>",
    ]
    if rx.items:
        parts.append(
            "<h3>" + _e(QCoreApplication.translate("prescriptions", "Medicines")) + "</h3>"
        )
        heads = (
            QCoreApplication.translate("prescriptions", "Medicine (generic name)"),
            QCoreApplication.translate("prescriptions", "Dose"),
            QCoreApplication.translate("prescriptions", "Frequency"),
            QCoreApplication.translate("prescriptions", "Route"),
            QCoreApplication.translate("prescriptions", "Duration"),
            QCoreApplication.translate("prescriptions", "Quantity"),
            QCoreApplication.translate("prescriptions", "Handed over"),
        )
        parts.append("<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>")
        parts.extend(f"<th align='left'>{_e(h)}</th>" for h in heads)
        parts.append("</tr>")
        for number, (item, given) in enumerate(
            zip(rx.items, detail.dispensing, strict=True), start=1
        ):
            medicine = f"<b>{number}. {_e(item_line(item))}</b>"
            extras = [
                _e(item.instructions),
                _e(
                    QCoreApplication.translate("prescriptions", "Brand: %1").replace(
                        "%1", item.brand
                    )
                )
                if item.brand
                else "",
                _e(QCoreApplication.translate("prescriptions", "No substitution"))
                if not item.substitution_allowed
                else "",
                _e(QCoreApplication.translate("prescriptions", "Continuing treatment"))
                if item.continuation
                else "",
            ]
            medicine += "".join(f"<br>{x}" for x in extras if x)
            cells = (
                medicine,
                _e(item.dose),
                _e(item.frequency),
                _e(item.route),
                _e(
                    QCoreApplication.translate("prescriptions", "%1 days").replace(
                        "%1", str(item.duration_days)
                    )
                ),
                _e(f"{item.quantity} {item.quantity_unit}"),
                _e(_given_text(given)),
            )
            parts.append("<tr>" + "".join(f"<td valign='top'>{c}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    follow_up = "" if rx.follow_up is None else rx.follow_up.strftime("%d %b %Y")
    parts += [
        "<table cellspacing='0' cellpadding='3'>",
        row(QCoreApplication.translate("prescriptions", "Advice"), _e(rx.advice)),
        row(
            QCoreApplication.translate("prescriptions", "Investigations"),
            "<br>".join(_e(i) for i in rx.investigations),
        ),
        row(QCoreApplication.translate("prescriptions", "Follow-up"), _e(follow_up)),
        row(QCoreApplication.translate("prescriptions", "Referral"), _e(rx.referral)),
        "</table>",
        f"<p><i>{_e(rx.note)}</i></p>",
        "<h3>"
        + _e(QCoreApplication.translate("prescriptions", "Messages with the specialist"))
        + "</h3>",
        _thread_html(detail.thread),
    ]
    return "".join(parts)


def _given_text(given: ItemDispensing | None) -> str:
    if given is None:
        return QCoreApplication.translate("prescriptions", "Not yet")
    text = dispense_text(given.status)
    if given.quantity is not None:
        text += f" ({given.quantity})"
    return text + (f": {given.note}" if given.note else "")


def _thread_html(thread: list[CaseMessage]) -> str:
    if not thread:
        return "<p>" + _e(QCoreApplication.translate("prescriptions", "No messages yet.")) + "</p>"
    lines = []
    for m in thread:
        who = (
            QCoreApplication.translate("prescriptions", "%1 (this clinic)")
            if m.direction == "out"
            else QCoreApplication.translate("prescriptions", "%1 (specialist)")
        )
        head = f"{who.replace('%1', m.author_name)} — {ct.local_time(m.sent_at, with_date=True)}"
        lines.append(f"<p><b>{_e(head)}</b><br>{_e(m.body)}</p>")
    return "".join(lines)


class PrescriptionDialog(QDialog):
    """One prescription: read it, and act on it when the role may. ``changed`` follows every
    action that succeeded, so the inbox re-reads."""

    changed = Signal()

    def __init__(self, session: Session, rid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PrescriptionDialog")
        self.setWindowTitle(self.tr("Prescription"))
        self._session = session
        self._rid = rid
        self.detail: PrescriptionDetail | None = None
        self.facility = ""  # the clinic's name, printed on the prescription
        self._may_review = allowed(session.user, Permission.REVIEW_PRESCRIPTION)
        self._busy = False
        self.query_dialog: QueryDialog | None = None
        self.dispense_dialog: DispenseDialog | None = None

        self.heading = heading_label(self.tr("Prescription"), 2)
        self.verdict = QLabel()
        self.verdict.setObjectName("verdictBadge")
        self.banner = WrappingLabel()
        self.banner.setObjectName("invalidBanner")
        self.banner.setVisible(False)
        self.reason = WrappingLabel()
        self.reason.setObjectName("mutedText")
        self.reason.setVisible(False)
        self.body = QTextBrowser()
        self.body.setObjectName("prescriptionText")
        self.body.setOpenLinks(False)
        self.body.setAccessibleName(self.tr("The prescription"))
        self.body.setTabChangesFocus(True)
        self.message = WrappingLabel()
        self.message.setObjectName("errorText")
        self.message.setVisible(False)

        self.acknowledge_button = QPushButton(self.tr("&Acknowledge"))
        self.acknowledge_button.setToolTip(self.tr("Tell the hub you have read it (Alt+A)"))
        self.acknowledge_button.clicked.connect(self.acknowledge)
        self.query_button = QPushButton(self.tr("Ask the specialist a &question…"))
        self.query_button.clicked.connect(self.ask)
        self.dispense_button = QPushButton(self.tr("Record &dispensing…"))
        self.dispense_button.clicked.connect(self.record_dispensing)
        # Never for an invalid or replaced prescription (see _show).
        self.print_button = QPushButton(self.tr("&Print…"))
        self.print_button.setToolTip(
            self.tr("Print on A4, with the code a pharmacist scans to check it (Alt+P)")
        )
        self.print_button.clicked.connect(self.print_prescription)
        # Tests put a recorder here: the system's print dialog cannot run without a screen.
        self.print_with_dialog = rx_print.print_with_dialog
        self.close_button = QPushButton(self.tr("&Close"))
        self.close_button.clicked.connect(self.reject)
        for button in (
            self.acknowledge_button,
            self.query_button,
            self.dispense_button,
            self.print_button,
        ):
            button.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.acknowledge_button)
        buttons.addWidget(self.query_button)
        buttons.addWidget(self.dispense_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.verdict, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.banner)
        layout.addWidget(self.reason)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        m = self.fontMetrics().height()
        fit_to_screen(self, m * 52, m * 38)
        self.reload()

    # --- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        self._busy = True
        services, user, rid = self._session.services, self._session.user, self._rid

        def load() -> tuple[PrescriptionDetail, str]:
            # The clinic's name for the printout is read here, off the GUI thread, with the rest.
            return services.prescriptions.detail(user, rid), services.prescriptions.facility_name()

        Op(self, load).success(self._loaded).failure(self._failed).run()

    def is_loading(self) -> bool:
        return self._busy

    def _loaded(self, loaded: tuple[PrescriptionDetail, str]) -> None:
        detail, self.facility = loaded
        self._show(detail)

    def _show(self, detail: PrescriptionDetail) -> None:
        self._busy = False
        self.detail = detail
        stored = detail.stored
        self.heading.setText(self.tr("Prescription for %1").replace("%1", detail.patient_display))
        self.verdict.setText(verdict_text(stored.verification, detail.superseded))
        bg, fg = verdict_colours(stored.verification, detail.superseded)
        self.verdict.setStyleSheet(
            f"QLabel {{ background: {bg}; color: {fg}; padding: 2px 8px; font-weight: bold; }}"
        )
        if not detail.valid:
            self.banner.setText(
                self.tr(
                    "Do not dispense from this prescription. Its signature could not be "
                    "verified, so it may not be what the specialist wrote. The hub has been "
                    "told. Ask the specialist to issue it again."
                )
            )
            self.reason.setText(
                self.tr("Details (for IT support): %1").replace("%1", stored.verification_reason)
            )
        elif detail.superseded:
            self.banner.setText(
                self.tr(
                    "The specialist has replaced this prescription with a correction. "
                    "Dispense from the newer prescription, not this one."
                )
            )
        bg, fg = verdict_colours(stored.verification, detail.superseded)
        self.banner.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; padding: 6px; }}")
        self.banner.setVisible(not detail.valid or detail.superseded)
        self.reason.setVisible(not detail.valid and bool(stored.verification_reason))
        scroll = self.body.verticalScrollBar().value()
        self.body.setHtml(prescription_html(detail))
        self.body.verticalScrollBar().setValue(scroll)

        review = self._may_review
        self.acknowledge_button.setVisible(
            review and detail.valid and stored.state in (RxState.NEW, RxState.QUERIED)
        )
        self.query_button.setVisible(review)
        self.dispense_button.setVisible(review and detail.printable_as_valid)
        self.dispense_button.setEnabled(stored.state is not RxState.NEW)
        self.dispense_button.setToolTip(
            self.tr("Acknowledge the prescription first (Alt+A).")
            if stored.state is RxState.NEW
            else self.tr("What was handed over, item by item (Alt+D)")
        )
        self.print_button.setVisible(detail.printable_as_valid)
        first = next(
            (
                b
                for b in (self.acknowledge_button, self.dispense_button)
                if b.isVisible() and b.isEnabled()
            ),
            self.close_button,
        )
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, exc: BaseException) -> bool:
        self._busy = False
        self.message.setText(f"⚠ {error_text(exc)}")
        self.message.setVisible(True)
        return True

    # --- acting ------------------------------------------------------------------------------

    def acknowledge(self) -> None:
        if not self.acknowledge_button.isVisible() or self._busy:
            return
        self._busy = True
        self.message.setVisible(False)
        services, user, rid = self._session.services, self._session.user, self._rid
        Op(self, lambda: services.prescriptions.acknowledge(user, rid)).success(
            lambda _rx: self._done()
        ).failure(self._failed).run()

    def print_prescription(self) -> None:
        detail = self.detail
        if detail is None or not detail.printable_as_valid or self._busy:
            return
        self.message.setVisible(False)
        size = rx_print.PageSize.A4
        try:
            printed = self.print_with_dialog(self, detail, size, facility=self.facility)
        except OSError as exc:  # the printer or file could not be opened: say so, keep going
            self.message.setText(f"⚠ {exc}")
            self.message.setVisible(True)
            return
        if not printed:
            return
        # The audit trail's "print" entry, written off the GUI thread; if it cannot be
        # written, say so (the paper is printed; nothing else waits on it).
        services, user, rid = self._session.services, self._session.user, self._rid

        def not_recorded(exc: BaseException) -> bool:
            self.message.setText(f"⚠ {error_text(exc)}")
            self.message.setVisible(True)
            return True

        Op(self, lambda: services.prescriptions.record_print(user, rid, size.value)).failure(
            not_recorded
        ).run()

    def ask(self) -> None:
        if not self.query_button.isVisible():
            return
        dialog = QueryDialog(self._session, self._rid, self)
        dialog.accepted.connect(self._done)
        self.query_dialog = dialog
        dialog.open()

    def record_dispensing(self) -> None:
        detail = self.detail
        if detail is None or not (
            self.dispense_button.isVisible() and self.dispense_button.isEnabled()
        ):
            return
        dialog = DispenseDialog(self._session, detail, self)
        dialog.accepted.connect(self._done)
        self.dispense_dialog = dialog
        dialog.open()

    def _done(self) -> None:
        self.message.setVisible(False)
        self.changed.emit()
        self.reload()


class QueryDialog(QDialog):
    """A question for the specialist, sent with the next sync (Ctrl+Enter sends)."""

    def __init__(self, session: Session, rid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QueryDialog")
        self.setWindowTitle(self.tr("Ask the specialist"))
        self._session = session
        self._rid = rid
        self.sending = False
        label = QLabel(self.tr("Your &question for the specialist:"))
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        label.setBuddy(self.text)
        hint = WrappingLabel(
            self.tr(
                "It goes to the specialist with the next sync and appears in the messages. "
                "Ctrl+Enter sends it."
            )
        )
        hint.setObjectName("mutedText")
        self.message = WrappingLabel()
        self.message.setObjectName("errorText")
        self.message.setVisible(False)
        box = QDialogButtonBox()
        self.send_button = box.addButton(self.tr("&Send"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.send_button.setDefault(True)
        box.accepted.connect(self.send)
        cancel.clicked.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.send)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.text, 1)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(box)
        m = self.fontMetrics().height()
        self.resize(m * 32, m * 16)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def send(self) -> None:
        if self.sending:
            return
        body = self.text.toPlainText()
        if not body.strip():
            self._failed(_CodeOnly("rx.query_required"))
            return
        if len(body.strip()) > MAX_QUERY_CHARS:
            self._failed(_CodeOnly("rx.query_too_long", {"limit": MAX_QUERY_CHARS}))
            return
        self.sending = True
        self.send_button.setEnabled(False)
        services, user, rid = self._session.services, self._session.user, self._rid
        Op(self, lambda: services.prescriptions.query(user, rid, body)).success(
            lambda _m: self.accept()
        ).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> bool:
        self.sending = False
        self.send_button.setEnabled(True)
        self.message.setText(f"⚠ {error_text(exc)}")
        self.message.setVisible(True)
        return True


class _CodeOnly(Exception):
    """A refusal checked here before asking the service, worded through the same codes."""

    def __init__(self, code: str, params: dict[str, object] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = params or {}


class DispenseDialog(QDialog):
    """What was handed over for each item: status, quantity (in the item's unit) and a note.
    Every item is sent; the service keeps the latest status per item."""

    def __init__(
        self, session: Session, detail: PrescriptionDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DispenseDialog")
        self.setWindowTitle(self.tr("Record dispensing"))
        self._session = session
        self._rid = detail.stored.id
        self.saving = False
        self.statuses: list[QComboBox] = []
        self.quantities: list[QSpinBox] = []
        self.notes: list[QLineEdit] = []

        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        for col, text in enumerate(
            (self.tr("Medicine"), self.tr("Status"), self.tr("Quantity"), self.tr("Note"))
        ):
            head = QLabel(f"<b>{html.escape(text)}</b>")
            grid.addWidget(head, 0, col)
        items = detail.prescription.items
        for i, (item, given) in enumerate(zip(items, detail.dispensing, strict=True)):
            r = i + 1
            name = item_line(item)
            prescribed = self.tr("%1 — prescribed %2 %3").replace("%1", f"{r}. {name}")
            prescribed = prescribed.replace("%2", str(item.quantity)).replace(
                "%3", item.quantity_unit
            )
            label = QLabel(prescribed)
            status = QComboBox()
            for value in DispenseStatus:
                status.addItem(dispense_text(value), value.value)
            status.setAccessibleName(self.tr("Status of %1").replace("%1", name))
            quantity = QSpinBox()
            quantity.setRange(0, 99_999)
            quantity.setSuffix(f" {item.quantity_unit}")
            quantity.setAccessibleName(self.tr("Quantity of %1").replace("%1", name))
            note = QLineEdit()
            note.setAccessibleName(self.tr("Note on %1").replace("%1", name))
            if given is not None:
                status.setCurrentIndex(max(0, status.findData(given.status.value)))
                quantity.setValue(item.quantity if given.quantity is None else given.quantity)
                note.setText(given.note)
            else:
                quantity.setValue(item.quantity)
            status.currentIndexChanged.connect(
                lambda _i, s=status, q=quantity, full=item.quantity: self._status_changed(
                    s, q, full
                )
            )
            label.setBuddy(status)
            grid.addWidget(label, r, 0)
            grid.addWidget(status, r, 1)
            grid.addWidget(quantity, r, 2)
            grid.addWidget(note, r, 3)
            self.statuses.append(status)
            self.quantities.append(quantity)
            self.notes.append(note)
        grid.setColumnStretch(3, 1)
        grid.setRowStretch(len(items) + 1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        hint = WrappingLabel(
            self.tr(
                "Partly dispensed leaves the item open for the rest; the other choices settle "
                "it. The quantity is what was handed over."
            )
        )
        hint.setObjectName("mutedText")
        self.message = WrappingLabel()
        self.message.setObjectName("errorText")
        self.message.setVisible(False)
        box = QDialogButtonBox()
        self.save_button = box.addButton(self.tr("&Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        box.accepted.connect(self.save)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(box)
        m = self.fontMetrics().height()
        fit_to_screen(self, m * 56, m * (10 + 2 * len(items)))
        if self.statuses:
            self.statuses[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _status_changed(self, status: QComboBox, quantity: QSpinBox, full: int) -> None:
        # Nothing is handed over for an item not in stock or declined; a full hand-over is
        # the prescribed quantity. "Partly" keeps what the person typed.
        value = status.currentData()
        if value in (DispenseStatus.NOT_AVAILABLE, DispenseStatus.DECLINED):
            quantity.setValue(0)
        elif value == DispenseStatus.DISPENSED:
            quantity.setValue(full)

    def records(self) -> list[ItemDispense]:
        return [
            ItemDispense(i, str(s.currentData()), q.value(), n.text())
            for i, (s, q, n) in enumerate(
                zip(self.statuses, self.quantities, self.notes, strict=True)
            )
        ]

    def save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.save_button.setEnabled(False)
        services, user, rid, records = (
            self._session.services,
            self._session.user,
            self._rid,
            self.records(),
        )
        Op(self, lambda: services.prescriptions.dispense(user, rid, records)).success(
            lambda _d: self.accept()
        ).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> bool:
        self.saving = False
        self.save_button.setEnabled(True)
        self.message.setText(f"⚠ {error_text(exc)}")
        self.message.setVisible(True)
        return True
