"""Staff accounts and offline login.

Login needs no network: the hash is in the local database (``app.security.passwords``).
After ``MAX_FAILURES`` wrong passwords in a row for one username, that username is refused
with ``auth.throttled`` (params ``seconds``) for ``THROTTLE_SECONDS``; one more failure after
that locks it again, a success clears it. The counter lives in memory (a restart clears it,
which costs an attacker a restart per five guesses at 2**15 scrypt each — acceptable on a
single-desk PC). Unknown usernames are hashed against a dummy value so that timing does not
tell which usernames exist.

The session lock: ``lock(user)`` and ``unlock(user, password)`` (the same person's password,
through the same throttle as ``login``: the throttle is per username, so wrong passwords on
the lock screen and on the login window add up; a switched-off account cannot unlock) record
``lock`` and ``unlock`` in the trail. How long the app waits with no input before it locks is
``lock_after_minutes()`` (setting ``session.lock_after_minutes``, default
``DEFAULT_LOCK_AFTER_MINUTES``), changed with ``set_lock_after_minutes`` (``MANAGE_SETTINGS``,
``LOCK_AFTER_RANGE`` minutes; else ``auth.lock_after_range``, params ``min``, ``max``).

Signing in with the recovery key (``recover``: every administrator password lost, or the
only administrator gone): the recovery key opens the database, an administrator account of
field IT's choosing gets a new password (and is switched on again), and that person is
signed in. The key has now been typed at this desk, so it is replaced at once: the new one
waits in ``keys.pending_recovery`` to be shown to the administrator (as on a new PC). Only an
administrator account can be recovered: they then reset the others' passwords as usual.
Codes ``auth.recovery_unavailable`` (a plaintext PC has no recovery key),
``auth.recovery_mistyped`` (the key fails its own check), ``auth.recovery_wrong`` (not this
PC's key; counted by the throttle like a wrong password), ``auth.recovery_not_admin``.

Codes: ``auth.bad_credentials``, ``auth.inactive``, ``auth.throttled``,
``auth.username_taken``, ``auth.username_invalid``, ``auth.password_too_short``,
``auth.first_admin_exists``, ``auth.lock_after_range``, ``user.not_found``, and
``permission.denied`` from ``require``.

Encryption at rest (``keys``, an ``app.services.keys.KeyService``, only for an encrypted data
folder): ``login`` on a locked store first unlocks it with the user's key slot (a wrong
password is refused as any wrong password; ``keys.no_slot`` and ``keys.not_this_database``
otherwise); a successful login on an unlocked store gives a user without a slot one (or, on
a plaintext PC upgrading, encrypts the database: ``KeyService.upgrade``). Password changes and
resets rewrap the user's slot; switching an account off removes it.

Threading: safe from any thread. Hashing (tens of ms) runs on the caller's thread, never on
the store's writer thread; the throttle table is guarded by a lock.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlite_utils import Database

from app.domain.errors import DomainError, PermissionDenied
from app.domain.ids import UserId, new_id
from app.domain.models import Role, User
from app.security.keyslots import MistypedRecoveryKey, WrongSecret
from app.security.passwords import DEFAULT_LOG_N, hash_password, needs_rehash, verify_password
from app.security.permissions import Permission, require
from app.services.clock import Clock
from app.store import audit
from app.store import settings as settings_repo
from app.store import users as users_repo
from app.store.db import Store
from app.store.errors import StoreError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from app.services.keys import KeyService

MIN_PASSWORD_LENGTH = 8
MAX_FAILURES = 5
THROTTLE_SECONDS = 30
LOCK_AFTER_KEY = "session.lock_after_minutes"
DEFAULT_LOCK_AFTER_MINUTES = 5
LOCK_AFTER_RANGE = (1, 60)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
# The throttle's entry for recovery-key attempts: no username can be spelled like this.
_RECOVERY_THROTTLE = "#recovery"


@dataclass(slots=True)
class _Failures:
    count: int = 0
    locked_at: datetime | None = None


class AuthService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        password_log_n: int = DEFAULT_LOG_N,
        keys: KeyService | None = None,
    ) -> None:
        self._store = store
        self._keys = keys
        self._clock = clock
        self._log_n = password_log_n
        self._lock = threading.Lock()
        self._failures: dict[str, _Failures] = {}
        self._dummy_hash: str | None = None

    # -- first run ---------------------------------------------------------------------------

    def needs_first_admin(self) -> bool:
        if self._store.is_locked:  # a slot file with slots: accounts exist
            return False
        return self._store.read(users_repo.count) == 0

    def create_first_admin(self, username: str, display_name: str, password: str) -> User:
        """The first account on a fresh install; refused once any account exists."""
        user = self._new_user(username, display_name, Role.ADMIN, password)
        # The slot's scrypt here, not on the writer thread.
        slots = self._keys.with_user(user.username, password) if self._keys else None

        def insert(db: Database) -> None:
            if users_repo.count(db) > 0:
                raise DomainError(
                    "auth.first_admin_exists", "An administrator account already exists."
                )
            _insert_unique(db, user)
            if self._keys is not None:
                # In the same transaction: if the slot cannot be saved, no account is made.
                self._keys.save_slots(slots)

        self._store.write(insert)
        if self._keys is not None and not self._keys.encrypted:
            # A folder a command without a window made: encrypted now a password is known.
            self._keys.upgrade(user.username, password)
        return user

    # -- login -------------------------------------------------------------------------------

    def login(self, username: str, password: str) -> User:
        key = _normalise_username(username)
        self._check_throttle(key)
        unlocked_here = False
        if self._keys is not None and self._store.is_locked and key:
            try:
                self._keys.unlock_with_password(key, password)
            except WrongSecret:
                self._record_failure(key)
                raise _bad_credentials() from None
            unlocked_here = True
        user = self._store.read(lambda db: users_repo.by_username(db, key)) if key else None
        if user is None:
            verify_password(password, self._dummy())  # equal work for unknown names
            self._record_failure(key)
            self._audit(None, audit.Action.LOGIN_FAILED, detail="unknown_user")
            raise _bad_credentials()
        if not verify_password(password, user.password_hash):
            self._record_failure(key)
            self._audit(user, audit.Action.LOGIN_FAILED, "user", user.id, "bad_password")
            raise _bad_credentials()
        with self._lock:
            self._failures.pop(key, None)
        if not user.active:
            self._audit(user, audit.Action.LOGIN_FAILED, "user", user.id, "inactive")
            raise DomainError("auth.inactive", "This account has been switched off.")
        if needs_rehash(user.password_hash, log_n=self._log_n):
            user = replace(user, password_hash=hash_password(password, log_n=self._log_n))
            upgraded = user
            self._store.write(lambda db: users_repo.update(db, upgraded))
        if self._keys is not None:
            if not self._keys.encrypted:
                self._keys.upgrade(user.username, password)  # a plaintext PC upgrading
            elif not unlocked_here:  # a slot that just opened the store is up to date
                self._keys.ensure_user(user.username, password)
        self._audit(user, audit.Action.LOGIN, "user", user.id)
        return user

    def recover(self, recovery_key: str, username: str, new_password: str) -> User:
        """Field IT's way back in when no administrator password is known: see the module
        docstring. Returns the administrator, signed in with ``new_password``."""
        self._check_throttle(_RECOVERY_THROTTLE)
        _check_password(new_password)
        keys = self._keys
        if keys is None or not keys.encrypted:
            raise DomainError(
                "auth.recovery_unavailable",
                "This PC's data is not encrypted yet, so it has no recovery key.",
            )
        try:
            keys.unlock_with_recovery(recovery_key)  # also checks the key on an open store
        except MistypedRecoveryKey as exc:
            raise DomainError(
                "auth.recovery_mistyped", f"Check the recovery key: {exc}.", field="recovery_key"
            ) from None
        except WrongSecret:
            self._record_failure(_RECOVERY_THROTTLE)
            self._audit(None, audit.Action.LOGIN_FAILED, detail="recovery_wrong")
            raise DomainError(
                "auth.recovery_wrong",
                "This is not the recovery key of this PC.",
                field="recovery_key",
            ) from None
        key = _normalise_username(username)
        password_hash = hash_password(new_password, log_n=self._log_n)  # not on the writer
        now = self._clock()

        def reset(db: Database) -> User:
            current = users_repo.by_username(db, key) if key else None
            if current is None or current.role is not Role.ADMIN:
                raise DomainError(
                    "auth.recovery_not_admin",
                    "No administrator account has this username on this PC.",
                    field="username",
                )
            updated = replace(current, password_hash=password_hash, active=True)
            users_repo.update(db, updated)
            audit.append(
                db, updated, audit.Action.RECOVERY, "user", updated.id, "password_reset", now
            )
            return updated

        user = self._store.write(reset)
        keys.add_user(user.username, new_password)
        with self._lock:
            self._failures.pop(user.username, None)
            self._failures.pop(_RECOVERY_THROTTLE, None)
        keys.replace_recovery_after_use()
        return user

    def logout(self, user: User) -> None:
        """The person signed out (or the PC locked itself): an entry in the trail."""
        self._audit(user, audit.Action.LOGOUT, "user", user.id)

    # -- the session lock --------------------------------------------------------------------

    def lock(self, user: User) -> None:
        """The screen was locked (on demand or after the idle time): an entry in the trail."""
        self._audit(user, audit.Action.LOCK, "user", user.id)

    def unlock(self, user: User, password: str) -> User:
        """Unlock the screen ``user`` locked: only their own password opens it.

        The login's checks: the throttle on their username (``auth.throttled``), a wrong
        password (``auth.bad_credentials``, counted towards the throttle), a switched-off
        account (``auth.inactive``). Returns the account as stored now.
        """
        key = user.username
        self._check_throttle(key)
        current = self._store.read(lambda db: users_repo.get(db, user.id))
        if current is None:
            verify_password(password, self._dummy())  # equal work, as for an unknown name
            self._record_failure(key)
            self._audit(user, audit.Action.LOGIN_FAILED, "user", user.id, "unlock_unknown")
            raise _bad_credentials()
        if not verify_password(password, current.password_hash):
            self._record_failure(key)
            self._audit(current, audit.Action.LOGIN_FAILED, "user", user.id, "unlock_bad_password")
            raise _bad_credentials()
        with self._lock:
            self._failures.pop(key, None)
        if not current.active:
            self._audit(current, audit.Action.LOGIN_FAILED, "user", user.id, "unlock_inactive")
            raise DomainError("auth.inactive", "This account has been switched off.")
        self._audit(current, audit.Action.UNLOCK, "user", user.id)
        return current

    def lock_after_minutes(self) -> int:
        """Minutes with no keyboard or mouse input before the app locks itself."""
        raw = self._store.read(lambda db: settings_repo.get(db, LOCK_AFTER_KEY))
        try:
            value = int(raw) if raw is not None else DEFAULT_LOCK_AFTER_MINUTES
        except ValueError:
            return DEFAULT_LOCK_AFTER_MINUTES
        low, high = LOCK_AFTER_RANGE
        return value if low <= value <= high else DEFAULT_LOCK_AFTER_MINUTES

    def set_lock_after_minutes(self, actor: User, minutes: int) -> int:
        """Set the idle time before the app locks (MANAGE_SETTINGS; 1-60 minutes)."""
        require(actor, Permission.MANAGE_SETTINGS)
        low, high = LOCK_AFTER_RANGE
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise DomainError(
                "auth.lock_after_range",
                f"Choose between {low} and {high} minutes.",
                {"min": low, "max": high},
                field="lock_after_minutes",
            )
        now = self._clock()

        def change(db: Database) -> None:
            settings_repo.put(db, LOCK_AFTER_KEY, str(minutes))
            audit.append(
                db,
                actor,
                audit.Action.SETTINGS_CHANGE,
                "setting",
                LOCK_AFTER_KEY,
                str(minutes),
                now,
            )

        self._store.write(change)
        return minutes

    def _audit(
        self,
        actor: User | None,
        action: audit.Action,
        entity: str = "",
        entity_id: str = "",
        detail: str = "",
    ) -> None:
        """A sign-in's entry. Never the name typed (it may be anything, a patient's name
        included): the account's id when there is one, else only a code. Before the database
        is open (a wrong password on a locked PC) nothing can be written, and a sign-in is not
        refused or allowed by whether its entry could be written: that is logged instead."""
        if self._store.is_locked:
            return
        try:
            audit.record(self._store, actor, action, entity, entity_id, detail, now=self._clock())
        except StoreError as exc:
            log.warning("could not record %s in the audit trail: %s", action.value, exc.code)

    def _check_throttle(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            state = self._failures.get(key)
            if state is None or state.locked_at is None:
                return
            elapsed = (now - state.locked_at).total_seconds()
            # A clock set back (flat CMOS battery, then corrected) must not lock for hours:
            # a negative elapsed time releases the lock.
            if not 0 <= elapsed < THROTTLE_SECONDS:
                return
            seconds = max(1, math.ceil(THROTTLE_SECONDS - elapsed))
        raise DomainError(
            "auth.throttled",
            f"Too many wrong passwords. Try again in {seconds} seconds.",
            {"seconds": seconds},
        )

    def _record_failure(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            state = self._failures.setdefault(key, _Failures())
            state.count += 1
            if state.count >= MAX_FAILURES:
                state.locked_at = now

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = hash_password(new_id(), log_n=self._log_n)
        return self._dummy_hash

    # -- administration ----------------------------------------------------------------------

    def create_user(
        self, actor: User, username: str, display_name: str, role: Role, password: str
    ) -> User:
        require(actor, Permission.MANAGE_USERS)
        user = self._new_user(username, display_name, role, password)
        self._store.write(lambda db: _insert_unique(db, user))
        return user

    def list_users(self, actor: User) -> list[User]:
        require(actor, Permission.MANAGE_USERS)
        return sorted(self._store.read(users_repo.all), key=lambda u: u.username)

    def set_active(self, actor: User, user_id: UserId, active: bool) -> User:
        """Switch an account on or off (an admin cannot switch off their own account)."""
        require(actor, Permission.MANAGE_USERS)
        if user_id == actor.id and not active:
            raise PermissionDenied(
                "permission.denied",
                "You cannot switch off your own account.",
                {"permission": str(Permission.MANAGE_USERS), "role": str(actor.role)},
            )

        def change(db: Database) -> User:
            current = users_repo.get(db, user_id)
            if current is None:
                raise DomainError("user.not_found", "No such account.", {"id": user_id})
            updated = replace(current, active=active)
            users_repo.update(db, updated)
            return updated

        updated = self._store.write(change)
        if self._keys is not None and not active:
            # Their password stops opening the database from now on (an old copy of
            # keyslots.json still opens it for them until a rekey: future work). Switched on
            # again, they get a slot at their next sign-in on an unlocked PC.
            self._keys.remove_user(updated.username)
        return updated

    def reset_password(self, actor: User, user_id: UserId, new_password: str) -> User:
        """Give another account a new password (someone forgot theirs); needs MANAGE_USERS.

        The old password is not asked for. Any throttle on that username is lifted, so the
        person can sign in with the new password at once.
        """
        require(actor, Permission.MANAGE_USERS)
        _check_password(new_password)
        password_hash = hash_password(new_password, log_n=self._log_n)  # not on the writer

        def change(db: Database) -> User:
            current = users_repo.get(db, user_id)
            if current is None:
                raise DomainError("user.not_found", "No such account.", {"id": user_id})
            updated = replace(current, password_hash=password_hash)
            users_repo.update(db, updated)
            return updated

        updated = self._store.write(change)
        if self._keys is not None and updated.active:
            self._keys.add_user(updated.username, new_password)  # rewrap their slot
        with self._lock:
            self._failures.pop(updated.username, None)
        return updated

    def change_password(self, actor: User, old: str, new: str) -> User:
        """Any signed-in user may change their own password, knowing the old one."""
        _check_password(new)
        current = self._store.read(lambda db: users_repo.get(db, actor.id))
        if current is None or not verify_password(old, current.password_hash):
            raise _bad_credentials()
        updated = replace(current, password_hash=hash_password(new, log_n=self._log_n))
        self._store.write(lambda db: users_repo.update(db, updated))
        if self._keys is not None:
            self._keys.add_user(updated.username, new)  # rewrap their slot
        return updated

    def _new_user(self, username: str, display_name: str, role: Role, password: str) -> User:
        key = _normalise_username(username)
        if not _USERNAME.fullmatch(key):
            raise DomainError(
                "auth.username_invalid",
                "A username is 2-32 letters a-z, digits, '.', '_' or '-'.",
                {"value": username},
                field="username",
            )
        _check_password(password)
        user = User(
            id=UserId(new_id()),
            username=key,
            display_name=" ".join(display_name.split()) or key,
            role=role,
            password_hash=hash_password(password, log_n=self._log_n),
            active=True,
            created_at=self._clock(),
        )
        return user


def _insert_unique(db: Database, user: User) -> None:
    # Checked inside the write transaction so two admins cannot both take a name.
    if users_repo.by_username(db, user.username) is not None:
        raise DomainError(
            "auth.username_taken",
            "That username is in use.",
            {"value": user.username},
            field="username",
        )
    users_repo.insert(db, user)


def _normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "auth.password_too_short",
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
            {"min": MIN_PASSWORD_LENGTH},
            field="password",
        )


def _bad_credentials() -> DomainError:
    return DomainError("auth.bad_credentials", "Wrong username or password.")
