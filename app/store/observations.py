"""Observations (vital signs): append-only. A wrong value is never changed or deleted, only
marked ``entered-in-error`` (database triggers refuse anything else, migration 0001).

``outbox=True`` is for readings added after the case was queued (addenda): before that the
whole case travels in one ``case.queue`` op.

Threading rule: ``insert``, ``mark_entered_in_error`` and ``bulk_insert`` run inside
``Store.write``; the readers in ``Store.read`` or ``Store.write``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import sqlite_utils

from app.domain.ids import CaseId, ObservationId, PatientId
from app.domain.models import Observation, ObservationStatus
from app.store import codec
from app.store import outbox as _outbox
from app.store.errors import StoreError

_COLUMNS = (
    "id",
    "case_id",
    "code",
    "value",
    "unit",
    "taken_at",
    "recorded_by",
    "source",
    "device_id",
    "device_time",
    "raw",
    "parser_version",
    "status",
    "confirmed_abnormal",
)
_INSERT_SQL = (
    f"INSERT INTO observations ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
)
_ORDER = "taken_at, id"


def insert(db: sqlite_utils.Database, o: Observation, *, outbox: bool) -> None:
    row = codec.observation_to_row(o)
    db.execute(_INSERT_SQL, [row[k] for k in _COLUMNS])
    if outbox:
        _outbox.enqueue(
            db,
            entity="observation",
            entity_id=o.id,
            op="observation.create",
            payload={"observation": codec.observation_to_dict(o)},
            priority=_outbox.PRIORITY_OBSERVATION,
            now=o.taken_at,
        )


def bulk_insert(db: sqlite_utils.Database, observations: Iterable[Observation]) -> int:
    """Seed many observations (no outbox rows); returns how many."""
    rows = [tuple(codec.observation_to_row(o)[k] for k in _COLUMNS) for o in observations]
    db.conn.executemany(_INSERT_SQL, rows)
    return len(rows)


def mark_entered_in_error(
    db: sqlite_utils.Database, oid: ObservationId, *, outbox: bool, reason: str = ""
) -> None:
    """Mark a FINAL observation as entered in error (idempotent for one already marked)."""
    row = db.execute("SELECT status FROM observations WHERE id = ?", [oid]).fetchone()
    if row is None:
        raise StoreError("store.not_found", "No such observation.", {"id": oid})
    if row["status"] == ObservationStatus.ENTERED_IN_ERROR.value:
        return
    db.execute(
        "UPDATE observations SET status = ?, status_reason = ? WHERE id = ?",
        [ObservationStatus.ENTERED_IN_ERROR.value, reason, oid],
    )
    if outbox:
        _outbox.enqueue(
            db,
            entity="observation",
            entity_id=oid,
            op="observation.entered_in_error",
            payload={"id": oid, "reason": reason},
            priority=_outbox.PRIORITY_OBSERVATION,
        )


def get(db: sqlite_utils.Database, oid: ObservationId) -> Observation | None:
    row = db.execute("SELECT * FROM observations WHERE id = ?", [oid]).fetchone()
    return None if row is None else codec.observation_from_row(row)


def for_case(db: sqlite_utils.Database, cid: CaseId) -> list[Observation]:
    """Every observation of the case (entered-in-error too), oldest first."""
    rows = db.execute(
        f"SELECT * FROM observations WHERE case_id = ? ORDER BY {_ORDER}", [cid]
    ).fetchall()
    return [codec.observation_from_row(r) for r in rows]


def for_cases(db: sqlite_utils.Database, cids: Sequence[CaseId]) -> list[Observation]:
    """Every observation of several cases, oldest first (one query, for lists)."""
    if not cids:
        return []
    rows = db.execute(
        "SELECT * FROM observations WHERE case_id IN (SELECT value FROM json_each(?)) "
        f"ORDER BY {_ORDER}",
        [json.dumps(list(cids))],
    ).fetchall()
    return [codec.observation_from_row(r) for r in rows]


def trend(
    db: sqlite_utils.Database, pid: PatientId, code: str, limit: int = 50
) -> list[Observation]:
    """The latest ``limit`` FINAL values of one LOINC code across the patient's cases,
    returned oldest first (for a chart)."""
    rows = db.execute(
        "SELECT o.* FROM cases c JOIN observations o ON o.case_id = c.id "
        "WHERE c.patient_id = ? AND o.code = ? AND o.status = 'final' "
        "ORDER BY o.taken_at DESC, o.id DESC LIMIT ?",
        [pid, code, limit],
    ).fetchall()
    return [codec.observation_from_row(r) for r in reversed(rows)]
