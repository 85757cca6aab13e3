"""Patient registration rules: validate what a form holds and build the Patient record.

``validate_draft`` reports every problem at once (``ValidationFailed``), each tied to its form
field, so the person fixes them in one go and keeps everything else they typed. An exact date
of birth wins over an age; an age alone gives an estimated birth date (``birth_date_estimated``).

Contract: pure functions of their arguments (``today``/``now`` are passed in), thread-safe.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from app.domain.abha import normalise_abha_address, normalise_abha_number
from app.domain.errors import DomainError, ValidationFailed
from app.domain.ids import PatientId
from app.domain.models import Address, Patient, PatientDraft, Sex
from app.domain.text import ascii_digits, clean

MAX_AGE = 120
_PHONE_NOISE = re.compile(r"[\s\-().]")
# Indian mobile numbers: 10 digits starting 6-9 (TRAI numbering plan).
_MOBILE = re.compile(r"^[6-9]\d{9}$")


def normalise_phone(s: str) -> str:
    """10 ASCII digits from what was typed ("+91 98xxx xxxxx", "098...", Devanagari digits)."""
    digits = _PHONE_NOISE.sub("", ascii_digits(s))
    if digits.startswith("+91"):
        digits = digits[3:]
    elif digits.startswith("91") and len(digits) == 12:
        digits = digits[2:]
    elif digits.startswith("0") and len(digits) == 11:
        digits = digits[1:]
    return digits


def age_years(birth_date: date, today: date) -> int:
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birth_date_for_age(age: int, today: date) -> date:
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - age, day=28)


def age_label(patient: Patient, today: date) -> str:
    """Short English age ("45 y", "7 m", "12 d"); "~" marks an estimate. The UI formats its own."""
    if patient.birth_date is None:
        return ""
    prefix = "~" if patient.birth_date_estimated else ""
    years = age_years(patient.birth_date, today)
    if years >= 2:
        return f"{prefix}{years} y"
    months = (today.year - patient.birth_date.year) * 12 + today.month - patient.birth_date.month
    if today.day < patient.birth_date.day:
        months -= 1
    if months >= 1:
        return f"{prefix}{months} m"
    return f"{prefix}{max(0, (today - patient.birth_date).days)} d"


def _clean_address(a: Address) -> Address:
    return Address(
        state=clean(a.state),
        district=clean(a.district),
        sub_district=clean(a.sub_district),
        village=clean(a.village),
        line=clean(a.line),
        pincode=ascii_digits(a.pincode).strip(),
    )


def validate_draft(draft: PatientDraft, today: date) -> PatientDraft:
    """A cleaned draft (birth date filled from an estimated age) or ``ValidationFailed``."""
    issues: list[DomainError] = []
    name = clean(draft.name)
    if not name:
        issues.append(
            DomainError("patient.name_required", "Enter the patient's name.", field="name")
        )
    if draft.sex is Sex.UNKNOWN:
        issues.append(DomainError("patient.sex_required", "Choose the sex.", field="sex"))

    birth_date, age = draft.birth_date, draft.age_years
    if birth_date is not None:
        age = None  # an exact date wins over an estimate
        if birth_date > today:
            issues.append(
                DomainError(
                    "patient.birth_date_future",
                    "The date of birth is in the future.",
                    {"value": birth_date.isoformat()},
                    field="birth_date",
                )
            )
        elif age_years(birth_date, today) > MAX_AGE:
            issues.append(
                DomainError(
                    "patient.age_range",
                    f"Age must be between 0 and {MAX_AGE} years.",
                    {"value": age_years(birth_date, today), "max": MAX_AGE},
                    field="birth_date",
                )
            )
    elif age is not None:
        if not 0 <= age <= MAX_AGE:
            issues.append(
                DomainError(
                    "patient.age_range",
                    f"Age must be between 0 and {MAX_AGE} years.",
                    {"value": age, "max": MAX_AGE},
                    field="age_years",
                )
            )
        else:
            birth_date = birth_date_for_age(age, today)
    else:
        issues.append(
            DomainError(
                "patient.age_required",
                "Enter the date of birth or the age in years.",
                field="age_years",
            )
        )

    phone = normalise_phone(draft.phone)
    if phone and not _MOBILE.match(phone):
        issues.append(
            DomainError(
                "patient.phone_invalid",
                "A mobile number has 10 digits and starts with 6, 7, 8 or 9.",
                {"value": draft.phone},
                field="phone",
            )
        )

    abha_number, abha_address = "", ""
    try:
        abha_number = normalise_abha_number(draft.abha_number)
    except DomainError as e:
        issues.append(e)
    try:
        abha_address = normalise_abha_address(draft.abha_address)
    except DomainError as e:
        issues.append(e)

    address = _clean_address(draft.address)
    if not address.village:
        issues.append(
            DomainError("patient.village_required", "Enter the village.", field="village")
        )

    if issues:
        raise ValidationFailed(issues)
    return replace(
        draft,
        name=name,
        name_alt=clean(draft.name_alt),
        guardian_name=clean(draft.guardian_name),
        birth_date=birth_date,
        age_years=age,
        phone=phone,
        abha_number=abha_number,
        abha_address=abha_address,
        address=address,
    )


def build_patient(draft: PatientDraft, patient_id: PatientId, now: datetime) -> Patient:
    """A new Patient from a draft that ``validate_draft`` returned."""
    return Patient(
        id=patient_id,
        name=draft.name,
        name_alt=draft.name_alt,
        sex=draft.sex,
        birth_date=draft.birth_date,
        birth_date_estimated=draft.age_years is not None,
        phone=draft.phone,
        abha_number=draft.abha_number,
        abha_address=draft.abha_address,
        address=draft.address,
        created_at=now,
        updated_at=now,
        version=1,
        guardian_name=draft.guardian_name,
    )
