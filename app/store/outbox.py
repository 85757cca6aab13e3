"""The outbox: every change the hub must learn of, queued in the same transaction as the change.

Each op has a UUIDv7 ``op_id`` (the hub de-duplicates on it) and a per-spoke ``seq`` that only
ever grows (kept in ``sync_state`` so pruning acknowledged rows never lets it step back).
Records go before observations before blobs: ``PRIORITY_*``, lower first, then ``seq``.
States: pending -> sent -> acked, or rejected (a person must look).

Threading rule: functions that write (``enqueue``, ``mark_*``) must run inside ``Store.write``
on the writer thread; the rest may also run inside ``Store.read``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from app.domain.ids import OpId, new_id
from app.store import codec

PRIORITY_RECORD = 0
PRIORITY_OBSERVATION = 1
PRIORITY_BLOB = 5

STATES = ("pending", "sent", "acked", "rejected")

_SEQ_KEY = "outbox.last_seq"


@dataclass(frozen=True, slots=True)
class OutboxOp:
    op_id: OpId
    seq: int
    entity: str
    entity_id: str
    op: str
    payload: dict[str, Any]
    priority: int
    state: str
    attempts: int
    last_error: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewOp:
    """One op for ``enqueue_many``."""

    entity: str
    entity_id: str
    op: str
    payload: Mapping[str, Any]
    priority: int


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _reserve_seq(db: sqlite_utils.Database, count: int) -> int:
    """Reserve ``count`` sequence numbers; returns the first."""
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [_SEQ_KEY]).fetchone()
    last = int(row[0]) if row is not None else 0
    # Never below the table's maximum, e.g. after a restore of an older sync_state.
    table_max = db.execute("SELECT IFNULL(MAX(seq), 0) FROM outbox").fetchone()[0]
    last = max(last, int(table_max))
    db.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [_SEQ_KEY, str(last + count)],
    )
    return last + 1


def enqueue(
    db: sqlite_utils.Database,
    *,
    entity: str,
    entity_id: str,
    op: str,
    payload: Mapping[str, Any],
    priority: int,
    now: datetime | None = None,
) -> OpId:
    """Queue one op; call inside the ``Store.write`` that makes the change."""
    return enqueue_many(db, [NewOp(entity, entity_id, op, payload, priority)], now=now)[0]


def enqueue_many(
    db: sqlite_utils.Database, ops: Iterable[NewOp], *, now: datetime | None = None
) -> list[OpId]:
    """Queue several ops with consecutive ``seq`` in one ``executemany`` (bulk loads)."""
    items = list(ops)
    if not items:
        return []
    first = _reserve_seq(db, len(items))
    created = codec.iso(_now(now))
    ids = [OpId(new_id()) for _ in items]
    db.conn.executemany(
        "INSERT INTO outbox (op_id, seq, entity, entity_id, op, payload, priority, state, "
        "attempts, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, '', ?)",
        [
            (
                op_id,
                first + i,
                o.entity,
                o.entity_id,
                o.op,
                codec.to_json(o.payload),
                o.priority,
                created,
            )
            for i, (op_id, o) in enumerate(zip(ids, items, strict=True))
        ],
    )
    return ids


def _from_row(row: Any) -> OutboxOp:
    return OutboxOp(
        op_id=OpId(row["op_id"]),
        seq=row["seq"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        op=row["op"],
        payload=codec.from_json(row["payload"]),
        priority=row["priority"],
        state=row["state"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=codec.parse_dt(row["created_at"]),
    )


def pending(db: sqlite_utils.Database, limit: int = 100) -> list[OutboxOp]:
    """Pending ops to send next: by priority, then in the order they were made."""
    rows = db.execute(
        "SELECT * FROM outbox WHERE state = 'pending' ORDER BY priority, seq LIMIT ?", [limit]
    ).fetchall()
    return [_from_row(r) for r in rows]


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Ops per state; every state is present (0 when none)."""
    result = dict.fromkeys(STATES, 0)
    for state, n in db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall():
        result[state] = n
    return result


def pending_count(db: sqlite_utils.Database, *, except_op: str = "") -> int:
    """Ops waiting to be sent, leaving out one kind (``except_op``) when given."""
    row = db.execute(
        "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND op != ?", [except_op]
    ).fetchone()
    return int(row[0])


def for_entity(db: sqlite_utils.Database, entity_id: str) -> list[OutboxOp]:
    """Every op about one record, oldest first."""
    rows = db.execute(
        "SELECT * FROM outbox WHERE entity_id = ? ORDER BY seq", [entity_id]
    ).fetchall()
    return [_from_row(r) for r in rows]


def get(db: sqlite_utils.Database, op_id: str) -> OutboxOp | None:
    row = db.execute("SELECT * FROM outbox WHERE op_id = ?", [op_id]).fetchone()
    return None if row is None else _from_row(row)


def mark_sent(db: sqlite_utils.Database, op_id: str) -> None:
    db.execute("UPDATE outbox SET state = 'sent', attempts = attempts + 1 WHERE op_id = ?", [op_id])


def mark_acked(db: sqlite_utils.Database, op_id: str) -> None:
    db.execute("UPDATE outbox SET state = 'acked', last_error = '' WHERE op_id = ?", [op_id])


def mark_rejected(db: sqlite_utils.Database, op_id: str, error: str) -> None:
    db.execute(
        "UPDATE outbox SET state = 'rejected', last_error = ? WHERE op_id = ?", [error, op_id]
    )


def mark_failed(db: sqlite_utils.Database, op_id: str, error: str) -> None:
    """A send attempt failed (network, hub down): count it and keep the op pending."""
    db.execute(
        "UPDATE outbox SET state = 'pending', attempts = attempts + 1, last_error = ? "
        "WHERE op_id = ?",
        [error, op_id],
    )


def requeue_sent(
    db: sqlite_utils.Database, op_ids: Sequence[str] | None = None, error: str = ""
) -> None:
    """``sent`` -> ``pending`` with no verdict (the attempt ``mark_sent`` counted stays):
    all of them (a process died mid-round), or ``op_ids`` with the reason."""
    if op_ids is None:
        db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sent'")
        return
    db.execute(
        "UPDATE outbox SET state = 'pending', last_error = ? "
        "WHERE state = 'sent' AND op_id IN (SELECT value FROM json_each(?))",
        [error, json.dumps(list(op_ids))],
    )


def requeue_acked(db: sqlite_utils.Database) -> None:
    """Every acknowledged op goes again (a restored hub drops the ones it still has)."""
    db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'acked'")


def requeue_rejected(db: sqlite_utils.Database, op_id: str) -> OutboxOp | None:
    """A rejected op back to pending (same op id, so the hub still de-duplicates it); returns
    it, or None when there is no rejected op with that id."""
    op = get(db, op_id)
    if op is None or op.state != "rejected":
        return None
    db.execute(
        "UPDATE outbox SET state = 'pending', last_error = '' WHERE op_id = ? "
        "AND state = 'rejected'",
        [op_id],
    )
    return op
