"""The clinic's prescription use cases: inbox, detail, acknowledge, query, dispense per item,
follow-ups; who may do each; invalid and superseded prescriptions refused where they must be;
every action's op queued with it (app.services.prescriptions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.domain.models import Case, User
from app.domain.prescriptions import Prescription, normalise
from app.security import rx_signatures as rx
from app.services.container import Services
from app.services.prescriptions import DispenseStatus, ItemDispense, RxState
from app.store import outbox
from tests.prescription_helpers import Signer, feed_entry, make_rx, pin_hub_key, sent_case, signer
from tests.services.helpers import Staff
from tests.services.test_prescription_arrival import arrive


@pytest.fixture
def hub_signer(services: Services) -> Signer:
    s = signer()
    pin_hub_key(services, s)
    return s


@pytest.fixture
def case(services: Services, staff: Staff) -> Case:
    return sent_case(services, staff.paramedic)


@pytest.fixture
def valid(services: Services, hub_signer: Signer, case: Case) -> Prescription:
    prescription = make_rx(case.id)
    arrive(services, *feed_entry(hub_signer, prescription))
    return prescription


@pytest.fixture
def invalid(services: Services, hub_signer: Signer, case: Case) -> Prescription:
    prescription = make_rx(case.id)
    rid, payload = feed_entry(hub_signer, prescription, signature=rx.b64url(bytes(64)))
    arrive(services, rid, payload)
    return prescription


def ops(services: Services, kind: str) -> list[outbox.OutboxOp]:
    return [o for o in services.store.read(lambda db: outbox.pending(db, 500)) if o.op == kind]


def codes(call: Callable[[], Any]) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.code


# -- reading ---------------------------------------------------------------------------------


def test_the_inbox_shows_each_prescription_with_its_case_patient_and_verdict(
    services: Services, staff: Staff, case: Case, valid: Prescription, invalid: Prescription
) -> None:
    rows = services.prescriptions.inbox(staff.generalist)
    assert {r.prescription.id for r in rows} == {valid.id, invalid.id}
    by_id = {r.prescription.id: r for r in rows}
    assert by_id[valid.id].prescription.valid and not by_id[invalid.id].prescription.valid
    assert by_id[valid.id].patient_display == "Sita Devi"
    assert by_id[valid.id].case_status == "prescribed"
    assert by_id[valid.id].chief_complaint == "Fever for 4 days"
    assert by_id[valid.id].prescription.canonical == b""  # lists carry no signed bytes

    services.prescriptions.acknowledge(staff.generalist, valid.id)
    new = services.prescriptions.inbox(staff.generalist, [RxState.NEW])
    assert [r.prescription.id for r in new] == [invalid.id]
    done = services.prescriptions.inbox(staff.paramedic, ["acknowledged"])
    assert [r.prescription.id for r in done] == [valid.id]
    assert services.prescriptions.inbox(staff.generalist, []) == []


def test_detail_decodes_exactly_the_signed_prescription(
    services: Services, staff: Staff, case: Case, valid: Prescription
) -> None:
    detail = services.prescriptions.detail(staff.paramedic, valid.id)
    assert detail.prescription == normalise(valid)
    assert detail.valid and not detail.superseded and detail.printable_as_valid
    assert detail.dispensing == [None, None]
    assert detail.signer is not None and detail.signer.registration_no == "UPMC-45821"
    assert detail.thread == []
    assert detail.patient_display == "Sita Devi"


def test_an_invalid_prescription_can_be_viewed_but_not_printed_as_valid(
    services: Services, staff: Staff, invalid: Prescription
) -> None:
    detail = services.prescriptions.detail(staff.generalist, invalid.id)
    assert not detail.valid
    assert not detail.printable_as_valid
    assert detail.stored.verification_reason


def test_a_superseded_prescription_is_not_printable_as_valid(
    services: Services, staff: Staff, hub_signer: Signer, case: Case, valid: Prescription
) -> None:
    correction = make_rx(case.id, supersedes=valid.id)
    arrive(services, *feed_entry(hub_signer, correction))
    old = services.prescriptions.detail(staff.generalist, valid.id)
    assert old.superseded and not old.printable_as_valid
    [row] = [
        r for r in services.prescriptions.inbox(staff.generalist) if r.prescription.id == valid.id
    ]
    assert row.prescription.superseded_by == correction.id


def test_an_unknown_prescription_is_not_found(services: Services, staff: Staff) -> None:
    assert codes(lambda: services.prescriptions.detail(staff.generalist, "nope")) == "rx.not_found"
    assert codes(lambda: services.prescriptions.acknowledge(staff.generalist, "nope")) == (
        "rx.not_found"
    )


# -- acknowledge ------------------------------------------------------------------------------


def test_acknowledge_records_who_and_queues_the_op_once(
    services: Services, staff: Staff, valid: Prescription
) -> None:
    done = services.prescriptions.acknowledge(staff.generalist, valid.id)
    assert done.state is RxState.ACKNOWLEDGED
    assert done.acknowledged_by == staff.generalist.id
    assert done.acknowledged_at == services.clock()
    [op] = ops(services, "prescription.acknowledged")
    assert (op.entity, op.entity_id) == ("prescription", valid.id)
    assert op.payload == {
        "prescription_id": valid.id,
        "by_user_id": staff.generalist.id,
        "by_name": "Dr Rao",
        "at": op.payload["at"],
    }
    services.prescriptions.acknowledge(staff.generalist, valid.id)
    assert len(ops(services, "prescription.acknowledged")) == 1


def test_an_invalid_prescription_cannot_be_acknowledged(
    services: Services, staff: Staff, invalid: Prescription
) -> None:
    assert codes(lambda: services.prescriptions.acknowledge(staff.generalist, invalid.id)) == (
        "rx.invalid"
    )
    assert ops(services, "prescription.acknowledged") == []


# -- query -------------------------------------------------------------------------------------


def test_a_query_goes_into_the_thread_and_to_the_hub(
    services: Services, staff: Staff, case: Case, valid: Prescription
) -> None:
    message = services.prescriptions.query(staff.generalist, valid.id, "  Reduce the dose?  ")
    assert message.body == "Reduce the dose?" and message.direction == "out"
    detail = services.prescriptions.detail(staff.generalist, valid.id)
    assert detail.stored.state is RxState.QUERIED
    assert [m.id for m in detail.thread] == [message.id]
    [op] = ops(services, "case.message")
    assert (op.entity, op.entity_id) == ("case_message", message.id)
    assert op.payload == {
        "id": message.id,
        "case_id": case.id,
        "prescription_id": valid.id,
        "author_user_id": staff.generalist.id,
        "author_name": "Dr Rao",
        "author_role": "generalist",
        "body": "Reduce the dose?",
        "sent_at": op.payload["sent_at"],
    }
    # Acknowledging after the answer moves it on, and tells the hub.
    again = services.prescriptions.acknowledge(staff.generalist, valid.id)
    assert again.state is RxState.ACKNOWLEDGED
    assert len(ops(services, "prescription.acknowledged")) == 1


def test_a_query_needs_words(services: Services, staff: Staff, valid: Prescription) -> None:
    assert codes(lambda: services.prescriptions.query(staff.generalist, valid.id, " \n")) == (
        "rx.query_required"
    )
    long = "x" * 4001
    assert codes(lambda: services.prescriptions.query(staff.generalist, valid.id, long)) == (
        "rx.query_too_long"
    )
    assert ops(services, "case.message") == []


def test_an_invalid_prescription_can_still_be_queried(
    services: Services, staff: Staff, invalid: Prescription
) -> None:
    services.prescriptions.query(staff.generalist, invalid.id, "Please issue it again.")
    assert len(ops(services, "case.message")) == 1


# -- dispense ----------------------------------------------------------------------------------


def test_dispensing_per_item_until_every_item_is_settled(
    services: Services, staff: Staff, valid: Prescription
) -> None:
    gp = staff.generalist
    rxs = services.prescriptions
    assert codes(lambda: rxs.dispense(gp, valid.id, [ItemDispense(0, "dispensed")])) == (
        "rx.not_acknowledged"
    )
    rxs.acknowledge(gp, valid.id)
    first = rxs.dispense(gp, valid.id, [ItemDispense(0, "partly", 4, "rest on Friday")])
    assert first.stored.state is RxState.ACKNOWLEDGED
    assert first.dispensing[0] is not None
    assert (first.dispensing[0].status, first.dispensing[0].quantity) == (DispenseStatus.PARTLY, 4)
    assert first.dispensing[1] is None

    done = rxs.dispense(
        gp, valid.id, [ItemDispense(0, DispenseStatus.DISPENSED, 9), ItemDispense(1, "declined")]
    )
    assert done.stored.state is RxState.DISPENSED
    assert [d.status if d else None for d in done.dispensing] == ["dispensed", "declined"]

    sent = ops(services, "prescription.dispensed")
    assert len(sent) == 2
    assert sent[1].entity_id == valid.id
    assert sent[1].payload["items"] == [
        {"index": 0, "status": "dispensed", "quantity": 9, "note": ""},
        {"index": 1, "status": "declined", "quantity": None, "note": ""},
    ]
    assert sent[1].payload["by_user_id"] == gp.id and sent[1].payload["by_name"] == "Dr Rao"

    # A later correction that unsettles an item takes it out of DISPENSED.
    back = rxs.dispense(gp, valid.id, [ItemDispense(1, "partly", 2)])
    assert back.stored.state is RxState.ACKNOWLEDGED


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([ItemDispense(2, "dispensed")], "rx.dispense_item"),  # the prescription has 2 items
        ([ItemDispense(-1, "dispensed")], "rx.dispense_item"),
        ([ItemDispense(0, "dispensed"), ItemDispense(0, "declined")], "rx.dispense_item"),
        ([], "rx.dispense_item"),
        ([ItemDispense(0, "lost")], "rx.dispense_status"),
        ([ItemDispense(0, "partly", -1)], "rx.dispense_quantity"),
    ],
)
def test_dispensing_refuses_what_cannot_be(
    services: Services, staff: Staff, valid: Prescription, items: list[ItemDispense], code: str
) -> None:
    services.prescriptions.acknowledge(staff.generalist, valid.id)
    assert codes(lambda: services.prescriptions.dispense(staff.generalist, valid.id, items)) == code
    assert ops(services, "prescription.dispensed") == []
    detail = services.prescriptions.detail(staff.generalist, valid.id)
    assert detail.dispensing == [None, None]


def test_an_invalid_prescription_cannot_be_dispensed(
    services: Services, staff: Staff, invalid: Prescription
) -> None:
    call = lambda: services.prescriptions.dispense(  # noqa: E731
        staff.generalist, invalid.id, [ItemDispense(0, "dispensed")]
    )
    assert codes(call) == "rx.invalid"
    assert ops(services, "prescription.dispensed") == []


def test_a_superseded_prescription_cannot_be_dispensed(
    services: Services, staff: Staff, hub_signer: Signer, case: Case, valid: Prescription
) -> None:
    services.prescriptions.acknowledge(staff.generalist, valid.id)
    correction = make_rx(case.id, supersedes=valid.id)
    arrive(services, *feed_entry(hub_signer, correction))
    with pytest.raises(DomainError) as info:
        services.prescriptions.dispense(staff.generalist, valid.id, [ItemDispense(0, "dispensed")])
    assert info.value.code == "rx.superseded"
    assert info.value.params == {"id": correction.id}


# -- follow-ups ---------------------------------------------------------------------------------


def test_follow_ups_list_current_valid_prescriptions_due_before_the_day(
    services: Services, staff: Staff, hub_signer: Signer
) -> None:
    first_case = sent_case(services, staff.paramedic)
    other_case = sent_case(services, staff.paramedic)
    due = make_rx(first_case.id, follow_up=date(2026, 11, 25))
    later = make_rx(other_case.id, follow_up=date(2026, 12, 10))
    none = make_rx(other_case.id, follow_up=None)
    old = make_rx(other_case.id, follow_up=date(2026, 11, 22))
    fix = make_rx(other_case.id, follow_up=date(2026, 11, 24), supersedes=old.id)
    for p in (due, later, none, old, fix):
        arrive(services, *feed_entry(hub_signer, p))
    forged = make_rx(first_case.id, follow_up=date(2026, 11, 21))
    arrive(services, *feed_entry(signer(), forged))

    rows = services.prescriptions.follow_ups(staff.paramedic, date(2026, 11, 25))
    assert [(r.prescription_id, r.follow_up) for r in rows] == [(fix.id, date(2026, 11, 24))]
    rows = services.prescriptions.follow_ups(staff.generalist, date(2026, 11, 26))
    assert [r.prescription_id for r in rows] == [fix.id, due.id]
    assert rows[1].patient_id == first_case.patient_id and rows[1].patient_name == "Sita Devi"


# -- permissions --------------------------------------------------------------------------------

READS: dict[str, Callable[[Services, User, str], object]] = {
    "inbox": lambda s, u, rid: s.prescriptions.inbox(u),
    "detail": lambda s, u, rid: s.prescriptions.detail(u, rid),
    "thread": lambda s, u, rid: s.prescriptions.thread(u, "case"),
    "follow-ups": lambda s, u, rid: s.prescriptions.follow_ups(u, date(2027, 1, 1)),
}
ACTIONS: dict[str, Callable[[Services, User, str], object]] = {
    "acknowledge": lambda s, u, rid: s.prescriptions.acknowledge(u, rid),
    "query": lambda s, u, rid: s.prescriptions.query(u, rid, "Why?"),
    "dispense": lambda s, u, rid: s.prescriptions.dispense(u, rid, [ItemDispense(0, "declined")]),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_paramedics_and_generalists_may_view_the_admin_may_not(
    services: Services, staff: Staff, valid: Prescription, name: str
) -> None:
    READS[name](services, staff.paramedic, valid.id)
    READS[name](services, staff.generalist, valid.id)
    with pytest.raises(PermissionDenied):
        READS[name](services, staff.admin, valid.id)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_only_a_generalist_acts_on_a_prescription(
    services: Services, staff: Staff, valid: Prescription, name: str
) -> None:
    before = services.store.read(outbox.counts)
    for user in (staff.paramedic, staff.admin):
        with pytest.raises(PermissionDenied):
            ACTIONS[name](services, user, valid.id)
    assert services.store.read(outbox.counts) == before
    if name == "dispense":
        services.prescriptions.acknowledge(staff.generalist, valid.id)
    ACTIONS[name](services, staff.generalist, valid.id)
