"""Validation of the ops a spoke pushes (docs/SYNC.md), shared by every storage backend.

Pure functions and frozen data: no SQL, no I/O, no clock, so any thread may call them and both
backends reach the same verdict on the same op. A backend applies a batch in three steps, and
can do each one set-based for the whole batch:

1. ``parse(op)`` checks one op on its own and returns the rows it would store (``Op``), or
   raises ``OpRejected``.
2. ``resolve(spoke_id, ops, owners)`` checks what the ops refer to, given who owns the records
   the database already holds, walking the batch in order: an op may rely on a record that an
   EARLIER op of the same batch creates (a ``patient.create`` followed by the ``case.queue``
   for that patient is the common case).
3. ``collect(ops)`` groups the accepted ops' rows per table, the way a set-based write needs
   them, with the same outcome as applying the ops one after the other.

Before that, ``push_ops`` turns a push body's table (docs/SYNC.md "Tables") back into the op
objects below, putting back what the wire leaves out; the rules apply to those objects.

Rules (each rejection has a stable code; the text is for the person looking at "needs
attention" on the spoke):

- The op is a JSON object with ``op_id`` (an id, see below), ``seq`` (an integer >= 0),
  ``op``, ``entity``, ``entity_id``, ``payload`` (an object) and optionally ``created_at``
  (text, kept as sent: the hub never relies on a spoke's clock). An op without a usable
  ``op_id`` is rejected and not recorded (there is nothing to record it under).
  -> ``op.malformed``.
- ``op`` is one of the version-1 kinds in ``KINDS``, the prescription kinds in
  ``PRESCRIPTION_KINDS`` or ``audit.append`` -> else ``op.unknown``.
- ``entity`` is the kind's entity (``patient`` for ``patient.*``...) and ``entity_id`` is the id
  of the record the payload carries -> else ``op.malformed``.
- Ids (op ids and record ids) are 1-64 characters of ``A-Z a-z 0-9 . _ : -``, starting with a
  letter or digit: UUIDs pass, nothing that needs quoting does -> ``op.malformed``.
- Payloads, as ``app.store.codec`` writes them:
  - ``patient.create`` ``{"patient": {id, name, sex, version >= 1, ...}, "actor"?}``;
  - ``patient.update`` ``{"id", "changed": {field: new value}, "base_version", "version"
    (> base_version), "updated_at"?, "actor"?}``; ``changed`` may not touch ``id``,
    ``version`` or ``created_at``;
  - ``case.queue`` ``{"case": {id, patient_id, priority?, specialty?, ...}, "consent",
    "observations": [observation...], "news2": {...} | null}``; every observation's
    ``case_id`` is the case's id;
  - ``case.cancel`` and ``observation.entered_in_error`` ``{"id", "reason"}``;
  - ``observation.create`` ``{"observation": {id, case_id, code, value (a finite number),
    unit, status?, ...}}``;
  - ``attachment.create`` ``{"attachment": {id, case_id, sha256 (64 lower-case hex), size
    (integer >= 0), media_type, ...}}``.
  - ``prescription.acknowledged`` ``{"prescription_id", "by_user_id", "by_name", "at"}``,
    ``prescription.dispensed`` ``{"prescription_id", "items": [{"index", "status"
    (``DISPENSE_STATUSES``), "quantity" (a number >= 0 or null), "note"}], "by_user_id",
    "by_name", "at"}`` and ``prescription.invalid`` ``{"prescription_id", "status"
    (``INVALID_STATUSES``), "reason", "at"}``: entity ``prescription``, entity_id the
    prescription's id;
  - ``case.message`` ``{"id", "case_id", "prescription_id" | null, "author_user_id",
    "author_name", "author_role", "body" (not empty), "sent_at"}``: entity ``case_message``.
  - ``audit.append`` ``{"id" ("<chain>:<seq>"), "chain", "seq" (>= 1), "at", "actor_id",
    "actor_role", "action" (``app.domain.audit.ACTIONS``), "entity", "entity_id", "detail",
    "prev_hash", "hash"}``: entity ``audit``. Every field as ``app.domain.audit.problem``
    allows (codes and ids: no patient data), hashes 64 lower-case hex digits, ``hash`` the
    entry's own hash (``app.domain.audit.entry_hash``) and an entry 1's ``prev_hash`` its
    chain's genesis. The hub keeps entries per (spoke, seq); an entry for a seq it holds
    with another hash is kept aside as a conflict (``hub.storage._audit``).
  Integers the database keeps in a column are bounded (``seq`` and ``size``: 64 bits,
  ``version``: 32 bits). A required field missing or of the wrong type, a record over
  ``MAX_DOC_BYTES`` of JSON, a NaN
  or infinity, a NUL character or an unpaired surrogate anywhere in the text (PostgreSQL's
  ``jsonb`` refuses those, so SQLite must refuse them too) -> ``op.malformed``.
- References, checked against the records THIS spoke created (a record of another spoke is as
  unknown as a missing one: spokes never see or touch each other's data):
  - ``patient.update`` and ``case.queue`` need the patient -> ``patient.unknown``;
  - ``case.cancel``, ``observation.create`` and ``attachment.create`` need the case ->
    ``case.unknown``;
  - ``observation.entered_in_error`` needs the observation -> ``observation.unknown``;
  - the prescription kinds need the prescription (issued for one of this spoke's cases) ->
    ``prescription.unknown``; ``case.message`` needs the case -> ``case.unknown`` (and its
    prescription, when it names one);
  - a create whose id another spoke already owns -> ``patient.conflict``, ``case.conflict``,
    ``observation.conflict`` or ``attachment.conflict`` (UUIDv7 ids do not collide by chance:
    this is a bug or a forgery, and must not overwrite the other spoke's record).
- What applying does: creates are idempotent by record id (``patient.create`` and
  ``attachment.create`` of a record the spoke already sent keep the first copy; ``case.queue``
  and ``observation.create`` replace the document, so a case re-queued after "needs attention"
  carries its corrections). A ``case.queue`` stores the case as ``at_hub``, or leaves the
  status the hub has already moved it to; ``case.cancel`` makes it ``cancelled``;
  ``patient.update`` merges ``changed`` into the document only when its ``version`` is newer
  than the stored one (a late or replayed update never rolls a record back). An
  acknowledgement keeps the first one; dispensing keeps, per item, the report with the
  highest op ``seq``; invalid reports are kept one per op; a case message is kept once by id.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeGuard

from app.domain import audit as audit_rules

KINDS: Final = frozenset(
    {
        "patient.create",
        "patient.update",
        "case.queue",
        "case.cancel",
        "observation.create",
        "observation.entered_in_error",
        "attachment.create",
    }
)
# What a clinic reports about the prescriptions it received, and its messages to the
# specialist (docs/SYNC.md "Prescriptions").
PRESCRIPTION_KINDS: Final = frozenset(
    {"prescription.acknowledged", "prescription.dispensed", "prescription.invalid", "case.message"}
)
# The clinic's audit trail (docs/SECURITY.md "The audit trail").
AUDIT_KINDS: Final = frozenset({"audit.append"})
ALL_KINDS: Final = KINDS | PRESCRIPTION_KINDS | AUDIT_KINDS
# The entity of each kind whose entity is not the kind's first word.
ENTITY_OF: Final = {"case.message": "case_message"}
DISPENSE_STATUSES: Final = frozenset({"dispensed", "partly", "not_available", "declined"})
INVALID_STATUSES: Final = frozenset({"tampered", "unknown_signer", "revoked", "expired"})
MAX_MESSAGE: Final = 8000  # a case message's body
MAX_ITEMS: Final = 200  # dispensing entries in one op: far above any prescription

MAX_DOC_BYTES: Final = 256 * 1024  # one record's JSON; a push request is at most 1 MB anyway
MAX_OBSERVATIONS: Final = 1000  # per case.queue: far above any real case, bounds the work
MAX_TEXT: Final = 4000  # a reason or other short free text
MAX_VERSION: Final = 2**31 - 1  # a PostgreSQL integer
MAX_BIGINT: Final = 2**63 - 1  # a PostgreSQL bigint, and the largest SQLite integer

CASE_AT_HUB: Final = "at_hub"
CASE_CANCELLED: Final = "cancelled"
OBSERVATION_ENTERED_IN_ERROR: Final = "entered-in-error"  # app.domain ObservationStatus value

_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_SHA256_RE: Final = re.compile(r"[0-9a-f]{64}")
_PATIENT_FIXED: Final = frozenset({"id", "version", "created_at"})

Ref = tuple[str, str]  # (entity, record id), e.g. ("patient", "0193...")


class OpRejected(Exception):
    """The op will never be accepted as sent: ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# -- rows ------------------------------------------------------------------------------------
# Documents are compact JSON text, made once here so that both backends store the same bytes.


@dataclass(frozen=True, slots=True)
class PatientRow:
    id: str
    version: int
    doc: str


@dataclass(frozen=True, slots=True)
class PatientPatch:
    id: str
    version: int
    merge: str  # JSON object of top-level fields laid over the stored document (shallow)


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: str
    patient_id: str
    priority: str
    specialty: str
    doc: str


@dataclass(frozen=True, slots=True)
class ObservationRow:
    id: str
    case_id: str
    code: str
    status: str
    doc: str


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    id: str
    case_id: str
    sha256: str
    size: int
    media_type: str
    doc: str


@dataclass(frozen=True, slots=True)
class Mark:
    """A status change on an existing record, with the spoke's reason."""

    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AckRow:
    """A clinic's acknowledgement of a prescription (the first one is kept)."""

    prescription_id: str
    by_user_id: str
    by_name: str
    at: str


@dataclass(frozen=True, slots=True)
class DispenseRow:
    """One item's dispensing state as the clinic last reported it; ``seq`` is the op's outbox
    seq, so that a late or replayed report never overwrites a newer one."""

    prescription_id: str
    item_index: int
    status: str
    quantity: float | None
    note: str
    by_user_id: str
    by_name: str
    at: str
    seq: int


@dataclass(frozen=True, slots=True)
class InvalidRow:
    """A prescription that failed verification at the clinic, kept for operators."""

    op_id: str
    prescription_id: str
    status: str
    reason: str
    at: str


@dataclass(frozen=True, slots=True)
class MessageRow:
    """A message in a case's thread, from the clinic."""

    id: str
    case_id: str
    prescription_id: str | None
    author_user_id: str
    author_name: str
    author_role: str
    body: str
    sent_at: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry of a spoke's audit trail, as the spoke hashed it."""

    chain: str
    seq: int
    at: str
    actor_id: str
    actor_role: str
    action: str
    entity: str
    entity_id: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Op:
    """One valid op: its envelope, the rows it stores and the records it needs and makes."""

    op_id: str
    seq: int
    kind: str
    entity: str
    entity_id: str
    created_at: str
    needs: tuple[Ref, ...] = ()
    creates: tuple[Ref, ...] = ()
    patient: PatientRow | None = None
    patch: PatientPatch | None = None
    case: CaseRow | None = None
    observations: tuple[ObservationRow, ...] = ()
    attachment: AttachmentRow | None = None
    cancel: Mark | None = None
    entered_in_error: Mark | None = None
    ack: AckRow | None = None
    dispensed: tuple[DispenseRow, ...] = ()
    invalid: InvalidRow | None = None
    message: MessageRow | None = None
    audit: AuditRow | None = None

    @property
    def mutates(self) -> tuple[Ref, ...]:
        """Records whose status or fields this op changes in place (see ``collect``)."""
        if self.patch is not None:
            return (("patient", self.patch.id),)
        if self.cancel is not None:
            return (("case", self.cancel.id),)
        if self.entered_in_error is not None:
            return (("observation", self.entered_in_error.id),)
        return ()

    @property
    def upserts(self) -> tuple[Ref, ...]:
        """Records whose stored document this op replaces when they exist."""
        refs: list[Ref] = []
        if self.case is not None:
            refs.append(("case", self.case.id))
        refs.extend(("observation", o.id) for o in self.observations)
        return tuple(refs)


# -- step 1: one op on its own ---------------------------------------------------------------


def op_id_of(raw: object) -> str:
    """The op's id when it has a usable one, else ``""`` (for the result of a malformed op)."""
    if isinstance(raw, Mapping):
        value = raw.get("op_id")
        if isinstance(value, str) and _ID_RE.fullmatch(value):
            return value
    return ""


def parse(raw: object) -> Op:
    """Check one op on its own (see the module rules); ``OpRejected`` when it is not valid."""
    if not isinstance(raw, Mapping):
        raise _malformed("the op is not a JSON object")
    op_id = op_id_of(raw)
    if not op_id:
        raise _malformed("op_id is missing or not a valid id")
    if UNREADABLE in raw:
        raise _malformed(f"the push table does not give this op whole: {raw[UNREADABLE]}")
    kind = raw.get("op")
    if not isinstance(kind, str) or kind not in ALL_KINDS:
        shown = kind if isinstance(kind, str) else type(kind).__name__
        raise OpRejected("op.unknown", f"unknown op kind {shown[:60]!r}")
    seq = raw.get("seq")
    if not is_int(seq) or not 0 <= seq <= MAX_BIGINT:
        raise _malformed("seq must be an integer >= 0 (64 bits)")
    entity = entity_of(kind)
    if raw.get("entity") != entity:
        raise _malformed(f"entity must be {entity!r} for {kind}")
    entity_id = _id(raw.get("entity_id"), "entity_id")
    created_at = raw.get("created_at", "")
    if not isinstance(created_at, str) or len(created_at) > 64:
        raise _malformed("created_at must be text")
    payload = raw.get("payload")
    if not isinstance(payload, Mapping):
        raise _malformed("payload must be a JSON object")
    head = Op(op_id, seq, kind, entity, entity_id, created_at)
    return _PARSERS[kind](head, payload)


def _patient_create(head: Op, payload: Mapping[str, Any]) -> Op:
    patient = _record(payload, "patient")
    pid = _own_id(head, patient)
    _text(patient, "name")
    _text(patient, "sex")
    version = patient.get("version")
    if not is_int(version) or not 1 <= version <= MAX_VERSION:
        raise _malformed("patient.version must be an integer >= 1 (32 bits)")
    row = PatientRow(pid, version, _doc(patient))
    return _with(head, creates=(("patient", pid),), patient=row)


def _patient_update(head: Op, payload: Mapping[str, Any]) -> Op:
    pid = _own_id(head, payload)
    changed = payload.get("changed")
    if not isinstance(changed, Mapping):
        raise _malformed("changed must be a JSON object")
    fixed = _PATIENT_FIXED.intersection(changed)
    if fixed:
        raise _malformed(f"changed may not set {', '.join(sorted(fixed))}")
    base, version = payload.get("base_version"), payload.get("version")
    if not (is_int(base) and is_int(version) and 1 <= base < version <= MAX_VERSION):
        raise _malformed("base_version and version must be integers, 1 <= base_version < version")
    updated_at = payload.get("updated_at", "")
    if not isinstance(updated_at, str) or len(updated_at) > 64:
        raise _malformed("updated_at must be text")
    # The document's own bookkeeping moves with the change, as on the spoke.
    merge = {**changed, "version": version}
    if updated_at:
        merge["updated_at"] = updated_at
    patch = PatientPatch(pid, version, _doc(merge))
    return _with(head, needs=(("patient", pid),), patch=patch)


def _case_queue(head: Op, payload: Mapping[str, Any]) -> Op:
    case = _record(payload, "case")
    cid = _own_id(head, case)
    patient_id = _id(case.get("patient_id"), "case.patient_id")
    priority = _text(case, "priority", required=False)
    specialty = _text(case, "specialty", required=False)
    for key in ("consent", "news2"):
        value = payload.get(key)
        if value is not None and not isinstance(value, Mapping):
            raise _malformed(f"{key} must be a JSON object or null")
    items = payload.get("observations", [])
    if not isinstance(items, list):
        raise _malformed("observations must be a list")
    if len(items) > MAX_OBSERVATIONS:
        raise _malformed(f"more than {MAX_OBSERVATIONS} observations in one case")
    observations = tuple(_observation(item, case_id=cid) for item in items)
    if len({o.id for o in observations}) != len(observations):
        raise _malformed("an observation id appears twice")
    # The case document keeps the NEWS2 score the spoke showed; "consent" is already inside
    # the case (codec.case_to_dict), the payload repeats it for readers of the op alone.
    doc = {**case, "news2": payload.get("news2")}
    row = CaseRow(cid, patient_id, priority, specialty, _doc(doc))
    creates = (("case", cid), *(("observation", o.id) for o in observations))
    return _with(
        head,
        needs=(("patient", patient_id),),
        creates=creates,
        case=row,
        observations=observations,
    )


def _case_cancel(head: Op, payload: Mapping[str, Any]) -> Op:
    cid = _own_id(head, payload)
    mark = Mark(cid, _reason(payload))
    return _with(head, needs=(("case", cid),), cancel=mark)


def _observation_create(head: Op, payload: Mapping[str, Any]) -> Op:
    item = _record(payload, "observation")
    observation = _observation(item, case_id=None)
    if observation.id != head.entity_id:
        raise _malformed("entity_id is not the observation's id")
    return _with(
        head,
        needs=(("case", observation.case_id),),
        creates=(("observation", observation.id),),
        observations=(observation,),
    )


def _observation_entered_in_error(head: Op, payload: Mapping[str, Any]) -> Op:
    oid = _own_id(head, payload)
    mark = Mark(oid, _reason(payload))
    return _with(head, needs=(("observation", oid),), entered_in_error=mark)


def _attachment_create(head: Op, payload: Mapping[str, Any]) -> Op:
    item = _record(payload, "attachment")
    aid = _own_id(head, item)
    case_id = _id(item.get("case_id"), "attachment.case_id")
    sha256 = item.get("sha256")
    if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
        raise _malformed("attachment.sha256 must be 64 lower-case hex digits")
    size = item.get("size")
    if not is_int(size) or not 0 <= size <= MAX_BIGINT:
        raise _malformed("attachment.size must be an integer >= 0 (64 bits)")
    media_type = _text(item, "media_type")
    row = AttachmentRow(aid, case_id, sha256, size, media_type, _doc(item))
    return _with(head, needs=(("case", case_id),), creates=(("attachment", aid),), attachment=row)


def _prescription_ref(head: Op, payload: Mapping[str, Any]) -> str:
    pid = _id(payload.get("prescription_id"), "prescription_id")
    if pid != head.entity_id:
        raise _malformed("entity_id is not the prescription's id")
    return pid


def _short(payload: Mapping[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    value = _text(payload, key, required=False)
    if len(value) > limit:
        raise _malformed(f"{key} is longer than {limit} characters")
    return value


def _prescription_acknowledged(head: Op, payload: Mapping[str, Any]) -> Op:
    pid = _prescription_ref(head, payload)
    row = AckRow(pid, _short(payload, "by_user_id"), _short(payload, "by_name"), _at(payload))
    return _with(head, needs=(("prescription", pid),), ack=row)


def _prescription_dispensed(head: Op, payload: Mapping[str, Any]) -> Op:
    pid = _prescription_ref(head, payload)
    items = payload.get("items")
    if not isinstance(items, list) or not items:
        raise _malformed("items must be a non-empty list")
    if len(items) > MAX_ITEMS:
        raise _malformed(f"more than {MAX_ITEMS} items")
    by_user, by_name, at = _short(payload, "by_user_id"), _short(payload, "by_name"), _at(payload)
    rows: dict[int, DispenseRow] = {}
    for item in items:
        if not isinstance(item, Mapping):
            raise _malformed("an item is not a JSON object")
        index = item.get("index")
        if not is_int(index) or not 0 <= index < MAX_ITEMS:
            raise _malformed(f"item index must be an integer 0-{MAX_ITEMS - 1}")
        status = item.get("status")
        if status not in DISPENSE_STATUSES:
            raise _malformed(f"item status must be one of {', '.join(sorted(DISPENSE_STATUSES))}")
        quantity = item.get("quantity")
        if quantity is not None and (
            not isinstance(quantity, int | float)
            or isinstance(quantity, bool)
            or not math.isfinite(quantity)
            or quantity < 0
        ):
            raise _malformed("item quantity must be a number >= 0 or null")
        note = _short(item, "note")
        # The same index twice in one op: the last entry is the op's word on that item.
        rows[index] = DispenseRow(
            pid, index, str(status), None if quantity is None else float(quantity), note,
            by_user, by_name, at, head.seq,
        )  # fmt: skip
    return _with(head, needs=(("prescription", pid),), dispensed=tuple(rows.values()))


def _prescription_invalid(head: Op, payload: Mapping[str, Any]) -> Op:
    pid = _prescription_ref(head, payload)
    status = payload.get("status")
    if status not in INVALID_STATUSES:
        raise _malformed(f"status must be one of {', '.join(sorted(INVALID_STATUSES))}")
    row = InvalidRow(head.op_id, pid, str(status), _short(payload, "reason"), _at(payload))
    return _with(head, needs=(("prescription", pid),), invalid=row)


def _case_message(head: Op, payload: Mapping[str, Any]) -> Op:
    mid = _own_id(head, payload)
    case_id = _id(payload.get("case_id"), "case_id")
    raw_pid = payload.get("prescription_id")
    pid = None if raw_pid is None else _id(raw_pid, "prescription_id")
    body = _short(payload, "body", MAX_MESSAGE)
    if not body.strip():
        raise _malformed("body is empty")
    _doc(payload)  # NUL characters, unpaired surrogates: refused as for every record
    row = MessageRow(
        mid, case_id, pid, _short(payload, "author_user_id"), _short(payload, "author_name"),
        _short(payload, "author_role"), body, _short(payload, "sent_at", 64),
    )  # fmt: skip
    needs: tuple[Ref, ...] = (("case", case_id),)
    if pid is not None:
        needs += (("prescription", pid),)
    return _with(head, needs=needs, creates=(("case_message", mid),), message=row)


def _at(payload: Mapping[str, Any]) -> str:
    return _short(payload, "at", 64)


def _audit_append(head: Op, payload: Mapping[str, Any]) -> Op:
    chain = _id(payload.get("chain"), "chain")
    seq = payload.get("seq")
    if not is_int(seq) or not 1 <= seq <= MAX_BIGINT:
        raise _malformed("seq must be an integer >= 1 (64 bits)")
    entry_id = _own_id(head, payload)
    if entry_id != f"{chain}:{seq}":
        raise _malformed("id must be '<chain>:<seq>'")
    at = _text(payload, "at")
    if not _AUDIT_AT_RE.fullmatch(at):
        raise _malformed("at must be an ISO 8601 time")
    fields = {k: _text(payload, k, required=False) for k in _AUDIT_FIELDS}
    why = audit_rules.problem(**fields)
    if why is not None:
        raise _malformed(why)
    prev_hash, digest = _text(payload, "prev_hash"), _text(payload, "hash")
    if not (_SHA256_RE.fullmatch(prev_hash) and _SHA256_RE.fullmatch(digest)):
        raise _malformed("prev_hash and hash must be 64 lower-case hex digits")
    if seq == 1 and prev_hash != audit_rules.genesis(chain):
        raise _malformed("entry 1 does not start from its chain's genesis")
    row = AuditRow(
        chain, seq, at, fields["actor_id"], fields["actor_role"], fields["action"],
        fields["entity"], fields["entity_id"], fields["detail"], prev_hash, digest,
    )  # fmt: skip
    again = audit_rules.entry_hash(
        seq, at, row.actor_id, row.actor_role, row.action, row.entity, row.entity_id,
        row.detail, prev_hash,
    )  # fmt: skip
    if again != digest:
        raise _malformed("hash is not the entry's hash")
    return _with(head, audit=row)


_AUDIT_AT_RE: Final = re.compile(rf"[0-9][0-9T:.+Z-]{{0,{audit_rules.MAX_AT - 1}}}")
_AUDIT_FIELDS: Final = ("actor_id", "actor_role", "action", "entity", "entity_id", "detail")


_PARSERS: Final = {
    "patient.create": _patient_create,
    "patient.update": _patient_update,
    "case.queue": _case_queue,
    "case.cancel": _case_cancel,
    "observation.create": _observation_create,
    "observation.entered_in_error": _observation_entered_in_error,
    "attachment.create": _attachment_create,
    "prescription.acknowledged": _prescription_acknowledged,
    "prescription.dispensed": _prescription_dispensed,
    "prescription.invalid": _prescription_invalid,
    "case.message": _case_message,
    "audit.append": _audit_append,
}


def entity_of(kind: str) -> str:
    """The entity an op kind is about: the kind's first word unless ``ENTITY_OF`` says."""
    return ENTITY_OF.get(kind, kind.partition(".")[0])


def _observation(item: object, *, case_id: str | None) -> ObservationRow:
    if not isinstance(item, Mapping):
        raise _malformed("an observation is not a JSON object")
    oid = _id(item.get("id"), "observation.id")
    owner = _id(item.get("case_id"), "observation.case_id")
    if case_id is not None and owner != case_id:
        raise _malformed("an observation belongs to another case")
    code = _text(item, "code")
    if not code:
        raise _malformed("observation.code is empty")
    value = item.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise _malformed("observation.value must be a finite number")
    _text(item, "unit")
    status = _text(item, "status", required=False) or "final"
    return ObservationRow(oid, owner, code, status, _doc(item))


# -- small checks ----------------------------------------------------------------------------


def _malformed(message: str) -> OpRejected:
    return OpRejected("op.malformed", message)


def is_int(value: object) -> TypeGuard[int]:
    """An integer, and not a bool (JSON true is not 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _id(value: object, what: str) -> str:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise _malformed(f"{what} is missing or not a valid id")
    return value


def _own_id(head: Op, record: Mapping[str, Any]) -> str:
    rid = _id(record.get("id"), f"{head.entity}.id")
    if rid != head.entity_id:
        raise _malformed(f"entity_id is not the {head.entity}'s id")
    return rid


def _record(payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    record = payload.get(key)
    if not isinstance(record, Mapping):
        raise _malformed(f"payload.{key} must be a JSON object")
    return record


def _text(record: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _malformed(f"{key} must be text")
    return value


def _reason(payload: Mapping[str, Any]) -> str:
    reason = _text(payload, "reason", required=False)
    if len(reason) > MAX_TEXT:
        raise _malformed(f"reason is longer than {MAX_TEXT} characters")
    return reason


def _doc(value: Mapping[str, Any]) -> str:
    """Compact JSON text of ``value`` that PostgreSQL's ``jsonb`` will accept as SQLite does."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        text.encode("utf-8")  # an unpaired surrogate fails here rather than in the database
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise _malformed(f"not storable as JSON: {exc}") from None
    if len(text) > MAX_DOC_BYTES:
        raise _malformed(f"a record is larger than {MAX_DOC_BYTES} bytes of JSON")
    # JSON escapes a NUL as \u0000; the cheap text test avoids a walk in the usual case.
    if "\\u0000" in text and _has_nul(value):
        raise _malformed("text contains a NUL character")
    return text


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _with(head: Op, **fields: Any) -> Op:
    return Op(
        head.op_id,
        head.seq,
        head.kind,
        head.entity,
        head.entity_id,
        head.created_at,
        **fields,
    )


# -- step 2: references ----------------------------------------------------------------------


def refs(ops: Iterable[Op]) -> dict[str, set[str]]:
    """Per entity, the record ids whose owner ``resolve`` needs to know."""
    wanted: dict[str, set[str]] = {}
    for op in ops:
        for entity, rid in (*op.needs, *op.creates):
            wanted.setdefault(entity, set()).add(rid)
    return wanted


def resolve(spoke_id: str, ops: Sequence[Op], owners: Mapping[Ref, str]) -> list[OpRejected | None]:
    """For each op in order, ``None`` when its references hold, else why not.

    ``owners`` maps each stored record (at least those ``refs`` names) to the spoke that
    created it. Ops that pass add their records to what later ops of the batch may use.
    """
    known = dict(owners)
    verdicts: list[OpRejected | None] = []
    for op in ops:
        verdict = _check(spoke_id, op, known)
        if verdict is None:
            for ref in op.creates:
                known[ref] = spoke_id
        verdicts.append(verdict)
    return verdicts


def _check(spoke_id: str, op: Op, known: Mapping[Ref, str]) -> OpRejected | None:
    for entity, rid in op.creates:
        owner = known.get((entity, rid))
        if owner is not None and owner != spoke_id:
            return OpRejected(f"{entity}.conflict", f"{entity} {rid} belongs to another spoke")
    for entity, rid in op.needs:
        if known.get((entity, rid)) != spoke_id:
            return OpRejected(f"{entity}.unknown", f"the hub has no {entity} {rid} from this spoke")
    return None


# -- step 3: rows per table ------------------------------------------------------------------


@dataclass(slots=True)
class Writes:
    """The accepted ops' rows grouped per table, in the order a backend writes them.

    Writing order: patients, patches, cases, observations, attachments, cancels, entered in
    error. Equal to applying the ops one by one unless ``ordered`` is true (see ``collect``).
    """

    patients: dict[str, PatientRow] = field(default_factory=dict)  # first copy wins
    patches: list[PatientPatch] = field(default_factory=list)  # in op order
    cases: dict[str, CaseRow] = field(default_factory=dict)  # last copy wins
    observations: dict[str, ObservationRow] = field(default_factory=dict)  # last copy wins
    attachments: dict[str, AttachmentRow] = field(default_factory=dict)  # first copy wins
    cancels: list[Mark] = field(default_factory=list)
    entered_in_error: list[Mark] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)  # case ids of case.queue, in op order
    acks: dict[str, AckRow] = field(default_factory=dict)  # first one wins
    dispensed: list[DispenseRow] = field(default_factory=list)  # in op order
    invalid: list[InvalidRow] = field(default_factory=list)
    messages: dict[str, MessageRow] = field(default_factory=dict)  # first copy wins
    audit: list[AuditRow] = field(default_factory=list)  # in op order
    ordered: bool = False


def collect(ops: Iterable[Op]) -> Writes:
    """Group ``ops`` (all accepted) for a set-based write.

    ``ordered`` is set when an op replaces a record that an earlier op of the batch changed in
    place (a ``case.queue`` after a ``case.cancel`` of the same case, an observation re-sent
    after it was marked in error): writing per table would then reorder them, so the backend
    must apply such a batch op by op instead. No spoke produces that today; it costs nothing
    to be right.
    """
    writes = Writes()
    mutated: set[Ref] = set()
    for op in ops:
        if mutated.intersection(op.upserts):
            writes.ordered = True
        mutated.update(op.mutates)
        if op.patient is not None:
            writes.patients.setdefault(op.patient.id, op.patient)
        if op.patch is not None:
            writes.patches.append(op.patch)
        if op.case is not None:
            writes.cases[op.case.id] = op.case
            writes.queued.append(op.case.id)
        for o in op.observations:
            writes.observations[o.id] = o
        if op.attachment is not None:
            writes.attachments.setdefault(op.attachment.id, op.attachment)
        if op.cancel is not None:
            writes.cancels.append(op.cancel)
        if op.entered_in_error is not None:
            writes.entered_in_error.append(op.entered_in_error)
        if op.ack is not None:
            writes.acks.setdefault(op.ack.prescription_id, op.ack)
        writes.dispensed.extend(op.dispensed)
        if op.invalid is not None:
            writes.invalid.append(op.invalid)
        if op.message is not None:
            writes.messages.setdefault(op.message.id, op.message)
        if op.audit is not None:
            writes.audit.append(op.audit)
    return writes


# -- the push body: a table of ops (docs/SYNC.md "Tables") -----------------------------------

UNREADABLE: Final = "\x00unreadable"  # key of an op the table could not give whole: why
MAX_TABLE_ROWS: Final = 200_000  # rows of every (sub)table of one body together
MAX_EXPANSION: Final = 8 * 1024 * 1024  # JSON bytes that "=" columns may repeat in one body
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_RECORD_OF: Final = {  # where each kind's payload keeps the record it is about
    "patient.create": "patient",
    "case.queue": "case",
    "observation.create": "observation",
    "attachment.create": "attachment",
}


class BodyRefused(Exception):
    """The push body as a whole cannot be read (``too_large``: it would decode to too much)."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def push_ops(count: object, table: object) -> list[dict[str, Any]]:
    """The ``count`` ops of a push body's ``ops`` table, as ``parse`` reads ops.

    Each op gets back what the wire leaves out: ``entity`` and ``entity_id`` (from the kind and
    the payload's record) and, for ``case.queue``, the case's consent and each observation's
    ``case_id``. A column that is broken spoils only the ops it should have given a value:
    they come back with ``UNREADABLE`` set, and ``parse`` rejects them one by one. Only a body
    whose frame is unusable (``count``, the table itself) is ``BodyRefused``.
    """
    if not is_int(count) or count < 0:
        raise BodyRefused("count must be an integer >= 0")
    if not isinstance(table, Mapping):
        raise BodyRefused("ops must be a table (a JSON object of columns)")
    budget = _Budget()
    try:
        rows, bad = _decode_table(table, count, budget)
    except RecursionError:
        raise BodyRefused("the ops table is nested too deeply") from None
    out: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        if index in bad:
            op_id = row.get("op_id")
            out.append({"op_id": op_id, UNREADABLE: bad[index]} if op_id else {UNREADABLE: ""})
            continue
        out.append(_restore(row))
    return out


def _restore(row: dict[str, Any]) -> dict[str, Any]:
    kind, payload = row.get("op"), row.get("payload")
    if not isinstance(kind, str) or not isinstance(payload, Mapping):
        return row  # parse says what is wrong
    row.setdefault("entity", entity_of(kind))
    if kind.startswith("prescription."):
        # These ops are about a prescription the hub issued: no record of their own.
        if "prescription_id" in payload:
            row.setdefault("entity_id", payload["prescription_id"])
        return row
    holder = _RECORD_OF.get(kind)
    record = payload.get(holder) if holder else payload
    if isinstance(record, Mapping) and "id" in record:
        row.setdefault("entity_id", record["id"])
    if kind == "case.queue" and isinstance(record, Mapping):
        restored = dict(payload)
        restored.setdefault("consent", record.get("consent"))
        items = restored.get("observations")
        if isinstance(items, list):
            restored["observations"] = [
                {"case_id": record.get("id"), **item} if isinstance(item, Mapping) else item
                for item in items
            ]
        row["payload"] = restored
    return row


@dataclass(slots=True)
class _Budget:
    rows: int = 0
    expansion: int = 0


def _decode_table(
    table: Mapping[str, Any], count: int, budget: _Budget
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """``count`` rows and, for the rows a broken column could not fill, why."""
    budget.rows += count
    if budget.rows > MAX_TABLE_ROWS:
        raise BodyRefused(f"the ops table has more than {MAX_TABLE_ROWS} rows", too_large=True)
    rows: list[dict[str, Any]] = [{} for _ in range(count)]
    bad: dict[int, str] = {}
    for key, column in table.items():
        values, broken = _decode_column(column, count, budget, key)
        for index, value in enumerate(values):
            if value is not _MISSING:
                rows[index][key] = value
        for index, why in broken.items():
            bad.setdefault(index, why)
    return rows, bad


class _Missing:
    pass


_MISSING: Final = _Missing()


def _decode_column(
    column: object, count: int, budget: _Budget, key: str
) -> tuple[list[Any], dict[int, str]]:
    """One column's ``count`` values (``_MISSING`` where a row lacks the key) and broken rows."""
    everyone = {i: f"column {key!r} is malformed" for i in range(count)}
    missing: list[Any] = [_MISSING] * count
    if isinstance(column, list):
        if len(column) == count:
            return column, {}
        short = {i: f"column {key!r} has {len(column)} values for {count} rows" for i in everyone}
        return [*column[:count], *missing[len(column) :]], short
    if not isinstance(column, Mapping) or not column:
        return missing, everyone
    form = next(iter(column))
    try:
        if form == "=" and len(column) == 1:
            value = column["="]
            if count > 1 and isinstance(value, dict | list | str):
                budget.expansion += (count - 1) * len(json.dumps(value, ensure_ascii=False))
                if budget.expansion > MAX_EXPANSION:
                    raise BodyRefused("the ops table repeats too much", too_large=True)
            return [value] * count, {}
        if form in ("d", "t") and len(column) == 1:
            numbers = _sums(column[form], count)
            if form == "d":
                return numbers, {}
            times = [
                (_EPOCH + n * _MICROSECOND).isoformat(timespec="microseconds") for n in numbers
            ]
            return times, {}
        if form == "{}" and len(column) == 1 and isinstance(column["{}"], Mapping):
            sub, bad = _decode_table(column["{}"], count, budget)
            return list(sub), bad
        if form == "[]" and set(column) == {"[]", "of"} and isinstance(column["of"], Mapping):
            lengths = column["[]"]
            if not isinstance(lengths, list) or len(lengths) != count:
                return missing, everyone
            if not all(is_int(n) and 0 <= n <= MAX_OBSERVATIONS for n in lengths):
                return missing, everyone
            items, item_bad = _decode_table(column["of"], sum(lengths), budget)
            lists: list[Any] = []
            owner: list[int] = []
            start = 0
            for index, n in enumerate(lengths):
                lists.append(items[start : start + n])
                owner.extend([index] * n)
                start += n
            return lists, {owner[i]: why for i, why in item_bad.items()}
        if form == "at" and set(column) == {"at", "col"}:
            at = _sums(column["at"], None)
            if any(i >= count for i in at) or any(b <= a for a, b in itertools.pairwise(at)):
                return missing, everyone
            values, sub_bad = _decode_column(column["col"], len(at), budget, key)
            for i, value in zip(at, values, strict=True):
                missing[i] = value
            return missing, {at[i]: why for i, why in sub_bad.items()}
    except (_BadColumn, OverflowError):
        return missing, everyone
    return missing, everyone


class _BadColumn(Exception):
    pass


def _sums(differences: object, count: int | None) -> list[int]:
    """Running sums of a list of integer differences (``count`` of them when given)."""
    if not isinstance(differences, list) or (count is not None and len(differences) != count):
        raise _BadColumn
    total = 0
    out: list[int] = []
    for d in differences:
        if not is_int(d) or not -MAX_BIGINT <= d <= MAX_BIGINT:
            raise _BadColumn
        total += d
        if total < 0 and count is None:
            raise _BadColumn  # indices
        out.append(total)
    return out


def case_status_change(case_id: str, status: str) -> tuple[str, str, str, dict[str, Any]]:
    """The feed change telling the spoke where its case stands: (entity, id, op, payload)."""
    return ("case", case_id, "case.status", {"id": case_id, "status": status})
