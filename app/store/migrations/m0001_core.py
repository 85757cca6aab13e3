"""Migration 1: the core tables (users, patients, cases, observations, attachments, outbox,
settings, sync_state) and their indexes. Runs on the writer thread inside ``migrate``'s
transaction. Frozen: once released, never edited; later changes are new migrations.
"""

from __future__ import annotations

import sqlite3

VERSION = 1

STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('paramedic', 'generalist', 'admin')),
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at TEXT
    )
    """,
    # ``rid`` is the integer key the search index refers to. SQLite's implicit rowid may be
    # renumbered by VACUUM when there is no INTEGER PRIMARY KEY, which would silently point
    # the index at the wrong patients; an ordinary UNIQUE column keeps its values. It grows
    # with every insert, so "newest matches" is "highest rid".
    """
    CREATE TABLE patients (
        id TEXT PRIMARY KEY,
        rid INTEGER NOT NULL UNIQUE,
        name TEXT NOT NULL,
        name_alt TEXT NOT NULL DEFAULT '',
        guardian_name TEXT NOT NULL DEFAULT '',
        sex TEXT NOT NULL CHECK (sex IN ('male', 'female', 'other', 'unknown')),
        birth_date TEXT,
        birth_date_estimated INTEGER NOT NULL DEFAULT 0,
        phone TEXT NOT NULL DEFAULT '',
        abha_number TEXT NOT NULL DEFAULT '',
        abha_address TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT '',
        district TEXT NOT NULL DEFAULT '',
        sub_district TEXT NOT NULL DEFAULT '',
        village TEXT NOT NULL DEFAULT '',
        address_line TEXT NOT NULL DEFAULT '',
        pincode TEXT NOT NULL DEFAULT '',
        name_fold TEXT NOT NULL DEFAULT '',
        name_alt_fold TEXT NOT NULL DEFAULT '',
        guardian_name_fold TEXT NOT NULL DEFAULT '',
        village_fold TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )
    """,
    # Ordinary BINARY indexes answer digit prefixes as ranges (phone >= '9876' AND < ...).
    "CREATE INDEX idx_patients_phone ON patients (phone)",
    "CREATE INDEX idx_patients_abha ON patients (abha_number)",
    "CREATE INDEX idx_patients_name_fold ON patients (name_fold)",
    "CREATE INDEX idx_patients_name_alt_fold ON patients (name_alt_fold)",
    # created_by / recorded_by are not foreign keys: cases and readings pulled from the hub
    # name hub staff who have no account on this spoke.
    """
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL REFERENCES patients (id),
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'queued', 'sent', 'at_hub',
            'prescribed', 'closed', 'cancelled', 'needs_attention')),
        chief_complaint TEXT NOT NULL DEFAULT '',
        history TEXT NOT NULL DEFAULT '',
        examination TEXT NOT NULL DEFAULT '',
        specialty TEXT NOT NULL DEFAULT '',
        priority TEXT NOT NULL DEFAULT 'routine'
            CHECK (priority IN ('routine', 'urgent', 'emergency')),
        queued_at TEXT,
        on_oxygen INTEGER NOT NULL DEFAULT 0,
        consciousness TEXT NOT NULL DEFAULT 'alert',
        consent_given_by TEXT,
        consent_relationship TEXT,
        consent_method TEXT CHECK (consent_method IN ('verbal', 'written', 'thumbprint')),
        consent_witness TEXT,
        consent_recorded_at TEXT
    )
    """,
    "CREATE INDEX idx_cases_status ON cases (status, created_at)",
    "CREATE INDEX idx_cases_patient ON cases (patient_id, created_at)",
    """
    CREATE TABLE observations (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id),
        code TEXT NOT NULL,
        value REAL NOT NULL,
        unit TEXT NOT NULL,
        taken_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'device')),
        device_id TEXT NOT NULL DEFAULT '',
        device_time TEXT,
        raw BLOB NOT NULL DEFAULT x'',
        parser_version TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'final' CHECK (status IN ('final', 'entered-in-error')),
        status_reason TEXT NOT NULL DEFAULT '',
        confirmed_abnormal INTEGER NOT NULL DEFAULT 0
    )
    """,
    # By case, and by (patient via cases(patient_id), code) for trends: the planner walks the
    # patient's cases, then seeks (case_id, code) here.
    "CREATE INDEX idx_observations_case_code ON observations (case_id, code, taken_at)",
    # Append-only, enforced where no code path can forget it: a reading is never deleted or
    # rewritten; the one permitted change is final -> entered-in-error (with a reason).
    """
    CREATE TRIGGER observations_no_delete BEFORE DELETE ON observations
    BEGIN
        SELECT RAISE(ABORT, 'observations are append-only');
    END
    """,
    """
    CREATE TRIGGER observations_only_mark_error BEFORE UPDATE ON observations
    WHEN OLD.status <> 'final' OR NEW.status <> 'entered-in-error'
        OR NEW.id IS NOT OLD.id OR NEW.case_id IS NOT OLD.case_id
        OR NEW.code IS NOT OLD.code OR NEW.value IS NOT OLD.value
        OR NEW.unit IS NOT OLD.unit OR NEW.taken_at IS NOT OLD.taken_at
        OR NEW.recorded_by IS NOT OLD.recorded_by OR NEW.source IS NOT OLD.source
        OR NEW.device_id IS NOT OLD.device_id OR NEW.device_time IS NOT OLD.device_time
        OR NEW.raw IS NOT OLD.raw OR NEW.parser_version IS NOT OLD.parser_version
        OR NEW.confirmed_abnormal IS NOT OLD.confirmed_abnormal
    BEGIN
        SELECT RAISE(ABORT, 'observations are append-only');
    END
    """,
    """
    CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id),
        sha256 TEXT NOT NULL,
        media_type TEXT NOT NULL,
        filename TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        caption TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX idx_attachments_case ON attachments (case_id)",
    """
    CREATE TABLE outbox (
        op_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        op TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        priority INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sent', 'acked', 'rejected')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_outbox_state ON outbox (state, priority, seq)",
    "CREATE INDEX idx_outbox_entity ON outbox (entity_id, seq)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def apply(conn: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
