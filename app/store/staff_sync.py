"""Staff accounts handed down by the hub (``staff.upsert`` in the pull feed, docs/SYNC.md).

The hub owns the accounts it hands down, and each version it sends carries the hub's
``updated_at``. What the spoke last took from the hub for an account (its ``updated_at`` and
the fields, the password hash only as a digest) is kept in ``sync_state`` under
``sync.staff.<hub id>``; no schema change is needed and nothing here reads the PC's clock.

- A version no newer than the one last taken (a replayed page, a re-pull from 0 after a new
  hub epoch) changes nothing.
- A newer version is merged field by field against the last one taken: a field changed on
  this spoke since then (the person changed their password here, field IT switched the
  account off here) keeps the local value unless the hub changed that field too; the hub
  wins a field both changed. So a hub-side reset or switch-off always arrives, and a local
  change is never undone by a hub change that did not touch it.
- A new account is created with the hub's id. An account of the same username made on this
  spoke is taken over (it keeps its local id, so records it signed stay attributed to it).
- A malformed payload, or one this spoke cannot store, is logged and skipped: it never fails
  the pull page it came in.

Threading rule: ``apply_upsert`` runs inside ``Store.write`` (the pull applies a page there).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, TypeVar

import sqlite_utils

from app.domain.ids import UserId
from app.domain.models import Role, User
from app.store import errors, settings
from app.store import users as users_repo

log = logging.getLogger(__name__)

STATE_PREFIX: Final = "sync.staff."  # + the hub's user id
_USERNAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")  # as app.services.auth
_MAX_TEXT: Final = 200

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Version:
    """One hub version of an account, as received (or as remembered in ``sync_state``)."""

    hub_id: str
    username: str
    display_name: str
    role: Role
    password_hash: str
    active: bool
    updated_at: datetime


def apply_upsert(db: sqlite_utils.Database, payload: Any, now: datetime) -> bool:
    """Apply one ``staff.upsert`` payload; True when the local account changed or was made.
    Never raises for a bad payload or a row the database refuses (logged, skipped)."""
    version = _parse(payload)
    if version is None:
        hub_id = payload.get("id") if isinstance(payload, Mapping) else None
        log.warning("skipping a malformed staff.upsert from the hub (id %r)", hub_id)
        return False
    base, local_id = _remembered(db, version.hub_id)
    if base is not None and version.updated_at <= base.updated_at:
        return False  # this version, or a newer one, was taken already
    db.execute("SAVEPOINT staff_upsert")
    try:
        applied = _merge_into(db, version, base, local_id, now)
    except errors.BAD_RECORD_ERRORS as exc:
        db.execute("ROLLBACK TO staff_upsert")
        db.execute("RELEASE staff_upsert")
        log.warning("skipping staff.upsert for %r: %s", version.username, exc)
        return False
    db.execute("RELEASE staff_upsert")
    return applied


def _merge_into(
    db: sqlite_utils.Database,
    version: _Version,
    base: _Version | None,
    local_id: str | None,
    now: datetime,
) -> bool:
    current = None
    for uid in (local_id, version.hub_id):
        if uid and current is None:
            current = users_repo.get(db, UserId(uid))
    if current is None:
        current = users_repo.by_username(db, version.username)
        base = None  # a local account of that name: nothing of it was taken from the hub
    if current is None:
        users_repo.insert(
            db,
            User(
                id=UserId(version.hub_id),
                username=version.username,
                display_name=version.display_name,
                role=version.role,
                password_hash=version.password_hash,
                active=version.active,
                created_at=now,
            ),
        )
        _remember(db, version, version.hub_id)
        return True
    if current.username != version.username:
        clash = users_repo.by_username(db, version.username)
        if clash is not None and clash.id != current.id:
            raise ValueError(f"the username is taken by another account here ({clash.id})")
    merged = replace(
        current,
        username=version.username,
        display_name=_pick(current.display_name, version.display_name, base, "display_name"),
        role=_pick(current.role, version.role, base, "role"),
        password_hash=_pick(current.password_hash, version.password_hash, base, "password_hash"),
        active=_pick(current.active, version.active, base, "active"),
    )
    if merged != current:
        users_repo.update(db, merged)
    _remember(db, version, current.id)
    return merged != current


def _pick(local: T, hub: T, base: _Version | None, field: str) -> T:
    """The hub's value, unless only this spoke changed the field since ``base``."""
    if base is None:
        return hub
    was = getattr(base, field)
    if field == "password_hash":
        # Only a digest of the hash is remembered.
        local_changed = _digest(str(local)) != was
        hub_changed = _digest(str(hub)) != was
    else:
        local_changed, hub_changed = local != was, hub != was
    return local if local_changed and not hub_changed else hub


def _parse(payload: Any) -> _Version | None:
    if not isinstance(payload, Mapping):
        return None
    hub_id, username = payload.get("id"), payload.get("username")
    name, role = payload.get("display_name"), payload.get("role")
    password_hash, active = payload.get("password_hash"), payload.get("active")
    updated_at = payload.get("updated_at")
    if not (isinstance(hub_id, str) and 0 < len(hub_id) <= 64):
        return None
    if not (isinstance(username, str) and _USERNAME.fullmatch(username)):
        return None
    if not (isinstance(name, str) and name.strip() and len(name) <= _MAX_TEXT):
        return None
    if not (isinstance(password_hash, str) and password_hash.startswith("scrypt$")):
        return None
    if not isinstance(active, bool) or not isinstance(updated_at, str):
        return None
    if not isinstance(role, str):
        return None
    try:
        parsed_role = Role(role)
        when = datetime.fromisoformat(updated_at)
    except (ValueError, TypeError):
        return None
    if when.tzinfo is None:
        return None  # cannot be ordered against the hub's other versions
    return _Version(hub_id, username, name.strip(), parsed_role, password_hash, active, when)


def _digest(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


def _remembered(db: sqlite_utils.Database, hub_id: str) -> tuple[_Version | None, str | None]:
    """The version last taken for ``hub_id`` (its hash as a digest) and the local id it went
    to; (None, None) when there is none or the record is unreadable (then the hub wins)."""
    text = settings.get_state(db, STATE_PREFIX + hub_id)
    if text is None:
        return None, None
    try:
        data = json.loads(text)
        version = _Version(
            hub_id,
            str(data["username"]),
            str(data["display_name"]),
            Role(data["role"]),
            str(data["password_hash"]),
            bool(data["active"]),
            datetime.fromisoformat(data["updated_at"]),
        )
        return version, str(data["local_id"])
    except (ValueError, KeyError, TypeError):
        log.warning("forgetting an unreadable record of hub account %s", hub_id)
        return None, None


def _remember(db: sqlite_utils.Database, version: _Version, local_id: str) -> None:
    data = {
        "local_id": local_id,
        "username": version.username,
        "display_name": version.display_name,
        "role": version.role.value,
        "password_hash": _digest(version.password_hash),
        "active": version.active,
        "updated_at": version.updated_at.isoformat(),
    }
    settings.put_state(db, STATE_PREFIX + version.hub_id, json.dumps(data, sort_keys=True))
