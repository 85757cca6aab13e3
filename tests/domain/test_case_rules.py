"""Case status machine and the checks before queueing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.case_rules import (
    ALLOWED,
    can_transition,
    is_editable,
    problems_before_queue,
    transition,
)
from app.domain.errors import InvalidTransition
from app.domain.ids import CaseId, PatientId, UserId
from app.domain.models import Case, CaseStatus, Consent, ConsentMethod

S = CaseStatus
T0 = datetime(2025, 3, 15, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=30)

DRAFT = Case(
    id=CaseId("c1"),
    patient_id=PatientId("p1"),
    created_by=UserId("u1"),
    created_at=T0,
    updated_at=T0,
)
READY = replace(
    DRAFT,
    consent=Consent("Ramesh Kumar", "self", ConsentMethod.VERBAL, "ANM Sunita", T0),
    chief_complaint="Fever for 3 days",
    specialty="general_medicine",
)

EXPECTED = {
    S.DRAFT: {S.QUEUED, S.CANCELLED},
    S.QUEUED: {S.SENT, S.NEEDS_ATTENTION, S.CANCELLED},
    S.SENT: {S.AT_HUB, S.PRESCRIBED, S.NEEDS_ATTENTION},
    S.AT_HUB: {S.PRESCRIBED},
    S.PRESCRIBED: {S.CLOSED},
    S.NEEDS_ATTENTION: {S.QUEUED, S.CANCELLED},
    S.CLOSED: set(),
    S.CANCELLED: set(),
}


def test_allowed_is_the_contract_machine() -> None:
    assert {k: set(v) for k, v in ALLOWED.items()} == EXPECTED
    assert set(ALLOWED) == set(CaseStatus)


@pytest.mark.parametrize("current", list(CaseStatus))
@pytest.mark.parametrize("to", list(CaseStatus))
def test_every_pair(current: CaseStatus, to: CaseStatus) -> None:
    case = replace(READY, status=current)
    if to in EXPECTED[current]:
        assert can_transition(current, to)
        moved = transition(case, to, LATER)
        assert moved.status is to
        assert moved.updated_at == LATER
    else:
        assert not can_transition(current, to)
        with pytest.raises(InvalidTransition) as info:
            transition(case, to, LATER)
        assert info.value.code == "case.transition"
        assert info.value.params == {"from": current.value, "to": to.value}


def test_queueing_stamps_queued_at_and_later_moves_keep_it() -> None:
    queued = transition(READY, S.QUEUED, LATER)
    assert queued.queued_at == LATER
    sent = transition(queued, S.SENT, LATER + timedelta(hours=1))
    assert sent.queued_at == LATER
    assert sent.updated_at == LATER + timedelta(hours=1)


def test_cancel_does_not_stamp_queued_at() -> None:
    assert transition(READY, S.CANCELLED, LATER).queued_at is None


def test_transition_leaves_the_original_alone() -> None:
    transition(READY, S.QUEUED, LATER)
    assert READY.status is S.DRAFT


def test_only_drafts_are_editable() -> None:
    assert is_editable(DRAFT)
    assert not any(is_editable(replace(DRAFT, status=s)) for s in CaseStatus if s is not S.DRAFT)


def test_ready_case_has_no_problems() -> None:
    assert problems_before_queue(READY) == []


def test_empty_draft_lists_every_problem() -> None:
    problems = problems_before_queue(replace(DRAFT, chief_complaint="   "))
    assert [(p.code, p.field) for p in problems] == [
        ("case.consent_required", "consent"),
        ("case.complaint_required", "chief_complaint"),
        ("case.specialty_required", "specialty"),
    ]


def test_unknown_specialty_is_a_problem() -> None:
    problems = problems_before_queue(replace(READY, specialty="astrology"))
    assert [p.code for p in problems] == ["case.specialty_required"]
