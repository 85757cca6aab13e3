"""The audit trail's rules, shared by the spoke (``app.store.audit``) and the hub
(``hub.ops``, ``hub.storage._audit``): the actions, what an entry may hold, and its hash.

An entry holds who (user id and role), when, what (an ``Action``) and which record (entity
and id), with a short ``detail`` code ("A5", "reason:wrong_patient"): never patient data, so
the trail can be read, copied and synced without it becoming a second medical record.

The chain: ``hash`` is SHA-256 (hex) over the canonical encoding of (seq, at, actor_id,
actor_role, action, entity, entity_id, detail, prev_hash), and ``prev_hash`` is the previous
entry's hash; the first entry's ``prev_hash`` is ``genesis(chain_id)``, where ``chain_id`` is
a random id made once per spoke database, so the entries of two PCs cannot be swapped.
Pure functions (hashlib and json only): any thread, either side, the same verdict.
"""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from typing import Final


class Action(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCK = "lock"
    UNLOCK = "unlock"
    LOGOUT = "logout"
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    PRINT = "print"
    EXPORT = "export"
    DISPENSE = "dispense"
    ACKNOWLEDGE = "acknowledge"
    QUERY = "query"
    ENROL = "enrol"
    USER_CHANGE = "user_change"
    SETTINGS_CHANGE = "settings_change"
    RECOVERY = "recovery"  # signed in with the recovery key (an administrator's new password)
    BACKUP = "backup"
    RESTORE = "restore"


ACTIONS: Final = frozenset(a.value for a in Action)
GENESIS_PREFIX: Final = "hwc-audit-genesis-v1:"
MAX_DETAIL: Final = 120
MAX_AT: Final = 64

# What each field may hold. Codes and ids only: no spaces in ids, no letters outside ASCII, so
# a name typed into the wrong argument is refused rather than kept forever.
ENTITY_RE: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")
ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
ROLE_RE: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")
DETAIL_RE: Final = re.compile(rf"[A-Za-z0-9 ._:/=+,#-]{{0,{MAX_DETAIL}}}")
HASH_RE: Final = re.compile(r"[0-9a-f]{64}")


def genesis(chain_id: str) -> str:
    """The ``prev_hash`` of a chain's first entry."""
    return hashlib.sha256((GENESIS_PREFIX + chain_id).encode("utf-8")).hexdigest()


def canonical(
    seq: int,
    at: str,
    actor_id: str,
    actor_role: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: str,
    prev_hash: str,
) -> bytes:
    """The bytes an entry's hash covers: a compact JSON array (unambiguous, no field can
    run into the next)."""
    fields = [seq, at, actor_id, actor_role, action, entity, entity_id, detail, prev_hash]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(
    seq: int,
    at: str,
    actor_id: str,
    actor_role: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: str,
    prev_hash: str,
) -> str:
    data = canonical(seq, at, actor_id, actor_role, action, entity, entity_id, detail, prev_hash)
    return hashlib.sha256(data).hexdigest()


def problem(
    *,
    actor_id: str,
    actor_role: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: str,
) -> str | None:
    """Why these fields cannot be an entry, or None. Empty ``actor_id``/``actor_role`` mean
    nobody signed in (a failed login of an unknown name); empty ``entity``/``entity_id``
    mean the action is about no record (login, lock)."""
    if action not in ACTIONS:
        return f"unknown action {action[:40]!r}"
    if actor_id and not ID_RE.fullmatch(actor_id):
        return "actor_id is not an id"
    if actor_role and not ROLE_RE.fullmatch(actor_role):
        return "actor_role is not a role code"
    if entity and not ENTITY_RE.fullmatch(entity):
        return "entity is not a code (a-z, 0-9, _)"
    if entity_id and not ID_RE.fullmatch(entity_id):
        return "entity_id is not an id"
    if entity_id and not entity:
        return "entity_id without entity"
    if not DETAIL_RE.fullmatch(detail):
        return f"detail is not a short code (ASCII letters, digits, ' ._:/=+,#-', <= {MAX_DETAIL})"
    return None
