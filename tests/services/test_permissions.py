"""Roles are enforced by the services themselves, not only hidden in the UI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.domain.errors import PermissionDenied
from app.domain.ids import CaseId, PatientId
from app.domain.models import Role, User
from app.services.container import Services
from tests.services.helpers import PASSWORD, Staff, draft

Call = Callable[[Services, User], object]

PID = PatientId("0190a000-0000-7000-8000-000000000000")
CID = CaseId("0190a000-0000-7000-8000-000000000001")

# Every clinical entry point, called with ids that need not exist: the permission check
# must come first, so an admin learns nothing, not even whether a record exists.
CLINICAL_CALLS: dict[str, Call] = {
    "search patients": lambda s, u: s.patients.search(u, "ramesh"),
    "find duplicates": lambda s, u: s.patients.find_duplicates(u, draft()),
    "register patient": lambda s, u: s.patients.register(u, draft()),
    "get patient": lambda s, u: s.patients.get(u, PID),
    "patient visits": lambda s, u: s.patients.visits(u, PID),
    "vital trend": lambda s, u: s.patients.trend(u, PID, "8867-4"),
    "update patient": lambda s, u: s.patients.update(u, PID, draft()),
    "start case": lambda s, u: s.cases.start(u, PID),
    "save draft": lambda s, u: s.cases.save_draft(u, CID, chief_complaint="x"),
    "record consent": lambda s, u: s.cases.record_consent(
        u, CID, given_by="x", relationship="self", method="verbal", witness=""
    ),
    "add observation": lambda s, u: s.cases.add_observation(u, CID, "8867-4", 80, "/min"),
    "add blood pressure": lambda s, u: s.cases.add_blood_pressure(u, CID, 120, 80),
    "case detail": lambda s, u: s.cases.detail(u, CID),
    "list cases": lambda s, u: s.cases.list(u),
    "drafts": lambda s, u: s.cases.drafts(u),
    "queue case": lambda s, u: s.cases.queue(
        u, CID, specialty="general_medicine", priority="routine"
    ),
    "cancel case": lambda s, u: s.cases.cancel(u, CID, "x"),
    "add attachment": lambda s, u: s.cases.add_attachment(u, CID, Path("/nonexistent.jpg")),
}

ADMIN_CALLS: dict[str, Call] = {
    "create user": lambda s, u: s.auth.create_user(u, "newbie", "Newbie", Role.PARAMEDIC, PASSWORD),
    "list users": lambda s, u: s.auth.list_users(u),
    "switch off account": lambda s, u: s.auth.set_active(u, u.id, True),
}


@pytest.mark.parametrize("name", sorted(CLINICAL_CALLS))
def test_admin_sees_no_clinical_data(services: Services, staff: Staff, name: str) -> None:
    with pytest.raises(PermissionDenied) as info:
        CLINICAL_CALLS[name](services, staff.admin)
    assert info.value.code == "permission.denied"
    assert info.value.params["role"] == "admin"


@pytest.mark.parametrize("role", ["paramedic", "generalist"])
@pytest.mark.parametrize("name", sorted(ADMIN_CALLS))
def test_clinical_staff_cannot_manage_accounts(
    services: Services, staff: Staff, role: str, name: str
) -> None:
    user = staff.paramedic if role == "paramedic" else staff.generalist
    with pytest.raises(PermissionDenied):
        ADMIN_CALLS[name](services, user)


@pytest.mark.parametrize("role", ["paramedic", "generalist"])
def test_clinical_staff_register_capture_and_queue(
    services: Services, staff: Staff, role: str
) -> None:
    user = staff.paramedic if role == "paramedic" else staff.generalist
    patient = services.patients.register(user, draft("Sita Devi", age=30))
    case = services.cases.start(user, patient.id)
    services.cases.save_draft(user, case.id, chief_complaint="Cough for 3 weeks")
    services.cases.record_consent(
        user, case.id, given_by="Sita Devi", relationship="self", method="verbal", witness=""
    )
    queued = services.cases.queue(user, case.id, specialty="pulmonology", priority="routine")
    assert queued.status == "queued"
    assert services.patients.get(user, patient.id).id == patient.id


def test_admin_manages_accounts(services: Services, staff: Staff) -> None:
    user = ADMIN_CALLS["create user"](services, staff.admin)
    assert isinstance(user, User)
    assert {u.username for u in services.auth.list_users(staff.admin)} >= {"newbie"}


def test_switched_off_account_is_refused_by_services(services: Services, staff: Staff) -> None:
    off = services.auth.set_active(staff.admin, staff.paramedic.id, False)
    with pytest.raises(PermissionDenied):
        services.patients.search(off, "ramesh")
