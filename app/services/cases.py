"""Case use cases: start, autosave the draft, consent, vitals, attachments, queue, cancel.

A case is a DRAFT while the paramedic works on it; drafts stay on the spoke (autosaves are
not sync traffic). ``queue`` checks the case is ready (``case_rules.problems_before_queue``:
consent, complaint, specialty → ``ValidationFailed``), raises the priority to at least URGENT
when NEWS2 says so, moves it to QUEUED and writes in one transaction the ``case.queue``
outbox row (the case, its consent and its observations; priority RECORD) and one
``attachment.create`` row per attachment (priority BLOB, so records travel first).
Observations and attachments added after queueing are addenda with their own outbox rows.

Vitals are checked by ``vitals.assess`` before anything is written: an implausible value
(``ImplausibleValue``) stores nothing. Blood pressure is a pair: ``check_bp`` and both
assessments pass before both observations are written in one transaction.

Codes: ``case.not_found``, ``patient.not_found``, ``observation.not_found`` (``id``),
``case.not_editable`` (``status``), ``consent.given_by_required``,
``consent.relationship_required``, ``case.consciousness`` and ``case.specialty_unknown``
(``value``), the domain's vital and case codes, ``attachment.*``, ``permission.denied``.
Store errors (``store.disk_full``, ``store.locked`` ...) pass through unchanged.

Audit (docs/SECURITY.md "The audit trail"), each entry in the write that makes the change:
``start`` ``create`` (case; detail ``patient=<id>``); ``save_draft`` ``change`` (detail: the
names of the fields changed), ``record_consent`` (``consent``), ``queue`` (``status=queued``)
and ``cancel`` (``status=cancelled``) ``change`` the case; every value stored by
``record_values`` (``add_observation``, ``add_blood_pressure``, a device reading) is one
``create`` (observation; detail ``case=<id>``, and ``device=<id>`` for a device's);
``confirm_abnormal`` and ``remove_observation`` ``change`` the observation (detail a code,
never the free-text reason); ``add_attachment`` ``create`` (attachment). Reads: ``detail``
records ``view`` (case) and ``attachment_bytes`` ``view`` (attachment), once per person and
record in ``patients.VIEW_REPEAT``. Lists and drafts are not audited.

Threading: safe from any thread. ``save_draft`` answers from a read when nothing changed and
is otherwise one small write transaction, so a 2-second autosave costs next to nothing.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from app.domain import case_rules, news2, vitals
from app.domain.errors import DomainError, ValidationFailed
from app.domain.ids import AttachmentId, CaseId, ObservationId, PatientId, new_id
from app.domain.models import (
    Attachment,
    Case,
    CaseStatus,
    Consent,
    ConsentMethod,
    Observation,
    ObservationSource,
    ObservationStatus,
    Patient,
    Priority,
    User,
)
from app.domain.news2 import News2Result
from app.domain.patients import age_years
from app.domain.specialties import specialty as specialty_by_key
from app.domain.text import nfc
from app.domain.vitals import Assessment, Flag
from app.security.permissions import Permission, require
from app.services import attachments as attachment_files
from app.services.clock import Clock, local_today
from app.services.patients import RecentViews, fields_detail
from app.store import attachments as attachments_repo
from app.store import audit, codec, outbox
from app.store import cases as cases_repo
from app.store import observations as observations_repo
from app.store import patients as patients_repo
from app.store.blobs import BlobStore
from app.store.cases import CaseSummary
from app.store.db import Store

SYSTOLIC = vitals.SYSTOLIC
DIASTOLIC = vitals.DIASTOLIC
_PRIORITY_RANK = {Priority.ROUTINE: 0, Priority.URGENT: 1, Priority.EMERGENCY: 2}
# The audit detail of a value marked entered in error (the reason given is free text).
ENTERED_IN_ERROR = "reason:entered_in_error"
# Statuses in which a case takes nothing more (other statuses after DRAFT take addenda).
_CLOSED = frozenset({CaseStatus.CLOSED, CaseStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class RecordedObservation:
    observation: Observation
    assessment: Assessment


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: Case
    patient: Patient
    observations: list[RecordedObservation]  # all of them, entered-in-error included
    attachments: list[Attachment]
    news2: News2Result
    problems_before_queue: list[DomainError]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a value came from. Device values keep the raw bytes and the parser version so
    they can be decoded again after a parser fix, and the device's own clock beside ours."""

    source: ObservationSource = ObservationSource.MANUAL
    device_id: str = ""
    device_time: datetime | None = None
    raw: bytes = b""
    parser_version: str = ""


MANUAL = Provenance()
Value = tuple[str, float, str]  # (LOINC code, value, UCUM unit)


class CaseService:
    def __init__(self, store: Store, blobs: BlobStore, clock: Clock) -> None:
        self._store = store
        self._blobs = blobs
        self._clock = clock
        self._views = RecentViews(store, clock)
        self._drafts = RecentViews(store, clock)  # draft edits, recorded once per window

    # -- starting and editing a draft ---------------------------------------------------------

    def start(self, actor: User, pid: PatientId) -> Case:
        require(actor, Permission.CAPTURE_CASE)
        now = self._clock()
        case = Case(
            id=CaseId(new_id()),
            patient_id=pid,
            created_by=actor.id,
            created_at=now,
            updated_at=now,
        )

        def insert(db: Database) -> None:
            if patients_repo.get(db, case.patient_id) is None:
                raise DomainError("patient.not_found", "No such patient.", {"id": pid})
            cases_repo.insert(db, case)
            audit.append(db, actor, audit.Action.CREATE, "case", case.id, f"patient={pid}", now)

        self._store.write(insert)
        return case

    def save_draft(
        self,
        actor: User,
        cid: CaseId,
        *,
        chief_complaint: str | None = None,
        history: str | None = None,
        examination: str | None = None,
        specialty: str | None = None,
        priority: Priority | str | None = None,
        on_oxygen: bool | None = None,
        consciousness: str | None = None,
    ) -> Case:
        """Save the fields given (None = leave as is). Only a DRAFT may be edited."""
        require(actor, Permission.CAPTURE_CASE)
        changes: dict[str, Any] = {}
        if chief_complaint is not None:
            changes["chief_complaint"] = nfc(chief_complaint)
        if history is not None:
            changes["history"] = nfc(history)
        if examination is not None:
            changes["examination"] = nfc(examination)
        if specialty is not None:
            changes["specialty"] = _specialty_key(specialty)
        if priority is not None:
            changes["priority"] = Priority(priority)
        if on_oxygen is not None:
            changes["on_oxygen"] = bool(on_oxygen)
        if consciousness is not None:
            changes["consciousness"] = _consciousness(consciousness)
        # Most autosaves carry nothing new: answer those from a read, without queueing on the
        # writer thread or syncing the disk.
        current = self._store.read(lambda db: _editable_case(db, cid))
        if _unchanged(current, changes):
            return current
        now = self._clock()
        # A draft autosaves every couple of seconds: one entry per person and draft in
        # VIEW_REPEAT says who worked on it and when, without dozens of entries to sync.
        due = self._drafts.due(actor, "case", cid, now)

        def apply(db: Database) -> Case:
            case = _editable_case(db, cid)
            if _unchanged(case, changes):
                return case
            updated = replace(case, updated_at=now, **changes)
            cases_repo.update(db, updated)
            if due:
                changed = [k for k, v in changes.items() if getattr(case, k) != v]
                detail = fields_detail(changed)
                audit.append(db, actor, audit.Action.CHANGE, "case", cid, detail, now)
            return updated

        updated = self._store.write(apply)
        if due:
            self._drafts.done(actor, "case", cid, now)
        return updated

    def record_consent(
        self,
        actor: User,
        cid: CaseId,
        *,
        given_by: str,
        relationship: str,
        method: ConsentMethod | str,
        witness: str,
    ) -> Case:
        """Record who consented to teleconsultation; ``witness`` defaults to the actor."""
        require(actor, Permission.CAPTURE_CASE)
        issues: list[DomainError] = []
        given_by = nfc(" ".join(given_by.split()))
        relationship = nfc(" ".join(relationship.split()))
        if not given_by:
            issues.append(
                DomainError(
                    "consent.given_by_required",
                    "Who gave consent is required.",
                    field="given_by",
                )
            )
        if not relationship:
            issues.append(
                DomainError(
                    "consent.relationship_required",
                    "The consenting person's relationship is required.",
                    field="relationship",
                )
            )
        if issues:
            raise ValidationFailed(issues)
        now = self._clock()
        consent = Consent(
            given_by=given_by,
            relationship=relationship,
            method=ConsentMethod(method),
            witness=nfc(" ".join(witness.split())) or actor.display_name,
            recorded_at=now,
        )

        def apply(db: Database) -> Case:
            case = _editable_case(db, cid)
            updated = replace(case, consent=consent, updated_at=now)
            cases_repo.update(db, updated)
            audit.append(db, actor, audit.Action.CHANGE, "case", cid, "consent", now)
            return updated

        return self._store.write(apply)

    # -- observations -------------------------------------------------------------------------

    def record_values(
        self,
        actor: User,
        cid: CaseId,
        values: Sequence[Value],
        provenance: Provenance = MANUAL,
        *,
        confirmed_abnormal: bool = False,
    ) -> builtins.list[RecordedObservation]:
        """Check every value, then store all of them in one transaction, or none.

        ``ImplausibleValue`` (nothing stored) when any is impossible; a systolic/diastolic
        pair is also checked as a pair. One device reading (a cuff's systolic, diastolic and
        pulse) goes through here as one call, so it is kept whole or not at all.
        """
        require(actor, Permission.CAPTURE_CASE)
        if not values:
            return []
        case, patient = self._case_and_patient(cid)
        _check_open(case)
        age = _age(patient, local_today(self._clock))
        assessments, problems = vitals.assess_reading(values, age)
        if problems:
            raise problems[0]
        now = self._clock()
        items = [
            self._observation(actor, cid, code, value, unit, now, provenance, confirmed_abnormal)
            for code, value, unit in values
        ]
        detail = f"case={cid}"
        if provenance.source is ObservationSource.DEVICE and provenance.device_id:
            detail += f" device={provenance.device_id}"

        def insert(db: Database) -> None:
            _insert_observations(db, cid, items, age, self._clock)
            for o in items:
                audit.append(db, actor, audit.Action.CREATE, "observation", o.id, detail, now)

        self._store.write(insert)
        return [RecordedObservation(o, a) for o, a in zip(items, assessments, strict=True)]

    def add_observation(
        self,
        actor: User,
        cid: CaseId,
        code: str,
        value: float,
        unit: str,
        provenance: Provenance = MANUAL,
        *,
        confirmed_abnormal: bool = False,
    ) -> RecordedObservation:
        """Check and store one value. ``ImplausibleValue`` (nothing stored) when impossible."""
        recorded = self.record_values(
            actor, cid, [(code, value, unit)], provenance, confirmed_abnormal=confirmed_abnormal
        )
        return recorded[0]

    def add_blood_pressure(
        self,
        actor: User,
        cid: CaseId,
        systolic: float,
        diastolic: float,
        provenance: Provenance = MANUAL,
        *,
        confirmed_abnormal: bool = False,
    ) -> tuple[RecordedObservation, RecordedObservation]:
        """Store systolic and diastolic together, or neither."""
        first, second = self.record_values(
            actor,
            cid,
            [(SYSTOLIC, systolic, "mm[Hg]"), (DIASTOLIC, diastolic, "mm[Hg]")],
            provenance,
            confirmed_abnormal=confirmed_abnormal,
        )
        return first, second

    def confirm_abnormal(self, actor: User, oid: ObservationId) -> RecordedObservation:
        """Record the operator's tick on an urgent value.

        Observations are append-only, so in one transaction the unticked value is marked
        entered in error and a copy carrying the tick (same provenance) is stored.
        """
        require(actor, Permission.CAPTURE_CASE)
        now = self._clock()

        def apply(db: Database) -> tuple[Observation, int | None]:
            old = observations_repo.get(db, oid)
            if old is None or old.status is not ObservationStatus.FINAL:
                raise DomainError("observation.not_found", "No such observation.", {"id": oid})
            case = _get_case(db, old.case_id)
            _check_open(case)
            patient = patients_repo.get(db, case.patient_id)
            age = _age(patient, local_today(self._clock))
            copy = replace(old, id=ObservationId(new_id()), taken_at=now, confirmed_abnormal=True)
            observations_repo.mark_entered_in_error(
                db, oid, outbox=case.status != CaseStatus.DRAFT, reason="re-entered as confirmed"
            )
            _insert_observations(db, old.case_id, [copy], age, self._clock)
            audit.append(
                db, actor, audit.Action.CHANGE, "observation", oid,
                f"confirmed_abnormal new={copy.id}", now,
            )  # fmt: skip
            return copy, age

        copy, age = self._store.write(apply)
        return RecordedObservation(copy, _reassess(copy, age))

    def remove_observation(self, actor: User, oid: ObservationId, reason: str) -> None:
        """Mark a value entered-in-error: values are never deleted, and once the case has
        been queued the hub is told (``observation.entered_in_error``)."""
        require(actor, Permission.CAPTURE_CASE)
        reason = nfc(" ".join(reason.split()))
        now = self._clock()

        def apply(db: Database) -> None:
            observation = observations_repo.get(db, oid)
            if observation is None:
                raise DomainError("observation.not_found", "No such observation.", {"id": oid})
            case = _get_case(db, observation.case_id)
            _check_open(case)
            observations_repo.mark_entered_in_error(
                db, oid, outbox=case.status != CaseStatus.DRAFT, reason=reason
            )
            # The reason is free text (it may name someone): the trail keeps a code only.
            audit.append(db, actor, audit.Action.CHANGE, "observation", oid, ENTERED_IN_ERROR, now)

        self._store.write(apply)

    # -- attachments --------------------------------------------------------------------------

    def add_attachment(self, actor: User, cid: CaseId, path: Path, caption: str = "") -> Attachment:
        """Downscale/check the file, store its bytes, then its row (+ outbox once queued)."""
        require(actor, Permission.CAPTURE_CASE)
        case = self._case(cid)
        _check_open(case)
        prepared = attachment_files.prepare(path)
        # Bytes first (atomic rename, idempotent by hash): a crash leaves at worst an unused
        # blob, never a row pointing at nothing.
        sha = self._blobs.put(prepared.data)
        attachment = Attachment(
            id=AttachmentId(new_id()),
            case_id=cid,
            sha256=sha,
            media_type=prepared.media_type,
            filename=prepared.filename,
            size=len(prepared.data),
            created_at=self._clock(),
            width=prepared.width,
            height=prepared.height,
            caption=nfc(caption.strip()),
        )

        def insert(db: Database) -> None:
            current = _get_case(db, cid)
            _check_open(current)
            attachments_repo.insert(db, attachment, outbox=current.status != CaseStatus.DRAFT)
            audit.append(
                db, actor, audit.Action.CREATE, "attachment", attachment.id, f"case={cid}",
                attachment.created_at,
            )  # fmt: skip

        self._store.write(insert)
        return attachment

    def attachment_bytes(self, actor: User, attachment: Attachment) -> bytes:
        """The stored bytes of an attachment (hash-verified by the blob store)."""
        require(actor, Permission.VIEW_PATIENT)
        data = self._blobs.get(attachment.sha256)
        self._views.record(actor, "attachment", attachment.id)
        return data

    # -- reading ------------------------------------------------------------------------------

    def detail(self, actor: User, cid: CaseId) -> CaseDetail:
        require(actor, Permission.VIEW_PATIENT)

        def load(db: Database) -> tuple[Case, Patient, list[Observation], list[Attachment]]:
            case = _get_case(db, cid)
            patient = patients_repo.get(db, case.patient_id)
            if patient is None:
                raise DomainError("patient.not_found", "No such patient.", {"id": case.patient_id})
            return (
                case,
                patient,
                observations_repo.for_case(db, cid),
                attachments_repo.for_case(db, cid),
            )

        case, patient, observations, attachments = self._store.read(load)
        self._views.record(actor, "case", case.id)
        age = _age(patient, local_today(self._clock))
        return CaseDetail(
            case=case,
            patient=patient,
            observations=[RecordedObservation(o, _reassess(o, age)) for o in observations],
            attachments=attachments,
            news2=_news2(case, observations, age),
            problems_before_queue=case_rules.problems_before_queue(case),
        )

    def list(
        self,
        actor: User,
        statuses: Collection[CaseStatus] | None = None,
        limit: int = 200,
    ) -> builtins.list[CaseSummary]:
        require(actor, Permission.VIEW_PATIENT)
        return self._store.read(lambda db: cases_repo.summaries(db, statuses=statuses, limit=limit))

    def drafts(self, actor: User) -> builtins.list[CaseSummary]:
        """Unfinished cases on this PC (everyone's: staff hand over at shift change)."""
        return self.list(actor, statuses=(CaseStatus.DRAFT,))

    # -- queueing and cancelling --------------------------------------------------------------

    def queue(
        self,
        actor: User,
        cid: CaseId,
        *,
        specialty: str,
        priority: Priority | str,
    ) -> Case:
        """Send the case to the hub's queue (via the outbox). ``ValidationFailed`` if not ready."""
        require(actor, Permission.QUEUE_CASE)
        key = specialty.strip()  # an unknown key is reported by problems_before_queue
        wanted = Priority(priority)
        now = self._clock()
        today = local_today(self._clock)

        def apply(db: Database) -> Case:
            case = _get_case(db, cid)
            if case.status not in (CaseStatus.DRAFT, CaseStatus.NEEDS_ATTENTION):
                raise _not_editable(case)
            case = replace(case, specialty=key, priority=wanted)
            problems = case_rules.problems_before_queue(case)
            if problems:
                raise ValidationFailed(problems)
            patient = patients_repo.get(db, case.patient_id)
            observations = observations_repo.for_case(db, cid)
            age = _age(patient, today) if patient is not None else None
            score = _news2(case, observations, age)
            if score.applicable and score.urgent:
                case = replace(case, priority=_at_least(case.priority, Priority.URGENT))
            queued = case_rules.transition(case, CaseStatus.QUEUED, now)
            cases_repo.update(db, queued)
            audit.append(db, actor, audit.Action.CHANGE, "case", cid, "status=queued", now)
            outbox.enqueue(
                db,
                entity="case",
                entity_id=cid,
                op="case.queue",
                payload=queue_payload(queued, observations, score),
                priority=outbox.PRIORITY_RECORD,
                now=now,
            )
            for attachment in attachments_repo.for_case(db, cid):
                outbox.enqueue(
                    db,
                    entity="attachment",
                    entity_id=attachment.id,
                    op="attachment.create",
                    # Same shape as attachments_repo.insert's op for an addendum.
                    payload={"attachment": codec.attachment_to_dict(attachment)},
                    priority=outbox.PRIORITY_BLOB,
                    now=now,
                )
            return queued

        return self._store.write(apply)

    def cancel(self, actor: User, cid: CaseId, reason: str) -> Case:
        """Cancel a draft, or a queued case (the hub is told with ``case.cancel``)."""
        require(actor, Permission.QUEUE_CASE)
        now = self._clock()
        reason = nfc(reason.strip())

        def apply(db: Database) -> Case:
            case = _get_case(db, cid)
            cancelled = case_rules.transition(case, CaseStatus.CANCELLED, now)
            cases_repo.update(db, cancelled)
            audit.append(db, actor, audit.Action.CHANGE, "case", cid, "status=cancelled", now)
            if case.status != CaseStatus.DRAFT:
                outbox.enqueue(
                    db,
                    entity="case",
                    entity_id=cid,
                    op="case.cancel",
                    payload={"id": cid, "reason": reason},
                    priority=outbox.PRIORITY_RECORD,
                    now=now,
                )
            return cancelled

        return self._store.write(apply)

    # -- helpers ------------------------------------------------------------------------------

    def _case(self, cid: CaseId) -> Case:
        return self._store.read(lambda db: _get_case(db, cid))

    def _case_and_patient(self, cid: CaseId) -> tuple[Case, Patient | None]:
        def load(db: Database) -> tuple[Case, Patient | None]:
            case = _get_case(db, cid)
            return case, patients_repo.get(db, case.patient_id)

        return self._store.read(load)

    @staticmethod
    def _observation(
        actor: User,
        cid: CaseId,
        code: str,
        value: float,
        unit: str,
        taken_at: datetime,
        provenance: Provenance,
        confirmed_abnormal: bool,
    ) -> Observation:
        return Observation(
            id=ObservationId(new_id()),
            case_id=cid,
            code=code,
            value=float(value),
            unit=unit,
            taken_at=taken_at,
            recorded_by=actor.id,
            source=ObservationSource(provenance.source),
            device_id=provenance.device_id,
            device_time=provenance.device_time,
            raw=provenance.raw,
            parser_version=provenance.parser_version,
            status=ObservationStatus.FINAL,
            confirmed_abnormal=confirmed_abnormal,
        )


def _get_case(db: Database, cid: CaseId) -> Case:
    case = cases_repo.get(db, cid)
    if case is None:
        raise DomainError("case.not_found", "No such case.", {"id": cid})
    return case


def _editable_case(db: Database, cid: CaseId) -> Case:
    case = _get_case(db, cid)
    if not case_rules.is_editable(case):
        raise _not_editable(case)
    return case


def _unchanged(case: Case, changes: dict[str, Any]) -> bool:
    return all(getattr(case, k) == v for k, v in changes.items())


def _check_open(case: Case) -> None:
    if case.status in _CLOSED:
        raise _not_editable(case)


def _not_editable(case: Case) -> DomainError:
    return DomainError(
        "case.not_editable",
        f"This case is {case.status} and can no longer be changed.",
        {"status": str(case.status)},
    )


def _specialty_key(key: str) -> str:
    key = key.strip()
    if key and specialty_by_key(key) is None:
        raise DomainError(
            "case.specialty_unknown",
            f"Unknown specialty {key!r}.",
            {"value": key},
            field="specialty",
        )
    return key


def _consciousness(value: str) -> str:
    v = value.strip().lower()
    if v not in news2.CONSCIOUSNESS_LEVELS:
        raise DomainError(
            "case.consciousness",
            f"Unknown level of consciousness {value!r}.",
            {"value": value},
            field="consciousness",
        )
    return v


def _age(patient: Patient | None, today: date) -> int | None:
    if patient is None or patient.birth_date is None:
        return None
    return age_years(patient.birth_date, today)


def _at_least(p: Priority, floor: Priority) -> Priority:
    return p if _PRIORITY_RANK[p] >= _PRIORITY_RANK[floor] else floor


def _news2(case: Case, observations: builtins.list[Observation], age: int | None) -> News2Result:
    inputs = news2.inputs_from_observations(observations, case.on_oxygen, case.consciousness)
    return news2.news2(inputs, age)


def _reassess(o: Observation, age: int | None) -> Assessment:
    """The assessment of a stored value; stored values passed ``assess`` when written, but
    the limits may have moved in a later release, so never fail on reading one."""
    try:
        return vitals.assess(o.code, o.value, o.unit, age)
    except DomainError:
        try:
            canonical = vitals.to_canonical(o.code, o.value, o.unit)
            canonical_unit = vitals.vital(o.code).canonical_unit
        except DomainError:
            canonical, canonical_unit = o.value, o.unit
        return Assessment(
            code=o.code,
            value=o.value,
            unit=o.unit,
            canonical_value=canonical,
            canonical_unit=canonical_unit,
            flag=Flag.NOT_ASSESSED,
            reason="",
        )


def queue_payload(
    case: Case, observations: builtins.list[Observation], score: News2Result
) -> dict[str, Any]:
    case_dict = codec.case_to_dict(case)
    return {
        "case": case_dict,
        "consent": case_dict.get("consent"),
        "observations": [codec.observation_to_dict(o) for o in observations],
        "news2": {"total": score.total, "risk": score.risk, "urgent": score.urgent}
        if score.applicable
        else None,
    }


def _insert_observations(
    db: Database, cid: CaseId, items: list[Observation], age: int | None, clock: Clock
) -> None:
    # Re-read the status inside the transaction: the case may have been queued meanwhile,
    # and then these are addenda that the hub must be sent.
    case = _get_case(db, cid)
    _check_open(case)
    for o in items:
        observations_repo.insert(db, o, outbox=case.status != CaseStatus.DRAFT)
    # A draft whose NEWS2 turns urgent is marked urgent at once (scenario: "NEWS2 reaches 6:
    # the case is marked urgent"), not only when it is queued.
    if case.status is CaseStatus.DRAFT and case.priority is Priority.ROUTINE:
        score = _news2(case, observations_repo.for_case(db, cid), age)
        if score.urgent:
            cases_repo.update(db, replace(case, priority=Priority.URGENT, updated_at=clock()))
