"""The specialist's console reads (hub.storage._clinical) on SQLite AND PostgreSQL: the queue
and its order, one case's record, an attachment's bytes and claims. Every record arrives as a
spoke sends it (``apply_ops`` with ops from ``tests.hub.spoke_ops``)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

import pytest

from app.domain import vitals
from app.domain.ids import CaseId, PatientId, new_id
from app.domain.models import (
    Case,
    Patient,
    Priority,
    Sex,
)
from app.domain.prescriptions import (
    ConsultationMode,
    PatientSnapshot,
    PractitionerSnapshot,
    Prescription,
    PrescriptionId,
    PrescriptionItem,
    VisitType,
)
from hub.prescriptions import issue_prescription, post_case_message
from hub.storage import HubStore
from hub.storage import _common as common
from hub.storage.base import OpResult
from tests.hub.spoke_ops import READINGS, SpokeOps
from tests.prescription_helpers import add_specialist as shared_add_specialist

PASSWORD = "clinic-pass-1"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # the patient (born 1981-03-14) is 45

Reading = tuple[str, float, str]
# NEWS2 0: every reading in its 0 band.
NORMAL: tuple[Reading, ...] = READINGS
# NEWS2 7: respiration 25 (3), SpO2 93 (2), pulse 115 (2); the rest 0.
SEVEN: tuple[Reading, ...] = (
    (vitals.RESP_RATE, 25.0, "/min"),
    (vitals.SPO2, 93.0, "%"),
    (vitals.PULSE, 115.0, "/min"),
    (vitals.SYSTOLIC, 132.0, "mm[Hg]"),
    (vitals.TEMPERATURE, 37.4, "Cel"),
)


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sealed keys at a test cost (2**10): the hub's own (2**17) would take seconds each."""
    monkeypatch.setattr(common, "SEAL_LOG_N", 10)


class Clinic:
    """A registered spoke with one patient; ``queue`` sends cases for them."""

    def __init__(self, store: HubStore, name: str = "Kheri HWC") -> None:
        self.store = store
        self.name = name
        self.spoke_id, _secret = store.register_spoke(name)
        self.ops = SpokeOps()
        create, self.patient = self.ops.patient_create()
        assert self.push(create) == ["applied"]

    def push(self, *ops_: dict[str, Any]) -> list[str]:
        results: list[OpResult] = self.store.apply_ops(self.spoke_id, list(ops_))
        return [r.status for r in results]

    def new_patient(self, name: str, **changes: Any) -> Patient:
        patient = replace(self.ops.patient(name), **changes)
        create, _ = self.ops.patient_create(patient)
        assert self.push(create) == ["applied"]
        return patient

    def queue(
        self,
        *,
        priority: Priority = Priority.ROUTINE,
        specialty: str = "general_medicine",
        readings: tuple[Reading, ...] = NORMAL,
        queued_at: datetime = T0,
        complaint: str = "Fever and cough for 3 days",
        patient: Patient | None = None,
    ) -> Case:
        op, case = self.ops.case_queue(
            (patient or self.patient).id,
            len(readings),
            readings=readings,
            priority=priority,
            specialty=specialty,
            complaint=complaint,
            queued_at=queued_at,
        )
        assert self.push(op) == ["applied"]
        return case


def add_specialist(store: HubStore, username: str, name: str = "Dr Anil Mehta") -> str:
    return shared_add_specialist(store, username, PASSWORD, name=name)


def draft(case_id: str) -> Prescription:
    return Prescription(
        id=PrescriptionId(new_id()),
        case_id=CaseId(case_id),
        patient=PatientSnapshot("typed by the form", 1, Sex.UNKNOWN),
        practitioner=PractitionerSnapshot("someone else", "", "FAKE-1", "Nowhere"),
        mode=ConsultationMode.VIDEO,
        visit=VisitType.FIRST,
        issued_at=datetime(2000, 1, 1, tzinfo=UTC),
        chief_complaint="Fever and cough for 3 days",
        provisional_diagnosis="Viral fever",
        items=(
            PrescriptionItem(
                generic_name="paracetamol",
                strength="500 mg",
                dosage_form="tablet",
                dose="1 tablet",
                frequency="1-1-1",
                route="oral",
                duration_days=3,
                quantity=9,
                quantity_unit="tablet",
            ),
        ),
        advice="Plenty of fluids.",
    )


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["case_id"] for r in rows]


# -- the queue ---------------------------------------------------------------------------------


def test_queue_order_across_bands(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    routine = clinic.queue(queued_at=T0)  # waited longest, still last of the scored
    unscored = clinic.queue(readings=(), queued_at=T0 + timedelta(minutes=1))
    urgent = clinic.queue(priority=Priority.URGENT, queued_at=T0 + timedelta(minutes=2))
    emergency = clinic.queue(priority=Priority.EMERGENCY, queued_at=T0 + timedelta(minutes=3))
    seven = clinic.queue(readings=SEVEN, queued_at=T0 + timedelta(minutes=4))

    queue = hub_store.specialist_queue(None, now=NOW)

    assert ids(queue) == [seven.id, emergency.id, urgent.id, routine.id, unscored.id]
    assert [r["band"] for r in queue] == ["immediate", "immediate", "urgent", "routine", "routine"]
    top = queue[0]
    assert set(top) == {
        "case_id", "spoke_id", "spoke_name", "patient_id", "patient_name", "sex", "age_years",
        "chief_complaint", "status", "priority", "specialty", "waiting_since", "news2", "band",
        "claim", "last_message_from", "attachments",
    }  # fmt: skip
    assert top["news2"] == {
        "total": 7, "risk": "high", "red": True, "partial": False, "applicable": True,
    }  # fmt: skip
    assert top["spoke_id"] == clinic.spoke_id and top["spoke_name"] == "Kheri HWC"
    assert top["patient_id"] == clinic.patient.id and top["patient_name"] == "Sunita Devi"
    assert (top["sex"], top["age_years"]) == ("female", 45)
    assert top["chief_complaint"] == "Fever and cough for 3 days"
    assert (top["priority"], top["specialty"]) == ("routine", "general_medicine")
    assert top["waiting_since"] == T0 + timedelta(minutes=4)
    assert top["waiting_since"].tzinfo is not None
    assert (top["claim"], top["last_message_from"], top["attachments"]) == (None, None, 0)
    by_id = {r["case_id"]: r for r in queue}
    assert by_id[emergency.id]["news2"]["total"] == 0
    assert by_id[unscored.id]["news2"] is None
    # Age at another moment: the day before the birthday.
    earlier = hub_store.specialist_queue(None, now=datetime(2026, 3, 13, tzinfo=UTC))
    assert earlier[0]["age_years"] == 44


def test_waiting_time_breaks_ties_and_news2_orders_a_band(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    later = clinic.queue(priority=Priority.URGENT, queued_at=T0 + timedelta(hours=1))
    sooner = clinic.queue(priority=Priority.URGENT, queued_at=T0)
    partial = SEVEN[:2]
    scored = clinic.queue(
        priority=Priority.URGENT, readings=partial, queued_at=T0 + timedelta(hours=2)
    )
    queue = hub_store.specialist_queue(None, now=NOW)
    # SEVEN[:2]: respiration 25 and SpO2 93, 5 in all, partial.
    assert ids(queue) == [scored.id, sooner.id, later.id]
    assert queue[0]["news2"] == {
        "total": 5, "risk": "medium", "red": True, "partial": True, "applicable": True,
    }  # fmt: skip


def test_specialty_filter_and_count(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    other = Clinic(hub_store, "Bodh Gaya HWC")
    medicine = clinic.queue(queued_at=T0)
    skin = clinic.queue(specialty="dermatology", queued_at=T0 + timedelta(minutes=1))
    theirs = other.queue(queued_at=T0 + timedelta(minutes=2))

    assert ids(hub_store.specialist_queue("general_medicine", now=NOW)) == [medicine.id, theirs.id]
    assert ids(hub_store.specialist_queue("dermatology", now=NOW)) == [skin.id]
    assert hub_store.specialist_queue("cardiology", now=NOW) == []
    assert set(ids(hub_store.specialist_queue(None, now=NOW))) == {medicine.id, skin.id, theirs.id}
    for specialty in (None, "general_medicine", "dermatology", "cardiology"):
        assert hub_store.queue_count(specialty) == len(hub_store.specialist_queue(specialty))
    assert hub_store.queue_count(None) == 3
    rows = {r["case_id"]: r for r in hub_store.specialist_queue(None)}
    assert rows[theirs.id]["spoke_name"] == "Bodh Gaya HWC"


def test_cancelled_and_prescribed_cases_leave_the_queue(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    cancelled = clinic.queue(queued_at=T0)
    prescribed = clinic.queue(queued_at=T0 + timedelta(minutes=1))
    waiting = clinic.queue(queued_at=T0 + timedelta(minutes=2))
    assert hub_store.queue_count(None) == 3

    assert clinic.push(clinic.ops.case_cancel(cancelled.id, "the patient went home")) == ["applied"]
    add_specialist(hub_store, "dr.mehta")
    issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(prescribed.id))

    assert ids(hub_store.specialist_queue(None)) == [waiting.id]
    assert hub_store.queue_count(None) == 1
    assert hub_store.queue_count("general_medicine") == 1


def test_a_clinics_question_about_a_prescription_brings_the_case_back(
    hub_store: HubStore,
) -> None:
    clinic = Clinic(hub_store)
    case = clinic.queue(queued_at=T0)
    add_specialist(hub_store, "dr.mehta")
    issued = issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(case.id))
    assert hub_store.queue_count(None) == 0
    question = clinic.ops.case_message(
        case.id, "No amoxicillin here: what instead?", issued.prescription.id
    )
    assert clinic.push(question) == ["applied"]
    [row] = hub_store.specialist_queue(None)
    assert (row["case_id"], row["status"], row["last_message_from"]) == (
        case.id,
        "prescribed",
        "spoke",
    )
    assert hub_store.queue_count("general_medicine") == 1
    # Answered: the case leaves the queue again.
    post_case_message(hub_store, "dr.mehta", case.id, "Give cefalexin.")
    assert hub_store.specialist_queue(None) == []
    assert hub_store.queue_count(None) == 0


def test_entered_in_error_does_not_count(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    case = clinic.queue(queued_at=T0)
    plain = clinic.queue(queued_at=T0 + timedelta(minutes=1))
    # A later pulse of 140 (3, "red"): the case is urgent and goes first...
    addendum = clinic.ops.observation_create(case.id, value=140.0)
    assert clinic.push(addendum) == ["applied"]
    first = hub_store.specialist_queue(None, now=NOW)
    assert ids(first) == [case.id, plain.id]
    assert first[0]["band"] == "urgent" and first[0]["news2"]["total"] == 3
    assert first[0]["news2"]["red"] is True

    # ... until the clinic marks that reading entered in error: the pulse of 88 counts again.
    mark = clinic.ops.observation_entered_in_error(addendum["entity_id"], "wrong patient")
    assert clinic.push(mark) == ["applied"]
    after = hub_store.specialist_queue(None, now=NOW)
    assert ids(after) == [case.id, plain.id]  # both routine, NEWS2 0: the longer wait first
    assert after[0]["band"] == "routine" and after[0]["news2"]["total"] == 0

    record = hub_store.case_record(case.id, now=NOW)
    assert record is not None
    flagged = [o for o in record["observations"] if o["entered_in_error"]]
    assert [o["id"] for o in flagged] == [addendum["entity_id"]]
    assert len(record["observations"]) == len(NORMAL) + 1
    assert record["news2"]["total"] == 0 and record["news2"]["scores"]["pulse"] == 0


def test_messages_and_attachments_in_the_queue(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    case = clinic.queue()
    user_id = add_specialist(hub_store, "dr.mehta")
    assert clinic.push(clinic.ops.case_message(case.id, "Is the rash spreading?")) == ["applied"]
    (row,) = hub_store.specialist_queue(None)
    assert row["last_message_from"] == "spoke"
    hub_store.post_case_message(
        case.id, user_id, "Dr Anil Mehta", "Send a photo", message_id=new_id()
    )
    assert clinic.push(clinic.ops.attachment_create(case.id, b"\xff\xd8 one")) == ["applied"]
    assert clinic.push(clinic.ops.attachment_create(case.id, b"\xff\xd8 two")) == ["applied"]
    (row,) = hub_store.specialist_queue(None)
    assert row["last_message_from"] == "hub" and row["attachments"] == 2


# -- one case's record -------------------------------------------------------------------------


def test_case_record_with_earlier_visits(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store, "dr.mehta")
    first = clinic.queue(queued_at=T0, complaint="Cough")
    issued = issue_prescription(hub_store, "dr.mehta", PASSWORD, draft(first.id))
    second = clinic.queue(queued_at=T0 + timedelta(days=7), complaint="Cough again")
    current = clinic.queue(
        readings=SEVEN, queued_at=T0 + timedelta(days=14), complaint="Breathless"
    )
    # Another patient's case at the same spoke is no earlier visit of this one.
    stranger = clinic.new_patient("Ram Kumar", id=PatientId(new_id()))
    clinic.queue(patient=stranger, queued_at=T0)

    record = hub_store.case_record(current.id, now=NOW)

    assert record is not None
    assert set(record) == {
        "case_id", "spoke_id", "spoke_name", "status", "case", "patient", "age_years",
        "observations", "news2", "band", "attachments", "earlier", "claim",
    }  # fmt: skip
    assert (record["case_id"], record["spoke_id"], record["spoke_name"]) == (
        current.id, clinic.spoke_id, "Kheri HWC",
    )  # fmt: skip
    assert record["status"] == "at_hub" and record["band"] == "immediate"
    assert record["case"]["chief_complaint"] == "Breathless"
    assert record["patient"]["name"] == "Sunita Devi" and record["age_years"] == 45
    assert record["news2"]["total"] == 7 and record["news2"]["missing"] == []
    assert record["news2"]["scores"]["resp_rate"] == 3
    assert [o["code"] for o in record["observations"]] == [r[0] for r in SEVEN]
    assert record["attachments"] == [] and record["claim"] is None

    assert [e["case_id"] for e in record["earlier"]] == [second.id, first.id]
    newer, older = record["earlier"]
    assert newer["status"] == "at_hub" and newer["prescriptions"] == []
    assert newer["chief_complaint"] == "Cough again"
    assert newer["when"] == T0 + timedelta(days=7)
    assert len(newer["observations"]) == len(NORMAL)
    assert older["status"] == "prescribed" and older["chief_complaint"] == "Cough"
    (rx,) = older["prescriptions"]
    assert rx == {
        "id": issued.prescription.id,
        "issued_at": issued.issued_at,
        "mode": "video",
        "visit": "first",
        "provisional_diagnosis": "Viral fever",
        "items": [{"generic_name": "PARACETAMOL", "strength": "500 mg", "dosage_form": "tablet"}],
        "superseded_by": None,
    }
    assert hub_store.case_record("no-such-case") is None


def test_attachment_content_only_once_complete(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    case = clinic.queue()
    other_case = clinic.queue()
    data = bytes(range(256)) * 50  # 12,800 bytes, sent in three pieces
    op = clinic.ops.attachment_create(case.id, data)
    assert clinic.push(op) == ["applied"]
    aid, digest = op["entity_id"], sha256(data).hexdigest()
    assert hub_store.attachment_content(case.id, aid) is None  # nothing uploaded yet

    assert hub_store.blob_start(digest, len(data), "image/jpeg") == ("created", 0)
    hub_store.blob_append(digest, 0, data[:5000])
    hub_store.blob_append(digest, 5000, data[5000:10000])
    assert hub_store.attachment_content(case.id, aid) is None  # partial
    record = hub_store.case_record(case.id)
    assert record is not None
    (doc,) = record["attachments"]
    assert (doc["complete"], doc["received"], doc["size"]) == (False, 10000, len(data))

    hub_store.blob_append(digest, 10000, data[10000:])
    found = hub_store.attachment_content(case.id, aid)
    assert found is not None
    doc, content = found
    assert content == data
    assert doc == {
        "id": aid, "filename": "wound.jpg", "media_type": "image/jpeg", "size": len(data),
        "sha256": digest, "caption": "", "created_at": doc["created_at"], "complete": True,
        "received": len(data),
    }  # fmt: skip
    assert isinstance(doc["created_at"], datetime)
    # Only through its own case; an unknown attachment is None.
    assert hub_store.attachment_content(other_case.id, aid) is None
    assert hub_store.attachment_content(case.id, "no-such-attachment") is None


# -- claims ------------------------------------------------------------------------------------


def test_claims(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    case = clinic.queue()
    add_specialist(hub_store, "dr.mehta", "Dr Anil Mehta")
    add_specialist(hub_store, "dr.rao", "Dr Kavita Rao")

    mine = hub_store.claim_case(case.id, "Dr.Mehta")
    assert (mine["username"], mine["display_name"]) == ("dr.mehta", "Dr Anil Mehta")
    assert isinstance(mine["claimed_at"], datetime) and mine["claimed_at"].tzinfo is not None
    assert hub_store.claim_case(case.id, "dr.mehta") == mine  # again: unchanged

    # A second specialist sees the first one's claim, unchanged.
    assert hub_store.claim_case(case.id, "dr.rao") == mine
    (row,) = hub_store.specialist_queue(None)
    assert row["claim"] == mine
    record = hub_store.case_record(case.id)
    assert record is not None and record["claim"] == mine

    # Releasing someone else's claim does nothing.
    hub_store.release_case(case.id, "dr.rao")
    assert hub_store.specialist_queue(None)[0]["claim"] == mine

    taken = hub_store.claim_case(case.id, "dr.rao", take_over=True)
    assert (taken["username"], taken["display_name"]) == ("dr.rao", "Dr Kavita Rao")
    assert hub_store.claim_case(case.id, "dr.mehta") == taken

    hub_store.release_case(case.id, "dr.rao")
    assert hub_store.specialist_queue(None)[0]["claim"] is None
    assert hub_store.claim_case(case.id, "dr.mehta")["username"] == "dr.mehta"


def test_who_may_claim(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    case = clinic.queue()
    add_specialist(hub_store, "dr.mehta")
    add_specialist(hub_store, "dr.away")
    hub_store.add_user("asha.admin", "Asha Admin", "hub_admin", "admin-pass-1")
    hub_store.add_user("asha", "Asha Kumari", "paramedic", "para-pass-1", spoke_id=clinic.spoke_id)
    hub_store.set_user_active("dr.away", False)

    for username in ("asha.admin", "asha", "dr.away", "nobody"):
        with pytest.raises(PermissionError):
            hub_store.claim_case(case.id, username)
    with pytest.raises(KeyError):
        hub_store.claim_case("no-such-case", "dr.mehta")
    assert hub_store.specialist_queue(None)[0]["claim"] is None
    hub_store.release_case("no-such-case", "dr.mehta")  # nothing to release: no error


def test_concurrent_claims_one_wins(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    case = clinic.queue()
    names = [f"dr.s{i}" for i in range(4)]
    for name in names:
        add_specialist(hub_store, name, f"Dr {name}")
    barrier = threading.Barrier(len(names))
    results: dict[str, dict[str, Any]] = {}
    errors: list[BaseException] = []

    def claim(name: str) -> None:
        try:
            barrier.wait()
            results[name] = hub_store.claim_case(case.id, name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    winners = {r["username"] for r in results.values()}
    assert len(winners) == 1 and winners <= set(names)
    assert all(r == results[next(iter(winners))] for r in results.values())
    assert hub_store.specialist_queue(None)[0]["claim"] == results[names[0]]
