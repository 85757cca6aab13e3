"""Accounts and offline login through the real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import DomainError, PermissionDenied
from app.domain.models import Role
from app.security.passwords import verify_password
from app.services.auth import MAX_FAILURES, THROTTLE_SECONDS
from app.services.container import Services
from tests.services.helpers import FAST_LOG_N, PASSWORD, FakeClock, Staff


def _code(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


def test_first_admin_only_once(services: Services) -> None:
    assert services.auth.needs_first_admin()
    admin = services.auth.create_first_admin("  Admin ", "Field IT", PASSWORD)
    assert admin.role == Role.ADMIN
    assert admin.username == "admin"
    assert not services.auth.needs_first_admin()
    with pytest.raises(DomainError) as info:
        services.auth.create_first_admin("other", "Other", PASSWORD)
    assert _code(info) == "auth.first_admin_exists"


def test_login_offline_with_stored_hash(services: Services, staff: Staff) -> None:
    user = services.auth.login(" ASHA ", PASSWORD)
    assert user.id == staff.paramedic.id
    assert user.role == Role.PARAMEDIC
    assert PASSWORD not in user.password_hash


def test_wrong_password_and_unknown_user_look_the_same(services: Services, staff: Staff) -> None:
    with pytest.raises(DomainError) as wrong:
        services.auth.login("asha", "wrong-password")
    with pytest.raises(DomainError) as unknown:
        services.auth.login("nobody", PASSWORD)
    assert _code(wrong) == _code(unknown) == "auth.bad_credentials"
    assert wrong.value.message == unknown.value.message


def test_throttled_after_five_failures_then_released(
    services: Services, staff: Staff, clock: FakeClock
) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(DomainError) as info:
            services.auth.login("asha", "wrong-password")
        assert _code(info) == "auth.bad_credentials"

    # Even the right password is refused while throttled: guessing gains nothing.
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", PASSWORD)
    assert _code(info) == "auth.throttled"
    assert info.value.params["seconds"] == THROTTLE_SECONDS

    clock.advance(THROTTLE_SECONDS - 1)
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", PASSWORD)
    assert info.value.params["seconds"] == 1

    clock.advance(1)
    assert services.auth.login("asha", PASSWORD).id == staff.paramedic.id
    # A success clears the count: four more failures do not throttle.
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(DomainError):
            services.auth.login("asha", "wrong-password")
    assert services.auth.login("asha", PASSWORD).id == staff.paramedic.id


def test_one_more_failure_after_the_lock_locks_again(
    services: Services, staff: Staff, clock: FakeClock
) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(DomainError):
            services.auth.login("asha", "wrong-password")
    clock.advance(THROTTLE_SECONDS)
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", "still-wrong")
    assert _code(info) == "auth.bad_credentials"
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", PASSWORD)
    assert _code(info) == "auth.throttled"


def test_throttling_is_per_username(services: Services, staff: Staff) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(DomainError):
            services.auth.login("asha", "wrong-password")
    assert services.auth.login("dr.rao", PASSWORD).id == staff.generalist.id


def test_inactive_account_cannot_log_in(services: Services, staff: Staff) -> None:
    services.auth.set_active(staff.admin, staff.paramedic.id, False)
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", PASSWORD)
    assert _code(info) == "auth.inactive"
    # ... but a wrong password still says only "wrong", not that the account exists.
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", "wrong-password")
    assert _code(info) == "auth.bad_credentials"


def test_admin_cannot_switch_off_own_account(services: Services, staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        services.auth.set_active(staff.admin, staff.admin.id, False)


def test_create_user_rules(services: Services, staff: Staff) -> None:
    with pytest.raises(DomainError) as info:
        services.auth.create_user(staff.admin, "ASHA", "Another", Role.PARAMEDIC, PASSWORD)
    assert _code(info) == "auth.username_taken"
    with pytest.raises(DomainError) as info:
        services.auth.create_user(staff.admin, "ravi", "Ravi", Role.PARAMEDIC, "short")
    assert _code(info) == "auth.password_too_short"
    assert info.value.params["min"] == 8
    with pytest.raises(DomainError) as info:
        services.auth.create_user(staff.admin, "ravi kumar", "Ravi", Role.PARAMEDIC, PASSWORD)
    assert _code(info) == "auth.username_invalid"
    names = [u.username for u in services.auth.list_users(staff.admin)]
    assert names == ["admin", "asha", "dr.rao"]


def test_change_password(services: Services, staff: Staff) -> None:
    with pytest.raises(DomainError) as info:
        services.auth.change_password(staff.paramedic, "not-the-old-one", "new-password-1")
    assert _code(info) == "auth.bad_credentials"
    with pytest.raises(DomainError) as info:
        services.auth.change_password(staff.paramedic, PASSWORD, "short")
    assert _code(info) == "auth.password_too_short"
    services.auth.change_password(staff.paramedic, PASSWORD, "new-password-1")
    assert services.auth.login("asha", "new-password-1").id == staff.paramedic.id
    with pytest.raises(DomainError):
        services.auth.login("asha", PASSWORD)


def test_accounts_survive_restart_and_weak_hashes_are_upgraded(
    data_dir: Path, clock: FakeClock, staff: Staff, services: Services
) -> None:
    services.close()
    stronger = FAST_LOG_N + 1
    with Services.open(data_dir, clock=clock, password_log_n=stronger) as again:
        user = again.auth.login("asha", PASSWORD)
        assert user.password_hash.split("$")[1] == str(stronger)
        stored = next(u for u in again.auth.list_users(staff.admin) if u.username == "asha")
        assert stored.password_hash == user.password_hash
        assert verify_password(PASSWORD, stored.password_hash)


def test_clock_set_back_does_not_lock_for_hours(
    services: Services, staff: Staff, clock: FakeClock
) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(DomainError):
            services.auth.login("asha", "wrong-password")
    clock.advance(-3 * 3600)  # someone corrects a PC clock that ran three hours fast
    assert services.auth.login("asha", PASSWORD).id == staff.paramedic.id


# -- the session lock ---------------------------------------------------------------------------


def _trail(services: Services) -> list[tuple[str, str, str]]:
    from app.store import audit

    entries = services.store.read(lambda db: audit.recent(db, 20))
    return [(e.action, e.actor_id, e.detail) for e in reversed(entries)]


def test_lock_and_unlock_are_in_the_trail_with_the_users_id(
    services: Services, staff: Staff
) -> None:
    user = staff.paramedic
    services.auth.lock(user)
    assert services.auth.unlock(user, PASSWORD).id == user.id
    trail = [(action, actor) for action, actor, _detail in _trail(services)]
    assert trail[-2:] == [("lock", user.id), ("unlock", user.id)]


def test_unlock_needs_the_same_persons_password(services: Services, staff: Staff) -> None:
    with pytest.raises(DomainError) as info:
        services.auth.unlock(staff.paramedic, "wrong-password")
    assert _code(info) == "auth.bad_credentials"
    # A near miss does not open it either.
    with pytest.raises(DomainError) as info:
        services.auth.unlock(staff.paramedic, "not-" + PASSWORD)
    assert _code(info) == "auth.bad_credentials"
    assert ("unlock", staff.paramedic.id, "") not in _trail(services)
    assert ("login_failed", staff.paramedic.id, "unlock_bad_password") in _trail(services)


def test_unlock_attempts_are_throttled_like_logins(
    services: Services, staff: Staff, clock: FakeClock
) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(DomainError) as info:
            services.auth.unlock(staff.paramedic, "wrong-password")
        assert _code(info) == "auth.bad_credentials"
    with pytest.raises(DomainError) as info:
        services.auth.unlock(staff.paramedic, PASSWORD)
    assert _code(info) == "auth.throttled"
    # The same counter as the login window's: no fresh five guesses there.
    with pytest.raises(DomainError) as info:
        services.auth.login("asha", PASSWORD)
    assert _code(info) == "auth.throttled"
    clock.advance(THROTTLE_SECONDS)
    assert services.auth.unlock(staff.paramedic, PASSWORD).id == staff.paramedic.id


def test_a_switched_off_account_cannot_unlock(services: Services, staff: Staff) -> None:
    services.auth.set_active(staff.admin, staff.paramedic.id, False)
    with pytest.raises(DomainError) as info:
        services.auth.unlock(staff.paramedic, PASSWORD)
    assert _code(info) == "auth.inactive"


def test_lock_after_minutes_defaults_to_five_and_needs_manage_settings(
    services: Services, staff: Staff
) -> None:
    assert services.auth.lock_after_minutes() == 5
    with pytest.raises(PermissionDenied):
        services.auth.set_lock_after_minutes(staff.paramedic, 10)
    assert services.auth.set_lock_after_minutes(staff.admin, 10) == 10
    assert services.auth.lock_after_minutes() == 10
    assert ("settings_change", staff.admin.id, "10") in _trail(services)


@pytest.mark.parametrize("minutes", [0, 61, -5])
def test_lock_after_minutes_refuses_values_out_of_range(
    services: Services, staff: Staff, minutes: int
) -> None:
    with pytest.raises(DomainError) as info:
        services.auth.set_lock_after_minutes(staff.admin, minutes)
    assert _code(info) == "auth.lock_after_range"
    assert info.value.params == {"min": 1, "max": 60}
    assert services.auth.lock_after_minutes() == 5
    for edge in (1, 60):
        assert services.auth.set_lock_after_minutes(staff.admin, edge) == edge
