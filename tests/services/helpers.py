"""Helpers shared by the service tests (imported by conftest and the test modules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.models import Address, PatientDraft, Sex, User

FAST_LOG_N = 4  # scrypt cost for tests, passed as a parameter; defaults stay strong
PASSWORD = "correct-horse"


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Staff:
    admin: User
    paramedic: User
    generalist: User


def draft(
    name: str = "Ramesh Kumaar",
    *,
    age: int | None = 44,
    sex: Sex = Sex.MALE,
    village: str = "Kheri",
    phone: str = "",
    abha: str = "",
    name_alt: str = "",
) -> PatientDraft:
    return PatientDraft(
        name=name,
        name_alt=name_alt,
        sex=sex,
        age_years=age,
        phone=phone,
        abha_number=abha,
        address=Address(state="UTTAR PRADESH", district="KHERI", village=village),
    )
