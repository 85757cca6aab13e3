"""Patient use cases: search, duplicate check, registration, demographic edits, history.

Registration validates the whole form at once (``ValidationFailed`` lists every field issue),
then looks for people already registered who are probably the same person (the same ABHA
number or phone, or a similar name in the same village with a similar age and the same sex)
and refuses with ``patient.duplicate_suspected`` unless the paramedic confirmed
(``allow_duplicate=True``): a second record for one person splits their history and the hub
sees half of it. The patient row and its ``patient.create`` outbox row commit together.

Audit (docs/SECURITY.md "The audit trail"): ``register`` appends ``create`` and ``update``
``change`` (detail: the names of the fields changed, never their values) in the write that
makes the change; ``get`` (opening one patient's record) records ``view``, at most once per
person and record in ``VIEW_REPEAT`` (``RecentViews``: the pages re-read after every save).
Searches, lists, visits and trends are not audited: they open no one record.

Codes: ``patient.duplicate_suspected`` (params ``matches``), ``patient.not_found`` (``id``),
the ``validate_draft`` codes, ``permission.denied``; store errors pass through unchanged.

Threading: safe from any thread; reads on the caller's thread, writes through ``Store.write``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlite_utils import Database

from app.domain import audit as audit_rules
from app.domain import matching
from app.domain import patients as patient_rules
from app.domain.abha import normalise_abha_number
from app.domain.errors import DomainError, ValidationFailed
from app.domain.ids import PatientId, new_id
from app.domain.matching import PatientMatch
from app.domain.models import Address, Observation, Patient, PatientDraft, Sex, User
from app.domain.text import ascii_digits, nfc
from app.security.permissions import Permission, require
from app.services.clock import Clock, local_today
from app.store import audit, codec
from app.store import cases as cases_repo
from app.store import observations as observations_repo
from app.store import patients as patients_repo
from app.store import settings as settings_repo
from app.store.cases import CaseSummary
from app.store.db import Store

# Fields of the patient record that a demographic edit may change (the rest is bookkeeping).
_BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "version"})

# A record seen again by the same person within this time is not a new ``view`` entry: the
# case form re-reads its case after every autosave, the patient page on every visit to it.
VIEW_REPEAT: Final = timedelta(minutes=5)
_MAX_RECENT_VIEWS: Final = 1000


class RecentViews:
    """Records ``view`` entries, skipping a repeat of (person, record) within ``VIEW_REPEAT``;
    ``due``/``done`` apply the same window to other repeated entries (a draft's autosaves).

    In memory: a restart forgets, so the first entry after one is always recorded.
    Thread-safe; a view is one small write of its own (``audit.record``)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str, str], datetime] = {}

    def due(self, actor: User, entity: str, entity_id: str, now: datetime) -> bool:
        with self._lock:
            last = self._seen.get((str(actor.id), entity, str(entity_id)))
        return last is None or not timedelta(0) <= now - last < VIEW_REPEAT

    def done(self, actor: User, entity: str, entity_id: str, now: datetime) -> None:
        with self._lock:
            if len(self._seen) >= _MAX_RECENT_VIEWS:
                self._seen = {k: t for k, t in self._seen.items() if now - t < VIEW_REPEAT}
                if len(self._seen) >= _MAX_RECENT_VIEWS:
                    self._seen.clear()
            self._seen[(str(actor.id), entity, str(entity_id))] = now

    def record(self, actor: User, entity: str, entity_id: str) -> None:
        now = self._clock()
        if not self.due(actor, entity, entity_id, now):
            return
        audit.record(self._store, actor, audit.Action.VIEW, entity, str(entity_id), now=now)
        self.done(actor, entity, entity_id, now)


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
        self._views = RecentViews(store, clock)

    def search(self, actor: User, text: str, limit: int = 50) -> list[Patient]:
        require(actor, Permission.VIEW_PATIENT)
        return self._store.read(lambda db: patients_repo.search(db, text, limit))

    def recent(self, actor: User, limit: int = 50) -> list[Patient]:
        """The most recently registered patients: what the list shows before anyone types."""
        require(actor, Permission.VIEW_PATIENT)
        return self._store.read(lambda db: patients_repo.recent(db, limit))

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

        def insert(db: Database) -> None:
            patients_repo.insert(db, patient, actor.id)
            audit.append(
                db, actor, audit.Action.CREATE, "patient", patient.id, now=patient.created_at
            )

        self._store.write(insert)
        return patient

    def get(self, actor: User, pid: PatientId) -> Patient:
        require(actor, Permission.VIEW_PATIENT)
        patient = self._store.read(lambda db: patients_repo.get(db, pid))
        if patient is None:
            raise _not_found(pid)
        self._views.record(actor, "patient", patient.id)
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
            audit.append(
                db, actor, audit.Action.CHANGE, "patient", pid, fields_detail(changed), now
            )
            return candidate

        return self._store.write(apply)

    # -- an unfinished registration form survives a power cut ---------------------------------

    def save_form_draft(self, actor: User, draft: PatientDraft | None) -> None:
        """Keep what the registration form holds (``None`` forgets it). Local only: a form
        that was never saved is not a patient and is never sent to the hub."""
        require(actor, Permission.REGISTER_PATIENT)
        value = "" if draft is None else json.dumps(_draft_to_dict(draft), ensure_ascii=False)
        self._store.write(lambda db: settings_repo.put(db, _form_key(actor), value))

    def form_draft(self, actor: User) -> PatientDraft | None:
        """The registration form this person had not finished, if any."""
        require(actor, Permission.REGISTER_PATIENT)
        value = self._store.read(lambda db: settings_repo.get(db, _form_key(actor)))
        if not value:
            return None
        try:
            return _draft_from_dict(json.loads(value))
        except (ValueError, TypeError, KeyError):
            return None  # written by another version: nothing to restore, nothing to crash on

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


def fields_detail(names: Sequence[str] | dict[str, Any]) -> str:
    """An audit detail naming the fields changed (their names, never their values):
    "fields=name,phone"; cut at a whole name to fit ``MAX_DETAIL``."""
    text = "fields="
    for name in sorted(names):
        part = name if text.endswith("=") else "," + name
        if len(text) + len(part) > audit_rules.MAX_DETAIL:
            break
        text += part
    return text


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


def _form_key(actor: User) -> str:
    return f"form.registration.{actor.id}"


def _draft_to_dict(draft: PatientDraft) -> dict[str, Any]:
    data = asdict(draft)
    data["sex"] = draft.sex.value
    data["birth_date"] = draft.birth_date.isoformat() if draft.birth_date else None
    return data


def _draft_from_dict(data: dict[str, Any]) -> PatientDraft:
    birth = data.get("birth_date")
    return PatientDraft(
        name=str(data.get("name", "")),
        name_alt=str(data.get("name_alt", "")),
        sex=Sex(data.get("sex", Sex.UNKNOWN.value)),
        birth_date=date.fromisoformat(birth) if birth else None,
        age_years=int(data["age_years"]) if data.get("age_years") is not None else None,
        phone=str(data.get("phone", "")),
        abha_number=str(data.get("abha_number", "")),
        abha_address=str(data.get("abha_address", "")),
        address=Address(**{k: str(v) for k, v in dict(data.get("address", {})).items()}),
        guardian_name=str(data.get("guardian_name", "")),
    )
