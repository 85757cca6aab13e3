"""Paired devices (local to this PC, never synced).

Threading rule: ``insert``/``delete``/``touch`` inside ``Store.write``; readers in
``Store.read`` or ``Store.write``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from app.domain.devices import PairedDevice
from app.domain.ids import UserId
from app.store import codec
from app.store.errors import StoreError


def _from_row(row: Any) -> PairedDevice:
    return PairedDevice(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        address=row["address"],
        options={str(k): str(v) for k, v in json.loads(row["options"]).items()},
        paired_at=codec.parse_dt(row["paired_at"]),
        paired_by=UserId(row["paired_by"]),
        last_reading_at=codec.parse_dt_or_none(row["last_reading_at"]),
        last_reading=row["last_reading"],
    )


def insert(db: sqlite_utils.Database, d: PairedDevice) -> None:
    db.execute(
        "INSERT INTO devices (id, kind, name, address, options, paired_at, paired_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            d.id,
            d.kind,
            d.name,
            d.address,
            json.dumps(dict(d.options), sort_keys=True),
            codec.iso(d.paired_at),
            d.paired_by,
        ],
    )


def update(db: sqlite_utils.Database, d: PairedDevice) -> None:
    """Change the label, address or options of a pairing (e.g. a port renamed after a replug)."""
    cursor = db.execute(
        "UPDATE devices SET name = ?, address = ?, options = ? WHERE id = ?",
        [d.name, d.address, json.dumps(dict(d.options), sort_keys=True), d.id],
    )
    if cursor.rowcount != 1:
        raise StoreError("store.not_found", "No such device.", {"id": d.id})


def delete(db: sqlite_utils.Database, device_id: str) -> bool:
    return db.execute("DELETE FROM devices WHERE id = ?", [device_id]).rowcount == 1


def touch(db: sqlite_utils.Database, device_id: str, at: datetime, summary: str) -> None:
    db.execute(
        "UPDATE devices SET last_reading_at = ?, last_reading = ? WHERE id = ?",
        [codec.iso(at), summary, device_id],
    )


def by_address(db: sqlite_utils.Database, kind: str, address: str) -> PairedDevice | None:
    row = db.execute(
        "SELECT * FROM devices WHERE kind = ? AND address = ?", [kind, address]
    ).fetchone()
    return None if row is None else _from_row(row)


def get(db: sqlite_utils.Database, device_id: str) -> PairedDevice | None:
    row = db.execute("SELECT * FROM devices WHERE id = ?", [device_id]).fetchone()
    return None if row is None else _from_row(row)


def all(db: sqlite_utils.Database) -> list[PairedDevice]:
    rows = db.execute("SELECT * FROM devices ORDER BY name, id").fetchall()
    return [_from_row(r) for r in rows]
