"""A prescription's whole trip over loopback with the real hub: the clinic's case is pushed, a
specialist signs a prescription at the hub, a sync round brings it to the clinic where it is
verified against the hub key pinned at enrolment, and what the clinic does with it
(acknowledge, dispense, a query) is pushed to the hub by the next round; the specialist's
answer comes back into the thread. Runs through ``Services.sync``, the wiring the app uses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.domain.models import CaseStatus, Role
from app.domain.prescriptions import Prescription
from app.security import rx_signatures as rx
from app.services.container import Services
from app.services.prescriptions import ItemDispense, RxState, Verification
from app.store import cases as cases_repo
from app.store import outbox
from app.sync import credentials
from hub import signing
from hub.prescriptions import issue_prescription, post_case_message
from tests.prescription_helpers import (
    SPECIALIST,
    SPECIALIST_PASSWORD,
    add_specialist,
    make_rx,
    sent_case,
)
from tests.services.helpers import FAST_LOG_N, PASSWORD
from tests.sync.conftest import Hub, pending_audit_ops


def _issue(hub: Hub, case_id: str) -> Prescription:
    """A specialist at the hub signs a prescription for the clinic's case."""
    add_specialist(hub.store)
    return issue_prescription(
        hub.store, SPECIALIST, SPECIALIST_PASSWORD, make_rx(case_id)
    ).prescription


@pytest.fixture
def clinic(tmp_path: Path, hub: Hub) -> Iterator[Services]:
    services = Services.open(tmp_path / "clinic", password_log_n=FAST_LOG_N)
    try:
        creds = credentials.HubCredentials(
            hub.url, hub.spoke_id, hub.secret, signing_key=signing.public_key_text(hub.store)
        )
        credentials.save(services.store, creds)
        yield services
    finally:
        services.close()


def test_a_prescription_arrives_verified_and_the_clinics_work_reaches_the_hub(
    clinic: Services, hub: Hub
) -> None:
    admin = clinic.auth.create_first_admin("admin", "Field IT", PASSWORD)
    paramedic = clinic.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD)
    gp = clinic.auth.create_user(admin, "dr.rao", "Dr Rao", Role.GENERALIST, PASSWORD)
    # Queued, not yet sent: the first round takes it to the hub.
    case = sent_case(clinic, paramedic, CaseStatus.QUEUED)
    first = clinic.sync.run_once()
    assert first.ok, first.error

    issued = _issue(hub, case.id)

    second = clinic.sync.run_once()
    assert second.ok, second.error
    [row] = clinic.prescriptions.inbox(gp)
    assert row.prescription.id == issued.id
    assert row.prescription.verification is Verification.VALID, row.prescription
    assert row.prescription.state is RxState.NEW
    detail = clinic.prescriptions.detail(gp, row.prescription.id)
    assert detail.prescription == issued
    assert detail.printable_as_valid
    moved = clinic.store.read(lambda db: cases_repo.get(db, case.id))
    assert moved is not None and moved.status is CaseStatus.PRESCRIBED

    rid = row.prescription.id
    clinic.prescriptions.acknowledge(gp, rid)
    clinic.prescriptions.dispense(
        gp, rid, [ItemDispense(0, "dispensed", 9), ItemDispense(1, "not_available")]
    )
    query = clinic.prescriptions.query(gp, rid, "Amoxicillin is out of stock: an alternative?")
    kinds = ["prescription.acknowledged", "prescription.dispensed", "case.message"]
    queued = [o.op for o in clinic.store.read(lambda db: outbox.pending(db, 100))]
    assert [op for op in queued if op != "audit.append"] == kinds

    audited = pending_audit_ops(clinic)  # opening, acknowledging, dispensing, querying
    third = clinic.sync.run_once()
    assert third.ok, third.error
    assert third.pushed.total == 3 + audited  # each op has the hub's verdict; none waits
    assert clinic.store.read(outbox.counts)["pending"] == 0
    assert third.pushed.rejected == 0
    at_hub = hub.store.prescription(rid)
    assert at_hub is not None
    assert at_hub["acknowledged"]["by_user_id"] == gp.id
    statuses = {d["index"]: d["status"] for d in at_hub["dispensing"]}
    assert statuses == {0: "dispensed", 1: "not_available"}
    assert [m["id"] for m in hub.store.case_messages(case.id)] == [query.id]

    answer = post_case_message(
        hub.store, SPECIALIST, case.id, "Give cefalexin instead.", prescription_id=rid
    )
    fourth = clinic.sync.run_once()
    assert fourth.ok, fourth.error
    thread = clinic.prescriptions.thread(gp, case.id)
    assert [(m.id, m.direction) for m in thread] == [(query.id, "out"), (answer["id"], "in")]
    assert clinic.prescriptions.detail(gp, rid).stored.state is RxState.DISPENSED


def test_a_prescription_failing_verification_is_kept_and_reported_to_the_hub(
    clinic: Services, hub: Hub
) -> None:
    admin = clinic.auth.create_first_admin("admin", "Field IT", PASSWORD)
    paramedic = clinic.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD)
    gp = clinic.auth.create_user(admin, "dr.rao", "Dr Rao", Role.GENERALIST, PASSWORD)
    # The clinic pinned another hub's key: nothing this hub certified can verify here.
    current = credentials.load(clinic.store)
    assert current is not None
    other_key = rx.public_key_text(rx.new_hub_key())
    credentials.save(clinic.store, replace(current, signing_key=other_key))
    case = sent_case(clinic, paramedic, CaseStatus.QUEUED)
    assert clinic.sync.run_once().ok
    issued = _issue(hub, case.id)

    pulled = clinic.sync.run_once()  # pulls it and queues the report
    assert pulled.ok, pulled.error
    [row] = clinic.prescriptions.inbox(gp)
    assert row.prescription.verification is Verification.UNKNOWN_SIGNER
    assert not clinic.prescriptions.detail(gp, issued.id).printable_as_valid

    audited = pending_audit_ops(clinic)  # opening it was a view
    pushed = clinic.sync.run_once()
    assert pushed.ok and pushed.pushed.applied == 1 + audited and pushed.pushed.rejected == 0
    [report] = [r for r in hub.store.invalid_reports() if r["prescription_id"] == issued.id]
    assert report["status"] == "unknown_signer"
