"""Local user accounts (never pushed: no outbox rows, and a password hash never leaves here).
Accounts the hub manages for this spoke arrive by the pull and are merged by ``staff_sync``.

Threading rule: ``insert``/``update`` run inside ``Store.write``; the readers in
``Store.read`` or ``Store.write``.
"""

from __future__ import annotations

import sqlite_utils

from app.domain.ids import UserId
from app.domain.models import User
from app.store import codec
from app.store.errors import StoreError

_COLUMNS = ("id", "username", "display_name", "role", "password_hash", "active", "created_at")


def insert(db: sqlite_utils.Database, u: User) -> None:
    row = codec.user_to_row(u)
    db.execute(
        f"INSERT INTO users ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})",
        [row[k] for k in _COLUMNS],
    )


def update(db: sqlite_utils.Database, u: User) -> None:
    row = codec.user_to_row(u)
    columns = [k for k in _COLUMNS if k != "id"]
    cursor = db.execute(
        f"UPDATE users SET {', '.join(f'{k} = ?' for k in columns)} WHERE id = ?",
        [*(row[k] for k in columns), u.id],
    )
    if cursor.rowcount != 1:
        raise StoreError("store.not_found", "No such account.", {"id": u.id})


def get(db: sqlite_utils.Database, uid: UserId) -> User | None:
    row = db.execute("SELECT * FROM users WHERE id = ?", [uid]).fetchone()
    return None if row is None else codec.user_from_row(row)


def by_username(db: sqlite_utils.Database, name: str) -> User | None:
    row = db.execute("SELECT * FROM users WHERE username = ?", [name]).fetchone()
    return None if row is None else codec.user_from_row(row)


def all(db: sqlite_utils.Database) -> list[User]:
    rows = db.execute("SELECT * FROM users ORDER BY username").fetchall()
    return [codec.user_from_row(r) for r in rows]


def count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM users").fetchone()[0])
