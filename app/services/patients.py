"""Patient use cases: search, duplicate check, registration, demographic edits, history.

Registration validates the whole form at once (``ValidationFailed`` lists every field issue),
then looks for people already registered who are probably the same person (the same ABHA
number or phone, or a similar name in the same village with a similar age and the same sex)
and refuses with ``patient.duplicate_suspected`` unless the paramedic confirmed
(``allow_duplicate=True``): a second record for one person splits their history and the hub
sees half of it. The patient row and its ``patient.create`` outbox row commit together.

Codes: ``patient.duplicate_suspected`` (params ``matches``), ``patient.not_found`` (``id``),
the ``validate_draft`` codes, ``permission.denied``; store errors pass through unchanged.

Threading: safe from any thread; reads on the caller's thread, writes through ``Store.write``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from app.domain import matching
from app.domain import patients as patient_rules
from app.domain.abha import normalise_abha_number
from app.domain.errors import DomainError, ValidationFailed
from app.domain.ids import PatientId, new_id
from app.domain.matching import PatientMatch
from app.domain.models import Observation, Patient, PatientDraft, User
from app.domain.text import ascii_digits, nfc
from app.security.permissions import Permission, require
from app.services.clock import Clock, local_today
from app.store import cases as cases_repo
from app.store import codec
from app.store import observations as observations_repo
from app.store import patients as patients_repo
from app.store.cases import CaseSummary
from app.store.db import Store

# Fields of the patient record that a demographic edit may change (the rest is bookkeeping).
_BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "version"})


class DuplicateSuspectedError(DomainError):
    """Registration refused: ``matches`` are the people this draft probably already is."""

    def __init__(self, matches: Sequence[PatientMatch]) -> None:
        super().__init__(
            "patient.duplicate_suspected",
            f"{len(matches)} registered patient(s) look like the same person.",
            {"matches": len(matches)},
        )
        self.matches: list[PatientMatch] = list(matches)


class PatientService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def search(self, actor: User, text: str, limit: int = 50) -> list[Patient]:
        require(actor, Permission.VIEW_PATIENT)
        return self._store.read(lambda db: patients_repo.search(db, text, limit))

    def find_duplicates(self, actor: User, draft: PatientDraft) -> list[PatientMatch]:
        """Likely duplicates of a form still being filled in (never raises on bad fields)."""
        require(actor, Permission.REGISTER_PATIENT)
        try:
            clean = patient_rules.validate_draft(draft, local_today(self._clock))
        except ValidationFailed:
            clean = _loosely_cleaned(draft)
        return self._duplicates(clean)

    def register(
        self, actor: User, draft: PatientDraft, *, allow_duplicate: bool = False
    ) -> Patient:
        require(actor, Permission.REGISTER_PATIENT)
        clean = patient_rules.validate_draft(draft, local_today(self._clock))
        if not allow_duplicate:
            matches = self._duplicates(clean)
            if matches:
                raise DuplicateSuspectedError(matches)
        patient = patient_rules.build_patient(clean, PatientId(new_id()), self._clock())
        self._store.write(lambda db: patients_repo.insert(db, patient, actor.id))
        return patient

    def get(self, actor: User, pid: PatientId) -> Patient:
        require(actor, Permission.VIEW_PATIENT)
        patient = self._store.read(lambda db: patients_repo.get(db, pid))
        if patient is None:
            raise _not_found(pid)
        return patient

    def visits(self, actor: User, pid: PatientId) -> list[CaseSummary]:
        require(actor, Permission.VIEW_PATIENT)
        return self._store.read(lambda db: cases_repo.summaries(db, patient_id=pid))

    def trend(self, actor: User, pid: PatientId, code: str) -> list[Observation]:
        """FINAL values of one vital across the patient's cases, oldest first."""
        require(actor, Permission.VIEW_PATIENT)
        return self._store.read(lambda db: observations_repo.trend(db, pid, code))

    def update(self, actor: User, pid: PatientId, draft: PatientDraft) -> Patient:
        """Replace the demographics with ``draft``; returns the record (unchanged if equal)."""
        require(actor, Permission.REGISTER_PATIENT)
        clean = patient_rules.validate_draft(draft, local_today(self._clock))
        now = self._clock()

        def apply(db: Database) -> Patient:
            # Read and write in one transaction so two edits cannot lose one another.
            current = patients_repo.get(db, pid)
            if current is None:
                raise _not_found(pid)
            rebuilt = patient_rules.build_patient(clean, pid, now)
            candidate = replace(
                rebuilt,
                created_at=current.created_at,
                updated_at=now,
                version=current.version + 1,
            )
            changed = _changed_fields(current, candidate)
            if not changed:
                return current
            patients_repo.update(db, candidate, changed, actor.id)
            return candidate

        return self._store.write(apply)

    def _duplicates(self, draft: PatientDraft) -> list[PatientMatch]:
        today = local_today(self._clock)
        candidates = self._store.read(
            lambda db: patients_repo.candidates(
                db,
                name=draft.name,
                name_alt=draft.name_alt,
                phone=draft.phone,
                abha_number=draft.abha_number,
                village=draft.address.village,
            )
        )
        if not candidates:
            return []
        return matching.likely_duplicates(draft, candidates, today)


def _changed_fields(old: Patient, new: Patient) -> dict[str, Any]:
    before = codec.patient_to_dict(old)
    after = codec.patient_to_dict(new)
    return {k: v for k, v in after.items() if k not in _BOOKKEEPING and before.get(k) != v}


def _loosely_cleaned(draft: PatientDraft) -> PatientDraft:
    """What can be normalised of an incomplete form, for matching while it is typed."""
    try:
        abha = normalise_abha_number(draft.abha_number)
    except DomainError:
        abha = ""
    phone = ascii_digits(draft.phone)
    phone = "".join(ch for ch in phone if ch.isdigit())[-10:]
    return replace(
        draft,
        name=nfc(" ".join(draft.name.split())),
        name_alt=nfc(" ".join(draft.name_alt.split())),
        phone=phone if len(phone) == 10 else "",
        abha_number=abha,
        address=replace(draft.address, village=nfc(" ".join(draft.address.village.split()))),
    )


def _not_found(pid: PatientId) -> DomainError:
    return DomainError("patient.not_found", "No such patient.", {"id": pid})
