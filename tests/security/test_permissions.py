"""Role → permission table: one test per rule, plus the PermissionDenied shape."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.errors import PermissionDenied
from app.domain.ids import UserId
from app.domain.models import Role, User
from app.security.permissions import Permission, allowed, require


def _user(role: Role, *, active: bool = True) -> User:
    return User(UserId("u-" + role), role.value, role.value.title(), role, "x", active=active)


CLINICAL = (
    Permission.REGISTER_PATIENT,
    Permission.VIEW_PATIENT,
    Permission.CAPTURE_CASE,
    Permission.QUEUE_CASE,
)


@pytest.mark.parametrize("perm", CLINICAL)
def test_paramedic_may_do_clinical_work(perm: Permission) -> None:
    require(_user(Role.PARAMEDIC), perm)


@pytest.mark.parametrize(
    "perm", [Permission.REVIEW_PRESCRIPTION, Permission.MANAGE_USERS, Permission.MANAGE_SETTINGS]
)
def test_paramedic_may_not_review_or_administer(perm: Permission) -> None:
    with pytest.raises(PermissionDenied):
        require(_user(Role.PARAMEDIC), perm)


@pytest.mark.parametrize("perm", (*CLINICAL, Permission.REVIEW_PRESCRIPTION))
def test_generalist_may_do_clinical_work_and_review(perm: Permission) -> None:
    require(_user(Role.GENERALIST), perm)


@pytest.mark.parametrize("perm", [Permission.MANAGE_USERS, Permission.MANAGE_SETTINGS])
def test_generalist_may_not_administer(perm: Permission) -> None:
    assert not allowed(_user(Role.GENERALIST), perm)


@pytest.mark.parametrize("perm", [Permission.MANAGE_USERS, Permission.MANAGE_SETTINGS])
def test_admin_may_administer(perm: Permission) -> None:
    require(_user(Role.ADMIN), perm)


@pytest.mark.parametrize("perm", (*CLINICAL, Permission.REVIEW_PRESCRIPTION))
def test_admin_sees_no_clinical_data(perm: Permission) -> None:
    with pytest.raises(PermissionDenied) as info:
        require(_user(Role.ADMIN), perm)
    assert info.value.code == "permission.denied"
    assert info.value.params == {"permission": str(perm), "role": "admin"}


def test_inactive_account_may_do_nothing() -> None:
    user = replace(_user(Role.GENERALIST), active=False)
    for perm in Permission:
        assert not allowed(user, perm)
