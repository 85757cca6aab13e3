"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

``migrate(conn)`` brings a database up to ``LATEST``, one migration per transaction (``BEGIN
IMMEDIATE`` ... ``COMMIT``, with the version bump inside it), so a crash mid-way leaves the
last complete version. A database from a newer release is refused, never downgraded or
touched. Called by ``Store.open`` on the writer thread, before any other use of the file.

To add one: a new ``mNNNN_<what>.py`` with ``VERSION`` and ``apply(conn)``, appended to
``MIGRATIONS``, and a fixture test that upgrades a database saved at the previous version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from app.store.errors import StoreError
from app.store.migrations import (
    m0001_core,
    m0002_patient_fts,
    m0003_devices,
    m0004_prescriptions,
    m0005_audit,
)


@dataclass(frozen=True)
class Migration:
    version: int
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(m0001_core.VERSION, m0001_core.apply),
    Migration(m0002_patient_fts.VERSION, m0002_patient_fts.apply),
    Migration(m0003_devices.VERSION, m0003_devices.apply),
    Migration(m0004_prescriptions.VERSION, m0004_prescriptions.apply),
    Migration(m0005_audit.VERSION, m0005_audit.apply),
)

LATEST = MIGRATIONS[-1].version


def user_version(conn: sqlite3.Connection) -> int:
    value = conn.execute("PRAGMA user_version").fetchone()[0]
    return int(value)


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply pending migrations up to ``target``; returns the version the database is now at.

    Raises ``StoreError`` (``store.schema_newer``) for a database written by a newer release.
    """
    current = user_version(conn)
    if current > LATEST:
        raise StoreError(
            "store.schema_newer",
            f"This database was written by a newer version of HWC Spoke (data format "
            f"{current}; this version reads up to {LATEST}). Nothing was changed. Install the "
            "newer HWC Spoke again, or ask field IT support.",
            {"version": current, "supported": LATEST},
        )
    for migration in MIGRATIONS:
        if migration.version <= current or migration.version > target:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration.apply(conn)
            # PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        current = migration.version
    return current
