"""Prescriptions and case messages arriving in the pull: verified on arrival, stored whatever
the verdict, invalid ones reported to the hub in the same transaction, corrections linked,
replays changing nothing, malformed entries skipped (app.store.prescription_sync through the
sync engine's ``_apply_change``)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.domain.errors import DomainError
from app.domain.models import CaseStatus
from app.domain.prescriptions import canonical_bytes
from app.security import rx_signatures as rx
from app.services.container import Services
from app.services.prescriptions import arrival_verifier
from app.store import case_messages, outbox, settings
from app.store import cases as cases_repo
from app.store import prescriptions as rx_repo
from app.store.prescriptions import StoredPrescription, Verification
from app.sync import credentials
from app.sync.engine import _apply_change
from tests.prescription_helpers import feed_entry, make_rx, pin_hub_key, sent_case, signer
from tests.services.helpers import Staff


def arrive(
    services: Services,
    entity_id: object,
    payload: Any,
    *,
    entity: str = "prescription",
    op: str = "prescription.issued",
    verify: bool = True,
) -> None:
    """Apply one change as the pull does (inside one write, with the pinned key's check)."""
    key = services.store.read(lambda db: settings.get(db, credentials.KEY_SIGNING_KEY) or "")
    check = arrival_verifier(key) if verify else None
    change = {"seq": 1, "entity": entity, "entity_id": entity_id, "op": op, "payload": payload}
    services.store.write(lambda db: _apply_change(db, change, services.clock(), check))


def stored(services: Services, rid: str) -> StoredPrescription:
    found = services.store.read(lambda db: rx_repo.get(db, rid))
    assert found is not None
    return found


def invalid_ops(services: Services) -> list[outbox.OutboxOp]:
    ops = services.store.read(lambda db: outbox.pending(db, 500))
    return [o for o in ops if o.op == "prescription.invalid"]


def case_status(services: Services, cid: str) -> CaseStatus:
    case = services.store.read(lambda db: cases_repo.get(db, cid))  # type: ignore[arg-type]
    assert case is not None
    return case.status


def test_a_valid_prescription_verifies_lands_and_moves_its_case(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    arrive(services, *feed_entry(s, prescription))

    got = stored(services, prescription.id)
    assert got.verification is Verification.VALID
    assert got.canonical == canonical_bytes(prescription)
    assert got.patient_id == case.patient_id
    assert got.follow_up == date(2026, 11, 27)
    assert got.state is rx_repo.RxState.NEW
    assert (got.item_count, got.prescriber_name) == (2, "Dr. Anil Sharma")
    assert case_status(services, case.id) is CaseStatus.PRESCRIBED
    assert invalid_ops(services) == []


def test_one_flipped_byte_is_stored_as_tampered_and_reported(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    signed = canonical_bytes(prescription)
    at = signed.index(b"Viral fever") + len("Viral fev")
    flipped = signed[:at] + b"a" + signed[at + 1 :]  # still canonical: "Viral fevar"
    arrive(services, *feed_entry(s, prescription, canonical=flipped))

    got = stored(services, prescription.id)
    assert got.verification is Verification.TAMPERED
    assert got.canonical == flipped  # kept exactly as received
    [op] = invalid_ops(services)
    assert op.entity == "prescription" and op.entity_id == prescription.id
    assert op.payload["prescription_id"] == prescription.id
    assert op.payload["status"] == "tampered"
    assert op.payload["reason"] and op.payload["at"]
    # An unverified prescription does not answer the case.
    assert case_status(services, case.id) is CaseStatus.SENT


def test_a_signer_the_pinned_hub_never_certified_is_unknown(
    services: Services, staff: Staff
) -> None:
    pin_hub_key(services, signer())
    stranger = signer()  # certified by another hub's key
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    arrive(services, *feed_entry(stranger, prescription))
    assert stored(services, prescription.id).verification is Verification.UNKNOWN_SIGNER
    assert [o.payload["status"] for o in invalid_ops(services)] == ["unknown_signer"]


def test_a_key_revoked_before_the_issue_time_is_revoked(services: Services, staff: Staff) -> None:
    s = signer(revoked_at=datetime(2026, 6, 1, tzinfo=UTC))
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    arrive(services, *feed_entry(s, prescription))
    assert stored(services, prescription.id).verification is Verification.REVOKED
    assert [o.payload["status"] for o in invalid_ops(services)] == ["revoked"]


def test_without_a_pinned_hub_key_nothing_can_be_valid(services: Services, staff: Staff) -> None:
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    arrive(services, *feed_entry(signer(), prescription))
    assert stored(services, prescription.id).verification is Verification.UNKNOWN_SIGNER


def test_a_feed_entry_that_disagrees_with_the_signed_bytes_is_tampered(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    other = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    rid, payload = feed_entry(s, prescription, case_id=other.id)
    arrive(services, rid, payload)
    got = stored(services, prescription.id)
    assert got.verification is Verification.TAMPERED
    assert got.case_id == case.id  # what was signed, not what the envelope says
    assert "case" in got.verification_reason


def test_a_valid_correction_supersedes_but_a_forged_one_does_not(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    first = make_rx(case.id)
    arrive(services, *feed_entry(s, first))
    correction = make_rx(case.id, supersedes=first.id, items=3)
    arrive(services, *feed_entry(s, correction))
    assert stored(services, first.id).superseded_by == correction.id

    forged = make_rx(case.id, supersedes=correction.id)
    signed = canonical_bytes(forged)
    arrive(services, *feed_entry(signer(), forged, canonical=signed))  # unknown signer
    assert stored(services, forged.id).verification is Verification.UNKNOWN_SIGNER
    assert stored(services, correction.id).superseded_by is None


def test_a_correction_arriving_first_is_linked_when_the_original_arrives(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    first = make_rx(case.id)
    correction = make_rx(case.id, supersedes=first.id)
    arrive(services, *feed_entry(s, correction))
    arrive(services, *feed_entry(s, first))
    assert stored(services, first.id).superseded_by == correction.id


def test_a_correction_of_another_patients_prescription_is_not_linked(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    mine, theirs = sent_case(services, staff.paramedic), sent_case(services, staff.paramedic)
    first = make_rx(theirs.id)
    arrive(services, *feed_entry(s, first))
    arrive(services, *feed_entry(s, make_rx(mine.id, supersedes=first.id)))
    assert stored(services, first.id).superseded_by is None


def test_a_replayed_change_changes_nothing(services: Services, staff: Staff) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    good, bad = make_rx(case.id), make_rx(case.id)
    bad_id, bad_payload = feed_entry(s, bad, signature=rx.b64url(bytes(64)))
    arrive(services, *feed_entry(s, good))
    arrive(services, bad_id, bad_payload)
    services.prescriptions.acknowledge(staff.generalist, good.id)
    before = services.store.read(lambda db: (rx_repo.inbox(db), outbox.counts(db)))

    arrive(services, *feed_entry(s, good))
    arrive(services, bad_id, bad_payload)

    after = services.store.read(lambda db: (rx_repo.inbox(db), outbox.counts(db)))
    assert after == before
    assert stored(services, good.id).state is rx_repo.RxState.ACKNOWLEDGED
    assert len(invalid_ops(services)) == 1


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "not an object",
        {},
        {"canonical": "!!!", "signature": "AA", "key_id": "k", "certificate": "c"},
    ],
)
def test_a_malformed_payload_is_logged_and_skipped(
    services: Services, staff: Staff, payload: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        arrive(services, "rx-1", payload)
    assert "malformed prescription.issued" in caplog.text
    assert services.store.read(lambda db: rx_repo.inbox(db)) == []
    assert invalid_ops(services) == []


def test_each_missing_field_makes_the_entry_malformed(services: Services, staff: Staff) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    rid, payload = feed_entry(s, prescription)
    for key in payload:
        arrive(services, rid, {k: v for k, v in payload.items() if k != key})
    assert services.store.read(lambda db: rx_repo.exists(db, rid)) is False
    arrive(services, rid, payload)  # the whole entry still lands afterwards
    assert stored(services, rid).verification is Verification.VALID


def test_unreadable_signed_bytes_are_not_stored_but_reported_once(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    rid, payload = feed_entry(s, prescription, canonical=b'{"not": "a prescription"}')
    arrive(services, rid, payload)
    arrive(services, rid, payload)
    assert services.store.read(lambda db: rx_repo.exists(db, rid)) is False
    [op] = invalid_ops(services)
    assert op.payload["status"] == "tampered" and "unreadable" in op.payload["reason"]


def test_an_engine_without_the_signature_check_applies_no_prescription(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    arrive(services, *feed_entry(s, prescription), verify=False)
    assert services.store.read(lambda db: rx_repo.exists(db, prescription.id)) is False
    assert invalid_ops(services) == []


def _message(case_id: str, mid: str = "msg-1", **extra: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "case_id": case_id,
        "prescription_id": None,
        "author_name": "Dr. Anil Sharma",
        "author_role": "specialist",
        "body": "Is she allergic to penicillin?",
        "sent_at": "2026-11-20T06:00:00Z",
        **extra,
    }


def test_a_message_from_the_hub_lands_in_the_thread_once(services: Services, staff: Staff) -> None:
    case = sent_case(services, staff.paramedic)
    payload = _message(case.id)
    arrive(services, "msg-1", payload, entity="case", op="case.message")
    arrive(services, "msg-1", payload, entity="case", op="case.message")
    thread = services.store.read(lambda db: case_messages.for_case(db, case.id))
    assert [(m.id, m.direction, m.author_role, m.body) for m in thread] == [
        ("msg-1", "in", "specialist", "Is she allergic to penicillin?")
    ]
    assert thread[0].sent_at == datetime(2026, 11, 20, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    "change",
    [
        {"body": "   "},
        {"sent_at": "yesterday"},
        {"sent_at": "2026-11-20T06:00:00"},  # no time zone: cannot be ordered in the thread
        {"id": "msg-2"},  # not the change's entity id
        {"author_name": None},
        {"prescription_id": 7},
    ],
)
def test_a_malformed_message_is_skipped(
    services: Services, staff: Staff, change: dict[str, Any]
) -> None:
    case = sent_case(services, staff.paramedic)
    arrive(services, "msg-1", _message(case.id, **change), entity="case", op="case.message")
    assert services.store.read(lambda db: case_messages.for_case(db, case.id)) == []


def test_a_prescription_changed_on_this_pc_after_it_arrived_is_caught_before_use(
    services: Services, staff: Staff
) -> None:
    s = signer()
    pin_hub_key(services, s)
    case = sent_case(services, staff.paramedic)
    prescription = make_rx(case.id)
    arrive(services, *feed_entry(s, prescription))
    assert stored(services, prescription.id).verification is Verification.VALID
    # Someone edits the clinic's database: the dose of the first medicine, still canonical.
    signed = canonical_bytes(prescription)
    edited = signed.replace(b'"dose":"1 tablet"', b'"dose":"4 tablets"', 1)
    assert edited != signed
    services.store.write(
        lambda db: db.execute(
            "UPDATE prescriptions SET canonical = ? WHERE id = ?", [edited, prescription.id]
        )
    )

    detail = services.prescriptions.detail(staff.generalist, prescription.id)
    assert detail.stored.verification is Verification.TAMPERED
    assert not detail.printable_as_valid
    assert [o.payload["status"] for o in invalid_ops(services)] == ["tampered"]
    with pytest.raises(DomainError) as refused:
        services.prescriptions.acknowledge(staff.generalist, prescription.id)
    assert refused.value.code == "rx.invalid"
    # Opening it again reports nothing more.
    services.prescriptions.detail(staff.generalist, prescription.id)
    assert len(invalid_ops(services)) == 1
