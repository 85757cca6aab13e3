"""Signing in with the recovery key (``AuthService.recover``): real encrypted folders, no Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.domain.models import Role
from app.security import keyslots
from app.services.auth import MAX_FAILURES
from app.services.container import Services
from app.store import audit

LOG_N = 4  # tiny scrypt cost: these tests are about behaviour, not strength
ADMIN = ("admin", "Admin Person", "admin-pass-1")
NEW_PASSWORD = "field-it-new-1"


def _open(folder: Path, **kwargs: object) -> Services:
    return Services.open(folder, encrypted=True, password_log_n=LOG_N, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, str]:
    """An encrypted folder with an administrator and a paramedic, closed; and its recovery key."""
    with _open(tmp_path) as services:
        admin = services.auth.create_first_admin(*ADMIN)
        secret = services.keys.pending_recovery  # type: ignore[union-attr]
        services.keys.recovery_key_shown()  # type: ignore[union-attr]
        services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, "asha-pass-1")
    assert secret
    return tmp_path, secret


def test_recovery_opens_a_locked_pc_and_gives_the_admin_a_new_password(
    folder: tuple[Path, str],
) -> None:
    path, secret = folder
    with _open(path) as services:
        assert services.store.is_locked
        user = services.auth.recover(secret, " Admin ", NEW_PASSWORD)
        assert user.username == "admin"
        assert not services.store.is_locked
        keys = services.keys
        assert keys is not None
        # The used key is replaced, the new one waiting to be shown to this administrator.
        replacement = keys.pending_recovery
        assert replacement and replacement != secret
        newest = services.store.read(lambda db: audit.recent(db, 1))[0]
        assert (newest.action, newest.actor_id, newest.detail) == (
            "recovery",
            user.id,
            "password_reset",
        )
    with _open(path) as services:
        with pytest.raises(DomainError) as err:
            services.auth.login("admin", ADMIN[2])  # the forgotten password is gone
        assert err.value.code == "auth.bad_credentials"
        assert services.auth.login("admin", NEW_PASSWORD).username == "admin"
    with _open(path) as services:
        with pytest.raises(keyslots.WrongSecret):
            services.keys.unlock_with_recovery(secret)  # type: ignore[union-attr]
        services.keys.unlock_with_recovery(replacement)  # type: ignore[union-attr]
        assert not services.store.is_locked


def test_recovery_switches_a_switched_off_administrator_back_on(tmp_path: Path) -> None:
    with _open(tmp_path) as services:
        admin = services.auth.create_first_admin(*ADMIN)
        secret = services.keys.pending_recovery  # type: ignore[union-attr]
        other = services.auth.create_user(admin, "it.two", "IT Two", Role.ADMIN, "it-two-pass")
        services.auth.set_active(admin, other.id, False)
    assert secret
    with _open(tmp_path) as services:
        user = services.auth.recover(secret, "it.two", NEW_PASSWORD)
        assert user.active
        assert services.keys.has_slot("it.two")  # type: ignore[union-attr]


def test_only_an_administrator_account_is_recovered(folder: tuple[Path, str]) -> None:
    path, secret = folder
    with _open(path) as services:
        for name in ("asha", "nobody"):
            with pytest.raises(DomainError) as err:
                services.auth.recover(secret, name, NEW_PASSWORD)
            assert err.value.code == "auth.recovery_not_admin"
            assert err.value.field == "username"
        # Refused before anything changed: Asha's password and the recovery key still work.
        assert services.auth.login("asha", "asha-pass-1").username == "asha"
        assert services.keys.pending_recovery is None  # type: ignore[union-attr]
    with _open(path) as services:
        services.keys.unlock_with_recovery(secret)  # type: ignore[union-attr]


def test_a_wrong_or_mistyped_key_is_refused_and_wrong_keys_are_throttled(
    folder: tuple[Path, str],
) -> None:
    path, secret = folder
    with _open(path) as services:
        with pytest.raises(DomainError) as err:
            services.auth.recover(
                secret[:-1] + ("0" if secret[-1] != "0" else "1"), "admin", NEW_PASSWORD
            )
        assert err.value.code == "auth.recovery_mistyped"
        assert err.value.field == "recovery_key"
        assert services.store.is_locked
        for _ in range(MAX_FAILURES):
            with pytest.raises(DomainError) as err:
                services.auth.recover(keyslots.new_recovery_secret(), "admin", NEW_PASSWORD)
            assert err.value.code == "auth.recovery_wrong"
        with pytest.raises(DomainError) as err:
            services.auth.recover(secret, "admin", NEW_PASSWORD)  # even the right key, for now
        assert err.value.code == "auth.throttled"
        assert services.store.is_locked


def test_a_short_new_password_is_refused_before_the_key_is_tried(folder: tuple[Path, str]) -> None:
    path, secret = folder
    with _open(path) as services:
        with pytest.raises(DomainError) as err:
            services.auth.recover(secret, "admin", "short")
        assert err.value.code == "auth.password_too_short"
        assert services.store.is_locked


def test_a_plaintext_pc_has_no_recovery(tmp_path: Path) -> None:
    with Services.open(tmp_path, encrypted=True, encrypt_new=False, password_log_n=LOG_N) as s:
        with pytest.raises(DomainError) as err:
            s.auth.recover(keyslots.new_recovery_secret(), "admin", NEW_PASSWORD)
        assert err.value.code == "auth.recovery_unavailable"
