"""Migration 5: the audit trail (``app.store.audit``, docs/SECURITY.md "The audit trail").

``audit_log`` is append-only and hash-chained. Triggers refuse UPDATE and DELETE, and an INSERT
whose ``seq`` is not the next one, so no code path can rewrite or thin the trail; someone with
the file can still drop the triggers, and then ``audit.verify`` (and the hub, which holds a
copy) shows where. The chain's id (``audit_chain``, one row made here, random per database,
kept by the same triggers) goes into the first entry's ``prev_hash``
(``app.domain.audit.genesis``) so two PCs' entries cannot be swapped.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime

VERSION = 5

STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE audit_chain (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        chain_id TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
    BEGIN
        SELECT RAISE(ABORT, 'the audit chain id never changes');
    END
    """,
    """
    CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
    BEGIN
        SELECT RAISE(ABORT, 'the audit chain id never changes');
    END
    """,
    """
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        at TEXT NOT NULL,
        actor_id TEXT NOT NULL DEFAULT '',
        actor_role TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL,
        entity TEXT NOT NULL DEFAULT '',
        entity_id TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )
    """,
    """
    CREATE TRIGGER audit_log_next_seq BEFORE INSERT ON audit_log
    WHEN NEW.seq IS NOT (SELECT IFNULL(MAX(seq), 0) + 1 FROM audit_log)
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: seq must be the next one');
    END
    """,
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
    END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
    END
    """,
)


def apply(conn: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO audit_chain (one, chain_id, created_at) VALUES (1, ?, ?)",
        [str(uuid.uuid4()), datetime.now(UTC).isoformat(timespec="microseconds")],
    )
