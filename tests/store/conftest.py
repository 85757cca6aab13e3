"""Shared set-up for store tests: a real SQLite file per test and record factories."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.domain.ids import CaseId, ObservationId, PatientId, UserId, new_id
from app.domain.models import Address, Case, Observation, Patient, Role, Sex, User
from app.store import users
from app.store.db import Store

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
USER_ID = UserId("01900000-0000-7000-8000-000000000001")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "spoke.sqlite3")
    s.write(
        lambda db: users.insert(
            db,
            User(USER_ID, "asha", "Asha Verma", Role.PARAMEDIC, "scrypt$x", created_at=T0),
        )
    )
    try:
        yield s
    finally:
        s.close()


def make_patient(name: str = "Ramesh Kumar", **kw: Any) -> Patient:
    address = Address(
        state="Haryana",
        district="Jhajjar",
        village=kw.pop("village", "Kheri"),
        line=kw.pop("line", ""),
    )
    base = Patient(
        id=PatientId(new_id()),
        name=name,
        name_alt="",
        sex=Sex.MALE,
        birth_date=date(1980, 3, 15),
        birth_date_estimated=False,
        phone="",
        abha_number="",
        abha_address="",
        address=address,
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **kw)


def make_case(patient_id: PatientId, minutes: int = 0, **kw: Any) -> Case:
    at = T0 + timedelta(minutes=minutes)
    base = Case(
        id=CaseId(new_id()),
        patient_id=patient_id,
        created_by=USER_ID,
        created_at=at,
        updated_at=at,
    )
    return replace(base, **kw)


def make_observation(
    case_id: CaseId, code: str, value: float, unit: str, minutes: int = 0, **kw: Any
) -> Observation:
    base = Observation(
        id=ObservationId(new_id()),
        case_id=case_id,
        code=code,
        value=value,
        unit=unit,
        taken_at=T0 + timedelta(minutes=minutes),
        recorded_by=USER_ID,
    )
    return replace(base, **kw)
