"""Ops exactly as a spoke's outbox sends them, for hub tests and benchmarks.

Records are the spoke's own dataclasses turned into payloads by the spoke's own code
(``app.store.codec``, ``app.services.cases.queue_payload``), so a change of payload shape on
the spoke shows up here, not as a surprise in production. Ids are UUIDv7 and ``seq`` grows
per ``SpokeOps``, as in ``app.store.outbox``.

Needs the spoke package (``app``) importable: this is test support, not part of a deployed hub.
One ``SpokeOps`` per thread (it counts ``seq``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from hashlib import sha256
from typing import Any

from app.domain import news2, vitals
from app.domain.ids import AttachmentId, CaseId, ObservationId, PatientId, UserId, new_id
from app.domain.models import (
    Address,
    Attachment,
    Case,
    CaseStatus,
    Consent,
    ConsentMethod,
    Observation,
    Patient,
    Priority,
    Sex,
)
from app.services.cases import queue_payload
from app.store import codec

# Eight readings of one visit, as the case form records them.
READINGS: tuple[tuple[str, float, str], ...] = (
    (vitals.SYSTOLIC, 132.0, "mm[Hg]"),
    (vitals.DIASTOLIC, 84.0, "mm[Hg]"),
    (vitals.PULSE, 88.0, "/min"),
    (vitals.RESP_RATE, 18.0, "/min"),
    (vitals.SPO2, 97.0, "%"),
    (vitals.TEMPERATURE, 37.4, "Cel"),
    (vitals.WEIGHT, 61.5, "kg"),
    (vitals.GLUCOSE_RANDOM, 142.0, "mg/dL"),
)

# A very sick adult: NEWS2 high (respiration, SpO2 and systolic BP each score 3).
SICK_READINGS: tuple[tuple[str, float, str], ...] = (
    (vitals.RESP_RATE, 26.0, "/min"),
    (vitals.SPO2, 90.0, "%"),
    (vitals.SYSTOLIC, 88.0, "mm[Hg]"),
    (vitals.DIASTOLIC, 60.0, "mm[Hg]"),
    (vitals.PULSE, 118.0, "/min"),
    (vitals.TEMPERATURE, 38.9, "Cel"),
)

Op = dict[str, Any]


@dataclass
class SpokeOps:
    """Builds one spoke's ops; ``seq`` counts up across every op it makes."""

    user: str = field(default_factory=new_id)
    seq: int = 0

    def op(self, kind: str, entity: str, entity_id: str, payload: dict[str, Any]) -> Op:
        self.seq += 1
        return {
            "op_id": new_id(),
            "seq": self.seq,
            "entity": entity,
            "entity_id": entity_id,
            "op": kind,
            # Through JSON and back, as the outbox stores it and the wire carries it.
            "payload": codec.from_json(codec.to_json(payload)),
            "created_at": codec.iso(_now()),
        }

    def patient(self, name: str = "Sunita Devi") -> Patient:
        now = _now()
        return Patient(
            id=PatientId(new_id()),
            name=name,
            name_alt="सुनीता देवी",
            sex=Sex.FEMALE,
            birth_date=date(1981, 3, 14),
            birth_date_estimated=False,
            phone="9876543210",
            abha_number="",
            abha_address="",
            address=Address(state="Bihar", district="Gaya", village="Bodh Gaya"),
            created_at=now,
            updated_at=now,
            guardian_name="Ramesh Prasad",
        )

    def patient_create(self, patient: Patient | None = None) -> tuple[Op, Patient]:
        p = patient or self.patient()
        payload = {"patient": codec.patient_to_dict(p), "actor": self.user}
        return self.op("patient.create", "patient", p.id, payload), p

    def patient_update(self, p: Patient, changed: dict[str, Any], version: int) -> Op:
        payload = {
            "id": p.id,
            "changed": changed,
            "base_version": version - 1,
            "version": version,
            "updated_at": _now(),
            "actor": self.user,
        }
        return self.op("patient.update", "patient", p.id, payload)

    def case_queue(
        self,
        patient_id: str,
        observations: int = 8,
        *,
        readings: Sequence[tuple[str, float, str]] = READINGS,
        priority: Priority = Priority.ROUTINE,
        specialty: str = "general_medicine",
        complaint: str = "Fever and cough for 3 days",
        queued_at: datetime | None = None,
    ) -> tuple[Op, Case]:
        """A queued case with ``observations`` readings (cycling through ``readings``), made,
        measured and queued at ``queued_at`` (default: now)."""
        now = queued_at or _now()
        cid = CaseId(new_id())
        case = Case(
            id=cid,
            patient_id=PatientId(patient_id),
            created_by=UserId(self.user),
            created_at=now,
            updated_at=now,
            status=CaseStatus.QUEUED,
            consent=Consent("Sunita Devi", "self", ConsentMethod.VERBAL, "Asha", now),
            chief_complaint=complaint,
            history="No known allergies. Diabetic, on metformin 500 mg twice daily.",
            examination="Chest: scattered crepitations at the right base.",
            specialty=specialty,
            priority=priority,
            queued_at=now,
        )
        items = [
            Observation(
                id=ObservationId(new_id()),
                case_id=cid,
                code=readings[i % len(readings)][0],
                value=readings[i % len(readings)][1],
                unit=readings[i % len(readings)][2],
                taken_at=now,
                recorded_by=UserId(self.user),
            )
            for i in range(observations)
        ]
        score = news2.news2(news2.inputs_from_observations(items, False, "alert"), 45)
        payload = queue_payload(case, items, score)
        return self.op("case.queue", "case", cid, payload), case

    def observation_create(self, case_id: str, value: float = 91.0) -> Op:
        o = Observation(
            id=ObservationId(new_id()),
            case_id=CaseId(case_id),
            code=vitals.PULSE,
            value=value,
            unit="/min",
            taken_at=_now(),
            recorded_by=UserId(self.user),
        )
        payload = {"observation": codec.observation_to_dict(o)}
        return self.op("observation.create", "observation", o.id, payload)

    def observation_entered_in_error(self, observation_id: str, reason: str) -> Op:
        payload = {"id": observation_id, "reason": reason}
        return self.op("observation.entered_in_error", "observation", observation_id, payload)

    def case_cancel(self, case_id: str, reason: str) -> Op:
        return self.op("case.cancel", "case", case_id, {"id": case_id, "reason": reason})

    def attachment_create(self, case_id: str, data: bytes) -> Op:
        a = Attachment(
            id=AttachmentId(new_id()),
            case_id=CaseId(case_id),
            sha256=sha256(data).hexdigest(),
            media_type="image/jpeg",
            filename="wound.jpg",
            size=len(data),
            created_at=_now(),
            width=1600,
            height=1200,
        )
        payload = {"attachment": codec.attachment_to_dict(a)}
        return self.op("attachment.create", "attachment", a.id, payload)

    # What a clinic sends back about a prescription (docs/SYNC.md "Prescriptions"). The
    # payloads follow the contract there, field for field.

    def prescription_acknowledged(self, prescription_id: str) -> Op:
        payload = {
            "prescription_id": prescription_id,
            "by_user_id": self.user,
            "by_name": "Asha Kumari",
            "at": codec.iso(_now()),
        }
        return self.op("prescription.acknowledged", "prescription", prescription_id, payload)

    def prescription_dispensed(
        self, prescription_id: str, items: list[tuple[int, str, float | None, str]]
    ) -> Op:
        """``items``: (index, status, quantity, note) per item reported."""
        payload = {
            "prescription_id": prescription_id,
            "items": [
                {"index": i, "status": st, "quantity": q, "note": note} for i, st, q, note in items
            ],
            "by_user_id": self.user,
            "by_name": "Asha Kumari",
            "at": codec.iso(_now()),
        }
        return self.op("prescription.dispensed", "prescription", prescription_id, payload)

    def prescription_invalid(self, prescription_id: str, status: str, reason: str) -> Op:
        payload = {
            "prescription_id": prescription_id,
            "status": status,
            "reason": reason,
            "at": codec.iso(_now()),
        }
        return self.op("prescription.invalid", "prescription", prescription_id, payload)

    def case_message(self, case_id: str, body: str, prescription_id: str | None = None) -> Op:
        mid = new_id()
        payload = {
            "id": mid,
            "case_id": case_id,
            "prescription_id": prescription_id,
            "author_user_id": self.user,
            "author_name": "Asha Kumari",
            "author_role": "paramedic",
            "body": body,
            "sent_at": codec.iso(_now()),
        }
        return self.op("case.message", "case_message", mid, payload)


def _now() -> datetime:
    return datetime.now(UTC)
