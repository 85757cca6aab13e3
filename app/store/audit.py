"""The spoke's audit trail: append-only, hash-chained, synced to the hub (docs/SECURITY.md
"The audit trail"; the rules are ``app.domain.audit``).

``append`` runs inside the caller's ``Store.write``, so the audited change, its entry and the
entry's ``audit.append`` outbox op commit together or not at all. A view is a read, so
recording one needs a write of its own: ``record(store, ...)`` (one small transaction, a few
ms on WAL). ``verify`` walks the chain and says where it breaks: an entry whose hash does not
cover its fields, or that does not link to the one before, was edited; a seq missing from the
run was deleted; a first entry that does not start from this database's genesis is a bad
start.

Limits: deleting the newest entries (the tail) leaves a shorter chain that is intact here;
the hub, which holds the entries already synced, is what notices that (``audit_verify``).

Threading rule: ``append`` inside ``Store.write``; ``verify``, ``recent`` and ``chain_id`` in
``Store.read`` or ``Store.write``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

import sqlite_utils

from app.domain import audit as rules
from app.domain.audit import Action
from app.store import codec, outbox
from app.store.errors import StoreError

if TYPE_CHECKING:
    from app.store.db import Store

__all__ = ["Action", "AuditCheck", "AuditEntry", "append", "recent", "record", "verify"]

OP_APPEND: Final = "audit.append"
ENTITY: Final = "audit"
# After records and observations (they matter more to a clinic waiting for a specialist),
# before attachment bytes.
PRIORITY_AUDIT: Final = 3

Reason = Literal["edited", "missing", "bad start"]


class Actor(Protocol):
    """Who acts: ``app.domain.models.User`` fits (``id`` and ``role``)."""

    @property
    def id(self) -> str: ...

    @property
    def role(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor_id: str
    actor_role: str
    action: str
    entity: str
    entity_id: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """``intact`` or, for the first break, its ``broken_at`` seq, ``reason`` and ``message``."""

    intact: bool
    entries: int  # entries read
    last_at: datetime | None = None
    broken_at: int | None = None
    reason: Reason | None = None
    message: str = ""


def chain_id(db: sqlite_utils.Database) -> str:
    """This database's chain id (made by migration 5)."""
    row = db.execute("SELECT chain_id FROM audit_chain WHERE one = 1").fetchone()
    if row is None or not row[0]:
        raise StoreError(
            "audit.no_chain",
            "This database has no audit chain id (table audit_chain): the audit trail cannot "
            "start or be checked. Ask field IT support.",
            {},
        )
    return str(row[0])


def _role(actor: Actor | None) -> str:
    if actor is None:
        return ""
    role = actor.role
    return str(getattr(role, "value", role))


def append(
    db: sqlite_utils.Database,
    actor: Actor | None,
    action: Action | str,
    entity: str = "",
    entity_id: str = "",
    detail: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Add one entry (and its ``audit.append`` op) in the caller's write transaction.

    ``actor`` None: nobody is signed in (a failed login of an unknown name). ``entity`` is a
    code ("patient", "case", "prescription"...), ``entity_id`` the record's id, ``detail`` a
    short code, never patient data (``ValueError`` when a field breaks ``app.domain.audit``).
    """
    actor_id = "" if actor is None else str(actor.id)
    actor_role = _role(actor)
    action_text = str(getattr(action, "value", action))
    why = rules.problem(
        actor_id=actor_id,
        actor_role=actor_role,
        action=action_text,
        entity=entity,
        entity_id=entity_id,
        detail=detail,
    )
    if why is not None:
        raise ValueError(f"audit entry refused: {why}")
    at = codec.iso(now if now is not None else datetime.now(UTC))
    chain = chain_id(db)
    last = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq = 1 if last is None else int(last[0]) + 1
    prev_hash = rules.genesis(chain) if last is None else str(last[1])
    digest = rules.entry_hash(
        seq, at, actor_id, actor_role, action_text, entity, entity_id, detail, prev_hash
    )
    db.execute(
        "INSERT INTO audit_log (seq, at, actor_id, actor_role, action, entity, entity_id, "
        "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, at, actor_id, actor_role, action_text, entity, entity_id, detail, prev_hash, digest],
    )
    entry = AuditEntry(
        seq, codec.parse_dt(at), actor_id, actor_role, action_text, entity, entity_id, detail,
        prev_hash, digest,
    )  # fmt: skip
    outbox.enqueue(
        db,
        entity=ENTITY,
        entity_id=_op_id(chain, seq),
        op=OP_APPEND,
        payload=op_payload(chain, entry),
        priority=PRIORITY_AUDIT,
        now=now,
    )
    return entry


def record(
    store: Store,
    actor: Actor | None,
    action: Action | str,
    entity: str = "",
    entity_id: str = "",
    detail: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """``append`` in a write of its own: for reads (a view, a print, an export) and for events
    that change nothing else (login, lock). Joins the running write when called inside one."""
    return store.write(lambda db: append(db, actor, action, entity, entity_id, detail, now))


def _op_id(chain: str, seq: int) -> str:
    return f"{chain}:{seq}"


def op_payload(chain: str, e: AuditEntry) -> dict[str, Any]:
    """The ``audit.append`` payload (docs/SYNC.md): the entry as stored, with its chain."""
    return {
        "id": _op_id(chain, e.seq),
        "chain": chain,
        "seq": e.seq,
        "at": codec.iso(e.at),
        "actor_id": e.actor_id,
        "actor_role": e.actor_role,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "detail": e.detail,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


_COLUMNS: Final = (
    "seq, at, actor_id, actor_role, action, entity, entity_id, detail, prev_hash, hash"
)


def _rows(db: sqlite_utils.Database) -> Iterator[tuple[Any, ...]]:
    cursor = db.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")
    while True:
        batch = cursor.fetchmany(1000)
        if not batch:
            return
        yield from (tuple(r) for r in batch)


def verify(db: sqlite_utils.Database) -> AuditCheck:
    """Walk the chain from its genesis; the first break, or intact."""
    start = rules.genesis(chain_id(db))
    expected_seq, prev_hash = 1, start
    count = 0
    last_at: str | None = None
    for seq, at, actor_id, role, action, entity, entity_id, detail, prev, digest in _rows(db):
        count += 1
        if seq != expected_seq:
            missing = (
                f"entry {expected_seq} is missing"
                if seq == expected_seq + 1
                else f"entries {expected_seq}-{seq - 1} are missing"
            )
            return AuditCheck(False, count, _dt(last_at), expected_seq, "missing", missing)
        fields = (str(at), str(actor_id), str(role), str(action), str(entity), str(entity_id))
        again = rules.entry_hash(int(seq), *fields, str(detail), str(prev))
        if again != digest:
            return AuditCheck(
                False, count, _dt(last_at), int(seq), "edited",
                f"entry {seq} does not match its hash: it was changed after it was written",
            )  # fmt: skip
        if prev != prev_hash:
            if seq == 1:
                return AuditCheck(
                    False, count, None, 1, "bad start",
                    "the first entry does not start this database's chain (another PC's, "
                    "or the chain id was changed)",
                )  # fmt: skip
            return AuditCheck(
                False, count, _dt(last_at), int(seq), "edited",
                f"entry {seq} does not follow entry {seq - 1}: one of them was rewritten",
            )  # fmt: skip
        expected_seq, prev_hash, last_at = seq + 1, digest, str(at)
    return AuditCheck(True, count, _dt(last_at))


def _dt(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return codec.parse_dt(text)
    except ValueError:
        return None


def recent(db: sqlite_utils.Database, limit: int = 50) -> list[AuditEntry]:
    """The newest ``limit`` entries, newest first (no patient data: there is none)."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?", [limit]
    ).fetchall()
    return [
        AuditEntry(int(r[0]), codec.parse_dt(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
        for r in rows
    ]
