"""Prescriptions and case messages the hub hands down in the pull (docs/PRESCRIPTIONS.md,
"Prescriptions on the wire" and "At the clinic").

Rules for a ``prescription.issued`` change:

- The payload's ``canonical`` bytes are read with ``from_canonical``; the signature is checked
  over exactly those bytes by the ``verify`` the sync engine passes in (the hub key pinned at
  enrolment and the certificate in the payload, at the prescription's own issue time). The
  check lives above this layer (``app.security``), so it is handed in rather than imported.
- The prescription is stored whatever the verdict: an invalid one is kept, shown as invalid,
  and reported to the hub by a ``prescription.invalid`` op queued in the same transaction.
  A feed entry whose id, case or issue time disagrees with the signed bytes is invalid too
  (``tampered``): what is shown is what was signed, and the disagreement needs a person.
- Only a valid prescription supersedes the one it names (so a forged correction cannot hide
  a genuine prescription), and only one for the same patient or case. A correction that
  arrives before the prescription it corrects is linked when the older one arrives.
- A valid prescription moves its case to PRESCRIBED when the case's state machine allows it
  (from SENT or AT_HUB); otherwise the case is left as it is.
- A prescription arrives once: a replayed page, or the same id again, changes nothing.
- A malformed payload (no usable id, bytes that are not base64url, missing fields) is logged
  and skipped, never failing the page. Signed bytes that cannot be read as a prescription of a
  known format are not stored (nothing could be shown of them); when their signature does not
  verify either, the hub is told once with ``prescription.invalid``.

``rx_key.revoked`` changes carry a hub-signed revocation certificate. It is kept (sync_state
``rx.revoked.<key id>``) only if the hub key this PC pinned signed it, a forgery is logged and
dropped; from then on every arrival is checked with the revocations held, and the valid
prescriptions this PC holds from that key are checked again (``recheck``): one signed from
the revocation on becomes REVOKED and is reported like an arrival, one signed before stays
valid. Either order of revocation and prescription in the feed ends with the same verdict.

``case.message`` changes land in the case's thread as incoming messages, once per id.

Threading rule: both functions run inside ``Store.write`` (the pull applies a page there).
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import sqlite_utils

from app.domain import case_rules
from app.domain.errors import DomainError
from app.domain.ids import CaseId
from app.domain.models import CaseStatus
from app.domain.prescriptions import Prescription, from_canonical
from app.domain.text import nfc
from app.store import case_messages, codec, errors, outbox, settings
from app.store import cases as cases_repo
from app.store import prescriptions as rx_repo
from app.store.case_messages import CaseMessage
from app.store.prescriptions import StoredPrescription, Verification

log = logging.getLogger(__name__)

# (canonical bytes, signature, key id, certificate text, when it says it was signed)
# -> (verdict, reason): the caller's signature check; must not raise.
Verifier = Callable[[bytes, bytes, str, str, datetime | None], tuple[Verification, str]]

# (revocation certificate text) -> (key id, revoked from) when it is a revocation signed by
# the hub key this PC pinned, None otherwise: the caller's check; must not raise.
RevocationCheck = Callable[[str], tuple[str, datetime] | None]

OP_INVALID: Final = "prescription.invalid"
OP_KEY_REVOKED: Final = "rx_key.revoked"
# The verdict's reason while this PC holds no hub key (``app.services.prescriptions``): such
# prescriptions are checked again once the key is learnt (``recheck``).
NO_HUB_KEY: Final = "this PC holds no prescription key of its hub"
# + key id: a hub-signed revocation certificate this PC holds (sync_state).
_REVOKED_PREFIX: Final = "rx.revoked."
# Marks an unreadable prescription already reported, so a replay does not report it again.
_UNREADABLE_PREFIX: Final = "sync.rx_unreadable."
_MAX_ID: Final = 64
_MAX_PAYLOAD_CHARS: Final = 256 * 1024  # a long prescription is a few KB
_MAX_MESSAGE_CHARS: Final = 20_000
_MAX_NAME_CHARS: Final = 200


@dataclass(frozen=True, slots=True)
class _Envelope:
    id: str
    canonical: bytes
    signature: bytes
    key_id: str
    certificate: str
    case_id: str
    issued_at: datetime


def _b64url(text: object) -> bytes | None:
    if not isinstance(text, str) or not text.isascii() or len(text) > _MAX_PAYLOAD_CHARS:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    # Strict: stray characters or padding make another text for the same bytes.
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != text.rstrip("="):
        return None
    return data


def _short_id(value: object) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= _MAX_ID and value.isprintable():
        return value
    return None


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if moment.tzinfo is None else codec.parse_dt(value)


def _envelope(entity_id: object, payload: object) -> _Envelope | None:
    if not isinstance(payload, Mapping):
        return None
    rid = _short_id(entity_id)
    canonical = _b64url(payload.get("canonical"))
    signature = _b64url(payload.get("signature"))
    key_id, certificate = payload.get("key_id"), payload.get("certificate")
    case_id = _short_id(payload.get("case_id"))
    issued_at = _when(payload.get("issued_at"))
    if rid is None or canonical is None or signature is None or case_id is None:
        return None
    if issued_at is None or _short_id(key_id) is None:
        return None
    if not isinstance(certificate, str) or len(certificate) > _MAX_PAYLOAD_CHARS:
        return None
    return _Envelope(rid, canonical, signature, str(key_id), certificate, case_id, issued_at)


def apply_issued(
    db: sqlite_utils.Database, entity_id: object, payload: Any, now: datetime, verify: Verifier
) -> bool:
    """Apply one ``prescription.issued`` change; True when a prescription was stored.
    Never raises for a bad payload or a row the database refuses (logged, skipped)."""
    env = _envelope(entity_id, payload)
    if env is None:
        log.warning("skipping a malformed prescription.issued from the hub (id %r)", entity_id)
        return False
    if rx_repo.exists(db, env.id):
        return False  # arrived already: a replayed page
    problem = ""
    rx: Prescription | None = None
    try:
        rx = from_canonical(env.canonical)
    except DomainError as exc:
        problem = f"{exc.code}: {exc.message}"
    signed_at = rx.issued_at if rx is not None else env.issued_at
    verdict, reason = verify(env.canonical, env.signature, env.key_id, env.certificate, signed_at)
    if rx is None:
        _unreadable(db, env, verdict, reason, problem, now)
        return False
    if verdict is Verification.VALID:
        mismatch = _disagreement(env, rx)
        if mismatch:
            verdict, reason = Verification.TAMPERED, f"the feed entry's {mismatch}"
    db.execute("SAVEPOINT rx_issued")
    try:
        stored = _store(db, env, rx, verdict, reason, now)
    except errors.BAD_RECORD_ERRORS as exc:
        db.execute("ROLLBACK TO rx_issued")
        db.execute("RELEASE rx_issued")
        log.warning("skipping prescription %s: %s", env.id, exc)
        return False
    db.execute("RELEASE rx_issued")
    return stored


def _disagreement(env: _Envelope, rx: Prescription) -> str:
    if rx.id != env.id:
        return f"id {env.id} is not the signed id {rx.id}"
    if rx.case_id != env.case_id:
        return f"case {env.case_id} is not the signed case {rx.case_id}"
    if rx.issued_at != env.issued_at.replace(microsecond=0):
        return "issue time is not the signed one"
    return ""


def _store(
    db: sqlite_utils.Database,
    env: _Envelope,
    rx: Prescription,
    verdict: Verification,
    reason: str,
    now: datetime,
) -> bool:
    case = cases_repo.get(db, CaseId(rx.case_id))
    record = StoredPrescription(
        id=rx.id,
        case_id=rx.case_id,
        patient_id=None if case is None else case.patient_id,
        patient_name=rx.patient.name,
        prescriber_name=rx.practitioner.name,
        item_count=len(rx.items),
        canonical=env.canonical,
        signature=env.signature,
        key_id=env.key_id,
        certificate=env.certificate,
        issued_at=rx.issued_at,
        follow_up=rx.follow_up,
        supersedes=rx.supersedes,
        verification=verdict,
        verification_reason=reason,
        verified_at=now,
        received_at=now,
        updated_at=now,
    )
    if not rx_repo.insert(db, record):
        return False
    if verdict is Verification.VALID:
        _take_effect(db, record, now)
    else:
        log.warning("prescription %s failed verification: %s (%s)", rx.id, verdict, reason)
        _report_invalid(db, rx.id, verdict, reason, now)
    return True


def _take_effect(db: sqlite_utils.Database, record: StoredPrescription, now: datetime) -> None:
    """What a valid prescription does: link the one it corrects (and a correction that came
    first), and move its case to PRESCRIBED when the state machine allows it."""
    if record.supersedes is not None:
        _supersede(db, record, record.supersedes, now)
    # A correction that arrived before this prescription: link this one to it now.
    for newer in rx_repo.valid_corrections_of(db, record.id):
        corrector = rx_repo.get(db, newer)
        if corrector is not None and _same_patient(record, corrector):
            rx_repo.mark_superseded(db, record.id, newer, now)
    case = cases_repo.get(db, CaseId(record.case_id))
    if case is not None and case_rules.can_transition(case.status, CaseStatus.PRESCRIBED):
        cases_repo.update(db, case_rules.transition(case, CaseStatus.PRESCRIBED, now))


def _same_patient(a: StoredPrescription, b: StoredPrescription) -> bool:
    if a.case_id == b.case_id:
        return True
    return a.patient_id is not None and a.patient_id == b.patient_id


def _supersede(
    db: sqlite_utils.Database, record: StoredPrescription, old_id: str, now: datetime
) -> None:
    old = rx_repo.get(db, old_id)
    if old is None:
        return  # linked when it arrives (above)
    if not _same_patient(old, record):
        log.warning(
            "prescription %s says it corrects %s, another patient's: not linked", record.id, old_id
        )
        return
    rx_repo.mark_superseded(db, old_id, record.id, now)


def _report_invalid(
    db: sqlite_utils.Database, rid: str, verdict: Verification, reason: str, now: datetime
) -> None:
    outbox.enqueue(
        db,
        entity="prescription",
        entity_id=rid,
        op=OP_INVALID,
        payload={
            "prescription_id": rid,
            "status": verdict.value,
            "reason": reason,
            "at": codec.iso(now),
        },
        priority=outbox.PRIORITY_RECORD,
        now=now,
    )


def _unreadable(
    db: sqlite_utils.Database,
    env: _Envelope,
    verdict: Verification,
    reason: str,
    problem: str,
    now: datetime,
) -> None:
    if verdict is Verification.VALID:
        # Signed by the hub's specialist but in a form this version cannot read (a newer
        # format): nothing to show or report; a later version re-pulls from the start.
        log.warning("skipping prescription %s this version cannot read: %s", env.id, problem)
        return
    log.warning("prescription %s is unreadable and fails verification: %s", env.id, reason)
    key = _UNREADABLE_PREFIX + env.id
    if settings.get_state(db, key) is not None:
        return
    settings.put_state(db, key, codec.iso(now))
    _report_invalid(db, env.id, verdict, f"{reason}; unreadable ({problem})", now)


# -- key revocations ---------------------------------------------------------------------------


def revocations(db: sqlite_utils.Database) -> list[str]:
    """The hub-signed revocation certificates this PC holds (each checked when stored)."""
    rows = db.execute(
        "SELECT value FROM sync_state WHERE key LIKE ? ORDER BY key", [_REVOKED_PREFIX + "%"]
    ).fetchall()
    return [str(r[0]) for r in rows]


def store_revocation(
    db: sqlite_utils.Database, certificate: object, check: RevocationCheck, *, key_id: object = None
) -> str | None:
    """Keep a revocation certificate if the pinned hub key signed it; returns its key id when
    it is new here (the caller then checks that key's prescriptions again), None when it was
    held already or is not one (logged and dropped: a forgery must change nothing)."""
    if not isinstance(certificate, str) or len(certificate) > _MAX_PAYLOAD_CHARS:
        log.warning("dropping a malformed key revocation from the hub (key %r)", key_id)
        return None
    checked = check(certificate)
    if checked is None:
        log.warning(
            "dropping a key revocation the hub key did not sign or that revokes nothing (key %r)",
            key_id,
        )
        return None
    kid = checked[0]
    if key_id is not None and key_id != kid:
        log.warning("dropping a key revocation for key %s sent as key %r", kid, key_id)
        return None
    name = _REVOKED_PREFIX + kid
    if settings.get_state(db, name) == certificate:
        return None  # a replayed page, or the same revocation from GET /v1/anchor
    settings.put_state(db, name, certificate)
    log.info("the hub revoked prescription key %s from %s", kid, codec.iso(checked[1]))
    return kid


def apply_revoked(
    db: sqlite_utils.Database, entity_id: object, payload: Any, check: RevocationCheck
) -> str | None:
    """Apply one ``rx_key.revoked`` change (``store_revocation``). Never raises."""
    if not isinstance(payload, Mapping) or _short_id(entity_id) is None:
        log.warning("skipping a malformed rx_key.revoked from the hub (id %r)", entity_id)
        return None
    if payload.get("key_id") != entity_id:
        log.warning("skipping an rx_key.revoked whose key id disagrees (id %r)", entity_id)
        return None
    return store_revocation(db, payload.get("certificate"), check, key_id=entity_id)


def recheck(
    db: sqlite_utils.Database,
    verify: Verifier,
    now: datetime,
    *,
    key_id: str | None = None,
    no_hub_key: bool = False,
) -> list[str]:
    """Check stored prescriptions again with ``verify`` (which holds the revocations): the
    valid ones signed with ``key_id`` after a revocation of it arrived, or (``no_hub_key``)
    the ones stored unknown-signer because this PC had no hub key, once it has one. A newly
    invalid one is reported like an arrival (``prescription.invalid``) and undoes the
    correction link it made; a newly valid one takes effect as on arrival (a report sent
    earlier stays at the hub). Returns the ids whose verdict changed."""
    if (key_id is None) == (not no_hub_key):
        raise ValueError("recheck needs exactly one of key_id and no_hub_key")
    ids = rx_repo.ids_to_recheck(db, key_id=key_id, reason=NO_HUB_KEY if no_hub_key else None)
    return [rid for rid in ids if recheck_one(db, rid, verify, now)]


def recheck_one(db: sqlite_utils.Database, rid: str, verify: Verifier, now: datetime) -> bool:
    """Check one stored prescription again with ``verify``; True when its verdict changed. A
    newly invalid one is reported like an arrival (``prescription.invalid``) and undoes the
    correction link it made; a newly valid one takes effect as on arrival."""
    stored = rx_repo.get(db, rid)
    if stored is None or stored.issued_at is None:
        return False
    verdict, reason = verify(
        stored.canonical, stored.signature, stored.key_id, stored.certificate, stored.issued_at
    )
    if verdict is stored.verification:
        if reason != stored.verification_reason:  # still invalid, now saying why
            rx_repo.set_verification(db, rid, verdict, reason, now)
        return False
    rx_repo.set_verification(db, rid, verdict, reason, now)
    if verdict is Verification.VALID:
        log.info("prescription %s verifies now: %s", rid, reason)
        _take_effect(db, stored, now)
        return True
    log.warning("prescription %s fails verification now: %s (%s)", rid, verdict, reason)
    if stored.verification is Verification.VALID:
        rx_repo.unlink_superseded(db, rid, now)
    _report_invalid(db, rid, verdict, reason, now)
    return True


# -- case messages ------------------------------------------------------------------------------


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        return None
    return nfc(value)


def apply_message(
    db: sqlite_utils.Database, entity_id: object, payload: Any, now: datetime
) -> bool:
    """Apply one ``case.message`` from the hub; True when the thread gained it. Never raises
    for a bad payload (logged, skipped)."""
    message = _message(entity_id, payload, now)
    if message is None:
        log.warning("skipping a malformed case.message from the hub (id %r)", entity_id)
        return False
    try:
        return case_messages.insert(db, message)
    except errors.INTEGRITY_ERRORS as exc:
        log.warning("skipping case.message %s: %s", message.id, exc)
        return False


def _message(entity_id: object, payload: Any, now: datetime) -> CaseMessage | None:
    if not isinstance(payload, Mapping):
        return None
    mid, case_id = _short_id(payload.get("id")), _short_id(payload.get("case_id"))
    if mid is None or case_id is None or (entity_id is not None and entity_id != mid):
        return None
    raw_rx = payload.get("prescription_id")
    rx_id = _short_id(raw_rx)
    if raw_rx is not None and rx_id is None:
        return None
    name = _text(payload.get("author_name"), _MAX_NAME_CHARS)
    role = _text(payload.get("author_role"), _MAX_NAME_CHARS)
    body = _text(payload.get("body"), _MAX_MESSAGE_CHARS)
    sent_at = _when(payload.get("sent_at"))
    if name is None or role is None or body is None or sent_at is None or not body.strip():
        return None
    return CaseMessage(
        id=mid,
        case_id=case_id,
        prescription_id=rx_id,
        direction="in",
        author_user_id="",
        author_name=name.strip(),
        author_role=role.strip(),
        body=body.strip(),
        sent_at=sent_at,
        received_at=now,
    )
