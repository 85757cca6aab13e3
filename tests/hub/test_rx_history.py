"""The hub checks a continuation against the patient's history (docs/PRESCRIPTIONS.md "Issuing
at the hub", step 3), on SQLite and PostgreSQL: a List A medicine may go without video only
as a refill of one this patient was prescribed before, in this case or an earlier one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.errors import ValidationFailed
from app.domain.prescriptions import ConsultationMode, Prescription, VisitType
from hub.prescriptions import issue_prescription, review_draft
from hub.storage import HubStore
from tests.hub.test_prescriptions import PASSWORD, Clinic, add_specialist, draft, item

AMOXICILLIN = item("amoxicillin", dosage_form="capsule", continuation=True)


def _refill(case_id: str) -> Prescription:
    return replace(
        draft(case_id, AMOXICILLIN),
        mode=ConsultationMode.AUDIO,
        visit=VisitType.FOLLOW_UP,
    )


def test_a_refill_without_an_earlier_prescription_is_refused(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    refill = _refill(clinic.case.id)
    codes = [p.code for p in review_draft(hub_store, "dr.mehta", refill)]
    assert codes == ["rx.continuation_unproven"]
    with pytest.raises(ValidationFailed) as refused:
        issue_prescription(hub_store, "dr.mehta", PASSWORD, refill)
    assert [i.code for i in refused.value.issues] == ["rx.continuation_unproven"]
    assert hub_store.prescriptions_for_case(clinic.case.id) == []
    # Not marked as a continuation, it is the plain List A rule that speaks.
    plain = replace(refill, items=(replace(AMOXICILLIN, continuation=False),))
    assert [p.code for p in review_draft(hub_store, "dr.mehta", plain)] == ["rx.drug_needs_video"]


def test_a_refill_of_an_earlier_visits_medicine_is_signed(hub_store: HubStore) -> None:
    clinic = Clinic(hub_store)
    add_specialist(hub_store)
    # The first visit: amoxicillin by video.
    first = draft(clinic.case.id, replace(AMOXICILLIN, continuation=False))
    issue_prescription(hub_store, "dr.mehta", PASSWORD, first)
    # A month later the same patient is back, and the refill goes by phone.
    queue, later = clinic.ops.case_queue(clinic.patient.id, observations=2)
    assert [r.status for r in clinic.push(queue)] == ["applied"]
    refill = _refill(later.id)
    assert review_draft(hub_store, "dr.mehta", refill) == []
    issued = issue_prescription(hub_store, "dr.mehta", PASSWORD, refill)
    assert issued.prescription.items[0].continuation
    # Another patient's history does not count.
    other = Clinic(hub_store, "Rampur HWC")
    assert [p.code for p in review_draft(hub_store, "dr.mehta", _refill(other.case.id))] == [
        "rx.continuation_unproven"
    ]
