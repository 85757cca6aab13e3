"""The audit trail as the services write it (docs/SECURITY.md "The audit trail"): each
audited use case leaves one entry with who, what and which record, in the same transaction
as its change; a call that fails leaves none; no entry holds patient data; views are
recorded once per person and record in ``VIEW_REPEAT``; the chain verifies after a day's
work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.devices.driver import DeviceKind, DeviceReading
from app.devices.measurement import Measurement, Reading
from app.domain.errors import DomainError, PermissionDenied
from app.domain.models import Case, Patient, User
from app.domain.prescriptions import Prescription
from app.domain.vitals import PULSE, SPO2, TEMPERATURE
from app.services.container import Services
from app.services.patients import VIEW_REPEAT
from app.services.prescriptions import ItemDispense
from app.store import audit
from app.store.audit import AuditEntry
from tests.prescription_helpers import Signer, feed_entry, make_rx, pin_hub_key, sent_case, signer
from tests.services.helpers import PASSWORD, FakeClock, Staff, draft
from tests.services.test_prescription_arrival import arrive

NAME, PHONE, ABHA = "Ramesh Kumaar", "9876543210", "22-7225-4829-5255"


def entries(services: Services, limit: int = 200) -> list[AuditEntry]:
    """Newest first."""
    return services.store.read(lambda db: audit.recent(db, limit))


def last(services: Services) -> AuditEntry:
    return entries(services, 1)[0]


def seq(services: Services) -> int:
    found = entries(services, 1)
    return found[0].seq if found else 0


def check(e: AuditEntry, action: str, actor: User, entity: str, entity_id: str) -> None:
    assert (e.action, e.actor_id, e.actor_role, e.entity, e.entity_id) == (
        action,
        actor.id,
        actor.role.value,
        entity,
        entity_id,
    )


@pytest.fixture
def patient(services: Services, staff: Staff) -> Patient:
    return services.patients.register(staff.paramedic, draft(NAME, phone=PHONE, abha=ABHA))


@pytest.fixture
def case(services: Services, staff: Staff, patient: Patient) -> Case:
    return services.cases.start(staff.paramedic, patient.id)


@pytest.fixture
def hub_signer(services: Services) -> Signer:
    s = signer()
    pin_hub_key(services, s)
    return s


@pytest.fixture
def rx(services: Services, staff: Staff, hub_signer: Signer) -> Prescription:
    prescription = make_rx(sent_case(services, staff.paramedic).id)
    arrive(services, *feed_entry(hub_signer, prescription))
    return prescription


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "wound.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(path)
    return path


# -- patients ----------------------------------------------------------------------------------


def test_registering_a_patient_is_a_create(services: Services, staff: Staff) -> None:
    p = services.patients.register(staff.paramedic, draft(NAME))
    check(last(services), "create", staff.paramedic, "patient", p.id)


def test_editing_a_patient_is_a_change_naming_the_fields_not_the_values(
    services: Services, staff: Staff, patient: Patient
) -> None:
    edited = draft(NAME, phone="9123456780", abha=ABHA)
    services.patients.update(staff.paramedic, patient.id, edited)
    e = last(services)
    check(e, "change", staff.paramedic, "patient", patient.id)
    assert e.detail == "fields=phone"
    before = seq(services)
    services.patients.update(staff.paramedic, patient.id, edited)
    assert seq(services) == before  # nothing changed, nothing recorded


def test_opening_a_patient_is_a_view_once_in_a_while(
    services: Services, staff: Staff, patient: Patient, clock: FakeClock
) -> None:
    services.patients.get(staff.generalist, patient.id)
    check(last(services), "view", staff.generalist, "patient", patient.id)
    before = seq(services)
    services.patients.get(staff.generalist, patient.id)  # the page re-reading
    assert seq(services) == before
    services.patients.get(staff.paramedic, patient.id)  # someone else
    check(last(services), "view", staff.paramedic, "patient", patient.id)
    clock.advance(VIEW_REPEAT.total_seconds())
    services.patients.get(staff.generalist, patient.id)
    assert seq(services) == before + 2


def test_searches_lists_and_trends_are_not_audited(
    services: Services, staff: Staff, patient: Patient, case: Case
) -> None:
    before = seq(services)
    services.patients.search(staff.paramedic, "Ramesh")
    services.patients.recent(staff.paramedic)
    services.patients.visits(staff.paramedic, patient.id)
    services.patients.trend(staff.paramedic, patient.id, PULSE)
    services.cases.list(staff.paramedic)
    services.cases.drafts(staff.paramedic)
    services.prescriptions.inbox(staff.generalist)
    assert seq(services) == before


# -- cases -------------------------------------------------------------------------------------


def test_starting_a_case_is_a_create(services: Services, staff: Staff, patient: Patient) -> None:
    c = services.cases.start(staff.paramedic, patient.id)
    e = last(services)
    check(e, "create", staff.paramedic, "case", c.id)
    assert e.detail == f"patient={patient.id}"


@pytest.mark.parametrize(
    ("call", "detail"),
    [
        (
            lambda s, u, c: s.cases.save_draft(u, c.id, chief_complaint="Fever", history="3 d"),
            "fields=chief_complaint,history",
        ),
        (
            lambda s, u, c: s.cases.record_consent(
                u, c.id, given_by=NAME, relationship="self", method="verbal", witness=""
            ),
            "consent",
        ),
        (lambda s, u, c: s.cases.cancel(u, c.id, "duplicate of Ramesh's case"), "status=cancelled"),
    ],
    ids=["save_draft", "record_consent", "cancel"],
)
def test_changing_a_case_is_a_change(
    services: Services, staff: Staff, case: Case, call: Callable[..., Any], detail: str
) -> None:
    call(services, staff.paramedic, case)
    e = last(services)
    check(e, "change", staff.paramedic, "case", case.id)
    assert e.detail == detail


def test_an_autosave_that_changes_nothing_records_nothing(
    services: Services, staff: Staff, case: Case
) -> None:
    services.cases.save_draft(staff.paramedic, case.id, chief_complaint="Fever")
    before = seq(services)
    services.cases.save_draft(staff.paramedic, case.id, chief_complaint="Fever")
    assert seq(services) == before


def test_a_drafts_autosaves_are_one_entry_per_person_and_window(
    services: Services, staff: Staff, case: Case, clock: FakeClock
) -> None:
    services.cases.save_draft(staff.paramedic, case.id, chief_complaint="Fever")
    first = seq(services)
    for text in ("Fever and", "Fever and cough", "Fever and cough for 3 days"):
        clock.advance(2)  # an autosave every couple of seconds
        services.cases.save_draft(staff.paramedic, case.id, chief_complaint=text)
    assert seq(services) == first  # the draft changed; the trail says who and when, once
    clock.advance(VIEW_REPEAT.total_seconds())
    services.cases.save_draft(staff.paramedic, case.id, history="Since Monday")
    e = last(services)
    check(e, "change", staff.paramedic, "case", case.id)
    assert e.detail == "fields=history"


def test_queueing_a_case_is_a_change(services: Services, staff: Staff, case: Case) -> None:
    services.cases.save_draft(staff.paramedic, case.id, chief_complaint="Fever")
    services.cases.record_consent(
        staff.paramedic, case.id, given_by=NAME, relationship="self", method="verbal", witness=""
    )
    services.cases.queue(staff.paramedic, case.id, specialty="general_medicine", priority="routine")
    e = last(services)
    check(e, "change", staff.paramedic, "case", case.id)
    assert e.detail == "status=queued"


def test_each_value_stored_is_a_create(services: Services, staff: Staff, case: Case) -> None:
    s, d = services.cases.add_blood_pressure(staff.paramedic, case.id, 128, 84)
    t = services.cases.add_observation(staff.paramedic, case.id, TEMPERATURE, 37.2, "Cel")
    newest = entries(services, 3)
    for e, recorded in zip(newest, [t, d, s], strict=True):
        check(e, "create", staff.paramedic, "observation", recorded.observation.id)
        assert e.detail == f"case={case.id}"


def test_confirming_and_removing_a_value_are_changes_with_codes_only(
    services: Services, staff: Staff, case: Case
) -> None:
    first = services.cases.add_observation(staff.paramedic, case.id, PULSE, 131, "/min")
    copy = services.cases.confirm_abnormal(staff.paramedic, first.observation.id)
    e = last(services)
    check(e, "change", staff.paramedic, "observation", first.observation.id)
    assert e.detail == f"confirmed_abnormal new={copy.observation.id}"

    oid = copy.observation.id
    services.cases.remove_observation(staff.paramedic, oid, "Ramesh's twin, not him")
    e = last(services)
    check(e, "change", staff.paramedic, "observation", copy.observation.id)
    assert e.detail == "reason:entered_in_error"


def test_attachments_are_a_create_and_reading_one_a_view(
    services: Services, staff: Staff, case: Case, tmp_path: Path
) -> None:
    a = services.cases.add_attachment(staff.paramedic, case.id, photo(tmp_path), "Ramesh's arm")
    e = last(services)
    check(e, "create", staff.paramedic, "attachment", a.id)
    assert e.detail == f"case={case.id}"
    services.cases.attachment_bytes(staff.generalist, a)
    check(last(services), "view", staff.generalist, "attachment", a.id)


def test_opening_a_case_is_a_view_once_in_a_while(
    services: Services, staff: Staff, case: Case, clock: FakeClock
) -> None:
    services.cases.detail(staff.paramedic, case.id)
    check(last(services), "view", staff.paramedic, "case", case.id)
    before = seq(services)
    services.cases.save_draft(staff.paramedic, case.id, chief_complaint="Fever")
    services.cases.detail(staff.paramedic, case.id)  # the form re-reads after each autosave
    assert seq(services) == before + 1  # the change only
    clock.advance(VIEW_REPEAT.total_seconds() + 1)
    services.cases.detail(staff.paramedic, case.id)
    check(last(services), "view", staff.paramedic, "case", case.id)


# -- devices -----------------------------------------------------------------------------------


def test_pairing_renaming_and_forgetting_a_device_are_settings_changes(
    services: Services, staff: Staff
) -> None:
    d = services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", "/dev/ttyUSB0")
    e = last(services)
    check(e, "settings_change", staff.admin, "device", d.id)
    assert e.detail == "pair kind=cms50"
    services.devices.update(staff.admin, d.id, name="Oximeter (OPD)")
    e = last(services)
    check(e, "settings_change", staff.admin, "device", d.id)
    assert e.detail == "update fields=name"
    services.devices.forget(staff.admin, d.id)
    e = last(services)
    check(e, "settings_change", staff.admin, "device", d.id)
    assert e.detail == "forget"


def test_accepting_a_device_reading_creates_its_observations(
    services: Services, staff: Staff, case: Case, clock: FakeClock
) -> None:
    d = services.devices.pair(staff.admin, DeviceKind.CMS50, "Oximeter", "/dev/ttyUSB0")
    services.devices.set_target(case.id)
    measurement = Measurement("test", (Reading(SPO2, 96, "%"), Reading(PULSE, 78, "/min")))
    services.devices._on_final(DeviceReading(d.id, measurement, b"\x80", clock.now))
    (pending,) = services.devices.pending(case.id)
    recorded = services.devices.accept(staff.paramedic, pending.id)
    newest = entries(services, 2)
    assert {e.entity_id for e in newest} == {r.observation.id for r in recorded}
    for e in newest:
        check(e, "create", staff.paramedic, "observation", e.entity_id)
        assert e.detail == f"case={case.id} device={d.id}"


# -- prescriptions -----------------------------------------------------------------------------


def test_viewing_acknowledging_querying_dispensing_and_printing_a_prescription(
    services: Services, staff: Staff, rx: Prescription
) -> None:
    doctor = staff.generalist
    services.prescriptions.detail(doctor, rx.id)
    check(last(services), "view", doctor, "prescription", rx.id)

    services.prescriptions.acknowledge(doctor, rx.id)
    check(last(services), "acknowledge", doctor, "prescription", rx.id)
    before = seq(services)
    services.prescriptions.acknowledge(doctor, rx.id)  # again: changes nothing
    assert seq(services) == before

    message = services.prescriptions.query(doctor, rx.id, "Is Ramesh to take it with food?")
    e = last(services)
    check(e, "query", doctor, "prescription", rx.id)
    assert e.detail == f"message={message.id}"

    services.prescriptions.dispense(
        doctor, rx.id, [ItemDispense(0, "dispensed", 15), ItemDispense(1, "not_available")]
    )
    e = last(services)
    check(e, "dispense", doctor, "prescription", rx.id)
    assert e.detail == "items=1:dispensed,2:not_available"

    services.prescriptions.record_print(staff.paramedic, rx.id, "A5")
    e = last(services)
    check(e, "print", staff.paramedic, "prescription", rx.id)
    assert e.detail == "A5"


# -- failures leave nothing --------------------------------------------------------------------


def _failing_calls(
    services: Services, staff: Staff, case: Case, rx: Prescription
) -> dict[str, Callable[[], Any]]:
    s, p, g, a = services, staff.paramedic, staff.generalist, staff.admin
    return {
        "register: invalid": lambda: s.patients.register(p, draft("", age=None)),
        "register: denied": lambda: s.patients.register(a, draft("Someone Else")),
        "update: no such patient": lambda: s.patients.update(p, "nope", draft(NAME)),
        "get: denied": lambda: s.patients.get(a, case.patient_id),
        "get: no such patient": lambda: s.patients.get(p, "nope"),
        "start: no such patient": lambda: s.cases.start(p, "nope"),
        "save_draft: bad specialty": lambda: s.cases.save_draft(p, case.id, specialty="x"),
        "consent: missing": lambda: s.cases.record_consent(
            p, case.id, given_by="", relationship="", method="verbal", witness=""
        ),
        "queue: not ready": lambda: s.cases.queue(
            p, case.id, specialty="general_medicine", priority="routine"
        ),
        "value: implausible": lambda: s.cases.add_observation(p, case.id, PULSE, 900, "/min"),
        "remove: no such value": lambda: s.cases.remove_observation(p, "nope", "x"),
        "detail: denied": lambda: s.cases.detail(a, case.id),
        "detail: no such case": lambda: s.cases.detail(p, "nope"),
        "pair: denied": lambda: s.devices.pair(p, DeviceKind.CMS50, "Ox", "/dev/ttyUSB9"),
        "forget: no such device": lambda: s.devices.forget(a, "nope"),
        "rx detail: denied": lambda: s.prescriptions.detail(a, rx.id),
        "acknowledge: denied": lambda: s.prescriptions.acknowledge(p, rx.id),
        "dispense: not acknowledged": lambda: s.prescriptions.dispense(
            g, rx.id, [ItemDispense(0, "dispensed")]
        ),
        "query: empty": lambda: s.prescriptions.query(g, rx.id, "  "),
        "print: no such prescription": lambda: s.prescriptions.record_print(p, "nope", "A4"),
        "print: denied": lambda: s.prescriptions.record_print(a, rx.id, "A4"),
    }


FAILING = [
    "register: invalid",
    "register: denied",
    "update: no such patient",
    "get: denied",
    "get: no such patient",
    "start: no such patient",
    "save_draft: bad specialty",
    "consent: missing",
    "queue: not ready",
    "value: implausible",
    "remove: no such value",
    "detail: denied",
    "detail: no such case",
    "pair: denied",
    "forget: no such device",
    "rx detail: denied",
    "acknowledge: denied",
    "dispense: not acknowledged",
    "query: empty",
    "print: no such prescription",
    "print: denied",
]


@pytest.mark.parametrize("name", FAILING)
def test_a_call_that_fails_leaves_no_entry(
    services: Services, staff: Staff, case: Case, rx: Prescription, name: str
) -> None:
    call = _failing_calls(services, staff, case, rx)[name]
    before = seq(services)
    with pytest.raises((DomainError, PermissionDenied)):
        call()
    assert seq(services) == before


def test_the_failing_calls_listed_are_all_tested(
    services: Services, staff: Staff, case: Case, rx: Prescription
) -> None:
    assert sorted(_failing_calls(services, staff, case, rx)) == sorted(FAILING)


# -- no patient data, and a chain that verifies ------------------------------------------------


def _day(services: Services, staff: Staff, hub_signer: Signer, tmp_path: Path) -> Case:
    """Register, start a case, vitals, an attachment, consent, queue, open it; a
    prescription arrives, is opened, acknowledged, dispensed and printed."""
    p, g = staff.paramedic, staff.generalist
    patient = services.patients.register(
        p, draft(NAME, phone=PHONE, abha=ABHA), allow_duplicate=True
    )
    services.patients.get(p, patient.id)
    case = services.cases.start(p, patient.id)
    services.cases.save_draft(p, case.id, chief_complaint=f"{NAME} has fever", history="3 days")
    services.cases.add_blood_pressure(p, case.id, 128, 84)
    services.cases.add_observation(p, case.id, TEMPERATURE, 38.1, "Cel")
    services.cases.add_attachment(p, case.id, photo(tmp_path), f"{NAME}'s rash")
    services.cases.record_consent(
        p, case.id, given_by=NAME, relationship="self", method="verbal", witness=""
    )
    services.cases.queue(p, case.id, specialty="general_medicine", priority="routine")
    services.cases.detail(g, case.id)
    prescription = make_rx(case.id, patient=NAME)
    arrive(services, *feed_entry(hub_signer, prescription))
    services.prescriptions.detail(g, prescription.id)
    services.prescriptions.acknowledge(g, prescription.id)
    services.prescriptions.dispense(
        g, prescription.id, [ItemDispense(0, "dispensed", 15, note=f"given to {NAME}")]
    )
    services.prescriptions.record_print(g, prescription.id, "A4")
    return case


@pytest.mark.parametrize("secret", [NAME, "Ramesh", "Kumaar", PHONE, ABHA, ABHA.replace("-", "")])
def test_no_entry_holds_the_patients_name_phone_or_abha_number(
    services: Services, staff: Staff, hub_signer: Signer, tmp_path: Path, secret: str
) -> None:
    _day(services, staff, hub_signer, tmp_path)
    found = entries(services)
    assert len(found) > 10
    for e in found:
        fields = (e.actor_id, e.actor_role, e.action, e.entity, e.entity_id, e.detail)
        assert not any(secret.lower() in f.lower() for f in fields), e


def test_the_chain_verifies_after_a_days_work(
    services: Services, staff: Staff, hub_signer: Signer, tmp_path: Path, clock: FakeClock
) -> None:
    _day(services, staff, hub_signer, tmp_path)
    clock.advance(timedelta(hours=1).total_seconds())
    _day(services, staff, hub_signer, tmp_path)
    result = services.store.read(audit.verify)
    assert result.intact, result.message
    actions = {e.action for e in entries(services)}
    assert {"create", "change", "view", "acknowledge", "dispense", "print"} <= actions
    # Every entry went to the outbox with the change it records.
    pending = services.store.read(
        lambda db: db.execute("SELECT COUNT(*) FROM outbox WHERE op = 'audit.append'").fetchone()
    )
    assert pending[0] == result.entries


def test_sign_in_failed_sign_in_and_sign_out_are_recorded_without_the_name_typed(
    services: Services, staff: Staff
) -> None:
    user = services.auth.login(staff.paramedic.username, PASSWORD)
    e = last(services)
    check(e, "login", user, "user", user.id)
    with pytest.raises(DomainError):
        services.auth.login(staff.paramedic.username, "not-the-password")
    e = last(services)
    check(e, "login_failed", user, "user", user.id)
    assert e.detail == "bad_password"
    with pytest.raises(DomainError):
        services.auth.login(NAME, "whatever-1")  # a patient's name typed as a user name
    e = last(services)
    assert (e.action, e.actor_id, e.entity_id, e.detail) == ("login_failed", "", "", "unknown_user")
    services.auth.logout(user)
    check(last(services), "logout", user, "user", user.id)
    entries = services.store.read(lambda db: audit.recent(db, 50))
    assert all(NAME not in repr(x) for x in entries)
