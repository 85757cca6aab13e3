"""Records to and from database rows, and to JSON-able dicts for outbox payloads.

Times are stored and sent as ISO-8601 UTC text with microseconds (``2026-11-25T09:30:00.000000
+00:00``: fixed width, so text order is time order); dates as ``YYYY-MM-DD``; bytes in JSON as
base64. Naive datetimes are refused rather than guessed at. Pure functions: any thread.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from app.domain.ids import AttachmentId, CaseId, ObservationId, PatientId, UserId
from app.domain.models import (
    Address,
    Attachment,
    Case,
    CaseStatus,
    Consent,
    ConsentMethod,
    Observation,
    ObservationSource,
    ObservationStatus,
    Patient,
    Priority,
    Role,
    Sex,
    User,
)
from app.store.search import fold

Row = Mapping[str, Any] | sqlite3.Row

# -- scalars ---------------------------------------------------------------------------------


def iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: record times must be timezone-aware UTC")
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def iso_or_none(dt: datetime | None) -> str | None:
    return None if dt is None else iso(dt)


def parse_dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def parse_dt_or_none(text: str | None) -> datetime | None:
    return None if not text else parse_dt(text)


def _date_or_none(text: str | None) -> date | None:
    return None if not text else date.fromisoformat(text)


def jsonable(value: Any) -> Any:
    """``value`` with datetimes, dates, enums, bytes and dataclass-dicts made JSON-safe."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    converted = jsonable(value)
    if converted is value:
        raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
    return converted


def to_json(payload: Mapping[str, Any]) -> str:
    """Compact JSON; datetimes, dates, bytes and sets converted as ``jsonable`` does."""
    return json.dumps(
        payload,
        default=_json_default,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def from_json(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("outbox payload is not a JSON object")
    return value


# -- patients --------------------------------------------------------------------------------

PATIENT_COLUMNS = (
    "id",
    "name",
    "name_alt",
    "guardian_name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "phone",
    "abha_number",
    "abha_address",
    "state",
    "district",
    "sub_district",
    "village",
    "address_line",
    "pincode",
    "name_fold",
    "name_alt_fold",
    "guardian_name_fold",
    "village_fold",
    "created_at",
    "updated_at",
    "version",
)


def patient_to_row(p: Patient) -> dict[str, Any]:
    """Columns of ``patients`` except ``rid`` (assigned by the repository)."""
    a = p.address
    return {
        "id": p.id,
        "name": p.name,
        "name_alt": p.name_alt,
        "guardian_name": p.guardian_name,
        "sex": p.sex.value,
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "birth_date_estimated": int(p.birth_date_estimated),
        "phone": p.phone,
        "abha_number": p.abha_number,
        "abha_address": p.abha_address,
        "state": a.state,
        "district": a.district,
        "sub_district": a.sub_district,
        "village": a.village,
        "address_line": a.line,
        "pincode": a.pincode,
        "name_fold": fold(p.name),
        "name_alt_fold": fold(p.name_alt),
        "guardian_name_fold": fold(p.guardian_name),
        "village_fold": fold(a.village),
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
        "version": p.version,
    }


def patient_from_row(row: Row) -> Patient:
    return Patient(
        id=PatientId(row["id"]),
        name=row["name"],
        name_alt=row["name_alt"],
        sex=Sex(row["sex"]),
        birth_date=_date_or_none(row["birth_date"]),
        birth_date_estimated=bool(row["birth_date_estimated"]),
        phone=row["phone"],
        abha_number=row["abha_number"],
        abha_address=row["abha_address"],
        address=Address(
            state=row["state"],
            district=row["district"],
            sub_district=row["sub_district"],
            village=row["village"],
            line=row["address_line"],
            pincode=row["pincode"],
        ),
        created_at=parse_dt(row["created_at"]),
        updated_at=parse_dt(row["updated_at"]),
        version=row["version"],
        guardian_name=row["guardian_name"],
    )


def patient_to_dict(p: Patient) -> dict[str, Any]:
    """The patient as sent to the hub (``address`` nested, times ISO-8601 UTC).

    Built by hand rather than with ``dataclasses.asdict``, which deep-copies and is the
    largest cost of a bulk load.
    """
    a = p.address
    return {
        "id": p.id,
        "name": p.name,
        "name_alt": p.name_alt,
        "sex": p.sex.value,
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "birth_date_estimated": p.birth_date_estimated,
        "phone": p.phone,
        "abha_number": p.abha_number,
        "abha_address": p.abha_address,
        "address": {
            "state": a.state,
            "district": a.district,
            "sub_district": a.sub_district,
            "village": a.village,
            "line": a.line,
            "pincode": a.pincode,
        },
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
        "version": p.version,
        "guardian_name": p.guardian_name,
    }


# -- cases -----------------------------------------------------------------------------------


def case_to_row(c: Case) -> dict[str, Any]:
    consent = c.consent
    return {
        "id": c.id,
        "patient_id": c.patient_id,
        "created_by": c.created_by,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "status": c.status.value,
        "chief_complaint": c.chief_complaint,
        "history": c.history,
        "examination": c.examination,
        "specialty": c.specialty,
        "priority": c.priority.value,
        "queued_at": iso_or_none(c.queued_at),
        "on_oxygen": int(c.on_oxygen),
        "consciousness": c.consciousness,
        "consent_given_by": consent.given_by if consent else None,
        "consent_relationship": consent.relationship if consent else None,
        "consent_method": consent.method.value if consent else None,
        "consent_witness": consent.witness if consent else None,
        "consent_recorded_at": iso(consent.recorded_at) if consent else None,
    }


def case_from_row(row: Row) -> Case:
    consent = None
    if row["consent_method"] is not None:
        consent = Consent(
            given_by=row["consent_given_by"],
            relationship=row["consent_relationship"],
            method=ConsentMethod(row["consent_method"]),
            witness=row["consent_witness"],
            recorded_at=parse_dt(row["consent_recorded_at"]),
        )
    return Case(
        id=CaseId(row["id"]),
        patient_id=PatientId(row["patient_id"]),
        created_by=UserId(row["created_by"]),
        created_at=parse_dt(row["created_at"]),
        updated_at=parse_dt(row["updated_at"]),
        status=CaseStatus(row["status"]),
        consent=consent,
        chief_complaint=row["chief_complaint"],
        history=row["history"],
        examination=row["examination"],
        specialty=row["specialty"],
        priority=Priority(row["priority"]),
        queued_at=parse_dt_or_none(row["queued_at"]),
        on_oxygen=bool(row["on_oxygen"]),
        consciousness=row["consciousness"],
    )


def case_to_dict(c: Case) -> dict[str, Any]:
    d: dict[str, Any] = jsonable(asdict(c))
    return d


# -- observations ----------------------------------------------------------------------------


def observation_to_row(o: Observation) -> dict[str, Any]:
    return {
        "id": o.id,
        "case_id": o.case_id,
        "code": o.code,
        "value": float(o.value),
        "unit": o.unit,
        "taken_at": iso(o.taken_at),
        "recorded_by": o.recorded_by,
        "source": o.source.value,
        "device_id": o.device_id,
        "device_time": iso_or_none(o.device_time),
        "raw": bytes(o.raw),
        "parser_version": o.parser_version,
        "status": o.status.value,
        "confirmed_abnormal": int(o.confirmed_abnormal),
    }


def observation_from_row(row: Row) -> Observation:
    return Observation(
        id=ObservationId(row["id"]),
        case_id=CaseId(row["case_id"]),
        code=row["code"],
        value=float(row["value"]),
        unit=row["unit"],
        taken_at=parse_dt(row["taken_at"]),
        recorded_by=UserId(row["recorded_by"]),
        source=ObservationSource(row["source"]),
        device_id=row["device_id"],
        device_time=parse_dt_or_none(row["device_time"]),
        raw=bytes(row["raw"] or b""),
        parser_version=row["parser_version"],
        status=ObservationStatus(row["status"]),
        confirmed_abnormal=bool(row["confirmed_abnormal"]),
    )


def observation_to_dict(o: Observation) -> dict[str, Any]:
    """The observation as sent (``raw`` base64)."""
    d: dict[str, Any] = jsonable(asdict(o))
    return d


# -- attachments -----------------------------------------------------------------------------


def attachment_to_row(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "case_id": a.case_id,
        "sha256": a.sha256,
        "media_type": a.media_type,
        "filename": a.filename,
        "size": a.size,
        "created_at": iso(a.created_at),
        "width": a.width,
        "height": a.height,
        "caption": a.caption,
    }


def attachment_from_row(row: Row) -> Attachment:
    return Attachment(
        id=AttachmentId(row["id"]),
        case_id=CaseId(row["case_id"]),
        sha256=row["sha256"],
        media_type=row["media_type"],
        filename=row["filename"],
        size=row["size"],
        created_at=parse_dt(row["created_at"]),
        width=row["width"],
        height=row["height"],
        caption=row["caption"],
    )


def attachment_to_dict(a: Attachment) -> dict[str, Any]:
    d: dict[str, Any] = jsonable(asdict(a))
    return d


# -- users (never synced; no dict form, so a password hash cannot leak into a payload) ------


def user_to_row(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role.value,
        "password_hash": u.password_hash,
        "active": int(u.active),
        "created_at": iso_or_none(u.created_at),
    }


def user_from_row(row: Row) -> User:
    return User(
        id=UserId(row["id"]),
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        password_hash=row["password_hash"],
        active=bool(row["active"]),
        created_at=parse_dt_or_none(row["created_at"]),
    )
