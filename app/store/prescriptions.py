"""Prescriptions the hub issued for this clinic: the signed bytes, their verdict, the inbox
state, and the lists the clinic works from (the inbox and the follow-up list).

A stored prescription never changes what was signed; only the clinic's handling of it
(``state``, who acknowledged it) and the ``superseded_by`` link move. Arrival is
``app.store.prescription_sync``; dispensing per item is ``app.store.dispensing``.

Threading rule: ``insert``, ``set_state`` and ``mark_superseded`` run inside ``Store.write``;
the rest in ``Store.read`` or ``Store.write``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlite_utils

from app.store import codec
from app.store.errors import StoreError


class RxState(StrEnum):
    """Where the clinic is with a prescription (the inbox's tabs)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    QUERIED = "queried"  # a question went back to the specialist
    DISPENSED = "dispensed"  # every item settled


class Verification(StrEnum):
    """The signature check's verdict on arrival (``app.security.rx_signatures.Status``)."""

    VALID = "valid"
    TAMPERED = "tampered"
    UNKNOWN_SIGNER = "unknown_signer"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class StoredPrescription:
    id: str
    case_id: str
    patient_id: str | None  # the case's patient here; None when the case is not on this PC
    patient_name: str  # the name the prescription was issued to (its snapshot)
    prescriber_name: str
    item_count: int
    canonical: bytes = b""  # exactly what was signed (not loaded by the lists)
    signature: bytes = b""
    key_id: str = ""
    certificate: str = ""  # base64url of the signer's hub-signed key certificate
    issued_at: datetime | None = None
    follow_up: date | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    verification: Verification = Verification.VALID
    verification_reason: str = ""
    verified_at: datetime | None = None
    state: RxState = RxState.NEW
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    received_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.verification is Verification.VALID


@dataclass(frozen=True, slots=True)
class InboxRow:
    prescription: StoredPrescription  # without the signed bytes
    patient_display: str  # the local patient record's name, else the prescription's
    case_status: str | None  # None when the case is not on this PC
    chief_complaint: str  # the case's, "" when unknown


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    prescription_id: str
    case_id: str
    patient_id: str | None
    patient_name: str
    phone: str
    village: str
    follow_up: date
    issued_at: datetime
    prescriber_name: str


_COLUMNS = (
    "id",
    "case_id",
    "patient_id",
    "patient_name",
    "prescriber_name",
    "item_count",
    "canonical",
    "signature",
    "key_id",
    "certificate",
    "issued_at",
    "follow_up",
    "supersedes",
    "superseded_by",
    "verification",
    "verification_reason",
    "verified_at",
    "state",
    "acknowledged_by",
    "acknowledged_at",
    "received_at",
    "updated_at",
)
# Everything but the signed bytes: what a list needs.
_LIST_COLUMNS = tuple(c for c in _COLUMNS if c not in ("canonical", "signature", "certificate"))


def _to_row(p: StoredPrescription) -> dict[str, Any]:
    if p.issued_at is None or p.verified_at is None or p.received_at is None:
        raise ValueError("a stored prescription needs its issue, check and arrival times")
    return {
        "id": p.id,
        "case_id": p.case_id,
        "patient_id": p.patient_id,
        "patient_name": p.patient_name,
        "prescriber_name": p.prescriber_name,
        "item_count": p.item_count,
        "canonical": p.canonical,
        "signature": p.signature,
        "key_id": p.key_id,
        "certificate": p.certificate,
        "issued_at": codec.iso(p.issued_at),
        "follow_up": None if p.follow_up is None else p.follow_up.isoformat(),
        "supersedes": p.supersedes,
        "superseded_by": p.superseded_by,
        "verification": p.verification.value,
        "verification_reason": p.verification_reason,
        "verified_at": codec.iso(p.verified_at),
        "state": p.state.value,
        "acknowledged_by": p.acknowledged_by,
        "acknowledged_at": codec.iso_or_none(p.acknowledged_at),
        "received_at": codec.iso(p.received_at),
        "updated_at": codec.iso(p.updated_at or p.received_at),
    }


def _from_row(row: Any) -> StoredPrescription:
    keys = row.keys()
    return StoredPrescription(
        id=row["id"],
        case_id=row["case_id"],
        patient_id=row["patient_id"],
        patient_name=row["patient_name"],
        prescriber_name=row["prescriber_name"],
        item_count=row["item_count"],
        canonical=bytes(row["canonical"]) if "canonical" in keys else b"",
        signature=bytes(row["signature"]) if "signature" in keys else b"",
        key_id=row["key_id"],
        certificate=row["certificate"] if "certificate" in keys else "",
        issued_at=codec.parse_dt(row["issued_at"]),
        follow_up=None if row["follow_up"] is None else date.fromisoformat(row["follow_up"]),
        supersedes=row["supersedes"],
        superseded_by=row["superseded_by"],
        verification=Verification(row["verification"]),
        verification_reason=row["verification_reason"],
        verified_at=codec.parse_dt(row["verified_at"]),
        state=RxState(row["state"]),
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=codec.parse_dt_or_none(row["acknowledged_at"]),
        received_at=codec.parse_dt(row["received_at"]),
        updated_at=codec.parse_dt(row["updated_at"]),
    )


def insert(db: sqlite_utils.Database, p: StoredPrescription) -> bool:
    """Store ``p``; False (and nothing changed) when a prescription with its id is stored
    already: a prescription arrives once, and a replayed feed page must not rewrite it."""
    row = _to_row(p)
    cursor = db.execute(
        f"INSERT OR IGNORE INTO prescriptions ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
        [row[c] for c in _COLUMNS],
    )
    return cursor.rowcount == 1


def get(db: sqlite_utils.Database, rid: str) -> StoredPrescription | None:
    row = db.execute("SELECT * FROM prescriptions WHERE id = ?", [rid]).fetchone()
    return None if row is None else _from_row(row)


def exists(db: sqlite_utils.Database, rid: str) -> bool:
    return db.execute("SELECT 1 FROM prescriptions WHERE id = ?", [rid]).fetchone() is not None


def set_state(
    db: sqlite_utils.Database,
    rid: str,
    state: RxState,
    now: datetime,
    *,
    acknowledged_by: str | None = None,
) -> None:
    """Move the inbox state; with ``acknowledged_by``, record who acknowledged it and when."""
    if acknowledged_by is not None:
        cursor = db.execute(
            "UPDATE prescriptions SET state = ?, acknowledged_by = ?, acknowledged_at = ?, "
            "updated_at = ? WHERE id = ?",
            [state.value, acknowledged_by, codec.iso(now), codec.iso(now), rid],
        )
    else:
        cursor = db.execute(
            "UPDATE prescriptions SET state = ?, updated_at = ? WHERE id = ?",
            [state.value, codec.iso(now), rid],
        )
    if cursor.rowcount != 1:
        raise StoreError("store.not_found", "No such prescription.", {"id": rid})


def mark_superseded(db: sqlite_utils.Database, old_id: str, new_id: str, now: datetime) -> bool:
    """Link ``old_id`` to the correction ``new_id``. When two corrections name the same
    prescription, the later-issued one is the current one. True when the link changed."""
    row = db.execute(
        "SELECT o.superseded_by, cur.issued_at AS current_issued, n.issued_at AS new_issued "
        "FROM prescriptions o JOIN prescriptions n ON n.id = ? "
        "LEFT JOIN prescriptions cur ON cur.id = o.superseded_by WHERE o.id = ?",
        [new_id, old_id],
    ).fetchone()
    if row is None or row["superseded_by"] == new_id:
        return False
    current = row["current_issued"]
    if current is not None and codec.parse_dt(current) > codec.parse_dt(row["new_issued"]):
        return False
    db.execute(
        "UPDATE prescriptions SET superseded_by = ?, updated_at = ? WHERE id = ?",
        [new_id, codec.iso(now), old_id],
    )
    return True


def set_verification(
    db: sqlite_utils.Database, rid: str, verdict: Verification, reason: str, now: datetime
) -> None:
    """A new verdict on the same signed bytes (a revocation or the hub key learnt since)."""
    db.execute(
        "UPDATE prescriptions SET verification = ?, verification_reason = ?, verified_at = ?, "
        "updated_at = ? WHERE id = ?",
        [verdict.value, reason, codec.iso(now), codec.iso(now), rid],
    )


def unlink_superseded(db: sqlite_utils.Database, by_id: str, now: datetime) -> None:
    """Undo the ``superseded_by`` links to ``by_id``: it is no longer a valid correction."""
    db.execute(
        "UPDATE prescriptions SET superseded_by = NULL, updated_at = ? WHERE superseded_by = ?",
        [codec.iso(now), by_id],
    )


def ids_to_recheck(
    db: sqlite_utils.Database, *, key_id: str | None = None, reason: str | None = None
) -> list[str]:
    """Valid prescriptions signed with ``key_id`` (a revocation arrived), or unknown-signer
    ones stored with ``reason`` (the hub key arrived), oldest first."""
    if key_id is not None:
        where, params = "key_id = ? AND verification = 'valid'", [key_id]
    else:
        where, params = (
            "verification = 'unknown_signer' AND verification_reason = ?",
            [reason or ""],
        )
    rows = db.execute(
        f"SELECT id FROM prescriptions WHERE {where} ORDER BY issued_at, id", params
    ).fetchall()
    return [str(r[0]) for r in rows]


def valid_corrections_of(db: sqlite_utils.Database, rid: str) -> list[str]:
    """Ids of valid prescriptions that say they correct ``rid``, the latest-issued first."""
    rows = db.execute(
        "SELECT id FROM prescriptions WHERE supersedes = ? AND verification = 'valid' "
        "ORDER BY issued_at DESC, id DESC",
        [rid],
    ).fetchall()
    return [r[0] for r in rows]


def inbox(db: sqlite_utils.Database, states: Collection[RxState] | None = None) -> list[InboxRow]:
    """The inbox, newest first; ``states`` filters (None: every state)."""
    if states is None:
        return _inbox(db, "", [])
    wanted = sorted({RxState(s).value for s in states})
    if not wanted:
        return []
    return _inbox(db, f"WHERE p.state IN ({', '.join('?' for _ in wanted)})", wanted)


def inbox_entry(db: sqlite_utils.Database, rid: str) -> InboxRow | None:
    """One prescription as the inbox shows it."""
    rows = _inbox(db, "WHERE p.id = ?", [rid])
    return rows[0] if rows else None


def _inbox(db: sqlite_utils.Database, where: str, params: list[Any]) -> list[InboxRow]:
    columns = ", ".join(f"p.{c}" for c in _LIST_COLUMNS)
    rows = db.execute(
        f"SELECT {columns}, pa.name AS local_name, c.status AS case_status, "
        "c.chief_complaint AS case_complaint "
        "FROM prescriptions p LEFT JOIN cases c ON c.id = p.case_id "
        "LEFT JOIN patients pa ON pa.id = p.patient_id "
        f"{where} ORDER BY p.issued_at DESC, p.id DESC",
        params,
    ).fetchall()
    return [
        InboxRow(
            prescription=_from_row(r),
            patient_display=r["local_name"] or r["patient_name"],
            case_status=r["case_status"],
            chief_complaint=r["case_complaint"] or "",
        )
        for r in rows
    ]


def follow_ups(db: sqlite_utils.Database, due_before: date) -> list[FollowUpRow]:
    """Valid, current (not superseded) prescriptions whose follow-up date is before
    ``due_before``, soonest first: the patients due back."""
    rows = db.execute(
        "SELECT p.id, p.case_id, p.patient_id, p.patient_name, p.follow_up, p.issued_at, "
        "p.prescriber_name, pa.name AS local_name, pa.phone, pa.village "
        "FROM prescriptions p LEFT JOIN patients pa ON pa.id = p.patient_id "
        "WHERE p.follow_up IS NOT NULL AND p.superseded_by IS NULL "
        "AND p.verification = 'valid' AND p.follow_up < ? "
        "ORDER BY p.follow_up, p.issued_at, p.id",
        [due_before.isoformat()],
    ).fetchall()
    return [
        FollowUpRow(
            prescription_id=r["id"],
            case_id=r["case_id"],
            patient_id=r["patient_id"],
            patient_name=r["local_name"] or r["patient_name"],
            phone=r["phone"] or "",
            village=r["village"] or "",
            follow_up=date.fromisoformat(r["follow_up"]),
            issued_at=codec.parse_dt(r["issued_at"]),
            prescriber_name=r["prescriber_name"],
        )
        for r in rows
    ]
