"""Fixtures for service tests: a real Services on a tmp folder, a settable clock, and one
account per role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.models import Role
from app.services.container import Services
from tests.services.helpers import FAST_LOG_N, PASSWORD, FakeClock, Staff


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 2, 6, 30, tzinfo=UTC))


@pytest.fixture
def services(data_dir: Path, clock: FakeClock) -> Iterator[Services]:
    s = Services.open(data_dir, clock=clock, password_log_n=FAST_LOG_N)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def staff(services: Services) -> Staff:
    admin = services.auth.create_first_admin("admin", "Field IT", PASSWORD)
    return Staff(
        admin=admin,
        paramedic=services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD),
        generalist=services.auth.create_user(admin, "dr.rao", "Dr Rao", Role.GENERALIST, PASSWORD),
    )
