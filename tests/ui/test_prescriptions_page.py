"""The Prescriptions page with real Services: signed prescriptions arrive through the store's
arrival function (as the pull applies them), then the generalist opens, acknowledges, asks
and dispenses by keyboard; a tampered prescription offers no dispensing; a paramedic sees
no actions; the state filter and the follow-up list."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.cli.records import read_rx_file
from app.domain.models import Case, Role, User
from app.domain.prescriptions import Prescription
from app.security import rx_signatures as rx
from app.services.container import Services
from app.services.prescriptions import (
    ItemDispense,
    PrescriptionDetail,
    RxState,
    arrival_verifier,
)
from app.store import case_messages, prescription_sync, settings
from app.sync import credentials
from app.ui.prescription_dialogs import DispenseDialog, PrescriptionDialog, QueryDialog
from app.ui.prescriptions_page import InboxModel, PrescriptionsPage
from app.ui.rx_print import PageSize, print_prescription
from app.ui.session import Session
from tests.navigator import RecordingNavigator
from tests.prescription_helpers import Signer, feed_entry, make_rx, pin_hub_key, sent_case, signer
from tests.ui.conftest import PASSWORD
from tests.ui.test_rx_print_text import pdf_text

WAIT_MS = 10_000


@pytest.fixture
def generalist(services: Services, admin: User) -> User:
    return services.auth.create_user(admin, "ravi", "Dr Ravi Verma", Role.GENERALIST, PASSWORD)


@pytest.fixture
def hub_signer(services: Services) -> Signer:
    s = signer()
    pin_hub_key(services, s)
    return s


@pytest.fixture
def case(services: Services, paramedic: User) -> Case:
    return sent_case(services, paramedic)


def arrive(services: Services, entity_id: str, payload: dict[str, Any]) -> None:
    """Apply one ``prescription.issued`` change the way the pull does: in one write, checked
    against the hub key pinned at enrolment."""
    key = services.store.read(lambda db: settings.get(db, credentials.KEY_SIGNING_KEY) or "")
    verify = arrival_verifier(key)
    stored = services.store.write(
        lambda db: prescription_sync.apply_issued(db, entity_id, payload, services.clock(), verify)
    )
    assert stored


def arrive_valid(services: Services, s: Signer, case: Case, **kw: Any) -> Prescription:
    prescription = make_rx(case.id, **kw)
    arrive(services, *feed_entry(s, prescription))
    return prescription


def arrive_tampered(services: Services, s: Signer, case: Case) -> Prescription:
    prescription = make_rx(case.id, patient="Kamla Bai")
    rid, payload = feed_entry(s, prescription, signature=rx.b64url(bytes(64)))
    arrive(services, rid, payload)
    return prescription


def make_page(qtbot: QtBot, services: Services, user: User) -> PrescriptionsPage:
    page = PrescriptionsPage(Session(user, services), RecordingNavigator())
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    activate(qtbot, page)
    page.page_activated()
    loaded(qtbot, page)
    return page


def activate(qtbot: QtBot, window: QWidget) -> None:
    # Mnemonics only fire in the active window.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)


def loaded(qtbot: QtBot, page: PrescriptionsPage) -> None:
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=WAIT_MS)


def cell(page: PrescriptionsPage, row: int, column: int) -> str:
    return str(page.inbox_model.index(row, column).data())


def open_by_enter(qtbot: QtBot, page: PrescriptionsPage, row: int) -> PrescriptionDialog:
    page.inbox_table.selectRow(row)
    page.inbox_table.setFocus()
    qtbot.keyClick(page.inbox_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.dialog is not None, timeout=WAIT_MS)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.detail is not None and not dialog.is_loading(), timeout=WAIT_MS)
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    return dialog


def test_a_valid_prescription_arrives_as_new_and_verified(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    arrive_valid(services, hub_signer, case)
    page = make_page(qtbot, services, generalist)
    assert page.inbox_model.rowCount() == 1
    assert cell(page, 0, InboxModel.PATIENT) == "Sita Devi"
    assert cell(page, 0, InboxModel.PRESCRIBER) == "Dr. Anil Sharma"
    assert cell(page, 0, InboxModel.ITEMS) == "2"
    assert cell(page, 0, InboxModel.STATE) == "New"
    assert cell(page, 0, InboxModel.VERDICT) == "Verified"


def test_keyboard_open_acknowledge_and_dispense_every_item(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    prescription = arrive_valid(services, hub_signer, case)
    page = make_page(qtbot, services, generalist)
    dialog = open_by_enter(qtbot, page, 0)

    text = dialog.body.toPlainText()
    for expected in (
        "Dr. Anil Sharma",
        "UPMC-45821",
        "Uttar Pradesh Medical Council",
        "Fever for 4 days",
        "Viral fever",
        "1. PARACETAMOL 500 mg tablet",
        "2. AMOXICILLIN 500 mg capsule",
        "1-1-1",
        "9 tablet",
        "teleconsultation",
    ):
        assert expected in text
    # New: acknowledge first; dispensing waits for it.
    assert dialog.acknowledge_button.isVisible()
    assert not dialog.dispense_button.isEnabled()
    assert dialog.print_button.isVisible() and dialog.print_button.isEnabled()

    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(
        lambda: dialog.detail is not None and dialog.detail.stored.state is RxState.ACKNOWLEDGED,
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: cell(page, 0, InboxModel.STATE) == "Acknowledged", timeout=WAIT_MS)
    assert not dialog.acknowledge_button.isVisible()
    assert dialog.dispense_button.isEnabled()

    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.dispense_dialog is not None, timeout=WAIT_MS)
    dispense = dialog.dispense_dialog
    assert isinstance(dispense, DispenseDialog)
    qtbot.waitExposed(dispense)
    activate(qtbot, dispense)
    assert len(dispense.statuses) == len(prescription.items)
    # The second item was out of stock: choose it by keyboard, the quantity follows.
    dispense.statuses[1].setFocus()
    qtbot.keyClick(dispense.statuses[1], Qt.Key.Key_Down)
    qtbot.keyClick(dispense.statuses[1], Qt.Key.Key_Down)
    assert dispense.statuses[1].currentData() == "not_available"
    assert dispense.quantities[1].value() == 0
    qtbot.keyClick(dispense.statuses[1], Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.detail is not None and dialog.detail.stored.state is RxState.DISPENSED,
        timeout=WAIT_MS,
    )
    given = dialog.detail.dispensing
    assert [g.status.value if g else None for g in given] == ["dispensed", "not_available"]
    assert given[0] is not None and given[0].quantity == 9
    assert not dispense.isVisible()

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: cell(page, 0, InboxModel.STATE) == "Dispensed", timeout=WAIT_MS)


def test_a_tampered_prescription_shows_not_valid_and_cannot_be_dispensed(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    arrive_tampered(services, hub_signer, case)
    page = make_page(qtbot, services, generalist)
    assert cell(page, 0, InboxModel.VERDICT) == "NOT VALID: tampered"
    dialog = open_by_enter(qtbot, page, 0)
    assert dialog.verdict.text() == "NOT VALID: tampered"
    assert dialog.banner.isVisible()
    assert "Do not dispense" in dialog.banner.text()
    assert "hub has been told" in dialog.banner.text()
    assert dialog.reason.isVisible()  # the English reason, as a detail only
    assert not dialog.acknowledge_button.isVisible()
    assert not dialog.dispense_button.isVisible()
    assert not dialog.print_button.isVisible()
    assert dialog.query_button.isVisible()  # the clinic may still ask for it again
    # The mnemonics do nothing either.
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert dialog.dispense_dialog is None
    assert services.prescriptions.inbox(generalist)[0].prescription.state is RxState.NEW


def test_a_replaced_prescription_is_marked_and_not_dispensable(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    old = arrive_valid(services, hub_signer, case)
    arrive_valid(
        services,
        hub_signer,
        case,
        supersedes=old.id,
        issued_at=old.issued_at + timedelta(hours=1),
    )
    page = make_page(qtbot, services, generalist)
    assert [cell(page, r, InboxModel.VERDICT) for r in range(2)] == [
        "Verified",
        "Replaced by a correction",
    ]
    services.prescriptions.acknowledge(generalist, old.id)
    dialog = open_by_enter(qtbot, page, 1)
    assert "replaced" in dialog.banner.text()
    assert not dialog.dispense_button.isVisible() and not dialog.print_button.isVisible()


def test_a_paramedic_sees_the_inbox_but_no_actions(
    qtbot: QtBot, services: Services, paramedic: User, hub_signer: Signer, case: Case
) -> None:
    arrive_valid(services, hub_signer, case)
    page = make_page(qtbot, services, paramedic)
    assert cell(page, 0, InboxModel.STATE) == "New"
    dialog = open_by_enter(qtbot, page, 0)
    assert "PARACETAMOL" in dialog.body.toPlainText()
    for button in (
        dialog.acknowledge_button,
        dialog.query_button,
        dialog.dispense_button,
    ):
        assert not button.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(dialog, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert dialog.query_dialog is None
    assert services.prescriptions.inbox(paramedic)[0].prescription.state is RxState.NEW


def test_a_refusal_from_the_service_is_shown_translated(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    prescription = arrive_valid(services, hub_signer, case)
    page = make_page(qtbot, services, generalist)
    services.prescriptions.acknowledge(generalist, prescription.id)
    dialog = open_by_enter(qtbot, page, 0)
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.dispense_dialog is not None, timeout=WAIT_MS)
    dispense = dialog.dispense_dialog
    assert dispense is not None
    # A correction arrives while the dialog is open: the service refuses the dispensing.
    arrive_valid(
        services,
        hub_signer,
        case,
        supersedes=prescription.id,
        issued_at=prescription.issued_at + timedelta(hours=1),
    )
    dispense.save()
    qtbot.waitUntil(dispense.message.isVisible, timeout=WAIT_MS)
    assert "corrected this prescription" in dispense.message.text()
    assert dispense.isVisible()


def test_the_state_filter(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    first = arrive_valid(services, hub_signer, case)
    second = arrive_valid(
        services, hub_signer, case, issued_at=first.issued_at + timedelta(hours=2)
    )
    services.prescriptions.acknowledge(generalist, first.id)
    page = make_page(qtbot, services, generalist)
    # Newest first.
    assert [cell(page, r, InboxModel.STATE) for r in range(2)] == ["New", "Acknowledged"]

    def shown() -> list[str]:
        model = page.inbox_model
        return [
            str(model.index(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(model.rowCount())
        ]

    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: shown() == [second.id], timeout=WAIT_MS)
    qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: shown() == [first.id], timeout=WAIT_MS)
    qtbot.keyClick(page, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: shown() == [], timeout=WAIT_MS)
    assert page.inbox_empty.isVisible()
    assert page.inbox_empty.text() == "No prescriptions in this state."
    qtbot.keyClick(page, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: shown() == [second.id, first.id], timeout=WAIT_MS)


def test_the_follow_up_list_shows_patients_due_today_or_overdue(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    today = datetime.now().astimezone().date()
    overdue = arrive_valid(services, hub_signer, case, follow_up=today - timedelta(days=2))
    later = arrive_valid(services, hub_signer, case, follow_up=today + timedelta(days=3))
    page = make_page(qtbot, services, generalist)
    qtbot.keyClick(page, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    assert page.tabs.currentIndex() == 1
    model = page.follow_model

    def ids() -> list[str]:
        return [
            str(model.index(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(model.rowCount())
        ]

    assert ids() == [overdue.id]
    assert model.index(0, 0).data() == f"Overdue by 2 day(s) ({_day(today - timedelta(days=2))})"
    assert model.index(0, 1).data() == "Sita Devi"

    page.horizon.setFocus()
    qtbot.keyClick(page.horizon, Qt.Key.Key_Down)  # due within 7 days
    qtbot.waitUntil(lambda: ids() == [overdue.id, later.id], timeout=WAIT_MS)

    # Enter on a patient due back opens their prescription.
    page.follow_table.selectRow(1)
    page.follow_table.setFocus()
    qtbot.keyClick(page.follow_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.dialog is not None, timeout=WAIT_MS)
    assert page.dialog is not None
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.detail is not None)
    assert page.dialog.detail is not None and page.dialog.detail.stored.id == later.id


def _day(d: date) -> str:
    return d.strftime("%d %b %Y")


def test_a_query_posts_to_the_thread(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    prescription = arrive_valid(services, hub_signer, case)
    page = make_page(qtbot, services, generalist)
    dialog = open_by_enter(qtbot, page, 0)
    assert "No messages yet." in dialog.body.toPlainText()
    qtbot.keyClick(dialog, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.query_dialog is not None, timeout=WAIT_MS)
    query = dialog.query_dialog
    assert isinstance(query, QueryDialog)
    qtbot.waitExposed(query)
    activate(qtbot, query)
    # Sending nothing is refused before anything is stored.
    qtbot.keyClick(query.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert query.message.text() == "⚠ Write your question for the specialist."
    qtbot.keyClicks(query.text, "Is amoxicillin safe in pregnancy?")
    qtbot.keyClick(query.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: "Is amoxicillin safe in pregnancy?" in dialog.body.toPlainText(),
        timeout=WAIT_MS,
    )
    assert "Dr Ravi Verma (this clinic)" in dialog.body.toPlainText()
    thread = services.store.read(lambda db: case_messages.for_case(db, case.id))
    assert [(m.body, m.prescription_id) for m in thread] == [
        ("Is amoxicillin safe in pregnancy?", prescription.id)
    ]
    qtbot.waitUntil(lambda: cell(page, 0, InboxModel.STATE) == "Queried", timeout=WAIT_MS)


def test_dispensing_needs_no_mouse_and_records_partly(
    qtbot: QtBot, services: Services, generalist: User, hub_signer: Signer, case: Case
) -> None:
    prescription = arrive_valid(services, hub_signer, case, items=1)
    services.prescriptions.acknowledge(generalist, prescription.id)
    services.prescriptions.dispense(generalist, prescription.id, [ItemDispense(0, "partly", 4)])
    page = make_page(qtbot, services, generalist)
    assert cell(page, 0, InboxModel.STATE) == "Acknowledged"
    dialog = open_by_enter(qtbot, page, 0)
    assert "Partly dispensed (4)" in dialog.body.toPlainText()
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.dispense_dialog is not None, timeout=WAIT_MS)
    dispense = dialog.dispense_dialog
    assert dispense is not None
    # The dialog opens on what was recorded before.
    assert dispense.statuses[0].currentData() == "partly"
    assert dispense.quantities[0].value() == 4


def test_print_by_keyboard_makes_a_pdf_a_pharmacist_can_verify(
    qtbot: QtBot,
    services: Services,
    generalist: User,
    hub_signer: Signer,
    case: Case,
    tmp_path: Path,
) -> None:
    # Enrolled as a named clinic: the printout carries that name.
    credentials.save(
        services.store,
        credentials.HubCredentials(
            "https://hub.example.org",
            "spoke-7",
            "secret",
            facility="HWC Rampur Sub-Centre",
            signing_key=rx.public_key_text(hub_signer.hub_key),
        ),
    )
    arrive_valid(services, hub_signer, case)
    page = make_page(qtbot, services, generalist)
    dialog = open_by_enter(qtbot, page, 0)
    asked: list[tuple[str, str]] = []
    pdf = tmp_path / "rx.pdf"

    def print_to_file(
        parent: QWidget, detail: PrescriptionDetail, size: PageSize, *, facility: str = ""
    ) -> bool:
        # Stands in for the system's print dialog, which needs a screen: the person chose
        # "print to file" and this path.
        asked.append((str(size), facility))
        print_prescription(detail, pdf, size, facility=facility)
        return True

    dialog.print_with_dialog = print_to_file
    assert dialog.print_button.isVisible() and dialog.print_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT_MS)

    assert asked == [("A4", "HWC Rampur Sub-Centre")]
    assert "HWC Rampur Sub-Centre" in pdf_text(pdf)
    check = rx.check_qr_payload(read_rx_file(pdf), hub_signer.hub_key.public_key())
    assert check.status is rx.Status.VALID
