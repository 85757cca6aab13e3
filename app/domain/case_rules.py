"""The case status machine and what a case needs before it can be queued to the hub.

``ALLOWED`` is the whole machine: draft -> queued/cancelled; queued -> sent/needs_attention/
cancelled; sent -> at_hub/prescribed/needs_attention; at_hub -> prescribed; prescribed ->
closed; needs_attention -> queued/cancelled; closed and cancelled are final. ``transition``
returns the moved case or raises ``InvalidTransition`` (``case.transition``, params from/to).

Contract: pure functions, thread-safe.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from app.domain.errors import DomainError, InvalidTransition
from app.domain.models import Case, CaseStatus
from app.domain.specialties import specialty

S = CaseStatus
ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.DRAFT: frozenset({S.QUEUED, S.CANCELLED}),
    S.QUEUED: frozenset({S.SENT, S.NEEDS_ATTENTION, S.CANCELLED}),
    S.SENT: frozenset({S.AT_HUB, S.PRESCRIBED, S.NEEDS_ATTENTION}),
    S.AT_HUB: frozenset({S.PRESCRIBED}),
    S.PRESCRIBED: frozenset({S.CLOSED}),
    S.NEEDS_ATTENTION: frozenset({S.QUEUED, S.CANCELLED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}


def can_transition(current: CaseStatus, to: CaseStatus) -> bool:
    return to in ALLOWED[current]


def transition(case: Case, to: CaseStatus, now: datetime) -> Case:
    if not can_transition(case.status, to):
        raise InvalidTransition(
            "case.transition",
            f"A {case.status.value} case cannot become {to.value}.",
            {"from": case.status.value, "to": to.value},
        )
    queued_at = now if to is S.QUEUED else case.queued_at
    return replace(case, status=to, updated_at=now, queued_at=queued_at)


def is_editable(case: Case) -> bool:
    """Only drafts change in place; once queued, corrections are addenda."""
    return case.status is S.DRAFT


def problems_before_queue(case: Case) -> list[DomainError]:
    problems: list[DomainError] = []
    if case.consent is None:
        problems.append(
            DomainError(
                "case.consent_required",
                "Record the patient's consent before queueing.",
                field="consent",
            )
        )
    if not case.chief_complaint.strip():
        problems.append(
            DomainError(
                "case.complaint_required",
                "Enter the chief complaint before queueing.",
                field="chief_complaint",
            )
        )
    if not case.specialty or specialty(case.specialty) is None:
        problems.append(
            DomainError(
                "case.specialty_required",
                "Choose the hub specialty to send the case to.",
                field="specialty",
            )
        )
    return problems
