"""Registration, duplicate check, search and edits through the real store."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.errors import ValidationFailed
from app.domain.models import Address, PatientDraft, Sex
from app.services.container import Services
from app.services.patients import DuplicateSuspectedError
from app.store import outbox
from app.store import patients as patients_repo
from tests.services.helpers import Staff, draft


def _count(services: Services) -> int:
    return services.store.read(patients_repo.count)


def test_register_stores_patient_and_outbox_row(services: Services, staff: Staff) -> None:
    patient = services.patients.register(staff.paramedic, draft("  Ramesh   Kumaar "))
    assert patient.name == "Ramesh Kumaar"
    assert patient.birth_date_estimated
    assert services.patients.get(staff.paramedic, patient.id) == patient
    ops = services.store.read(lambda db: outbox.for_entity(db, patient.id))
    assert [op.op for op in ops] == ["patient.create"]
    assert services.pending_sync_count() == 1


def test_all_field_issues_reported_at_once_and_nothing_kept(
    services: Services, staff: Staff
) -> None:
    bad = PatientDraft(name="", sex=Sex.UNKNOWN, phone="12345", address=Address())
    with pytest.raises(ValidationFailed) as info:
        services.patients.register(staff.paramedic, bad)
    fields = {i.field for i in info.value.issues}
    assert {"name", "sex", "phone"} <= fields
    assert len(info.value.issues) >= 3
    assert _count(services) == 0
    assert services.pending_sync_count() == 0


def test_invalid_abha_keeps_no_record(services: Services, staff: Staff) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.patients.register(staff.paramedic, draft(abha="12-3456-7890-1235"))
    codes = [i.code for i in info.value.for_field("abha_number")]
    assert codes and codes[0].startswith("abha.")
    assert _count(services) == 0
    assert services.pending_sync_count() == 0


def test_suspected_duplicate_is_refused_until_confirmed(services: Services, staff: Staff) -> None:
    existing = services.patients.register(staff.paramedic, draft("Ramesh Kumaar", age=44))
    again = draft("Ramesh Kumar", age=45)

    with pytest.raises(DuplicateSuspectedError) as info:
        services.patients.register(staff.paramedic, again)
    assert info.value.code == "patient.duplicate_suspected"
    assert info.value.params["matches"] == len(info.value.matches) >= 1
    assert info.value.matches[0].patient.id == existing.id
    assert _count(services) == 1

    second = services.patients.register(staff.paramedic, again, allow_duplicate=True)
    assert second.id != existing.id
    assert _count(services) == 2


def test_find_duplicates_while_typing_does_not_raise(services: Services, staff: Staff) -> None:
    existing = services.patients.register(staff.paramedic, draft("Ramesh Kumaar", age=44))
    partial = PatientDraft(name="Ramesh Kumar", address=Address(village="Kheri"), age_years=45)
    matches = services.patients.find_duplicates(staff.paramedic, partial)
    assert all(m.patient.id == existing.id for m in matches)
    # An empty form finds nothing and still does not raise.
    assert services.patients.find_duplicates(staff.paramedic, PatientDraft()) == []


def test_a_different_person_is_not_a_duplicate(services: Services, staff: Staff) -> None:
    services.patients.register(staff.paramedic, draft("Ramesh Kumaar", age=44))
    sita = services.patients.register(staff.paramedic, draft("Sita Devi", age=30, sex=Sex.FEMALE))
    assert sita.name == "Sita Devi"
    assert _count(services) == 2


def test_search_finds_registered_patient(services: Services, staff: Staff) -> None:
    ramesh = services.patients.register(staff.paramedic, draft("Ramesh Kumaar"))
    found = services.patients.search(staff.paramedic, "rames")
    assert [p.id for p in found] == [ramesh.id]
    assert services.patients.search(staff.paramedic, "zzz") == []


def test_update_bumps_version_and_sends_changed_fields(services: Services, staff: Staff) -> None:
    patient = services.patients.register(staff.paramedic, draft("Ramesh Kumaar"))
    edited = replace(draft("Ramesh Kumaar"), phone="9876543210")
    updated = services.patients.update(staff.paramedic, patient.id, edited)
    assert updated.version == patient.version + 1
    assert updated.phone == "9876543210"
    assert updated.created_at == patient.created_at
    assert services.patients.get(staff.paramedic, patient.id) == updated
    ops = services.store.read(lambda db: outbox.for_entity(db, patient.id))
    assert [op.op for op in ops] == ["patient.create", "patient.update"]

    # Saving the same form again changes nothing and sends nothing.
    same = services.patients.update(staff.paramedic, patient.id, edited)
    assert same.version == updated.version
    assert len(services.store.read(lambda db: outbox.for_entity(db, patient.id))) == 2
