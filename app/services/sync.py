"""Sync with the hub, for the CLI and the GUI: enrolment, rounds, the worker, and status.

``enrol`` takes the enrolment token the hub printed (``main.py hub enrol-token``), checks the
hub's certificate against the token's pin and stores this spoke's credentials
(``app.sync.enrolment``, ``app.sync.credentials``). ``run_once`` runs one whole
round (push, blobs, pull) through ``app.sync.engine``; hub and network trouble never raises,
it is in the report.

Every round (``run_once``, and the worker's) ends by noting its outcome in ``sync_state``
(``app.store.sync_log``: last attempt, last error code, offline since) and by calling the
report listeners (``add_listener``). ``status(actor)`` reads what a status bar and the sync page
show: counts and times only, never clinical content (``Permission.VIEW_SYNC_STATUS``).
``needs_attention(actor)`` lists the ops the hub refused, with its reason; ``retry(actor,
op_id)`` (``Permission.QUEUE_CASE``) puts one back in the queue. ``start_worker`` /
``stop_worker`` / ``sync_now`` / ``nudge`` wrap ``app.sync.worker.SyncWorker``.

Codes: ``sync.not_enrolled``, ``sync.enrol_invalid`` (``message``), ``sync.already_enrolled``
(``hub``), ``sync.enrol_pin_mismatch``, ``sync.enrol_token_unknown``, ``sync.enrol_token_used``,
``sync.enrol_token_expired``, ``sync.enrol_unreachable``, ``sync.enrol_tls``,
``sync.enrol_failed`` (each with ``hub`` and ``message``), ``sync.op_not_found``
(``id``), ``permission.denied``.
A token held for a later enrolment (provisioning: ``app.services.provisioning`` keeps the
installer's token in the pending enrolment) is tried by the worker instead of a round, on the
same timer and backoff, until the hub answers: ``enrol_held``. A hub that refuses the token
(``ENROL_FINAL``) ends the attempts and the token is forgotten.

Threading: safe from any thread; rounds are single-flight per database. Report listeners are
called on the thread that ran the round (the worker's, or the caller of ``run_once``); they
must only hand the report on (the UI queues it to the GUI thread). ``sync_now`` and ``nudge``
never block (they set a flag under a lock), so the GUI thread may call them directly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import sqlite_utils

from app.domain import audit as audit_rules
from app.domain import case_rules
from app.domain import enrolment as enrolment_token
from app.domain.errors import DomainError
from app.domain.ids import CaseId
from app.domain.models import CaseStatus, User
from app.security.permissions import Permission, require
from app.services.clock import Clock
from app.services.prescriptions import arrival_verifier, revocation_check
from app.store import audit, outbox, sync_log
from app.store import cases as cases_repo
from app.store.blobs import BlobStore
from app.store.db import Store
from app.sync import credentials, enrolment
from app.sync.engine import CLOCK_WARNING_S, SyncEngine, SyncReport
from app.sync.worker import DEFAULT_FIRST_DELAY_S, DEFAULT_INTERVAL_S, SyncWorker

log = logging.getLogger(__name__)

# What an enrolment failure (``app.sync.enrolment``) means for the person enrolling.
_ENROL_CODES = {
    "enrol.pin_mismatch": "sync.enrol_pin_mismatch",
    "enrol.unknown": "sync.enrol_token_unknown",
    "enrol.used": "sync.enrol_token_used",
    "enrol.expired": "sync.enrol_token_expired",
    "enrol.not_https": "sync.enrol_invalid",
    "hub.unreachable": "sync.enrol_unreachable",
    "hub.timeout": "sync.enrol_unreachable",
    "hub.tls": "sync.enrol_tls",
}

# What no later attempt with the same token can change: the hub's verdict on the token, a hub
# that is not the one the token pins, a token or address that is not usable at all. Anything
# else (no network, a hub that is down or busy, a broken connection) is worth trying again.
ENROL_FINAL = frozenset(
    {
        "sync.enrol_pin_mismatch",
        "sync.enrol_token_unknown",
        "sync.enrol_token_used",
        "sync.enrol_token_expired",
        "sync.enrol_invalid",
    }
)

Progress = Callable[[str, int, int], None]
ReportListener = Callable[[SyncReport], None]


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What this PC knows about its sync, for the status bar and the sync page (no clinical
    content). Times are the PC's clock except ``last_success_hub_time``."""

    enrolled: bool
    hub_url: str | None
    facility: str  # what the hub enrolled this PC as ("" when not enrolled)
    hub_name: str  # what the hub calls itself ("" when not known)
    pending_records: int
    pending_photos: int
    needs_attention: int
    last_success_at: datetime | None
    last_success_hub_time: datetime | None
    last_attempt_at: datetime | None
    last_error_code: str | None  # None when the last round worked (or none has run)
    last_error: str | None  # English, for support
    offline_since: datetime | None  # first failed round after the last success
    clock_offset_s: float | None  # hub minus PC, seconds
    clock_warning: bool  # the PC clock is off by more than CLOCK_WARNING_S
    worker_running: bool
    # The hub a token held for the worker names (provisioning), None when none is held.
    enrolling_with: str | None = None

    @property
    def online(self) -> bool:
        """The last round reached the hub and finished."""
        return self.enrolled and self.last_success_at is not None and self.offline_since is None

    @property
    def pending_total(self) -> int:
        return self.pending_records + self.pending_photos


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One op the hub refused: what it was, when it was made, and the hub's reason."""

    op_id: str
    op: str  # "case.queue", "patient.create", ...
    entity: str
    created_at: datetime  # PC clock
    attempts: int
    reason_code: str  # the hub's stable code ("" when it gave none)
    reason: str  # the hub's English message


class _Runner:
    """Adapts the service to the worker's ``RoundRunner``: rounds go through ``run_once``
    so that they are logged and reported like a person's "Sync now"."""

    def __init__(self, service: SyncService) -> None:
        self._service = service

    def run_once(
        self, cancel: threading.Event | None = None, progress: Progress | None = None
    ) -> SyncReport:
        return self._service.run_once(cancel, progress)


class _HeldEnrolmentRunner:
    """The worker's "round" while a held token waits: enrol with it, then a real round."""

    def __init__(self, service: SyncService) -> None:
        self._service = service

    def run_once(
        self, cancel: threading.Event | None = None, progress: Progress | None = None
    ) -> SyncReport:
        return self._service.enrol_held(cancel, progress)


def enrol_failure(exc: enrolment.EnrolmentFailed, url: str) -> DomainError:
    """What an enrolment failure means for the person enrolling, as a coded error."""
    code = _ENROL_CODES.get(exc.code, "sync.enrol_failed")
    return DomainError(
        code,
        f"Cannot enrol with {url}: {exc.message}.",
        {"hub": url, "message": exc.message},
    )


class SyncService:
    def __init__(self, store: Store, blobs: BlobStore, clock: Clock) -> None:
        self._store = store
        self._blobs = blobs
        self._clock = clock
        self._lock = threading.Lock()
        self._listeners: list[ReportListener] = []
        self._worker: SyncWorker | None = None
        self._worker_listener_remove: Callable[[], None] | None = None
        self._enrol_lock = threading.Lock()  # one held-token attempt at a time

    def is_enrolled(self) -> bool:
        return credentials.is_enrolled(self._store)

    def hub_url(self) -> str | None:
        creds = credentials.load(self._store)
        return None if creds is None else creds.hub_url

    def enrol(
        self, actor: User | None, token_text: str, hub_url: str | None = None
    ) -> enrolment.Enrolled:
        """Enrol this PC with the hub in an enrolment token (blocking: network). ``hub_url``
        overrides the token's address. ``actor`` None is the command line, run by whoever can
        open this data folder (field IT at the PC)."""
        if actor is not None:
            require(actor, Permission.MANAGE_SETTINGS)
        token = decode_token(token_text)
        current = credentials.load(self._store)
        if current is not None:
            raise DomainError(
                "sync.already_enrolled",
                f"This PC is already enrolled with the hub at {current.hub_url}.",
                {"hub": current.hub_url},
            )
        try:
            done = enrolment.enrol(self._store, token, hub_url or None)
        except enrolment.EnrolmentFailed as exc:
            raise enrol_failure(exc, hub_url or token.url) from None
        log.info("enrolled as spoke %s with %s", done.spoke_id, done.hub_url)
        # A write of its own, after the enrolment's (app.sync.enrolment commits that). The
        # spoke id comes from the hub: one that is not an id is left out rather than refused.
        spoke = done.spoke_id if audit_rules.ID_RE.fullmatch(done.spoke_id) else ""
        audit.record(self._store, actor, audit.Action.ENROL, "spoke", spoke, now=self._clock())
        return done

    def held_enrolment(self) -> enrolment.HeldToken | None:
        """The token held for the worker to enrol with, or None."""
        return self._store.read(enrolment.held)

    def enrol_held(
        self, cancel: threading.Event | None = None, progress: Progress | None = None
    ) -> SyncReport:
        """Enrol with the held token, then run a round (blocking: network). The outcome is
        noted for ``status`` and handed to the listeners like a round's. A refusal in
        ``ENROL_FINAL`` forgets the token (no later attempt could succeed); any other
        failure keeps it for the worker's next try."""
        with self._enrol_lock:
            held = self.held_enrolment()
            if self.is_enrolled():  # enrolled meanwhile (the enrol dialog): nothing to hold
                if held is not None:
                    self._store.write(enrolment.drop_pending)
                return self.run_once(cancel, progress)
            if held is None:
                raise DomainError("sync.not_enrolled", "This PC is not enrolled with a hub yet.")
            try:
                done = self.enrol(None, held.token, held.hub_url)
            except DomainError as exc:
                return self._held_enrolment_failed(exc)
        log.info("enrolled with the held token as spoke %s", done.spoke_id)
        return self.run_once(cancel, progress)

    def _held_enrolment_failed(self, exc: DomainError) -> SyncReport:
        final = exc.code in ENROL_FINAL
        if final:
            log.warning("the hub refused the held enrolment token (%s): forgotten", exc.code)
        else:
            log.info("enrolment with the held token failed (%s): tried again later", exc.code)
        finished = self._clock()

        def note(db: sqlite_utils.Database) -> None:
            if final:
                enrolment.drop_pending(db)
            sync_log.record_round(db, finished_at=finished, error_code=exc.code, error=exc.message)

        self._store.write(note)
        report = SyncReport(error=exc.message, error_code=exc.code, finished_at=finished)
        self._notify(report)
        return report

    def repoint(self, hub_url: str) -> None:
        """Keep the enrolment but reach the hub at ``hub_url`` (the demo's embedded hub gets a
        new port each run)."""
        current = credentials.load(self._store)
        if current is None:
            raise DomainError("sync.not_enrolled", "This PC is not enrolled with a hub yet.")
        credentials.save(self._store, replace(current, hub_url=hub_url))

    def run_once(
        self, cancel: threading.Event | None = None, progress: Progress | None = None
    ) -> SyncReport:
        """One round (blocking: never on the GUI thread). Its outcome is noted for
        ``status`` and handed to the report listeners on this thread."""
        client = credentials.client_for(self._store)
        if client is None:
            raise DomainError("sync.not_enrolled", "This PC is not enrolled with a hub yet.")
        try:
            engine = SyncEngine(
                self._store,
                self._blobs,
                client,
                clock=self._clock,
                rx_verifier=arrival_verifier,
                rx_revocation_check=revocation_check,
            )
            report = engine.run_once(cancel, progress)
        finally:
            client.close()  # one HTTP session per round: nothing left open between rounds
        if not report.already_running:
            finished = report.finished_at or self._clock()
            self._store.write(
                lambda db: sync_log.record_round(
                    db, finished_at=finished, error_code=report.error_code, error=report.error
                )
            )
        self._notify(report)
        return report

    # -- status ------------------------------------------------------------------------------

    def status(self, actor: User) -> SyncStatus:
        """Counts and times for the status bar and the sync page (one read snapshot)."""
        require(actor, Permission.VIEW_SYNC_STATUS)
        creds = credentials.load(self._store)
        hub_url = None if creds is None else creds.hub_url

        def read(db: sqlite_utils.Database) -> tuple[sync_log.SyncLog, sync_log.PendingCounts, int]:
            return sync_log.read(db), sync_log.pending_by_class(db), sync_log.rejected_count(db)

        entry, pending, attention = self._store.read(read)
        offset = entry.clock_offset_s
        with self._lock:
            worker = self._worker
        return SyncStatus(
            enrolled=creds is not None,
            hub_url=hub_url,
            facility="" if creds is None else creds.facility,
            hub_name="" if creds is None else creds.hub_name,
            pending_records=pending.records,
            pending_photos=pending.photos,
            needs_attention=attention,
            last_success_at=entry.last_success_at,
            last_success_hub_time=entry.last_success_hub_time,
            last_attempt_at=entry.last_attempt_at,
            last_error_code=entry.last_error_code,
            last_error=entry.last_error,
            offline_since=entry.offline_since,
            clock_offset_s=offset,
            clock_warning=offset is not None and abs(offset) > CLOCK_WARNING_S,
            worker_running=worker is not None,
            enrolling_with=None if creds is not None else self._held_hub(),
        )

    def _held_hub(self) -> str | None:
        held = self.held_enrolment()
        if held is None:
            return None
        if held.hub_url:
            return held.hub_url
        try:
            return enrolment_token.decode(held.token).url
        except enrolment_token.TokenError:
            return None

    def needs_attention(self, actor: User) -> list[AttentionItem]:
        """The ops the hub refused, oldest first, with its reasons (no clinical content)."""
        require(actor, Permission.VIEW_SYNC_STATUS)
        rows = self._store.read(sync_log.rejected)
        return [
            AttentionItem(
                op_id=r.op_id,
                op=r.op,
                entity=r.entity,
                created_at=r.created_at,
                attempts=r.attempts,
                reason_code=r.reason_code,
                reason=r.reason,
            )
            for r in rows
        ]

    def retry(self, actor: User, op_id: str) -> None:
        """Send a refused op again (after the cause was fixed at the hub, or to try once more).

        A refused ``case.queue`` had moved its case to NEEDS_ATTENTION; it goes back to
        QUEUED with the op, so that the hub's acceptance can move it on to SENT."""
        require(actor, Permission.QUEUE_CASE)
        now = self._clock()

        def apply(db: sqlite_utils.Database) -> bool:
            op = outbox.requeue_rejected(db, op_id)
            if op is None:
                return False
            if op.op == "case.queue":
                case = cases_repo.get(db, CaseId(op.entity_id))
                if case is not None and case.status is CaseStatus.NEEDS_ATTENTION:
                    cases_repo.update(db, case_rules.transition(case, CaseStatus.QUEUED, now))
            return True

        if not self._store.write(apply):
            raise DomainError(
                "sync.op_not_found",
                f"No change {op_id} is waiting for attention.",
                {"id": op_id},
            )
        self.nudge()

    # -- report listeners --------------------------------------------------------------------

    def add_listener(self, listener: ReportListener) -> Callable[[], None]:
        """Call ``listener(report)`` after every round; returns a function that removes it."""
        with self._lock:
            return self._add_listener_locked(listener)

    def _notify(self, report: SyncReport) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(report)
            except Exception:  # one broken listener must not stop the others or the round
                log.exception("sync report listener failed")

    # -- the worker --------------------------------------------------------------------------

    def start_worker(
        self,
        on_report: ReportListener | None = None,
        *,
        on_progress: Progress | None = None,
        interval_s: float | None = None,
        first_delay_s: float | None = None,
    ) -> bool:
        """Start the background worker; False when not enrolled (and no token is held for it)
        or already started.

        ``on_report`` is added as a report listener (removed by ``stop_worker``); it is called
        on the worker's thread. ``interval_s``/``first_delay_s`` None keep the worker's
        defaults (tests pass small ones)."""
        if not self.is_enrolled() and self.held_enrolment() is None:
            return False
        with self._lock:
            if self._worker is not None:
                return False
            # The service notifies listeners itself (for every round, a person's too), so
            # the worker's own callback has nothing left to do.
            worker = SyncWorker(
                self._runner_if_enrolled,
                on_report=lambda _report: None,
                on_progress=on_progress,
                interval_s=DEFAULT_INTERVAL_S if interval_s is None else interval_s,
                first_delay_s=DEFAULT_FIRST_DELAY_S if first_delay_s is None else first_delay_s,
            )
            self._worker = worker
            self._worker_listener_remove = (
                None if on_report is None else self._add_listener_locked(on_report)
            )
        worker.start()
        return True

    def _add_listener_locked(self, listener: ReportListener) -> Callable[[], None]:
        """``add_listener`` for a caller already holding ``self._lock``."""
        self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def _runner_if_enrolled(self) -> _Runner | _HeldEnrolmentRunner | None:
        if self.is_enrolled():
            return _Runner(self)
        return _HeldEnrolmentRunner(self) if self.held_enrolment() is not None else None

    def stop_worker(self, timeout: float = 5.0) -> bool:
        """Stop the worker (cancelling its round); True when it has ended or none ran."""
        with self._lock:
            worker, self._worker = self._worker, None
            remove = self._worker_listener_remove
            self._worker_listener_remove = None
        if remove is not None:
            remove()
        return True if worker is None else worker.stop(timeout)

    def worker_running(self) -> bool:
        with self._lock:
            return self._worker is not None

    def sync_now(self) -> bool:
        """Ask the worker for a round now; False when there is no worker or one is on."""
        with self._lock:
            worker = self._worker
        return False if worker is None else worker.sync_now()

    def nudge(self) -> bool:
        """Something was queued: ask the worker for a round soon (non-blocking)."""
        with self._lock:
            worker = self._worker
        return False if worker is None else worker.nudge()


def decode_token(token_text: str) -> enrolment_token.EnrolmentToken:
    """The enrolment token as typed, or ``sync.enrol_invalid`` saying what is wrong with it."""
    try:
        return enrolment_token.decode(token_text)
    except enrolment_token.TokenError as exc:
        raise DomainError(
            "sync.enrol_invalid", f"Cannot enrol: {exc}.", {"message": str(exc)}
        ) from None
