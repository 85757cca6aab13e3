"""Entities and value types of the spoke. Pure data: no Qt, no SQL, no I/O.

Times are timezone-aware UTC ``datetime`` values. Ids are UUIDv7 strings (see ``ids``).
Records are frozen dataclasses; a change is a new value made with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from app.domain.ids import AttachmentId, CaseId, ObservationId, PatientId, UserId


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class Role(StrEnum):
    PARAMEDIC = "paramedic"
    GENERALIST = "generalist"
    ADMIN = "admin"


class ConsentMethod(StrEnum):
    VERBAL = "verbal"
    WRITTEN = "written"
    THUMBPRINT = "thumbprint"


class Priority(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class CaseStatus(StrEnum):
    """Where a case is in its life. Transitions are checked by ``case_rules``."""

    DRAFT = "draft"
    QUEUED = "queued"  # waiting for the network
    SENT = "sent"  # pushed, hub answered "applied"
    AT_HUB = "at_hub"  # a specialist has it
    PRESCRIBED = "prescribed"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    NEEDS_ATTENTION = "needs_attention"  # the hub rejected it; a person must look


class ObservationSource(StrEnum):
    MANUAL = "manual"
    DEVICE = "device"


class ObservationStatus(StrEnum):
    FINAL = "final"
    ENTERED_IN_ERROR = "entered-in-error"  # observations are append-only: errors are marked


@dataclass(frozen=True, slots=True)
class Address:
    state: str = ""
    district: str = ""
    sub_district: str = ""
    village: str = ""
    line: str = ""  # house, street, landmark
    pincode: str = ""


@dataclass(frozen=True, slots=True)
class Patient:
    id: PatientId
    name: str  # as the patient gives it, NFC, in whichever script was typed
    name_alt: str  # the same name in the other script (Latin <-> Devanagari), may be ""
    sex: Sex
    birth_date: date | None  # exact, or estimated from "about 45" (see birth_date_estimated)
    birth_date_estimated: bool
    phone: str  # 10 digits, ASCII, "" when unknown
    abha_number: str  # 14 digits without hyphens, "" when none
    abha_address: str  # lower case, "" when none
    address: Address
    created_at: datetime
    updated_at: datetime
    version: int = 1  # bumped on every change; sync sends the base version with a patch
    guardian_name: str = ""  # father / husband / mother: how rural registers tell people apart


@dataclass(frozen=True, slots=True)
class Consent:
    given_by: str  # the patient, or who consented on their behalf
    relationship: str  # "self", "mother", ...
    method: ConsentMethod
    witness: str  # the staff member who witnessed it
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Case:
    id: CaseId
    patient_id: PatientId
    created_by: UserId
    created_at: datetime
    updated_at: datetime
    status: CaseStatus = CaseStatus.DRAFT
    consent: Consent | None = None
    chief_complaint: str = ""
    history: str = ""
    examination: str = ""
    specialty: str = ""  # requested hub specialty key, see ``specialties``
    priority: Priority = Priority.ROUTINE
    queued_at: datetime | None = None
    on_oxygen: bool = False  # NEWS2 needs it; most spokes have no oxygen
    consciousness: str = "alert"  # ACVPU: alert, confusion, voice, pain, unresponsive


@dataclass(frozen=True, slots=True)
class Observation:
    """One measured value, stored in the unit it was entered or read in.

    ``value``/``unit`` are what the person typed or the device sent (UCUM); the canonical copy
    (``vitals.canonical``) is derived, never stored separately, so the two can never disagree.
    """

    id: ObservationId
    case_id: CaseId
    code: str  # LOINC
    value: float
    unit: str  # UCUM
    taken_at: datetime  # PC time when taken (device time kept in device_time)
    recorded_by: UserId
    source: ObservationSource = ObservationSource.MANUAL
    device_id: str = ""  # which device, when source is DEVICE
    device_time: datetime | None = None
    raw: bytes = b""  # device frame, kept for re-parsing
    parser_version: str = ""
    status: ObservationStatus = ObservationStatus.FINAL
    confirmed_abnormal: bool = False  # the person ticked "value is correct" for a red flag


@dataclass(frozen=True, slots=True)
class Attachment:
    id: AttachmentId
    case_id: CaseId
    sha256: str  # content address of the stored (downscaled) bytes
    media_type: str  # "image/jpeg", "application/pdf", ...
    filename: str  # the original file name, for display
    size: int  # stored bytes
    created_at: datetime
    width: int = 0  # images only
    height: int = 0
    caption: str = ""


@dataclass(frozen=True, slots=True)
class User:
    id: UserId
    username: str  # lower case, ASCII
    display_name: str
    role: Role
    password_hash: str  # see app.security.passwords; never the password
    active: bool = True
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PatientDraft:
    """What a registration form holds before it becomes a Patient (all text, unvalidated)."""

    name: str = ""
    name_alt: str = ""
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    age_years: int | None = None  # "about 45" when the date is unknown
    phone: str = ""
    abha_number: str = ""
    abha_address: str = ""
    address: Address = field(default_factory=Address)
    guardian_name: str = ""
