"""Migration 3: paired peripherals.

One row per pairing: the driver kind, what to open (port, BLE address, listen address), the
options the driver needs and the operator's label. ``last_*`` columns let the devices page say
when a device last sent a reading after a restart. Local to the PC: never synced (a device
is paired to this PC's ports and radio, not to the clinic).
"""

from __future__ import annotations

import sqlite3

VERSION = 3

STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        address TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        paired_at TEXT NOT NULL,
        paired_by TEXT NOT NULL,
        last_reading_at TEXT,
        last_reading TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE UNIQUE INDEX devices_kind_address ON devices (kind, address)",
)


def apply(conn: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
