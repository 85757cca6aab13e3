"""Who may do what: roles map to permissions, and services call ``require`` before acting.

The UI hides what a role cannot do, but the check that counts is here, called by every service
method with the acting user, so a missed button cannot leak a capability. The admin (field IT)
manages accounts and settings and sees no clinical data.

Threading: immutable tables and a pure function; safe from any thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from app.domain.errors import PermissionDenied
from app.domain.models import Role, User


class Permission(StrEnum):
    REGISTER_PATIENT = "register_patient"  # create and edit demographics
    VIEW_PATIENT = "view_patient"  # patient records, their cases, observations, attachments
    CAPTURE_CASE = "capture_case"  # start a case, edit its draft, record vitals and attachments
    QUEUE_CASE = "queue_case"  # send a case to the hub, cancel it
    # The prescriptions inbox, one prescription and its case's thread, the follow-up list.
    VIEW_PRESCRIPTION = "view_prescription"
    # Acknowledge, query the specialist about, and dispense a hub prescription.
    REVIEW_PRESCRIPTION = "review_prescription"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_SYNC_STATUS = "view_sync_status"  # counts only, no clinical content
    MANAGE_DEVICES = "manage_devices"  # pair, rename, re-point and forget peripherals
    # Write an encrypted backup of the whole data folder (it shows no clinical data).
    BACKUP = "backup"


_CLINICAL = frozenset(
    {
        Permission.REGISTER_PATIENT,
        Permission.VIEW_PATIENT,
        Permission.CAPTURE_CASE,
        Permission.QUEUE_CASE,
        Permission.VIEW_SYNC_STATUS,
        # Paramedics call the patients due back and hand over what was dispensed.
        Permission.VIEW_PRESCRIPTION,
    }
)

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.PARAMEDIC: _CLINICAL,
    Role.GENERALIST: _CLINICAL | {Permission.REVIEW_PRESCRIPTION},
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.MANAGE_SETTINGS,
            Permission.MANAGE_DEVICES,
            Permission.VIEW_SYNC_STATUS,
            Permission.BACKUP,
        }
    ),
}


def allowed(user: User, permission: Permission) -> bool:
    """True when ``user`` is active and their role grants ``permission`` (for hiding UI)."""
    return user.active and permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def require(user: User, permission: Permission) -> None:
    """Raise ``PermissionDenied`` (``permission.denied``) unless ``user`` may ``permission``."""
    if not allowed(user, permission):
        raise PermissionDenied(
            "permission.denied",
            f"A {user.role} account may not do this ({permission}).",
            {"permission": str(permission), "role": str(user.role)},
        )
