"""Who is signed in, and the services they work through: handed to every page.

A ``Session`` exists only between a successful login and log-out; the main window and its
pages are built for one and dropped with it, so nothing of one person's work leaks into the
next person's screens. Plain data: any thread may read it, the GUI thread makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.models import Role, User

if TYPE_CHECKING:
    from app.services.container import Services


# Admins look after accounts and settings, not patients (app.security.permissions).
CLINICAL_ROLES = frozenset({Role.PARAMEDIC, Role.GENERALIST})
# Roles that manage staff accounts (Permission.MANAGE_USERS) and pair devices
# (Permission.MANAGE_DEVICES): field IT. The services check again.
ACCOUNT_ROLES = frozenset({Role.ADMIN})


@dataclass
class Session:
    user: User
    services: Services

    @property
    def is_clinical(self) -> bool:
        """True when this role may see and record patient data."""
        return self.user.role in CLINICAL_ROLES

    @property
    def manages_accounts(self) -> bool:
        """True when this role looks after staff accounts (the Staff accounts page)."""
        return self.user.active and self.user.role in ACCOUNT_ROLES

    @property
    def manages_devices(self) -> bool:
        """True when this role pairs, renames and forgets devices (field IT)."""
        return self.user.active and self.user.role in ACCOUNT_ROLES
