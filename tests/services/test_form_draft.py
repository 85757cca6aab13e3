"""An unfinished registration form is kept per person and survives a restart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.domain.errors import PermissionDenied
from app.domain.models import Address, PatientDraft, Sex
from app.services.container import Services
from app.store import outbox
from app.store import settings as settings_repo
from tests.services.helpers import FAST_LOG_N, Staff

HALF_TYPED = PatientDraft(
    name="Ramesh",
    name_alt="रमेश",
    sex=Sex.MALE,
    birth_date=date(1981, 3, 9),
    phone="98765",
    address=Address(state="UTTAR PRADESH", district="SITAPUR", village="Kheri"),
    guardian_name="Suresh",
)


def test_form_survives_a_restart(services: Services, staff: Staff, data_dir: Path) -> None:
    services.patients.save_form_draft(staff.paramedic, HALF_TYPED)
    services.close()
    reopened = Services.open(data_dir, password_log_n=FAST_LOG_N)
    try:
        assert reopened.patients.form_draft(staff.paramedic) == HALF_TYPED
        assert reopened.store.read(outbox.counts)["pending"] == 0  # never sync traffic
    finally:
        reopened.close()


def test_each_person_has_their_own_form(services: Services, staff: Staff) -> None:
    services.patients.save_form_draft(staff.paramedic, HALF_TYPED)
    assert services.patients.form_draft(staff.generalist) is None


def test_saving_none_forgets_the_form(services: Services, staff: Staff) -> None:
    services.patients.save_form_draft(staff.paramedic, HALF_TYPED)
    services.patients.save_form_draft(staff.paramedic, None)
    assert services.patients.form_draft(staff.paramedic) is None


def test_an_unreadable_stored_form_is_ignored(services: Services, staff: Staff) -> None:
    key = f"form.registration.{staff.paramedic.id}"
    services.store.write(lambda db: settings_repo.put(db, key, '{"sex": "robot"}'))
    assert services.patients.form_draft(staff.paramedic) is None


def test_admin_has_no_registration_form(services: Services, staff: Staff) -> None:
    with pytest.raises(PermissionDenied):
        services.patients.save_form_draft(staff.admin, HALF_TYPED)
