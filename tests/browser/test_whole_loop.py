"""The whole loop, end to end, with every part real: a clinic PC (the app's services and its
sync engine) enrolled with a real token at a hub serving HTTPS on loopback, and a specialist
in a real Chromium.

The paramedic registers a patient, records vitals and queues the case; a sync round takes it
to the hub; the specialist finds it at the top of the queue, opens it, writes and signs the
prescription in the browser; the next round brings it to the clinic, where it is verified
against the hub key pinned at enrolment; the generalist prints it to a PDF whose text is read
back and whose code ``main.py verify-rx`` checks; the medicines dispensed are recorded; the
next round takes that to the hub, and the specialist's case page shows it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.domain import vitals
from app.domain.models import Role, Sex
from app.services.container import Services
from app.services.prescriptions import ItemDispense, RxState, Verification
from app.ui import rx_print
from hub import enrolment
from tests.browser.conftest import Hub, Page
from tests.prescription_helpers import SPECIALIST, SPECIALIST_PASSWORD, add_specialist
from tests.services.helpers import FAST_LOG_N, PASSWORD, draft

ROOT = Path(__file__).resolve().parents[2]
FACILITY = "HWC Kheri"


@pytest.fixture
def clinic(tmp_path: Path, hub: Hub) -> Iterator[Services]:
    """A clinic PC enrolled with the test's hub the way field IT does it: a one-time token."""
    services = Services.open(tmp_path / "clinic", password_log_n=FAST_LOG_N)
    try:
        token = enrolment.issue_token(hub.store, FACILITY)
        services.sync.enrol(None, token.text)
        yield services
    finally:
        services.close()


def _pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def _fill(page: Page, values: dict[str, str]) -> None:
    for element_id, text in values.items():
        field = page.find(f"#{element_id}")
        if field.tag_name == "select":
            page.js("arguments[0].value = arguments[1];", field, text)
        else:
            field.clear()
            field.send_keys(text)


def test_queue_sync_sign_in_the_browser_sync_verify_print_dispense_sync(
    page: Page, hub: Hub, clinic: Services, tmp_path: Path, qapp: object
) -> None:
    add_specialist(hub.store)
    admin = clinic.auth.create_first_admin("admin", "Field IT", PASSWORD)
    paramedic = clinic.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD)
    gp = clinic.auth.create_user(admin, "dr.rao", "Dr Rao", Role.GENERALIST, PASSWORD)

    # --- the paramedic queues a case --------------------------------------------------------
    patient = clinic.patients.register(
        paramedic, draft("Sita Devi", age=34, sex=Sex.FEMALE), allow_duplicate=True
    )
    case = clinic.cases.start(paramedic, patient.id)
    clinic.cases.save_draft(paramedic, case.id, chief_complaint="Fever and sore throat")
    clinic.cases.record_consent(
        paramedic, case.id, given_by="Sita Devi", relationship="self", method="verbal", witness=""
    )
    clinic.cases.record_values(
        paramedic,
        case.id,
        [(vitals.TEMPERATURE, 38.6, "Cel"), (vitals.PULSE, 104.0, "/min")],
    )
    clinic.cases.add_blood_pressure(paramedic, case.id, 118, 76)
    clinic.cases.queue(paramedic, case.id, specialty="general_medicine", priority="urgent")
    first = clinic.sync.run_once()
    assert first.ok, first.error

    # --- the specialist signs in the browser ------------------------------------------------
    page.open("/login")
    page.sign_in(SPECIALIST, SPECIALIST_PASSWORD)
    assert page.path == "/console/queue"
    assert "1 case waiting" in page.text("#queue-count")
    page.find("#queue a[href*='/cases/']").click()
    assert "Fever and sore throat" in page.text()
    assert "38.6 °C" in page.text("#vitals")
    page.find(f"a[href$='/cases/{case.id}/prescribe']").click()
    _fill(
        page,
        {
            "provisional_diagnosis": "Acute pharyngitis",
            "item-0-generic_name": "PARACETAMOL",
            "item-0-strength": "500 mg",
            "item-0-dosage_form": "Tablets",
            "item-0-dose": "1 tablet",
            "item-0-route": "oral",
            "item-0-frequency": "1-1-1",
            "item-0-duration_days": "3",
            "item-0-quantity": "9",
            "item-0-quantity_unit": "tablet",
            "item-0-instructions": "after food",
            "advice": "Warm saline gargles.",
            "password": SPECIALIST_PASSWORD,
        },
    )
    page.after_navigation(lambda: page.find("button[value='sign']").click())
    assert page.path == f"/console/cases/{case.id}", page.text()
    assert f"Signed and sent to {FACILITY}" in page.text()
    assert page.console_errors() == []

    # --- the clinic receives and verifies it ------------------------------------------------
    second = clinic.sync.run_once()
    assert second.ok, second.error
    [row] = clinic.prescriptions.inbox(gp)
    assert row.prescription.verification is Verification.VALID
    detail = clinic.prescriptions.detail(gp, row.prescription.id)
    rx = detail.prescription
    assert rx.practitioner.registration_number == "UPMC-45821"
    assert [i.generic_name for i in rx.items] == ["PARACETAMOL"]

    # --- printed, read back, and checked as a pharmacist would ------------------------------
    out = tmp_path / "rx.pdf"
    facility = clinic.prescriptions.facility_name()
    assert facility == FACILITY
    rx_print.print_prescription(detail, out, "A5", facility=facility)
    text = _pdf_text(out)
    for expected in (
        FACILITY,
        "Dr. Anil Sharma",
        "UPMC-45821",
        "Sita Devi",
        "Acute pharyngitis",
        "PARACETAMOL",
        "500 mg",
        "after food",
        "Warm saline gargles.",
    ):
        assert expected in text, (expected, text)
    checked = subprocess.run(
        [sys.executable, "main.py", "verify-rx", str(out), "--data-dir", str(tmp_path / "clinic")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("valid")

    # --- dispensed, and the hub hears of it -------------------------------------------------
    clinic.prescriptions.acknowledge(gp, rx.id)
    clinic.prescriptions.dispense(gp, rx.id, [ItemDispense(0, "dispensed", 9)])
    assert clinic.prescriptions.detail(gp, rx.id).stored.state is RxState.DISPENSED
    third = clinic.sync.run_once()
    assert third.ok, third.error
    at_hub = hub.store.prescription(rx.id)
    assert at_hub is not None
    assert [(d["index"], d["status"]) for d in at_hub["dispensing"]] == [(0, "dispensed")]
    page.open(f"/cases/{case.id}")
    shown = page.text(f"article[aria-labelledby='rx-{rx.id}']")
    assert "Acknowledged by Dr Rao" in shown
    assert "PARACETAMOL 500 mg Tablets" in shown and "— dispensed" in shown
