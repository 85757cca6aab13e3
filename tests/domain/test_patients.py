"""Patient registration rules: validate_draft, build_patient, ages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from app.domain.errors import ValidationFailed
from app.domain.ids import PatientId
from app.domain.models import Address, PatientDraft, Sex
from app.domain.patients import (
    age_label,
    age_years,
    build_patient,
    normalise_phone,
    validate_draft,
)

TODAY = date(2025, 3, 15)
NOW = datetime(2025, 3, 15, 9, 30, tzinfo=UTC)

GOOD = PatientDraft(
    name="  Ramesh   Kumar ",
    name_alt="रमेश कुमार",
    sex=Sex.MALE,
    age_years=45,
    phone="+91 98765 43210",
    abha_number="91-3670-8272-5162",
    abha_address=" Ramesh.K@ABDM ",
    address=Address(state="Haryana", district="Jind", village=" Kheri ", pincode="१२६१०२"),
    guardian_name=" Suresh  Kumar",
)


def issue_codes(exc: ValidationFailed) -> set[str]:
    return {i.code for i in exc.issues}


def test_valid_draft_is_cleaned() -> None:
    clean = validate_draft(GOOD, TODAY)
    assert clean.name == "Ramesh Kumar"
    assert clean.name_alt == "रमेश कुमार"
    assert clean.guardian_name == "Suresh Kumar"
    assert clean.phone == "9876543210"
    assert clean.abha_number == "91367082725162"
    assert clean.abha_address == "ramesh.k@abdm"
    assert clean.address.village == "Kheri"
    assert clean.address.pincode == "126102"
    assert clean.birth_date == date(1980, 3, 15)
    assert clean.age_years == 45


def test_names_are_stored_nfc() -> None:
    decomposed = "\u092e\u0941\u0928\u093c\u093e"  # मु + न + nukta + ा
    clean = validate_draft(replace(GOOD, name=decomposed), TODAY)
    assert clean.name == "\u092e\u0941\u0929\u093e"


def test_every_problem_is_reported_at_once() -> None:
    draft = PatientDraft(
        name="  ",
        phone="12345",
        abha_number="91-3670-8272-5163",
        abha_address="bad",
    )
    with pytest.raises(ValidationFailed) as info:
        validate_draft(draft, TODAY)
    assert issue_codes(info.value) == {
        "patient.name_required",
        "patient.sex_required",
        "patient.age_required",
        "patient.phone_invalid",
        "abha.checksum",
        "abha_address.invalid",
        "patient.village_required",
    }
    assert info.value.params["count"] == 7
    assert [i.code for i in info.value.for_field("phone")] == ["patient.phone_invalid"]
    assert [i.code for i in info.value.for_field("abha_number")] == ["abha.checksum"]


def test_exact_birth_date_wins_over_age() -> None:
    clean = validate_draft(replace(GOOD, birth_date=date(1990, 6, 1), age_years=45), TODAY)
    assert clean.birth_date == date(1990, 6, 1)
    assert clean.age_years is None
    patient = build_patient(clean, PatientId("p1"), NOW)
    assert not patient.birth_date_estimated


def test_birth_date_in_the_future() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_draft(replace(GOOD, birth_date=date(2025, 3, 16)), TODAY)
    assert issue_codes(info.value) == {"patient.birth_date_future"}
    assert info.value.issues[0].field == "birth_date"


@pytest.mark.parametrize("age", [-1, 121])
def test_age_out_of_range(age: int) -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_draft(replace(GOOD, age_years=age), TODAY)
    assert issue_codes(info.value) == {"patient.age_range"}
    assert info.value.issues[0].params["value"] == age


@pytest.mark.parametrize("age", [0, 120])
def test_age_bounds_are_allowed(age: int) -> None:
    assert validate_draft(replace(GOOD, age_years=age), TODAY).age_years == age


def test_birth_date_too_old() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_draft(replace(GOOD, birth_date=date(1900, 1, 1), age_years=None), TODAY)
    assert issue_codes(info.value) == {"patient.age_range"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9876543210", "9876543210"),
        ("+91 98765 43210", "9876543210"),
        ("+91-98765-43210", "9876543210"),
        ("919876543210", "9876543210"),
        ("09876543210", "9876543210"),
        ("(987) 654-3210", "9876543210"),
        ("९८७६५४३२१०", "9876543210"),
        ("", ""),
    ],
)
def test_phone_forms(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored
    assert validate_draft(replace(GOOD, phone=typed), TODAY).phone == stored


@pytest.mark.parametrize("typed", ["5876543210", "987654321", "98765432101", "98765abcde"])
def test_bad_phones(typed: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_draft(replace(GOOD, phone=typed), TODAY)
    assert issue_codes(info.value) == {"patient.phone_invalid"}


def test_abha_is_optional() -> None:
    clean = validate_draft(replace(GOOD, abha_number="", abha_address=""), TODAY)
    assert clean.abha_number == ""
    assert clean.abha_address == ""


def test_build_patient_from_age_is_estimated() -> None:
    patient = build_patient(validate_draft(GOOD, TODAY), PatientId("p1"), NOW)
    assert patient.id == "p1"
    assert patient.birth_date == date(1980, 3, 15)
    assert patient.birth_date_estimated
    assert patient.created_at == patient.updated_at == NOW
    assert patient.version == 1
    assert patient.guardian_name == "Suresh Kumar"
    assert patient.address.village == "Kheri"


def test_age_on_29_february() -> None:
    leap_today = date(2024, 2, 29)
    clean = validate_draft(replace(GOOD, age_years=3), leap_today)
    assert clean.birth_date == date(2021, 2, 28)


@pytest.mark.parametrize(
    ("born", "today", "years"),
    [
        (date(1980, 3, 15), date(2025, 3, 15), 45),
        (date(1980, 3, 16), date(2025, 3, 15), 44),
        (date(2000, 2, 29), date(2025, 2, 28), 24),
        (date(2000, 2, 29), date(2025, 3, 1), 25),
        (date(2025, 3, 15), date(2025, 3, 15), 0),
    ],
)
def test_age_years(born: date, today: date, years: int) -> None:
    assert age_years(born, today) == years


@pytest.mark.parametrize(
    ("born", "estimated", "label"),
    [
        (date(1980, 3, 15), False, "45 y"),
        (date(1980, 3, 15), True, "~45 y"),
        (date(2023, 3, 15), False, "2 y"),
        (date(2023, 3, 16), False, "23 m"),
        (date(2024, 8, 1), False, "7 m"),
        (date(2025, 3, 1), False, "14 d"),
        (date(2025, 3, 15), False, "0 d"),
    ],
)
def test_age_label(born: date, estimated: bool, label: str) -> None:
    patient = build_patient(validate_draft(GOOD, TODAY), PatientId("p1"), NOW)
    patient = replace(patient, birth_date=born, birth_date_estimated=estimated)
    assert age_label(patient, TODAY) == label


def test_age_label_without_birth_date() -> None:
    patient = build_patient(validate_draft(GOOD, TODAY), PatientId("p1"), NOW)
    assert age_label(replace(patient, birth_date=None), TODAY) == ""
