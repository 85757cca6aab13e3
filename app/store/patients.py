"""Patient records, their search index and their outbox rows.

The FTS5 index ``patients_fts`` (migration 0002) is external-content over ``patients`` and is
kept in step here, in the same transaction as the row: ``insert``/``update`` touch one entry,
``bulk_insert`` adds a whole batch with one ``INSERT ... SELECT``. Search is bounded: the newest
``MATCH_BOUND`` matches are taken first (FTS5 walks its doclists in rowid order, so that stops
early) and only those are sorted by name, which keeps a two-letter prefix fast at 1M patients.

Threading rule: ``insert``, ``update`` and ``bulk_insert`` run inside ``Store.write`` (writer
thread); the rest may run in ``Store.read`` or ``Store.write``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import sqlite_utils

from app.domain.ids import PatientId, UserId
from app.domain.models import Patient
from app.store import codec, outbox
from app.store.errors import StoreError
from app.store.search import (
    MATCH_BOUND,
    MIN_DIGITS,
    digits_of,
    fold,
    prefix_query,
    prefix_upper_bound,
    quote,
    tokens,
)

#: ``PRAGMA cache_size`` during ``bulk_insert`` (negative: KiB), restored afterwards.
BULK_CACHE_KIB = -131_072

_FTS_COLUMNS = ("name_fold", "name_alt_fold", "guardian_name_fold", "village_fold")
_INSERT_COLUMNS = ("rid", *codec.PATIENT_COLUMNS)
_INSERT_SQL = (
    f"INSERT INTO patients ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _INSERT_COLUMNS)})"
)
_FTS_INSERT_SQL = (
    f"INSERT INTO patients_fts (rowid, {', '.join(_FTS_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
)
_FTS_DELETE_SQL = (
    f"INSERT INTO patients_fts (patients_fts, rowid, {', '.join(_FTS_COLUMNS)}) "
    "VALUES ('delete', ?, ?, ?, ?, ?)"
)


# -- writing ---------------------------------------------------------------------------------


def _next_rid(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT IFNULL(MAX(rid), 0) + 1 FROM patients").fetchone()[0])


def _create_payload(p: Patient, actor: UserId | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"patient": codec.patient_to_dict(p)}
    if actor is not None:
        payload["actor"] = actor
    return payload


def insert(db: sqlite_utils.Database, p: Patient, actor: UserId) -> None:
    """Add a new patient, its search entry and its ``patient.create`` outbox op."""
    row = codec.patient_to_row(p)
    rid = _next_rid(db)
    db.execute(_INSERT_SQL, [rid, *(row[c] for c in codec.PATIENT_COLUMNS)])
    db.execute(_FTS_INSERT_SQL, [rid, *(row[c] for c in _FTS_COLUMNS)])
    outbox.enqueue(
        db,
        entity="patient",
        entity_id=p.id,
        op="patient.create",
        payload=_create_payload(p, actor),
        priority=outbox.PRIORITY_RECORD,
        now=p.created_at,
    )


def update(
    db: sqlite_utils.Database, p: Patient, changed: dict[str, object], actor: UserId
) -> None:
    """Store ``p`` (whose ``version`` the caller has bumped) and queue ``patient.update``.

    The stored version must be ``p.version - 1``: otherwise someone else changed the record
    since it was read, and ``StoreError`` (``store.conflict``) is raised with nothing written.
    """
    old = db.execute(
        f"SELECT rid, version, {', '.join(_FTS_COLUMNS)} FROM patients WHERE id = ?", [p.id]
    ).fetchone()
    if old is None:
        raise StoreError("store.not_found", "No such patient.", {"id": p.id})
    base_version = p.version - 1
    if old["version"] != base_version:
        raise StoreError(
            "store.conflict",
            "This patient was changed elsewhere while you were editing. Nothing was saved; "
            "open the patient again and repeat the change.",
            {"id": p.id, "stored": old["version"], "expected": base_version},
        )
    row = codec.patient_to_row(p)
    columns = [c for c in codec.PATIENT_COLUMNS if c not in ("id", "created_at")]
    db.execute(_FTS_DELETE_SQL, [old["rid"], *(old[c] for c in _FTS_COLUMNS)])
    db.execute(
        f"UPDATE patients SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
        [*(row[c] for c in columns), p.id],
    )
    db.execute(_FTS_INSERT_SQL, [old["rid"], *(row[c] for c in _FTS_COLUMNS)])
    outbox.enqueue(
        db,
        entity="patient",
        entity_id=p.id,
        op="patient.update",
        payload={
            "id": p.id,
            "changed": dict(changed),
            "base_version": base_version,
            "version": p.version,
            "updated_at": p.updated_at,
            "actor": actor,
        },
        priority=outbox.PRIORITY_RECORD,
        now=p.updated_at,
    )


def _batches(items: Iterable[Patient], size: int) -> Iterator[list[Patient]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def bulk_insert(
    db: sqlite_utils.Database,
    patients: Iterable[Patient],
    batch: int = 10_000,
    *,
    actor: UserId | None = None,
    with_outbox: bool = True,
) -> int:
    """Load many patients fast (seeding, hub pulls): returns how many were added.

    Per batch: one ``executemany`` for the rows, one ``INSERT ... SELECT`` for their search
    entries and one ``executemany`` for their ``patient.create`` ops (unless ``with_outbox``
    is False, for records that came from the hub and so must not be sent back).
    """
    # A bigger page cache for the load: the indexes of a large table otherwise spill to the
    # WAL over and over within the one transaction.
    old_cache = int(db.execute("PRAGMA cache_size").fetchone()[0])
    db.execute(f"PRAGMA cache_size = {BULK_CACHE_KIB}")
    try:
        return _bulk_insert(db, patients, batch, actor, with_outbox)
    finally:
        db.execute(f"PRAGMA cache_size = {old_cache}")


def _bulk_insert(
    db: sqlite_utils.Database,
    patients: Iterable[Patient],
    batch: int,
    actor: UserId | None,
    with_outbox: bool,
) -> int:
    total = 0
    rid = _next_rid(db)
    for chunk in _batches(patients, batch):
        first = rid
        rows = []
        for p in chunk:
            row = codec.patient_to_row(p)
            rows.append((rid, *(row[c] for c in codec.PATIENT_COLUMNS)))
            rid += 1
        db.conn.executemany(_INSERT_SQL, rows)
        db.execute(
            f"INSERT INTO patients_fts (rowid, {', '.join(_FTS_COLUMNS)}) "
            f"SELECT rid, {', '.join(_FTS_COLUMNS)} FROM patients WHERE rid BETWEEN ? AND ?",
            [first, rid - 1],
        )
        if with_outbox:
            outbox.enqueue_many(
                db,
                (
                    outbox.NewOp(
                        "patient",
                        p.id,
                        "patient.create",
                        _create_payload(p, actor),
                        outbox.PRIORITY_RECORD,
                    )
                    for p in chunk
                ),
            )
        total += len(chunk)
    return total


# -- reading ---------------------------------------------------------------------------------


def get(db: sqlite_utils.Database, pid: PatientId) -> Patient | None:
    row = db.execute("SELECT * FROM patients WHERE id = ?", [pid]).fetchone()
    return None if row is None else codec.patient_from_row(row)


def recent(db: sqlite_utils.Database, limit: int = 50) -> list[Patient]:
    """The newest registrations first (``rid`` grows with every insert)."""
    rows = db.execute("SELECT * FROM patients ORDER BY rid DESC LIMIT ?", [limit]).fetchall()
    return [codec.patient_from_row(row) for row in rows]


def count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM patients").fetchone()[0])


def _by_rids(db: sqlite_utils.Database, rids: list[int]) -> dict[int, Patient]:
    if not rids:
        return {}
    rows = db.execute(
        "SELECT * FROM patients WHERE rid IN (SELECT value FROM json_each(?))", [json.dumps(rids)]
    ).fetchall()
    return {row["rid"]: codec.patient_from_row(row) for row in rows}


def _phone_digits(digits: str) -> str:
    # "+91 98765 43210" and "098765 43210" are the same 10-digit mobile number.
    if len(digits) == 12 and digits.startswith("91"):
        return digits[2:]
    if len(digits) == 11 and digits.startswith("0"):
        return digits[1:]
    return digits


def _digit_rids(db: sqlite_utils.Database, digits: str) -> list[int]:
    """Newest patients whose phone or ABHA number starts with ``digits`` (index ranges)."""
    phone = _phone_digits(digits)
    rows = db.execute(
        "SELECT rid FROM (SELECT rid FROM patients WHERE phone >= ? AND phone < ? "
        "  ORDER BY rid DESC LIMIT ?) "
        "UNION SELECT rid FROM (SELECT rid FROM patients WHERE abha_number >= ? "
        "  AND abha_number < ? ORDER BY rid DESC LIMIT ?)",
        [
            phone,
            prefix_upper_bound(phone),
            MATCH_BOUND,
            digits,
            prefix_upper_bound(digits),
            MATCH_BOUND,
        ],
    ).fetchall()
    return [r[0] for r in rows]


def search(db: sqlite_utils.Database, text: str, limit: int = 50) -> list[Patient]:
    """Patients matching what was typed, ordered by name; [] for blank or punctuation.

    Every word is a prefix of a word in name, other-script name, guardian or village. A run of
    at least ``MIN_DIGITS`` digits is a phone or ABHA number prefix instead (spaces and hyphens
    inside a number are ignored, Devanagari digits are read as digits).
    """
    words = tokens(text)
    if not words or limit <= 0:
        return []
    numeric = [digits_of(w) for w in words]
    if all(len(n) == len(w) for n, w in zip(numeric, words, strict=True)):  # only digits
        joined = "".join(numeric)
        if len(joined) >= MIN_DIGITS:
            return _numeric_search(db, [joined], [], limit)
    digit_runs: list[str] = []
    text_words: list[str] = []
    for word in words:
        digits = digits_of(word)
        if len(digits) >= MIN_DIGITS and len(digits) == len(word):
            digit_runs.append(digits)
        else:
            text_words.append(word)
    if digit_runs:
        return _numeric_search(db, digit_runs, text_words, limit)
    rows = db.execute(
        "SELECT * FROM patients WHERE rid IN ("
        "  SELECT rowid FROM patients_fts WHERE patients_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
        ") ORDER BY name_fold, id LIMIT ?",
        [prefix_query(text_words), MATCH_BOUND, limit],
    ).fetchall()
    return [codec.patient_from_row(r) for r in rows]


def _numeric_search(
    db: sqlite_utils.Database, digit_runs: list[str], words: list[str], limit: int
) -> list[Patient]:
    rids: set[int] | None = None
    for digits in digit_runs:
        found = set(_digit_rids(db, digits))
        rids = found if rids is None else rids & found
    if not rids:
        return []
    if words:
        query = prefix_query(words)
        rids = {
            rid
            for rid in rids
            if db.execute(
                "SELECT 1 FROM patients_fts WHERE patients_fts MATCH ? AND rowid = ?", [query, rid]
            ).fetchone()
        }
    exact = sorted(set(digit_runs) | {_phone_digits(d) for d in digit_runs})
    # Order and cut in SQL on the light columns, then build only the rows shown: building a
    # Patient for each of up to 1,000 prefix matches was the slow tail of "9112".
    kept = [
        row[0]
        for row in db.execute(
            "SELECT rid FROM patients WHERE rid IN (SELECT value FROM json_each(?)) "
            "ORDER BY (phone IN (SELECT value FROM json_each(?)) "
            "OR abha_number IN (SELECT value FROM json_each(?))) DESC, name_fold, id LIMIT ?",
            [json.dumps(sorted(rids)), json.dumps(exact), json.dumps(exact), limit],
        ).fetchall()
    ]
    by_rid = _by_rids(db, kept)
    return [by_rid[rid] for rid in kept]


def candidates(
    db: sqlite_utils.Database,
    *,
    name: str,
    name_alt: str,
    phone: str,
    abha_number: str,
    village: str,
    limit: int = 200,
) -> list[Patient]:
    """Possible duplicates of a patient being registered, for ``domain.matching`` to score.

    Same phone, same ABHA number, a name word sharing its first three letters with a name word
    of someone in the same village, or a name that starts with the typed name anywhere.
    Strongest reasons first; at most ``limit``.
    """
    ordered: dict[int, None] = {}

    def add(rows: list[Any]) -> None:
        for r in rows:
            ordered.setdefault(r[0], None)

    phone_digits = _phone_digits(digits_of(phone))
    if len(phone_digits) == 10:
        add(
            db.execute(
                "SELECT rid FROM patients WHERE phone = ? ORDER BY rid DESC LIMIT ?",
                [phone_digits, limit],
            ).fetchall()
        )
    abha = digits_of(abha_number)
    if len(abha) == 14:
        add(
            db.execute(
                "SELECT rid FROM patients WHERE abha_number = ? ORDER BY rid DESC LIMIT ?",
                [abha, limit],
            ).fetchall()
        )
    name_words = tokens(name) + tokens(name_alt)
    prefixes = list(dict.fromkeys(w[:3] for w in name_words))
    village_words = tokens(village)
    if prefixes and village_words:
        query = (
            "{name_fold name_alt_fold} : ("
            + " OR ".join(quote(p) + "*" for p in prefixes)
            + ") AND village_fold : ("
            + " AND ".join(quote(v) for v in village_words)
            + ")"
        )
        add(
            db.execute(
                "SELECT rid FROM patients WHERE rid IN ("
                "  SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?"
                "  ORDER BY rowid DESC LIMIT ?"
                ") AND village_fold = ? ORDER BY rid DESC",
                [query, MATCH_BOUND, fold(village)],
            ).fetchall()
        )
    for typed in dict.fromkeys((fold(name), fold(name_alt))):
        if len(typed) < 3:
            continue
        add(
            db.execute(
                "SELECT rid FROM (SELECT rid FROM patients WHERE name_fold >= ? AND name_fold < ?"
                "  ORDER BY rid DESC LIMIT ?) "
                "UNION SELECT rid FROM (SELECT rid FROM patients WHERE name_alt_fold >= ?"
                "  AND name_alt_fold < ? ORDER BY rid DESC LIMIT ?)",
                [typed, prefix_upper_bound(typed), limit] * 2,
            ).fetchall()
        )
    chosen = list(ordered)[:limit]
    found = _by_rids(db, chosen)
    return [found[rid] for rid in chosen if rid in found]
