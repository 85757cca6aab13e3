"""What every hub storage backend offers (docs/SYNC.md is the contract it serves).

Backends are synchronous and thread-safe: the ASGI app calls them from a thread pool. Every
method that writes is one transaction (``apply_ops``: one savepoint per op inside it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol


class HubStoreError(Exception):
    """A storage failure that is not the client's fault (the app answers 503)."""


class EnrolRefused(Exception):
    """An enrolment token that cannot be used: ``code`` is ``enrol.unknown``, ``enrol.used``
    or ``enrol.expired`` (docs/SYNC.md)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BlobOffsetError(Exception):
    def __init__(self, expected: int) -> None:
        super().__init__(f"upload offset should be {expected}")
        self.expected = expected


class BlobHashMismatch(Exception):
    """The completed upload's SHA-256 is not the one announced; the upload was discarded."""


class PrescriptionRefused(Exception):
    """A prescription the hub will not issue, or a message it will not post: ``code`` is
    stable (``rx.case_unknown``, ``rx.wrong_password``...; docs/PRESCRIPTIONS.md "Issuing at
    the hub"), ``message`` is for people. Nothing was stored or published."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class NewPrescription:
    """A signed prescription to store (``hub.prescriptions.issue_prescription`` makes it):
    ``canonical`` is exactly the signed bytes, ``certificate`` the signer's key certificate
    as text (``SignedCertificate.text()``)."""

    id: str
    case_id: str
    specialist_id: str
    key_id: str
    canonical: bytes
    signature: bytes
    certificate: str
    issued_at: datetime
    supersedes: str | None


@dataclass(frozen=True, slots=True)
class OpResult:
    op_id: str
    status: Literal["applied", "duplicate", "rejected"]
    code: str = ""  # for rejected: a stable code, e.g. "op.unknown", "patient.unknown"
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op_id": self.op_id, "status": self.status}
        if self.status == "rejected":
            out["reason"] = {"code": self.code, "message": self.message}
        return out


@dataclass(frozen=True, slots=True)
class PullPage:
    """One page of a spoke's change feed: ``changes`` are dicts of seq, entity, entity_id, op
    and payload, in seq (= commit) order; store ``next_since`` after applying them."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    next_since: int = 0
    has_more: bool = False
    epoch: str = ""  # the database's epoch, read with the page (``authenticated_pull``)


@dataclass(frozen=True, slots=True)
class PullAsk:
    """One spoke's poll: its credentials and the page it asks for."""

    spoke_id: str
    secret: str
    since: int
    limit: int


class HubStore(Protocol):
    def migrate(self) -> None: ...

    def close(self) -> None: ...

    def epoch(self) -> str: ...

    def new_epoch(self) -> str:
        """Give the database a new epoch (after a restore from backup); returns it."""
        ...

    def max_seq(self) -> int:
        """The highest change-feed seq committed (0 for none); every lower one is committed."""
        ...

    def meta_get(self, key: str) -> str | None:
        """A value of the hub's own settings (TLS identity, public address), or None."""
        ...

    def meta_put(self, key: str, value: str, *, replace: bool = True) -> str:
        """Store a setting; with ``replace=False`` an existing value stays. Returns the value
        now stored."""
        ...

    def create_enrol_token(self, facility: str, secret: str, expires_at: datetime) -> str:
        """Record a one-time enrolment token for a new spoke named ``facility``; returns the
        token's id. Only a hash of ``secret`` is kept."""
        ...

    def redeem_enrol_token(self, secret: str, spoke_secret: str) -> tuple[str, str]:
        """Exchange an unused, unexpired token for a new spoke whose secret is
        ``spoke_secret``; returns (spoke_id, facility). The same token and spoke secret again
        (the answer was lost) return the same spoke. ``EnrolRefused`` otherwise."""
        ...

    def enrol_tokens(self) -> list[dict[str, Any]]:
        """Every token, newest first: id, facility, created_at, expires_at, used_at, spoke_id
        (never the secret or its hash)."""
        ...

    def register_spoke(self, name: str) -> tuple[str, str]:
        """A new spoke; returns (spoke_id, secret). Only a hash of the secret is kept."""
        ...

    def authenticate(self, spoke_id: str, secret: str) -> bool:
        """True for the spoke's secret; False for a wrong secret or an unknown spoke."""
        ...

    def apply_ops(self, spoke_id: str, ops: Sequence[Mapping[str, Any]]) -> list[OpResult]:
        """Apply a pushed batch for ``spoke_id`` (already authenticated); one result per op, in
        order. Validation rules and rejection codes: ``hub.ops``. A rejected op sent again is
        judged again; an applied one is a duplicate. Each applied ``case.queue`` adds a
        ``case.status`` change to the spoke's feed."""
        ...

    def publish(
        self, spoke_id: str, entity: str, entity_id: str, op: str, payload: Mapping[str, Any]
    ) -> int:
        """Add a hub-side change to the spoke's feed; returns its seq."""
        ...

    def pull(self, spoke_id: str, since: int, limit: int) -> PullPage:
        """The spoke's changes with seq > ``since``, at most ``limit``, in commit order.
        ``ValueError`` when ``since`` < 0 or ``limit`` < 1."""
        ...

    def authenticated_pulls(self, asks: Sequence[PullAsk]) -> list[PullPage | None]:
        """``pull`` with the epoch for each ask whose credentials check out (None for one
        whose do not: unknown spoke or wrong secret), all in one round trip to the database:
        the polls of many spokes arriving together share it."""
        ...

    def blob_start(self, sha256: str, size: int, media_type: str) -> tuple[str, int]:
        """("exists", size) when complete, else ("created", bytes held so far). Announced
        again with another size, an incomplete upload starts over. ``ValueError`` for a
        sha256 that is not 64 lower-case hex digits, a negative size, an overlong media type."""
        ...

    def blob_offset(self, sha256: str) -> int | None:
        """Bytes held (the size once complete); None when no upload of it is known."""
        ...

    def blob_append(self, sha256: str, offset: int, data: bytes) -> int:
        """Append at ``offset``; returns the new offset. ``BlobOffsetError`` when ``offset`` is
        not what the hub holds (also for data sent after completion); ``BlobHashMismatch`` when
        the last byte completes a wrong hash (the upload is then discarded); ``KeyError`` when
        no upload of ``sha256`` was started; ``ValueError`` when ``data`` runs past the
        announced size (nothing is stored)."""
        ...

    def stats(self) -> dict[str, Any]:
        """Counts: totals (``spokes``, ``patients``, ``cases``, ``observations``,
        ``attachments``, complete ``blobs`` and ``blob_bytes``, ``uploads_in_progress``,
        ``max_seq``, ``prescriptions``, ``prescriptions_corrections``,
        ``prescriptions_acknowledged``, ``prescriptions_dispensing`` (with any item
        reported), ``prescriptions_reported_invalid``) and ``per_spoke``, a list of {id, name,
        created_at, patients, cases, observations, attachments, prescriptions,
        attachments_with_blob} in registration order."""
        ...

    def add_user(
        self,
        username: str,
        display_name: str,
        role: str,
        password: str,
        *,
        spoke_id: str | None = None,
        registration_no: str = "",
        specialty: str = "",
        registration_council: str = "",
        qualification: str = "",
    ) -> str:
        """A new hub user; returns its id. A specialist also gets a prescription-signing key
        sealed under ``password`` and certified by the hub's key (``specialist_profile``);
        ``registration_council`` and ``qualification`` are printed on their prescriptions.
        Roles: ``hub_admin`` and ``specialist`` work at the
        hub (no ``spoke_id``; a specialist needs ``registration_no``); ``paramedic``,
        ``generalist`` and ``admin`` are staff of the spoke ``spoke_id``, handed down to it as
        a ``staff.upsert`` change in the same transaction. The username is stored lower-case
        and is unique regardless of case. ``ValueError`` (a message for people) for a bad
        username, name or role, a taken username, an unknown spoke, a missing or unexpected
        spoke, a specialist without a registration number, a password under 8 characters."""
        ...

    def verify_user(self, username: str, password: str) -> dict[str, Any] | None:
        """The user's document (as ``users`` gives it) when ``username`` is an active user and
        ``password`` is theirs; None otherwise. Costs one scrypt whether or not the user
        exists."""
        ...

    def users(self, spoke_id: str | None = None) -> list[dict[str, Any]]:
        """Every user (or the staff of ``spoke_id``) by username: id, username, display_name,
        role, spoke_id, registration_no, specialty, active, created_at, updated_at (never the
        password hash)."""
        ...

    def set_user_active(self, username: str, active: bool) -> None:
        """Switch an account on or off (a spoke's staff: handed down). ``KeyError`` for an
        unknown username."""
        ...

    def set_user_password(self, username: str, password: str) -> None:
        """Give an account a new password (a spoke's staff: handed down). ``KeyError`` for an
        unknown username; ``ValueError`` for a password under 8 characters. For a specialist
        this is an administrator's reset: the old signing key cannot be opened without the old
        password, so a new key is made and certified and the old one is revoked (from the next
        whole second: what it signed before stays valid)."""
        ...

    def change_own_password(self, username: str, old_password: str, new_password: str) -> None:
        """A user changing their own password: a specialist keeps their signing key, resealed
        under the new password. ``PermissionError`` when ``old_password`` is not theirs (or the
        account is off); ``ValueError`` for a new password under 8 characters."""
        ...

    # -- prescriptions (docs/PRESCRIPTIONS.md "Issuing at the hub") ----------------------------

    def specialist_profile(self, username: str) -> dict[str, Any] | None:
        """The user's document (``users``) with ``registration_council``, ``qualification``
        and ``key``: the active signing key (key_id, user_id, sealed, certificate, created_at,
        revoked_at None, active True) or None; None for an unknown username."""
        ...

    def specialist_keys(self, username: str) -> list[dict[str, Any]]:
        """Every signing key the user has had, oldest first: key_id, user_id, certificate,
        revocation (the hub-signed revoked certificate, or None), created_at, revoked_at,
        active (never the sealed key)."""
        ...

    def key_revocations(self) -> list[dict[str, str]]:
        """Every hub-signed key revocation, oldest first: key_id, certificate (spokes get
        each in their feed as ``rx_key.revoked``; a spoke enrolled later, from here)."""
        ...

    def case_context(self, case_id: str) -> dict[str, Any] | None:
        """The hub's copy of a case a spoke sent: case_id, spoke_id, status, case (document),
        patient (document, or None); None for an unknown case."""
        ...

    def store_prescription(self, rx: NewPrescription) -> int:
        """Store a signed prescription and, in the same transaction, publish
        ``prescription.issued`` (and ``case.status`` ``prescribed`` when the case was
        ``at_hub``) to the case's spoke; returns the feed seq of ``prescription.issued``.
        ``PrescriptionRefused``: ``rx.case_unknown``, ``rx.case_cancelled``,
        ``rx.key_revoked`` (not the signer's active key), ``rx.duplicate``,
        ``rx.supersedes_unknown`` (no such prescription of this case),
        ``rx.already_superseded``. There is no method that changes a stored prescription."""
        ...

    def post_case_message(
        self,
        case_id: str,
        author_user_id: str,
        author_name: str,
        body: str,
        *,
        message_id: str,
        prescription_id: str | None = None,
    ) -> dict[str, Any]:
        """A specialist's message to the case's clinic: stored in the case's thread and
        published as ``case.message`` to its spoke; returns the message (``case_messages``).
        ``PrescriptionRefused`` (``rx.case_unknown``, ``rx.prescription_unknown``);
        ``ValueError`` for an empty or overlong body."""
        ...

    def prescriptions_for_case(self, case_id: str) -> list[dict[str, Any]]:
        """The case's prescriptions, in issue order: id, case_id, spoke_id, specialist_id,
        key_id, canonical (bytes), signature (bytes), certificate, issued_at, supersedes,
        superseded_by, created_at, prescription (``app.domain.prescriptions.Prescription``)."""
        ...

    def prescription(self, rx_id: str) -> dict[str, Any] | None:
        """One prescription as ``prescriptions_for_case`` gives it, with ``acknowledged``
        ({by_user_id, by_name, at, received_at} or None), ``dispensing`` (the latest state of
        each item reported: index, status, quantity, note, by_user_id, by_name, at,
        received_at) and ``invalid_reports``; None for an unknown id."""
        ...

    def case_messages(self, case_id: str) -> list[dict[str, Any]]:
        """The case's message thread, oldest first: id, case_id, spoke_id, prescription_id,
        author_user_id, author_name, author_role, body, sent_at, origin ("spoke" or "hub"),
        received_at."""
        ...

    def invalid_reports(self) -> list[dict[str, Any]]:
        """Prescriptions clinics reported as failing verification, newest first: op_id,
        prescription_id, case_id, spoke_id, status, reason, at, received_at."""
        ...

    # -- the specialist's console (hub.storage._clinical) --------------------------------------

    def specialist_queue(
        self, specialty: str | None, *, now: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The cases waiting for a specialist (of ``specialty`` unless None): at the hub
        (``at_hub``), or prescribed with the clinic's message the newest in the thread (a query
        about the prescription); most urgent first (``app.domain.triage.sort_key``). Each:
        case_id, spoke_id, spoke_name, patient_id, patient_name, sex, age_years (at ``now``;
        None when no birth date), chief_complaint, status, priority, specialty, waiting_since
        (UTC datetime: the case's ``queued_at``, else when the hub received it), news2 (None
        without usable vitals; else {total, risk, red, partial, applicable}, computed by the
        hub from the final observations), band ("immediate", "urgent", "routine"), claim
        ({username, display_name, claimed_at} or None), last_message_from ("hub", "spoke" or
        None) and attachments (a count). A fixed number of queries however long the queue."""
        ...

    def queue_count(self, specialty: str | None) -> int:
        """How many cases ``specialist_queue`` would list: one cheap count, for polling."""
        ...

    def case_record(self, case_id: str, *, now: datetime | None = None) -> dict[str, Any] | None:
        """Everything the console shows of one case; None for an unknown case: case_id,
        spoke_id, spoke_name, status, case and patient (documents; patient may be None),
        age_years, observations (documents by taken_at, each with ``entered_in_error``), news2
        (as in the queue, with ``scores`` per parameter and ``missing``), band, attachments
        ({id, filename, media_type, size, sha256, caption, created_at, complete, received}),
        earlier (the patient's other cases at that spoke, newest first: case_id, status,
        chief_complaint, when, observations (final ones), prescriptions ({id, issued_at, mode,
        visit, provisional_diagnosis, items [{generic_name, strength, dosage_form}],
        superseded_by})) and claim."""
        ...

    def attachment_content(
        self, case_id: str, attachment_id: str
    ) -> tuple[dict[str, Any], bytes] | None:
        """The attachment's document (as in ``case_record``) and its bytes; None unless the
        attachment belongs to ``case_id`` and its upload is complete."""
        ...

    def claim_case(self, case_id: str, username: str, *, take_over: bool = False) -> dict[str, Any]:
        """``username`` takes the case, unless another specialist holds it (``take_over``
        replaces their claim); returns the claim in force: {username, display_name,
        claimed_at}. Of two claiming at once exactly one wins. ``KeyError`` for an unknown
        case; ``PermissionError`` unless ``username`` is an active specialist."""
        ...

    def release_case(self, case_id: str, username: str) -> None:
        """Drop the case's claim when ``username`` holds it; otherwise nothing changes."""
        ...

    # -- audit (hub.storage._audit) ------------------------------------------------------------

    def audit_gaps(self, spoke_id: str) -> list[tuple[int, int]]:
        """Runs of seqs missing below the newest audit entry held for the spoke, as (first,
        last) pairs, lowest first: entries deleted on the spoke before they were synced (an
        entry merely still on its way fills its gap when it arrives)."""
        ...

    def audit_verify(self, spoke_id: str) -> dict[str, Any]:
        """The hub's view of the spoke's audit trail: spoke_id, entries (a count), last_seq,
        last_at (as the spoke wrote it; None when there are none), chains (distinct chain ids
        seen: more than one is a reinstalled or swapped database), missing (``audit_gaps`` as
        [first, last] lists), broken (seqs whose ``prev_hash`` is not the held hash of the
        entry before), conflicts ({seq, held_hash, hash, action, at, received_at}: another
        copy of a seq the hub held, i.e. history rewritten after it synced) and intact (none
        of those problems)."""
        ...

    def audit_entries(
        self, spoke_id: str, since: int = 0, limit: int = 500
    ) -> list[dict[str, Any]]:
        """The spoke's audit entries with seq > ``since``, oldest first: seq, chain, at,
        actor_id, actor_role, action, entity, entity_id, detail, prev_hash, hash, received_at.
        No patient data: entries carry ids and codes only."""
        ...

    # -- the fleet (hub.storage._fleet) --------------------------------------------------------

    def record_health(
        self, spoke_id: str, report: Mapping[str, Any], received_at: datetime
    ) -> None:
        """Keep ``report`` (the checked fields of a health report, ``hub.health``) as the
        spoke's latest, with ``received_at``: the hub's time it arrived."""
        ...

    def fleet(self) -> list[dict[str, Any]]:
        """Every enrolled spoke in registration order: id, name, created_at, report (the
        latest health report's fields, or None) and received_at (UTC datetime, or None)."""
        ...
