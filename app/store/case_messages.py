"""The message thread of a case: the specialist's messages pulled from the hub (``in``) and
the clinic's queries (``out``, pushed as ``case.message`` ops by the service that posts them).

Threading rule: ``insert`` runs inside ``Store.write``; the rest in ``Store.read`` or
``Store.write``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlite_utils

from app.store import codec

Direction = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class CaseMessage:
    id: str
    case_id: str
    prescription_id: str | None  # the prescription it is about, when there is one
    direction: Direction  # "in": from the hub; "out": from this clinic
    author_user_id: str  # "" for hub staff
    author_name: str
    author_role: str  # "specialist", or the clinic account's role
    body: str
    sent_at: datetime
    received_at: datetime  # when this PC stored it


def insert(db: sqlite_utils.Database, m: CaseMessage) -> bool:
    """Store ``m``; False when a message with its id is stored already (a replayed page)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO case_messages (id, case_id, prescription_id, direction, "
        "author_user_id, author_name, author_role, body, sent_at, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            m.id,
            m.case_id,
            m.prescription_id,
            m.direction,
            m.author_user_id,
            m.author_name,
            m.author_role,
            m.body,
            codec.iso(m.sent_at),
            codec.iso(m.received_at),
        ],
    )
    return cursor.rowcount == 1


def _from_row(r: Any) -> CaseMessage:
    direction: Direction = "in" if r["direction"] == "in" else "out"
    return CaseMessage(
        id=r["id"],
        case_id=r["case_id"],
        prescription_id=r["prescription_id"],
        direction=direction,
        author_user_id=r["author_user_id"],
        author_name=r["author_name"],
        author_role=r["author_role"],
        body=r["body"],
        sent_at=codec.parse_dt(r["sent_at"]),
        received_at=codec.parse_dt(r["received_at"]),
    )


def get(db: sqlite_utils.Database, mid: str) -> CaseMessage | None:
    row = db.execute("SELECT * FROM case_messages WHERE id = ?", [mid]).fetchone()
    return None if row is None else _from_row(row)


def for_case(db: sqlite_utils.Database, case_id: str) -> list[CaseMessage]:
    """The case's thread, oldest first."""
    rows = db.execute(
        "SELECT * FROM case_messages WHERE case_id = ? ORDER BY sent_at, id", [case_id]
    ).fetchall()
    return [_from_row(r) for r in rows]
