"""Prescription use cases at the clinic: the inbox, one prescription with its dispensing and
its case's thread, acknowledge, query the specialist, dispense per item, and the follow-up
list (docs/PRESCRIPTIONS.md, "At the clinic").

Prescriptions arrive through the pull (``app.store.prescription_sync``) and everything here
works offline from what is stored. Each action writes its change and queues its op for the
hub in one transaction: ``prescription.acknowledged``, ``prescription.dispensed`` (the items
recorded this time) and ``case.message`` (entity ``case_message``), shaped as the wire
contract says.

Permissions: the inbox, a prescription, its thread and the follow-up list need
``VIEW_PRESCRIPTION`` (paramedics and generalists: a paramedic calls the patients due back
and hands over what the generalist dispensed); acknowledging, querying and dispensing need
``REVIEW_PRESCRIPTION`` (generalists only: each is a clinical decision, and a query speaks to
the specialist for the clinic). The admin sees no prescription.

Rules: a prescription whose signature did not verify can be viewed (``valid`` is False) but
not acknowledged or dispensed (``rx.invalid``); it can still be queried, so the clinic can
ask for it again. A superseded prescription cannot be dispensed (``rx.superseded``, ``id``:
the correction). Dispensing needs an acknowledged (or queried) prescription
(``rx.not_acknowledged``). The state becomes DISPENSED when every item is settled
(dispensed, not available or declined; PARTLY waits for the rest), and goes back to
ACKNOWLEDGED if a later record unsettles an item.

Codes: ``rx.not_found`` (``id``), ``rx.invalid``, ``rx.superseded`` (``id``),
``rx.not_acknowledged``, ``rx.dispense_item`` (``index``), ``rx.dispense_status``
(``value``), ``rx.dispense_quantity`` (``value``), ``rx.query_required``,
``rx.query_too_long`` (``limit``), ``permission.denied``.

Audit (docs/SECURITY.md "The audit trail"), in the write that makes the change:
``acknowledge`` ``acknowledge`` (not when it changes nothing), ``query`` ``query`` (detail
``message=<id>``), ``dispense`` ``dispense`` (detail: the items' numbers and status codes).
``detail`` records ``view`` (once per person and prescription in ``patients.VIEW_REPEAT``)
and ``record_print`` ``print`` (detail: the paper size), called by the UI once a print or
PDF succeeded. The inbox, threads and follow-ups are not audited.

Threading: safe from any thread; reads on the caller's thread, writes through the store's
writer thread.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from app.domain.audit import MAX_DETAIL
from app.domain.errors import DomainError
from app.domain.ids import new_id
from app.domain.models import User
from app.domain.prescriptions import Prescription, from_canonical
from app.domain.text import nfc
from app.security import rx_signatures
from app.security.permissions import Permission, require
from app.services.clock import Clock
from app.services.patients import RecentViews
from app.store import audit, case_messages, codec, dispensing, outbox, prescription_sync, settings
from app.store import prescriptions as rx_repo
from app.store.case_messages import CaseMessage
from app.store.db import Store
from app.store.dispensing import DispenseStatus, ItemDispensing
from app.store.prescription_sync import NO_HUB_KEY, RevocationCheck, Verifier
from app.store.prescriptions import (
    FollowUpRow,
    InboxRow,
    RxState,
    StoredPrescription,
    Verification,
)
from app.sync import credentials

__all__ = [
    "CaseMessage",
    "DispenseStatus",
    "FollowUpRow",
    "InboxRow",
    "ItemDispense",
    "ItemDispensing",
    "PrescriptionDetail",
    "PrescriptionService",
    "RxState",
    "Verification",
    "arrival_verifier",
    "revocation_check",
]

MAX_QUERY_CHARS = 4000
_PAGE_SIZE_RE = re.compile(r"[A-Z][0-9]{1,2}")  # "A4", "A5": what the print asked for


@dataclass(frozen=True, slots=True)
class ItemDispense:
    """What was handed over for one item, as a person records it."""

    index: int  # 0-based, in prescribing order
    status: DispenseStatus | str
    quantity: int | None = None  # in the item's quantity unit
    note: str = ""


@dataclass(frozen=True, slots=True)
class PrescriptionDetail:
    stored: StoredPrescription
    prescription: Prescription  # decoded from exactly the signed bytes
    signer: rx_signatures.KeyCertificate | None  # from the certificate it came with
    dispensing: list[ItemDispensing | None]  # one per item, None when nothing recorded
    thread: list[CaseMessage]  # the case's messages, oldest first
    patient_display: str
    case_status: str | None

    @property
    def valid(self) -> bool:
        return self.stored.valid

    @property
    def superseded(self) -> bool:
        return self.stored.superseded_by is not None

    @property
    def printable_as_valid(self) -> bool:
        """Only a verified, current prescription may be printed as one to dispense from."""
        return self.valid and not self.superseded


class PrescriptionService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._views = RecentViews(store, clock)

    # -- reading -----------------------------------------------------------------------------

    def inbox(
        self, actor: User, states: Collection[RxState | str] | None = None
    ) -> builtins.list[InboxRow]:
        """Prescriptions newest first, each with its case and patient, verdict and the
        ``superseded_by`` link; ``states`` filters (None: all)."""
        require(actor, Permission.VIEW_PRESCRIPTION)
        wanted = None if states is None else [RxState(s) for s in states]
        return self._store.read(lambda db: rx_repo.inbox(db, wanted))

    def detail(self, actor: User, rid: str) -> PrescriptionDetail:
        require(actor, Permission.VIEW_PRESCRIPTION)
        self._check_signature(rid)
        detail = self._store.read(lambda db: _detail(db, rid))
        self._views.record(actor, "prescription", rid)
        return detail

    def record_print(self, actor: User, rid: str, page_size: str) -> None:
        """Record that ``actor`` printed (or saved as PDF) this prescription on ``page_size``
        ("A4", "A5"): called once the print succeeded. ``rx.not_found`` when there is none."""
        require(actor, Permission.VIEW_PRESCRIPTION)
        size = str(getattr(page_size, "value", page_size)).strip().upper()
        if not _PAGE_SIZE_RE.fullmatch(size):
            raise ValueError(f"unknown page size {str(page_size)[:20]!r}")
        now = self._clock()

        def apply(db: Database) -> None:
            _get(db, rid)
            audit.append(db, actor, audit.Action.PRINT, "prescription", rid, size, now)

        self._store.write(apply)

    def thread(self, actor: User, case_id: str) -> builtins.list[CaseMessage]:
        require(actor, Permission.VIEW_PRESCRIPTION)
        return self._store.read(lambda db: case_messages.for_case(db, case_id))

    def facility_name(self) -> str:
        """The clinic's name as the hub enrolled this PC, printed on every prescription; ""
        when not enrolled. No permission: it is on the paper anyone at the clinic hands out."""
        enrolment = credentials.load(self._store)
        return enrolment.facility.strip() if enrolment is not None else ""

    def follow_ups(self, actor: User, due_before: date) -> builtins.list[FollowUpRow]:
        """Patients due back: valid, current prescriptions whose follow-up date is before
        ``due_before`` (pass tomorrow for "due today or overdue"), soonest first."""
        require(actor, Permission.VIEW_PRESCRIPTION)
        return self._store.read(lambda db: rx_repo.follow_ups(db, due_before))

    def _check_signature(self, rid: str) -> None:
        """Check again that the stored bytes are the ones signed, against the hub key this PC
        holds: a prescription changed in this PC's database after it arrived (by hand, by
        malware, by a disk error) is marked tampered and reported before anyone sees, prints
        or dispenses it as valid. A check costs a fraction of a millisecond."""

        def still_valid(db: Database) -> bool:
            stored = rx_repo.get(db, rid)
            verify = _held_verifier(db)
            if stored is None or not stored.valid or verify is None or stored.issued_at is None:
                return True
            verdict, _ = verify(
                stored.canonical,
                stored.signature,
                stored.key_id,
                stored.certificate,
                stored.issued_at,
            )
            return verdict is Verification.VALID

        if self._store.read(still_valid):
            return
        now = self._clock()

        def mark(db: Database) -> None:
            verify = _held_verifier(db)
            if verify is not None:
                prescription_sync.recheck_one(db, rid, verify, now)

        self._store.write(mark)

    # -- acting ------------------------------------------------------------------------------

    def acknowledge(self, actor: User, rid: str) -> StoredPrescription:
        """The generalist has read it. Acknowledging again changes nothing and sends nothing."""
        require(actor, Permission.REVIEW_PRESCRIPTION)
        self._check_signature(rid)
        now = self._clock()

        def apply(db: Database) -> StoredPrescription:
            rx = _get(db, rid)
            _require_valid(rx)
            if rx.acknowledged_at is not None and rx.state is not RxState.QUERIED:
                return rx
            rx_repo.set_state(db, rid, RxState.ACKNOWLEDGED, now, acknowledged_by=actor.id)
            audit.append(db, actor, audit.Action.ACKNOWLEDGE, "prescription", rid, now=now)
            outbox.enqueue(
                db,
                entity="prescription",
                entity_id=rid,
                op="prescription.acknowledged",
                payload={
                    "prescription_id": rid,
                    "by_user_id": actor.id,
                    "by_name": actor.display_name,
                    "at": codec.iso(now),
                },
                priority=outbox.PRIORITY_RECORD,
                now=now,
            )
            return _get(db, rid)

        return self._store.write(apply)

    def query(self, actor: User, rid: str, body: str) -> CaseMessage:
        """Ask the specialist about this prescription: a message in the case's thread (sent
        with the next sync) and the state QUERIED (a dispensed one stays DISPENSED)."""
        require(actor, Permission.REVIEW_PRESCRIPTION)
        text = nfc(body).strip()
        if not text:
            raise DomainError("rx.query_required", "Write the question for the specialist.")
        if len(text) > MAX_QUERY_CHARS:
            raise DomainError(
                "rx.query_too_long",
                f"The question is longer than {MAX_QUERY_CHARS} characters.",
                {"limit": MAX_QUERY_CHARS},
            )
        now = self._clock()

        def apply(db: Database) -> CaseMessage:
            rx = _get(db, rid)
            message = CaseMessage(
                id=new_id(),
                case_id=rx.case_id,
                prescription_id=rid,
                direction="out",
                author_user_id=actor.id,
                author_name=actor.display_name,
                author_role=actor.role.value,
                body=text,
                sent_at=now,
                received_at=now,
            )
            case_messages.insert(db, message)
            audit.append(
                db, actor, audit.Action.QUERY, "prescription", rid, f"message={message.id}", now
            )
            if rx.state is not RxState.DISPENSED:
                rx_repo.set_state(db, rid, RxState.QUERIED, now)
            outbox.enqueue(
                db,
                entity="case_message",
                entity_id=message.id,
                op="case.message",
                payload={
                    "id": message.id,
                    "case_id": message.case_id,
                    "prescription_id": rid,
                    "author_user_id": actor.id,
                    "author_name": actor.display_name,
                    "author_role": actor.role.value,
                    "body": text,
                    "sent_at": codec.iso(now),
                },
                priority=outbox.PRIORITY_RECORD,
                now=now,
            )
            return message

        return self._store.write(apply)

    def dispense(self, actor: User, rid: str, items: Sequence[ItemDispense]) -> PrescriptionDetail:
        """Record what was handed over for the items given (others keep their status);
        DISPENSED once every item is settled."""
        require(actor, Permission.REVIEW_PRESCRIPTION)
        self._check_signature(rid)
        records = [_checked(item) for item in items]
        if not records:
            raise DomainError("rx.dispense_item", "Choose at least one item.")
        indexes = [r.index for r in records]
        if len(set(indexes)) != len(indexes):
            raise DomainError("rx.dispense_item", "An item is listed twice.")
        now = self._clock()

        def apply(db: Database) -> PrescriptionDetail:
            rx = _get(db, rid)
            _require_valid(rx)
            if rx.superseded_by is not None:
                raise DomainError(
                    "rx.superseded",
                    "This prescription was corrected by a newer one: dispense from that one.",
                    {"id": rx.superseded_by},
                )
            if rx.state is RxState.NEW:
                raise DomainError(
                    "rx.not_acknowledged", "Acknowledge the prescription before dispensing."
                )
            for record in records:
                if record.index >= rx.item_count:
                    raise DomainError(
                        "rx.dispense_item",
                        f"The prescription has no item {record.index + 1}.",
                        {"index": record.index + 1},
                    )
            for record in records:
                dispensing.put(
                    db,
                    ItemDispensing(
                        prescription_id=rid,
                        index=record.index,
                        status=DispenseStatus(record.status),
                        quantity=record.quantity,
                        note=record.note,
                        by_user_id=actor.id,
                        by_name=actor.display_name,
                        at=now,
                    ),
                )
            recorded = dispensing.for_prescription(db, rid)
            settled = all(i in recorded and recorded[i].settled for i in range(rx.item_count))
            if settled and rx.state is not RxState.DISPENSED:
                rx_repo.set_state(db, rid, RxState.DISPENSED, now)
            elif not settled and rx.state is RxState.DISPENSED:
                rx_repo.set_state(db, rid, RxState.ACKNOWLEDGED, now)
            detail = _dispense_detail(records)
            audit.append(db, actor, audit.Action.DISPENSE, "prescription", rid, detail, now)
            outbox.enqueue(
                db,
                entity="prescription",
                entity_id=rid,
                op="prescription.dispensed",
                payload={
                    "prescription_id": rid,
                    "items": [
                        {
                            "index": r.index,
                            "status": DispenseStatus(r.status).value,
                            "quantity": r.quantity,
                            "note": r.note,
                        }
                        for r in records
                    ],
                    "by_user_id": actor.id,
                    "by_name": actor.display_name,
                    "at": codec.iso(now),
                },
                priority=outbox.PRIORITY_RECORD,
                now=now,
            )
            return _detail(db, rid)

        return self._store.write(apply)


# -- arrival ------------------------------------------------------------------------------------

# The signature layer's verdicts as the store and the wire name them.
_VERDICTS = {
    rx_signatures.Status.VALID: Verification.VALID,
    rx_signatures.Status.TAMPERED: Verification.TAMPERED,
    rx_signatures.Status.UNKNOWN_SIGNER: Verification.UNKNOWN_SIGNER,
    rx_signatures.Status.REVOKED: Verification.REVOKED,
    rx_signatures.Status.EXPIRED: Verification.EXPIRED,
}


def arrival_verifier(hub_key_text: str, revocations: Sequence[str] = ()) -> Verifier:
    """The signature check the sync engine applies to arriving prescriptions (and to stored
    ones again, ``prescription_sync.recheck``): the hub key pinned at enrolment or learnt
    since (``hub_key_text``, "" when none), the certificate that came with the prescription
    and the hub's revocation certificates this PC holds (``revocations``); only those the
    hub key signed count, so a revocation signed by anything else changes nothing."""
    try:
        hub_key = rx_signatures.parse_public_key(hub_key_text) if hub_key_text else None
    except ValueError:
        hub_key = None
    revoked = tuple(revocations)

    def verify(
        payload: bytes, signature: bytes, key_id: str, certificate: str, at: datetime | None
    ) -> tuple[Verification, str]:
        if hub_key is None:
            # Enrolled with a hub that had no prescription key: nothing here can vouch for it.
            return Verification.UNKNOWN_SIGNER, NO_HUB_KEY
        verdict = rx_signatures.verify(
            payload, signature, key_id, [certificate, *revoked], hub_key, at=at
        )
        return _VERDICTS.get(verdict.status, Verification.TAMPERED), verdict.reason

    return verify


def revocation_check(hub_key_text: str) -> RevocationCheck:
    """Whether a revocation certificate from the hub is one: signed by the hub key pinned at
    enrolment (``hub_key_text``; with none, nothing is) and saying revoked. Returns (key id,
    revoked from) or None; never raises."""
    try:
        hub_key = rx_signatures.parse_public_key(hub_key_text) if hub_key_text else None
    except ValueError:
        hub_key = None

    def check(certificate: str) -> tuple[str, datetime] | None:
        if hub_key is None:
            return None
        try:
            signed = rx_signatures.decode_certificate(certificate)
        except rx_signatures.CertificateError:
            return None
        revoked_at = signed.certificate.revoked_at
        if revoked_at is None or not rx_signatures.certificate_signed_by(signed, hub_key):
            return None
        return signed.key_id, revoked_at

    return check


# -- helpers ------------------------------------------------------------------------------------


def _held_verifier(db: Database) -> Verifier | None:
    """The arrival check with the hub key and revocations this PC holds; None without a key."""
    key = settings.get(db, credentials.KEY_SIGNING_KEY) or ""
    return arrival_verifier(key, prescription_sync.revocations(db)) if key else None


def _get(db: Database, rid: str) -> StoredPrescription:
    rx = rx_repo.get(db, rid)
    if rx is None:
        raise DomainError("rx.not_found", "No such prescription.", {"id": rid})
    return rx


def _require_valid(rx: StoredPrescription) -> None:
    if not rx.valid:
        raise DomainError(
            "rx.invalid",
            f"This prescription failed the signature check ({rx.verification.value}: "
            f"{rx.verification_reason}); it cannot be acknowledged or dispensed.",
        )


def _checked(item: ItemDispense) -> ItemDispense:
    try:
        status = DispenseStatus(item.status)
    except ValueError:
        raise DomainError(
            "rx.dispense_status", "Unknown dispensing status.", {"value": str(item.status)}
        ) from None
    if isinstance(item.index, bool) or not isinstance(item.index, int) or item.index < 0:
        raise DomainError("rx.dispense_item", "No such item on the prescription.")
    quantity = item.quantity
    if quantity is not None and (
        isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0
    ):
        raise DomainError(
            "rx.dispense_quantity",
            "The quantity handed over is a whole number, 0 or more.",
            {"value": str(quantity)},
        )
    return ItemDispense(item.index, status, quantity, nfc(item.note).strip())


def _dispense_detail(records: Sequence[ItemDispense]) -> str:
    """ "items=1:dispensed,2:not_available" (1-based numbers and status codes: no drug names,
    no notes), or "items=N" when that would not fit an audit detail."""
    text = "items=" + ",".join(
        f"{r.index + 1}:{DispenseStatus(r.status).value}" for r in sorted(records, key=_index)
    )
    return text if len(text) <= MAX_DETAIL else f"items={len(records)}"


def _index(r: ItemDispense) -> int:
    return r.index


def _detail(db: Database, rid: str) -> PrescriptionDetail:
    stored = _get(db, rid)
    # Arrival stored only bytes that read back; these are exactly the verified ones.
    prescription = from_canonical(stored.canonical)
    recorded = dispensing.for_prescription(db, rid)
    row = rx_repo.inbox_entry(db, rid)
    return PrescriptionDetail(
        stored=stored,
        prescription=prescription,
        signer=_signer(stored.certificate),
        dispensing=[recorded.get(i) for i in range(len(prescription.items))],
        thread=case_messages.for_case(db, stored.case_id),
        patient_display=row.patient_display if row is not None else stored.patient_name,
        case_status=row.case_status if row is not None else None,
    )


def _signer(certificate: str) -> rx_signatures.KeyCertificate | None:
    try:
        return rx_signatures.decode_certificate(certificate).certificate
    except rx_signatures.CertificateError:
        return None
