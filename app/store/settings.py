"""Spoke settings and sync bookkeeping as text key/value pairs.

``settings`` holds what a person configures; ``sync_state`` what the sync engine remembers
(cursors, the outbox sequence). Threading rule: ``put``/``put_state`` inside ``Store.write``;
``get``/``get_state`` in ``Store.read`` or ``Store.write``.
"""

from __future__ import annotations

import sqlite_utils


def get(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return default if row is None else str(row[0])


def put(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def get_state(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return default if row is None else str(row[0])


def put_state(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
