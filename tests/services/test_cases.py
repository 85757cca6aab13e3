"""The paramedic's case flow through the real store: draft, consent, vitals, attachments,
queue, and what ends up in the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from app.domain.errors import DomainError, ImplausibleValue, ValidationFailed
from app.domain.models import Case, CaseStatus, Patient, Priority, Sex
from app.domain.vitals import Flag
from app.services.container import Services
from app.store import outbox
from tests.services.helpers import FakeClock, Staff, draft

PULSE = "8867-4"
RESP = "9279-1"
TEMP = "8310-5"
SPO2 = "2708-6"


def _patient(services: Services, staff: Staff, **kw: object) -> Patient:
    return services.patients.register(staff.paramedic, draft("Sita Devi", age=30, sex=Sex.FEMALE))


def _ready_case(services: Services, staff: Staff) -> Case:
    user = staff.paramedic
    case = services.cases.start(user, _patient(services, staff).id)
    services.cases.save_draft(user, case.id, chief_complaint="Fever for 4 days")
    return services.cases.record_consent(
        user, case.id, given_by="Sita Devi", relationship="self", method="verbal", witness=""
    )


def _photo(tmp_path: Path) -> Path:
    src = tmp_path / "throat.jpg"
    Image.effect_noise((320, 240), 40).convert("RGB").save(src)
    return src


def _pending_ops(services: Services) -> list[str]:
    pending = services.store.read(lambda db: outbox.pending(db, 100))
    return [op.op for op in pending if op.op != "audit.append"]


def test_whole_paramedic_flow(services: Services, staff: Staff, tmp_path: Path) -> None:
    user = staff.paramedic
    patient = services.patients.register(user, draft("Ramesh Kumaar", age=44))
    case = services.cases.start(user, patient.id)
    assert case.status == CaseStatus.DRAFT
    assert _pending_ops(services) == ["patient.create"]  # drafts are not sync traffic

    services.cases.save_draft(user, case.id, chief_complaint="Chest pain since morning")
    consented = services.cases.record_consent(
        user, case.id, given_by="Ramesh Kumaar", relationship="self", method="thumbprint",
        witness="",
    )  # fmt: skip
    assert consented.consent is not None
    assert consented.consent.witness == user.display_name
    sys_obs, dia_obs = services.cases.add_blood_pressure(user, case.id, 150, 95)
    assert (sys_obs.observation.value, dia_obs.observation.value) == (150, 95)
    pulse = services.cases.add_observation(user, case.id, PULSE, 88, "/min")
    temp = services.cases.add_observation(user, case.id, TEMP, 101.3, "[degF]")
    assert temp.assessment.flag == Flag.ABNORMAL
    assert temp.observation.unit == "[degF]"  # stored as entered
    attachment = services.cases.add_attachment(user, case.id, _photo(tmp_path), "Throat")
    assert services.blobs.has(attachment.sha256)
    assert _pending_ops(services) == ["patient.create"]

    detail = services.cases.detail(user, case.id)
    assert len(detail.observations) == 4
    assert [a.id for a in detail.attachments] == [attachment.id]
    assert {i.code for i in detail.problems_before_queue} == {"case.specialty_required"}

    queued = services.cases.queue(user, case.id, specialty="cardiology", priority="routine")
    assert queued.status == CaseStatus.QUEUED
    assert queued.queued_at is not None

    pending = services.store.read(lambda db: outbox.pending(db, 100))
    pending = [op for op in pending if op.op != "audit.append"]
    assert [op.op for op in pending] == ["patient.create", "case.queue", "attachment.create"]
    assert [op.priority for op in pending] == [
        outbox.PRIORITY_RECORD,
        outbox.PRIORITY_RECORD,
        outbox.PRIORITY_BLOB,
    ]
    payload = pending[1].payload
    assert payload["case"]["id"] == case.id
    assert payload["case"]["specialty"] == "cardiology"
    assert payload["consent"]["given_by"] == "Ramesh Kumaar"
    sent_ids = {o["id"] for o in payload["observations"]}
    assert sent_ids == {
        sys_obs.observation.id,
        dia_obs.observation.id,
        pulse.observation.id,
        temp.observation.id,
    }
    assert len(pending) == 3


def test_after_queueing_draft_is_frozen_but_addenda_are_sent(
    services: Services, staff: Staff
) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    services.cases.queue(user, case.id, specialty="general_medicine", priority="routine")

    with pytest.raises(DomainError) as info:
        services.cases.save_draft(user, case.id, chief_complaint="changed")
    assert info.value.code == "case.not_editable"
    assert info.value.params["status"] == "queued"

    added = services.cases.add_observation(user, case.id, PULSE, 90, "/min")
    pending = services.store.read(lambda db: outbox.pending(db, 100))
    pending = [op for op in pending if op.op != "audit.append"]
    assert [op.op for op in pending] == ["patient.create", "case.queue", "observation.create"]
    assert pending[-1].priority == outbox.PRIORITY_OBSERVATION
    assert pending[-1].entity_id == added.observation.id


def test_queue_refuses_unready_case_with_every_problem(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = services.cases.start(user, _patient(services, staff).id)
    with pytest.raises(ValidationFailed) as info:
        services.cases.queue(user, case.id, specialty="", priority="routine")
    assert {i.code for i in info.value.issues} == {
        "case.consent_required",
        "case.complaint_required",
        "case.specialty_required",
    }
    assert services.cases.detail(user, case.id).case.status == CaseStatus.DRAFT
    assert _pending_ops(services) == ["patient.create"]


def test_news2_of_five_makes_the_case_urgent(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    services.cases.add_observation(user, case.id, RESP, 22, "/min")  # 2
    services.cases.add_observation(user, case.id, PULSE, 115, "/min")  # 2
    services.cases.add_observation(user, case.id, TEMP, 38.5, "Cel")  # 1
    services.cases.add_observation(user, case.id, SPO2, 97, "%")  # 0
    services.cases.add_blood_pressure(user, case.id, 120, 80)  # 0

    detail = services.cases.detail(user, case.id)
    assert detail.news2.total == 5
    assert detail.news2.urgent

    queued = services.cases.queue(user, case.id, specialty="general_medicine", priority="routine")
    assert queued.priority == Priority.URGENT
    payload = services.store.read(lambda db: outbox.pending(db, 100))[1].payload
    assert payload["case"]["priority"] == "urgent"


def test_draft_becomes_urgent_as_soon_as_news2_does(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    services.cases.add_observation(user, case.id, PULSE, 115, "/min")  # 2: not yet
    assert services.cases.detail(user, case.id).case.priority == Priority.ROUTINE
    services.cases.add_observation(user, case.id, RESP, 26, "/min")  # 3 in one parameter
    detail = services.cases.detail(user, case.id)
    assert detail.news2.urgent
    assert detail.case.priority == Priority.URGENT
    assert detail.case.status == CaseStatus.DRAFT


def test_emergency_is_not_lowered_by_news2(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    services.cases.add_observation(user, case.id, RESP, 26, "/min")  # 3 on its own: urgent
    queued = services.cases.queue(
        user, case.id, specialty="general_medicine", priority=Priority.EMERGENCY
    )
    assert queued.priority == Priority.EMERGENCY


def test_low_news2_leaves_routine(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    services.cases.add_observation(user, case.id, PULSE, 80, "/min")
    queued = services.cases.queue(user, case.id, specialty="general_medicine", priority="routine")
    assert queued.priority == Priority.ROUTINE


def test_impossible_vital_stores_nothing(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    with pytest.raises(ImplausibleValue) as info:
        services.cases.add_observation(user, case.id, TEMP, 1013, "[degF]")
    assert info.value.code == "vital.above_limit"
    assert info.value.params["limit"] == pytest.approx(111.2)
    with pytest.raises(ImplausibleValue):
        services.cases.add_observation(user, case.id, PULSE, 400, "/min")
    assert services.cases.detail(user, case.id).observations == []


def test_blood_pressure_is_both_or_neither(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    with pytest.raises(DomainError) as info:
        services.cases.add_blood_pressure(user, case.id, 80, 120)
    assert info.value.code == "vital.bp_order"
    with pytest.raises(ImplausibleValue):
        services.cases.add_blood_pressure(user, case.id, 120, 5)  # diastolic impossible
    assert services.cases.detail(user, case.id).observations == []

    services.cases.add_blood_pressure(user, case.id, 200, 100, confirmed_abnormal=True)
    stored = services.cases.detail(user, case.id).observations
    assert sorted(r.observation.code for r in stored) == ["8462-4", "8480-6"]
    assert all(r.observation.confirmed_abnormal for r in stored)


def test_urgent_value_without_tick_is_still_stored(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    recorded = services.cases.add_observation(user, case.id, SPO2, 85, "%")
    assert recorded.assessment.flag == Flag.URGENT
    assert not recorded.observation.confirmed_abnormal
    assert len(services.cases.detail(user, case.id).observations) == 1


def test_removed_observation_no_longer_counts(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    wrong = services.cases.add_observation(user, case.id, RESP, 26, "/min")
    assert services.cases.detail(user, case.id).news2.urgent
    services.cases.remove_observation(user, wrong.observation.id, "typed 26 for 16")
    detail = services.cases.detail(user, case.id)
    assert [r.observation.status for r in detail.observations] == ["entered-in-error"]
    assert not detail.news2.urgent


def test_autosave_is_idempotent_and_validates_fields(
    services: Services, staff: Staff, clock: FakeClock
) -> None:
    user = staff.paramedic
    case = services.cases.start(user, _patient(services, staff).id)
    first = services.cases.save_draft(user, case.id, chief_complaint="Cough", history="2 weeks")
    clock.advance(2)
    second = services.cases.save_draft(user, case.id, chief_complaint="Cough", history="2 weeks")
    assert second.updated_at == first.updated_at  # nothing changed: nothing written
    with pytest.raises(DomainError):
        services.cases.save_draft(user, case.id, consciousness="sleepy")
    with pytest.raises(DomainError):
        services.cases.save_draft(user, case.id, specialty="astrology")
    saved = services.cases.save_draft(
        user, case.id, specialty="pulmonology", on_oxygen=True, consciousness="Confusion"
    )
    assert (saved.specialty, saved.on_oxygen, saved.consciousness) == (
        "pulmonology",
        True,
        "confusion",
    )


def test_draft_survives_restart(
    data_dir: Path, clock: FakeClock, services: Services, staff: Staff
) -> None:
    user = staff.paramedic
    case = services.cases.start(user, _patient(services, staff).id)
    services.cases.save_draft(user, case.id, chief_complaint="बुखार 3 दिन से")
    services.close()

    with Services.open(data_dir, clock=clock) as again:
        drafts = again.cases.drafts(user)
        assert [d.case.id for d in drafts] == [case.id]
        assert drafts[0].case.chief_complaint == "बुखार 3 दिन से"


def test_cancel_queued_case_tells_the_hub(services: Services, staff: Staff) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    draft_only = services.cases.start(user, case.patient_id)
    services.cases.cancel(user, draft_only.id, "opened by mistake")
    assert _pending_ops(services) == ["patient.create"]

    services.cases.queue(user, case.id, specialty="general_medicine", priority="routine")
    cancelled = services.cases.cancel(user, case.id, "patient went to district hospital")
    assert cancelled.status == CaseStatus.CANCELLED
    assert _pending_ops(services)[-1] == "case.cancel"
    with pytest.raises(DomainError) as info:
        services.cases.add_observation(user, case.id, PULSE, 80, "/min")
    assert info.value.code == "case.not_editable"


def test_attachment_bytes_are_stored_downscaled(
    services: Services, staff: Staff, tmp_path: Path
) -> None:
    user = staff.paramedic
    case = _ready_case(services, staff)
    src = tmp_path / "big.png"
    Image.effect_noise((3000, 1000), 40).convert("RGB").save(src)
    attachment = services.cases.add_attachment(user, case.id, src)
    assert (attachment.width, attachment.height) == (2048, 683)
    data = services.cases.attachment_bytes(user, attachment)
    assert len(data) == attachment.size
    with pytest.raises(DomainError) as info:
        exe = tmp_path / "tool.exe"
        exe.write_bytes(b"MZ" + b"\x00" * 100)
        services.cases.add_attachment(user, case.id, exe)
    assert info.value.code == "attachment.unsupported"
    assert len(services.cases.detail(user, case.id).attachments) == 1
