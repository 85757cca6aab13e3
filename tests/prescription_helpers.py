"""Signed prescriptions as the hub's feed carries them (docs/PRESCRIPTIONS.md, "Prescriptions
on the wire"), for the spoke's store, service and sync tests: real Ed25519 keys and hub-signed
certificates from ``app.security.rx_signatures``, canonical bytes from the domain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from app.domain.ids import CaseId, new_id
from app.domain.models import Case, CaseStatus, Sex, User
from app.domain.prescriptions import (
    ConsultationMode,
    PatientSnapshot,
    PractitionerSnapshot,
    Prescription,
    PrescriptionId,
    PrescriptionItem,
    VisitType,
    canonical_bytes,
)
from app.security import rx_signatures as rx
from app.services.container import Services
from app.store import cases as cases_repo
from app.store import settings
from app.sync import credentials
from hub.storage import HubStore
from tests.security.rx_samples import Signer, signer
from tests.services.helpers import draft

__all__ = ["ISSUED", "Signer", "feed_entry", "make_rx", "pin_hub_key", "sent_case", "signer"]

ISSUED = datetime(2026, 11, 20, 5, 8, tzinfo=UTC)  # after the test certificates' valid_from

_ITEMS = (
    PrescriptionItem(
        "PARACETAMOL", "500 mg", "tablet", "1 tablet", "1-1-1", "oral", 3, 9, "tablet"
    ),
    PrescriptionItem(
        "AMOXICILLIN", "500 mg", "capsule", "1 capsule", "1-1-1", "oral", 5, 15, "capsule"
    ),
    PrescriptionItem("CETIRIZINE", "10 mg", "tablet", "1 tablet", "0-0-1", "oral", 7, 7, "tablet"),
)


def make_rx(
    case_id: str,
    *,
    rid: str | None = None,
    items: int = 2,
    follow_up: date | None = date(2026, 11, 27),
    supersedes: str | None = None,
    issued_at: datetime = ISSUED,
    patient: str = "Sita Devi",
) -> Prescription:
    return Prescription(
        id=PrescriptionId(rid or new_id()),
        case_id=CaseId(case_id),
        patient=PatientSnapshot(patient, 30, Sex.FEMALE),
        practitioner=PractitionerSnapshot(
            "Dr. Anil Sharma",
            "MBBS, MD (Medicine)",
            "UPMC-45821",
            "Uttar Pradesh Medical Council",
            "general_medicine",
        ),
        mode=ConsultationMode.VIDEO,
        visit=VisitType.FIRST,
        issued_at=issued_at,
        chief_complaint="Fever for 4 days",
        provisional_diagnosis="Viral fever",
        items=_ITEMS[:items],
        follow_up=follow_up,
        supersedes=PrescriptionId(supersedes) if supersedes else None,
    )


def feed_entry(
    s: Signer,
    prescription: Prescription,
    *,
    canonical: bytes | None = None,
    **overrides: Any,
) -> tuple[str, dict[str, Any]]:
    """(entity_id, payload) of the ``prescription.issued`` change for ``prescription`` signed
    by ``s``; ``canonical`` replaces the bytes after signing (to tamper with them)."""
    signed = canonical_bytes(prescription)
    payload: dict[str, Any] = {
        "canonical": rx.b64url(signed if canonical is None else canonical),
        "signature": rx.b64url(s.sign(signed)),
        "key_id": s.key_id,
        "certificate": s.certificate.text(),
        "case_id": prescription.case_id,
        "issued_at": prescription.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    payload.update(overrides)
    return prescription.id, payload


def pin_hub_key(services: Services, s: Signer) -> None:
    """What enrolment stores: the hub's prescription-certifying public key."""
    text = rx.public_key_text(s.hub_key)
    services.store.write(lambda db: settings.put(db, credentials.KEY_SIGNING_KEY, text))


def sent_case(services: Services, paramedic: User, status: CaseStatus = CaseStatus.SENT) -> Case:
    """A patient and a case queued and taken by the hub (SENT, or walked on to ``status``)."""
    patient = services.patients.register(
        paramedic, draft("Sita Devi", age=30, sex=Sex.FEMALE), allow_duplicate=True
    )
    case = services.cases.start(paramedic, patient.id)
    services.cases.save_draft(paramedic, case.id, chief_complaint="Fever for 4 days")
    services.cases.record_consent(
        paramedic, case.id, given_by="Sita Devi", relationship="self", method="verbal", witness=""
    )
    queued = services.cases.queue(
        paramedic, case.id, specialty="general_medicine", priority="routine"
    )
    moved = replace(queued, status=status)
    services.store.write(lambda db: cases_repo.update(db, moved))
    return moved


SPECIALIST = "dr.sharma"
SPECIALIST_PASSWORD = "a long specialist password"


def add_specialist(
    store: HubStore,
    username: str = SPECIALIST,
    password: str = SPECIALIST_PASSWORD,
    *,
    name: str = "Dr. Anil Sharma",
    specialty: str = "general_medicine",
) -> str:
    """A specialist at the hub with everything a prescription must carry."""
    return store.add_user(
        username,
        name,
        "specialist",
        password,
        registration_no="UPMC-45821",
        specialty=specialty,
        registration_council="Uttar Pradesh Medical Council",
        qualification="MBBS, MD (Medicine)",
    )
