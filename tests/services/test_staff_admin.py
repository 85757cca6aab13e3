"""What the administrator does to other accounts: reset a forgotten password, and the rules
around it; and the PC's saved interface language."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.domain.ids import UserId
from app.services.auth import MAX_FAILURES
from app.services.container import Services
from app.services.preferences import LANGUAGE_KEY
from app.store import settings
from tests.services.helpers import FAST_LOG_N, PASSWORD, FakeClock, Staff

NEW_PASSWORD = "fresh-start-9"


def test_admin_resets_a_forgotten_password(services: Services, staff: Staff) -> None:
    updated = services.auth.reset_password(staff.admin, staff.paramedic.id, NEW_PASSWORD)
    assert updated.id == staff.paramedic.id
    assert NEW_PASSWORD not in updated.password_hash
    assert services.auth.login("asha", NEW_PASSWORD).id == staff.paramedic.id
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", PASSWORD)
    assert info.value.code == "auth.bad_credentials"


def test_reset_keeps_the_rest_of_the_account(services: Services, staff: Staff) -> None:
    services.auth.set_active(staff.admin, staff.generalist.id, False)
    services.auth.reset_password(staff.admin, staff.generalist.id, NEW_PASSWORD)
    stored = next(u for u in services.auth.list_users(staff.admin) if u.username == "dr.rao")
    assert (stored.display_name, stored.role, stored.active) == (
        "Dr Rao",
        staff.generalist.role,
        False,
    )
    # A new password does not switch an account back on.
    with pytest.raises(DomainError) as info:
        services.auth.login("dr.rao", NEW_PASSWORD)
    assert info.value.code == "auth.inactive"


def test_only_an_admin_may_reset_passwords(services: Services, staff: Staff) -> None:
    for actor in (staff.paramedic, staff.generalist):
        with pytest.raises(PermissionDenied) as info:
            services.auth.reset_password(actor, staff.admin.id, NEW_PASSWORD)
        assert info.value.code == "permission.denied"
        assert info.value.params["permission"] == "manage_users"
    assert services.auth.login("admin", PASSWORD).id == staff.admin.id


def test_a_switched_off_admin_may_not_reset_either(services: Services, staff: Staff) -> None:
    second = services.auth.create_user(staff.admin, "it2", "Second IT", staff.admin.role, PASSWORD)
    services.auth.set_active(staff.admin, second.id, False)
    stale = services.auth.list_users(staff.admin)
    off = next(u for u in stale if u.id == second.id)
    with pytest.raises(PermissionDenied):
        services.auth.reset_password(off, staff.paramedic.id, NEW_PASSWORD)


def test_reset_refuses_a_short_password_and_changes_nothing(
    services: Services, staff: Staff
) -> None:
    with pytest.raises(DomainError) as info:
        services.auth.reset_password(staff.admin, staff.paramedic.id, "short")
    assert info.value.code == "auth.password_too_short"
    assert info.value.params["min"] == 8
    assert services.auth.login("asha", PASSWORD).id == staff.paramedic.id


def test_reset_of_an_unknown_account(services: Services, staff: Staff) -> None:
    with pytest.raises(DomainError) as info:
        services.auth.reset_password(staff.admin, UserId("no-such-user"), NEW_PASSWORD)
    assert info.value.code == "user.not_found"


def test_reset_lifts_the_throttle(services: Services, staff: Staff, clock: FakeClock) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(DomainError):
            services.auth.login("asha", "wrong-password")
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", PASSWORD)
    assert info.value.code == "auth.throttled"
    services.auth.reset_password(staff.admin, staff.paramedic.id, NEW_PASSWORD)
    assert services.auth.login("asha", NEW_PASSWORD).id == staff.paramedic.id


def test_switched_off_then_on_again(services: Services, staff: Staff) -> None:
    off = services.auth.set_active(staff.admin, staff.paramedic.id, False)
    assert off.active is False
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", PASSWORD)
    assert info.value.code == "auth.inactive"
    on = services.auth.set_active(staff.admin, staff.paramedic.id, True)
    assert on.active is True
    assert services.auth.login("asha", PASSWORD).id == staff.paramedic.id
    with pytest.raises(PermissionDenied):
        services.auth.set_active(staff.paramedic, staff.generalist.id, False)
    with pytest.raises(PermissionDenied):
        services.auth.list_users(staff.generalist)


# -- preferences ------------------------------------------------------------------------------


def test_language_is_none_until_chosen_and_survives_restart(
    services: Services, data_dir: Path, clock: FakeClock
) -> None:
    assert services.preferences.language() is None
    assert services.preferences.set_language(" HI ") == "hi"
    assert services.preferences.language() == "hi"
    services.preferences.set_language("en")
    assert services.preferences.language() == "en"
    services.preferences.set_language("hi")
    services.close()
    with Services.open(data_dir, clock=clock, password_log_n=FAST_LOG_N) as again:
        assert again.preferences.language() == "hi"


def test_unknown_languages_are_refused_and_ignored(services: Services) -> None:
    with pytest.raises(ValueError):
        services.preferences.set_language("xx")
    assert services.preferences.language() is None
    # A value this version does not know (a newer version, a hand edit) counts as none.
    services.store.write(lambda db: settings.put(db, LANGUAGE_KEY, "ta"))
    assert services.preferences.language() is None
