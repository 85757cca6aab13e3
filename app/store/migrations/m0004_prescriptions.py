"""Migration 4: e-prescriptions from the hub, their dispensing, and the case message thread.

``prescriptions`` keeps the exact bytes the specialist signed (``canonical``) with the
signature, key id and certificate that came with them, so the signature can be checked again
and printed as the QR code; the columns beside them (patient, follow-up date, prescriber) are
read from those bytes on arrival, for the lists. The verdict is stored whatever it is: a
prescription that fails verification is kept and shown as invalid, never dropped.
``case_id`` and ``patient_id`` are not foreign keys: a prescription may answer a case this
spoke no longer holds (a restored database), and it must still be kept.

``prescription_dispensing`` holds the latest status of each item (the hub keeps the same);
``case_messages`` the thread between the clinic and the specialist, both directions.
"""

from __future__ import annotations

import sqlite3

VERSION = 4

STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE prescriptions (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        patient_id TEXT,
        patient_name TEXT NOT NULL DEFAULT '',
        prescriber_name TEXT NOT NULL DEFAULT '',
        item_count INTEGER NOT NULL DEFAULT 0,
        canonical BLOB NOT NULL,
        signature BLOB NOT NULL,
        key_id TEXT NOT NULL,
        certificate TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        follow_up TEXT,
        supersedes TEXT,
        superseded_by TEXT,
        verification TEXT NOT NULL CHECK (verification IN ('valid', 'tampered',
            'unknown_signer', 'revoked', 'expired')),
        verification_reason TEXT NOT NULL DEFAULT '',
        verified_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'new'
            CHECK (state IN ('new', 'acknowledged', 'queried', 'dispensed')),
        acknowledged_by TEXT,
        acknowledged_at TEXT,
        received_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_prescriptions_inbox ON prescriptions (state, issued_at)",
    "CREATE INDEX idx_prescriptions_issued ON prescriptions (issued_at)",
    "CREATE INDEX idx_prescriptions_case ON prescriptions (case_id)",
    "CREATE INDEX idx_prescriptions_supersedes ON prescriptions (supersedes)",
    # Only what the follow-up list can show: valid, current prescriptions with a date.
    """
    CREATE INDEX idx_prescriptions_follow_up ON prescriptions (follow_up)
    WHERE follow_up IS NOT NULL AND superseded_by IS NULL AND verification = 'valid'
    """,
    """
    CREATE TABLE prescription_dispensing (
        prescription_id TEXT NOT NULL REFERENCES prescriptions (id),
        item_index INTEGER NOT NULL CHECK (item_index >= 0),
        status TEXT NOT NULL
            CHECK (status IN ('dispensed', 'partly', 'not_available', 'declined')),
        quantity INTEGER CHECK (quantity IS NULL OR quantity >= 0),
        note TEXT NOT NULL DEFAULT '',
        by_user_id TEXT NOT NULL,
        by_name TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (prescription_id, item_index)
    )
    """,
    """
    CREATE TABLE case_messages (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        prescription_id TEXT,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        author_user_id TEXT NOT NULL DEFAULT '',
        author_name TEXT NOT NULL,
        author_role TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        received_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_case_messages_case ON case_messages (case_id, sent_at)",
)


def apply(conn: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
