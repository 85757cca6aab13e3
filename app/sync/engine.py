"""One sync round between this spoke and the hub (docs/SYNC.md; design: sync research §5).

A round is: meta (epoch, clock offset) -> (when due) the hub's prescription key and
revocations from ``GET /v1/anchor`` over the pinned connection -> push the outbox -> upload
attachment bytes -> pull the hub's changes -> this PC's health report (``POST /v1/status``,
``app.sync.health``; a hub that does not take it, or refuses it, never fails the round). Each
step moves local state only after the hub's
answer has been received and parsed whole, so a round cut short at any point (link down, app
killed, power cut) loses nothing and, because the hub de-duplicates by op id, duplicates
nothing: the next round simply sends again whatever is not known to have arrived.

Outbox states as used here: ``pending`` -(batch about to be sent: ``mark_sent``, attempts+1)->
``sent`` -> ``acked`` (hub said applied or duplicate) | ``rejected`` (hub said rejected: "needs
attention", kept with its reason, never blocks the others) | back to ``pending`` (no verdict:
timeout, reset, busy, truncated answer; ``last_error`` says why). ``sent`` left over by a
process that died mid-request goes back to ``pending`` at the start of the next round. A new
hub epoch (the hub was restored from a backup) puts every ``acked`` op back to ``pending``.

Push batches follow AIMD: start at 100 ops, double after a success up to 500 (and 512 KB of
body before gzip), halve after a timeout, a reset mid-request, a 413 or a malformed answer,
down to 1. A single op that still gets no usable answer is left pending for the next round (attempts
counted), so one poison op cannot spin a round forever; one the hub finds too large alone is
rejected. The batch size is kept in ``sync_state``, so a bad link's lesson outlives the round.

Case status: a ``case.queue`` the hub accepted moves the local case QUEUED -> SENT; one it
rejected QUEUED -> NEEDS_ATTENTION; a pulled ``case.status`` walks the allowed transitions of
``case_rules`` forward to the hub's status (QUEUED -> SENT -> AT_HUB), never backwards.

Clocks: nothing here decides anything by the PC's clock. The offset ``hub_time - (t_send +
rtt/2)`` is stored and reported (warning past 5 min); the PC clock is used only for display
times (``last_success_at``, kept beside the hub's time) and case ``updated_at``.

Threading rule: ``run_once`` blocks (network and store); call it from a worker thread, never
the GUI thread. Rounds are single-flight per database in this process: a second caller gets a
report with ``already_running`` at once. ``cancel`` is checked between requests, so a
cancelled round stops after at most one request's timeout. ``progress(phase, done, total)`` is
called on the calling thread.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import sqlite_utils

from app.domain import case_rules
from app.domain.ids import CaseId
from app.domain.models import CaseStatus
from app.store import cases as cases_repo
from app.store import codec, outbox, prescription_sync, settings, staff_sync
from app.store.blobs import BlobStore
from app.store.db import Store
from app.store.errors import StoreError
from app.store.outbox import OutboxOp
from app.sync import credentials, health
from app.sync.transport import (
    HubBusy,
    HubClient,
    HubError,
    HubProtocolError,
    HubRejected,
    HubReply,
    HubUnreachable,
    encode_table,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Progress = Callable[[str, int, int], None]
# (the hub's prescription key as pinned at enrolment or learnt since, "" when none; the
# revocation certificates held) -> the signature check for arriving prescriptions. Given by
# the services layer: signatures (app.security) are a sibling of this layer, not something
# it may import.
RxVerifierFactory = Callable[[str, Sequence[str]], prescription_sync.Verifier]
# The hub's prescription key -> the check of a revocation certificate (signed by that key).
RevocationCheckFactory = Callable[[str], prescription_sync.RevocationCheck]

BATCH_START = 100
BATCH_MAX = 500
BATCH_MAX_BYTES = 512 * 1024  # the body before gzip; the hub takes up to 1 MB
PULL_LIMIT = 200
CHUNK_MAX = 256 * 1024
CHUNK_MIN = 16 * 1024  # below the nominal 64 KB: a link that resets every 64 KB needs it
CHUNK_GROW_AFTER = 4  # chunks in a row that must succeed before the chunk size doubles
MAX_LINK_FAILURES = 3  # resets/timeouts in a row within a round before it gives up
CLOCK_WARNING_S = 5 * 60.0

# sync_state keys (the outbox's own sequence key lives in app.store.outbox)
KEY_EPOCH = "sync.epoch"
KEY_CURSOR = "sync.pull_cursor"
KEY_CLOCK_OFFSET = "sync.clock_offset_s"
KEY_BATCH = "sync.push_batch"
KEY_CHUNK = "sync.blob_chunk"
KEY_LAST_SUCCESS = "sync.last_success_at"  # PC clock: for display only
KEY_LAST_SUCCESS_HUB = "sync.last_success_hub_time"
# When GET /v1/anchor last gave this PC the hub's key and its revocations (asked once, and
# while this PC holds no hub key): see ``_hub_rx_keys``.
KEY_RX_ANCHOR = "sync.rx_anchor_at"
BLOB_KEY_PREFIX = "sync.blob."  # + sha256: {"offset", "done", "error"} of one upload

# Statuses the hub owns and may tell us about, and the only ones a pulled change may walk
# through on the way (never back to QUEUED, never to CANCELLED behind the person's back).
HUB_STATUSES = frozenset(
    {CaseStatus.SENT, CaseStatus.AT_HUB, CaseStatus.PRESCRIBED, CaseStatus.CLOSED}
)

_flight_guard = threading.Lock()
_flight_locks: dict[str, threading.Lock] = {}


def _system_clock() -> datetime:
    return datetime.now(UTC)


def _flight_lock(store: Store) -> threading.Lock:
    key = str(store.path.resolve())
    with _flight_guard:
        return _flight_locks.setdefault(key, threading.Lock())


# -- the report --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PushCounts:
    applied: int = 0
    duplicate: int = 0
    rejected: int = 0
    failed: int = 0  # sent, no verdict: still pending for a later round

    @property
    def total(self) -> int:
        return self.applied + self.duplicate + self.rejected


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one ``run_once`` did. ``error`` is English text for logs and the support bundle;
    ``error_code`` a stable code for the UI to translate."""

    pushed: PushCounts = field(default_factory=PushCounts)
    pulled: int = 0
    blobs_uploaded: int = 0
    pending_left: int = 0
    needs_attention: int = 0  # rejected ops plus attachments whose bytes cannot be sent
    clock_offset_s: float | None = None
    clock_warning: bool = False
    epoch_changed: bool = False
    error: str | None = None
    error_code: str | None = None
    retry_after_s: float | None = None  # the hub asked us to wait this long
    already_running: bool = False
    finished_at: datetime | None = None  # PC clock, display only

    @property
    def ok(self) -> bool:
        return self.error is None


class _Cancelled(Exception):
    pass


@dataclass
class _Round:
    """Mutable tallies of the round in progress (one thread)."""

    cancel: threading.Event | None
    progress: Progress | None
    epoch: str = ""
    applied: int = 0
    duplicate: int = 0
    rejected: int = 0
    failed: int = 0
    pulled: int = 0
    blobs_uploaded: int = 0
    clock_offset_s: float | None = None
    epoch_changed: bool = False
    hub_time: datetime | None = None
    op_problems: list[str] = field(default_factory=list)

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise _Cancelled

    def report(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)


# -- the engine --------------------------------------------------------------------------------


class SyncEngine:
    """Runs sync rounds for one spoke database; see the module docstring for the rules."""

    def __init__(
        self,
        store: Store,
        blobs: BlobStore,
        client: HubClient,
        *,
        clock: Clock = _system_clock,
        rx_verifier: RxVerifierFactory | None = None,
        rx_revocation_check: RevocationCheckFactory | None = None,
    ) -> None:
        self._store = store
        self._blobs = blobs
        self._client = client
        self._clock = clock
        self._rx_verifier = rx_verifier
        self._rx_revocation_check = rx_revocation_check

    @property
    def client(self) -> HubClient:
        return self._client

    def run_once(
        self,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
    ) -> SyncReport:
        """One whole round. Network and hub trouble never raises: it ends the round and is
        described by the report's ``error``/``error_code``. A local store failure (disk full,
        database closed) does raise ``StoreError``, after putting in-flight ops back."""
        lock = _flight_lock(self._store)
        if not lock.acquire(blocking=False):
            return SyncReport(
                error="A sync is already running.",
                error_code="sync.already_running",
                already_running=True,
            )
        try:
            r = _Round(cancel, progress)
            error: str | None = None
            code: str | None = None
            retry_after: float | None = None
            try:
                self._round(r)
            except _Cancelled:
                error, code = "The sync was cancelled.", "sync.cancelled"
            except HubError as exc:
                error, code = exc.message, exc.code
                if isinstance(exc, HubBusy):
                    retry_after = exc.retry_after
                log.info("sync round ended early: %s (%s)", exc.message, exc.code)
            if error is None and r.failed:
                error = (
                    f"{r.failed} change(s) got no usable answer from the hub and will be sent "
                    f"again: {'; '.join(r.op_problems[:3])}"
                )
                code = "sync.ops_failed"
            return self._finish(r, error, code, retry_after)
        finally:
            lock.release()

    # -- the round ---------------------------------------------------------------------------

    def _round(self, r: _Round) -> None:
        self._store.write(outbox.requeue_sent)  # ops stranded 'sent' by a process that died
        self._meta(r)
        self._hub_rx_keys(r)
        self._push(r)
        self._upload_blobs(r)
        self._pull(r)
        self._report_health(r)

    def _meta(self, r: _Round) -> None:
        r.check_cancel()
        t_send = self._clock()
        reply = self._client.meta()
        epoch = str(reply.body["epoch"])
        raw_max = reply.body.get("max_seq")
        max_seq = int(raw_max) if raw_max is not None else None
        offset: float | None = None
        if reply.hub_time is not None:
            midpoint = t_send.timestamp() + reply.rtt_s / 2
            offset = reply.hub_time.timestamp() - midpoint
        r.clock_offset_s = offset
        r.hub_time = reply.hub_time

        def apply(db: sqlite_utils.Database) -> bool:
            stored = settings.get_state(db, KEY_EPOCH)
            cursor = int(settings.get_state(db, KEY_CURSOR, "0") or 0)
            # A new epoch: the hub was restored from a backup and may have lost what it had
            # acknowledged since. A cursor past max_seq says the same of its change feed.
            changed = (stored is not None and stored != epoch) or (
                max_seq is not None and cursor > max_seq
            )
            if changed:
                settings.put_state(db, KEY_CURSOR, "0")
                outbox.requeue_acked(db)
                _forget_blob_uploads(db)
            settings.put_state(db, KEY_EPOCH, epoch)
            if offset is not None:
                settings.put_state(db, KEY_CLOCK_OFFSET, f"{offset:.3f}")
            return changed

        r.epoch_changed = self._store.write(apply)
        r.epoch = epoch
        if r.epoch_changed:
            log.warning(
                "hub epoch changed to %s: re-pushing acknowledged ops, pulling from 0", epoch
            )

    # -- the health report -------------------------------------------------------------------

    def _report_health(self, r: _Round) -> None:
        """Tell the hub how this PC is (docs/SYNC.md "Health report"), as the round's last
        request: the hub's time of its arrival is the clinic's "last sync" on the Clinics
        page. The round's work is done by now, so nothing here can fail it: an older hub (404),
        a refusal or a lost answer is logged, and the next round reports again."""
        if r.cancel is not None and r.cancel.is_set():
            return
        waiting = self._store.read(health.backlog)
        report = health.build(
            waiting,
            now=self._clock(),
            hub_minus_pc_s=r.clock_offset_s,
            data_folder=self._store.path.parent,
        )
        try:
            reply = self._client.status(report.as_json())
        except HubRejected as exc:
            if exc.status in (404, 405):
                log.info("the hub takes no health reports (an older hub); syncing carries on")
            else:
                log.warning(
                    "the hub refused this PC's health report: %s (%s); syncing carries on",
                    exc.message,
                    exc.code,
                )
            return
        except HubError as exc:
            log.info("this PC's health report got no answer: %s (%s)", exc.message, exc.code)
            return
        ignored = reply.body.get("ignored")
        if isinstance(ignored, list) and ignored:
            log.warning(
                "the hub ignored or clamped fields of this PC's health report: %s",
                ", ".join(str(name)[:40] for name in ignored[:10]),
            )

    # -- the hub's prescription key and revocations ------------------------------------------

    def _hub_rx_keys(self, r: _Round) -> None:
        """Ask ``GET /v1/anchor`` over this round's connection, which trusts only the anchor
        pinned at enrolment (so the answer is the hub's): for the hub's prescription key
        while this PC holds none (enrolled before signatures), and once for the revocations
        the hub signed before this PC enrolled (later ones come in the feed). A key this PC
        holds is never replaced (a different one is a hub key change: logged, kept)."""
        if self._rx_verifier is None or self._rx_revocation_check is None:
            return

        def due(db: sqlite_utils.Database) -> bool:
            held = settings.get(db, credentials.KEY_SIGNING_KEY) or ""
            return not held or settings.get_state(db, KEY_RX_ANCHOR) is None

        if not self._store.read(due):
            return
        r.check_cancel()
        try:
            reply = self._client.anchor()
        except (HubRejected, HubProtocolError) as exc:
            # A hub serving no certificate of its own (404) or an older one: asked next round.
            log.info("the hub gave no prescription key or revocations: %s", exc.message)
            return
        offered = reply.body.get("signing_key")
        listed = reply.body.get("revocations")
        now = self._clock()
        self._store.write(partial(self._apply_hub_rx_keys, offered=offered, listed=listed, now=now))

    def _apply_hub_rx_keys(
        self, db: sqlite_utils.Database, *, offered: object, listed: object, now: datetime
    ) -> None:
        held = settings.get(db, credentials.KEY_SIGNING_KEY) or ""
        learnt = False
        if isinstance(offered, str) and _looks_like_key(offered):
            if not held:
                settings.put(db, credentials.KEY_SIGNING_KEY, offered)
                held, learnt = offered, True
                log.warning("learnt the hub's prescription key over the pinned connection")
            elif offered != held:
                log.warning(
                    "the hub offers another prescription key than the one pinned: keeping the "
                    "pinned one (a hub key change needs this PC enrolled again)"
                )
        elif offered not in (None, ""):
            log.warning("the hub's prescription key in its anchor answer is unreadable")
        if not held:
            return  # nothing to check revocations with: asked again next round
        rx = _RxChecks(db, self._rx_verifier, self._rx_revocation_check)
        if isinstance(listed, list):
            for certificate in listed:
                rx.revocation(certificate, None, now)
        verify = rx.verifier()
        if learnt and verify is not None:
            changed = prescription_sync.recheck(db, verify, now, no_hub_key=True)
            if changed:
                log.info("%d prescription(s) checked again with the hub key", len(changed))
        if isinstance(listed, list):
            settings.put_state(db, KEY_RX_ANCHOR, codec.iso(now))

    # -- push --------------------------------------------------------------------------------

    def _push(self, r: _Round) -> None:
        batch = self._state_int(KEY_BATCH, BATCH_START, 1, BATCH_MAX)
        skipped: set[str] = set()  # ops that got no verdict alone: not again this round
        link_failures = 0
        total = self._store.read(lambda db: outbox.counts(db)["pending"])
        done = 0
        while True:
            r.check_cancel()
            ops = self._next_batch(batch, skipped)
            if not ops:
                break
            total = max(total, done + len(ops))
            r.report("push", done, total)
            ids = [op.op_id for op in ops]
            self._store.write(partial(_mark_sent, op_ids=ids))
            try:
                reply = self._client.push([_wire(op) for op in ops], r.epoch)
            except BaseException as exc:
                # No verdict on any op of this batch: all of them go back to pending.
                self._store.write(partial(outbox.requeue_sent, op_ids=ids, error=_describe(exc)))
                if isinstance(exc, HubRejected) and exc.status == 413:
                    if len(ops) == 1:
                        self._reject_alone(r, ops[0], exc)
                        done += 1
                    else:
                        batch = self._set_batch(max(1, len(ops) // 2))
                    continue
                if isinstance(exc, HubProtocolError) or (
                    isinstance(exc, HubRejected) and exc.status not in (401, 403)
                ):
                    # The hub could not digest this batch. Halve to find the op that breaks
                    # it; alone, that op waits for the next round (its attempts counted).
                    if len(ops) == 1:
                        skipped.add(ops[0].op_id)
                        r.failed += 1
                        r.op_problems.append(f"{ops[0].op} {ops[0].op_id}: {_describe(exc)}")
                        done += 1
                    else:
                        batch = self._set_batch(max(1, len(ops) // 2))
                    continue
                if isinstance(exc, HubUnreachable) and exc.reached:
                    # A reset or a timeout mid-request: maybe the request was too big for the
                    # link. Halve and try again, but not forever within one round.
                    batch = self._set_batch(max(1, len(ops) // 2))
                    link_failures += 1
                    if link_failures < MAX_LINK_FAILURES:
                        continue
                raise
            link_failures = 0
            self._store.write(partial(self._apply_results, ops=ops, reply=reply, r=r))
            done += len(ops)
            if reply.body.get("epoch") not in (None, r.epoch):
                # Answers from a restored hub are right for that hub, but ops acknowledged
                # before it was restored must go again: the next round's meta does that.
                raise HubProtocolError(
                    "hub.epoch_changed", "The hub was restored from a backup during this sync."
                )
            batch = self._set_batch(min(BATCH_MAX, batch * 2))
        r.report("push", done, max(total, done))

    def _next_batch(self, batch: int, skipped: set[str]) -> list[OutboxOp]:
        candidates = self._store.read(lambda db: outbox.pending(db, limit=batch + len(skipped)))
        ops: list[OutboxOp] = []
        estimate = 0
        for op in candidates:
            if op.op_id in skipped:
                continue
            ops.append(op)
            # The ops' own JSON: an upper bound of what they take in the body's table.
            estimate += len(codec.to_json(op.payload)) + 300
            if len(ops) >= batch:
                break
        if estimate <= BATCH_MAX_BYTES:
            return ops
        # The table is about a third of the ops' JSON (no repeated keys, compact times), so
        # measure it rather than send needlessly small batches.
        while True:
            table = encode_table([_wire(op) for op in ops])
            size = len(json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode())
            if size <= BATCH_MAX_BYTES or len(ops) == 1:
                return ops
            ops = ops[: max(1, min(len(ops) - 1, len(ops) * BATCH_MAX_BYTES // size))]

    def _reject_alone(self, r: _Round, op: OutboxOp, exc: HubRejected) -> None:
        reason = f"{exc.code}: {exc.message}"
        self._store.write(lambda db: outbox.mark_rejected(db, op.op_id, reason))
        r.rejected += 1

    def _apply_results(
        self, db: sqlite_utils.Database, *, ops: Sequence[OutboxOp], reply: HubReply, r: _Round
    ) -> None:
        now = self._clock()
        for op, result in zip(ops, reply.body["results"], strict=True):
            status = result["status"]
            if status == "rejected":
                reason = result.get("reason")
                if isinstance(reason, dict):
                    text = f"{reason.get('code', 'rejected')}: {reason.get('message', '')}"
                else:
                    text = f"rejected: {reason or ''}"
                outbox.mark_rejected(db, op.op_id, text.strip())
                r.rejected += 1
                if op.op == "case.queue":
                    _case_rejected(db, CaseId(op.entity_id), now)
                continue
            outbox.mark_acked(db, op.op_id)
            if status == "applied":
                r.applied += 1
            else:
                r.duplicate += 1
            if op.op == "case.queue":
                _move_case(db, CaseId(op.entity_id), CaseStatus.SENT, now)

    def _set_batch(self, size: int) -> int:
        current = self._state_int(KEY_BATCH, BATCH_START, 1, BATCH_MAX)
        if size != current:
            self._store.write(lambda db: settings.put_state(db, KEY_BATCH, str(size)))
        return size

    def _state_int(self, key: str, default: int, low: int, high: int) -> int:
        raw = self._store.read(lambda db: settings.get_state(db, key))
        try:
            value = int(raw) if raw is not None else default
        except ValueError:
            value = default
        return min(high, max(low, value))

    # -- blobs -------------------------------------------------------------------------------

    def _upload_blobs(self, r: _Round) -> None:
        todo = self._store.read(_blobs_to_upload)
        for i, (sha, media_type) in enumerate(todo):
            r.check_cancel()
            if self._store.read(lambda db: bool(outbox.pending(db, limit=1))):
                # Records before bytes: a case queued meanwhile goes out before the next photo.
                self._push(r)
            r.report("blobs", i, len(todo))
            self._upload_one(r, sha, media_type)
        r.report("blobs", len(todo), len(todo))

    def _upload_one(self, r: _Round, sha: str, media_type: str) -> None:
        try:
            data = self._blobs.get(sha)  # checks the hash: damaged bytes are never sent
        except StoreError as exc:
            log.error("attachment %s cannot be sent: %s", sha, exc)
            self._save_blob(sha, {"offset": 0, "done": False, "error": exc.code})
            return
        try:
            started = self._client.blob_start(sha, len(data), media_type)
        except HubRejected as exc:
            if exc.status in (401, 403):
                raise
            # The hub will never take this blob as announced (too large, say): a person must
            # look; the other attachments go on.
            log.error("hub refused attachment %s: %s %s", sha, exc.code, exc.message)
            self._save_blob(sha, {"offset": 0, "done": False, "error": exc.code})
            return
        if started.body["status"] == "exists":
            self._save_blob(sha, {"offset": len(data), "done": True, "error": ""})
            return
        offset = self._hub_offset(sha)
        chunk = self._state_int(KEY_CHUNK, CHUNK_MAX, CHUNK_MIN, CHUNK_MAX)
        failures = 0
        streak = 0
        corrections = 0  # 409s in a row: a hub that keeps moving the offset is not trusted
        restarted = False
        while offset < len(data):
            r.check_cancel()
            piece = data[offset : offset + chunk]
            try:
                reply = self._client.blob_patch(sha, offset, piece)
            except HubRejected as exc:
                held = exc.details.get("offset")
                if exc.code == "blob.offset" and isinstance(held, int) and corrections < 3:
                    if not 0 <= held <= len(data):
                        raise HubProtocolError(
                            "hub.bad_reply", "The hub reported an impossible offset."
                        ) from exc
                    corrections += 1
                    offset = held  # the hub holds a different amount: continue from there
                    continue
                if exc.code in ("blob.hash_mismatch", "blob.unknown") and not restarted:
                    # Our bytes hash right (checked above), so a mismatch means damage on the
                    # way; either way the hub has no upload now: start it once more from 0.
                    restarted = True
                    self._client.blob_start(sha, len(data), media_type)
                    offset = self._hub_offset(sha)
                    continue
                if exc.code == "blob.hash_mismatch":
                    self._save_blob(sha, {"offset": 0, "done": False, "error": exc.code})
                    return
                raise
            except (HubUnreachable, HubProtocolError) as exc:
                if isinstance(exc, HubUnreachable) and not exc.reached:
                    raise
                # The link broke mid-chunk: smaller chunks, resume from what the hub holds.
                chunk = self._set_chunk(max(CHUNK_MIN, chunk // 2))
                failures += 1
                streak = 0
                if failures >= MAX_LINK_FAILURES:
                    raise
                offset = self._hub_offset(sha)
                continue
            new_offset = int(reply.body["offset"])
            if not offset < new_offset <= len(data):
                raise HubProtocolError("hub.bad_reply", "The hub reported an impossible offset.")
            offset = new_offset
            failures = 0
            corrections = 0
            streak += 1
            if streak >= CHUNK_GROW_AFTER and chunk < CHUNK_MAX:
                chunk = self._set_chunk(min(CHUNK_MAX, chunk * 2))
                streak = 0
            self._save_blob(sha, {"offset": offset, "done": offset >= len(data), "error": ""})
        self._save_blob(sha, {"offset": len(data), "done": True, "error": ""})
        r.blobs_uploaded += 1

    def _hub_offset(self, sha: str) -> int:
        return int(self._client.blob_offset(sha).body["offset"])

    def _set_chunk(self, size: int) -> int:
        self._store.write(lambda db: settings.put_state(db, KEY_CHUNK, str(size)))
        return size

    def _save_blob(self, sha: str, state: dict[str, Any]) -> None:
        text = json.dumps(state, sort_keys=True)
        self._store.write(lambda db: settings.put_state(db, BLOB_KEY_PREFIX + sha, text))

    # -- pull --------------------------------------------------------------------------------

    def _pull(self, r: _Round) -> None:
        cursor = self._state_int(KEY_CURSOR, 0, 0, 2**63 - 1)
        while True:
            r.check_cancel()
            reply = self._client.pull(cursor, PULL_LIMIT)
            body = reply.body
            if body.get("epoch") not in (None, r.epoch):
                # The cursor means nothing in another epoch: leave it for the next round.
                raise HubProtocolError(
                    "hub.epoch_changed", "The hub was restored from a backup during this sync."
                )
            changes: list[dict[str, Any]] = body["changes"]
            next_since = int(body["next_since"])
            has_more = bool(body["has_more"])
            if next_since < cursor or (has_more and next_since == cursor):
                raise HubProtocolError("hub.bad_reply", "The hub's pull cursor went backwards.")
            self._store.write(
                partial(self._apply_page, changes=changes, since=cursor, next_since=next_since)
            )
            r.pulled += len(changes)
            r.hub_time = reply.hub_time or r.hub_time
            r.report("pull", r.pulled, r.pulled + (1 if has_more else 0))
            cursor = next_since
            if not has_more:
                return

    def _apply_page(
        self,
        db: sqlite_utils.Database,
        *,
        changes: Sequence[dict[str, Any]],
        since: int,
        next_since: int,
    ) -> None:
        # The page and the cursor commit together, so no crash can separate them; replaying a
        # page (the same changes again) changes nothing.
        now = self._clock()
        rx = _RxChecks(db, self._rx_verifier, self._rx_revocation_check)
        for change in changes:
            if int(change["seq"]) > since:
                _apply_change(db, change, now, rx)
        settings.put_state(db, KEY_CURSOR, str(next_since))

    # -- the end of a round ------------------------------------------------------------------

    def _finish(
        self, r: _Round, error: str | None, code: str | None, retry_after: float | None
    ) -> SyncReport:
        finished = self._clock()

        def tally(db: sqlite_utils.Database) -> tuple[int, int]:
            counts = outbox.counts(db)
            blob_problems = db.execute(
                "SELECT COUNT(*) FROM sync_state WHERE key LIKE ? "
                "AND json_extract(value, '$.error') != ''",
                [BLOB_KEY_PREFIX + "%"],
            ).fetchone()[0]
            if error is None:
                settings.put_state(db, KEY_LAST_SUCCESS, codec.iso(finished))
                if r.hub_time is not None:
                    settings.put_state(db, KEY_LAST_SUCCESS_HUB, codec.iso(r.hub_time))
            return counts["pending"] + counts["sent"], counts["rejected"] + int(blob_problems)

        pending_left, needs_attention = self._store.write(tally)
        offset = r.clock_offset_s
        return SyncReport(
            pushed=PushCounts(r.applied, r.duplicate, r.rejected, r.failed),
            pulled=r.pulled,
            blobs_uploaded=r.blobs_uploaded,
            pending_left=pending_left,
            needs_attention=needs_attention,
            clock_offset_s=offset,
            clock_warning=offset is not None and abs(offset) > CLOCK_WARNING_S,
            epoch_changed=r.epoch_changed,
            error=error,
            error_code=code,
            retry_after_s=retry_after,
            finished_at=finished,
        )


# -- store helpers (raw SQL on the outbox and sync_state; run inside Store.write/read) ----------


def _mark_sent(db: sqlite_utils.Database, *, op_ids: Sequence[str]) -> None:
    for op_id in op_ids:
        outbox.mark_sent(db, op_id)


def _forget_blob_uploads(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM sync_state WHERE key LIKE ?", [BLOB_KEY_PREFIX + "%"])


def _blobs_to_upload(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """(sha256, media type) of acknowledged attachments whose bytes are not known to be at the
    hub, oldest first, each hash once; those that cannot be sent (damaged, missing) skipped."""
    rows = db.execute(
        "SELECT json_extract(o.payload, '$.attachment.sha256') AS sha, "
        "json_extract(o.payload, '$.attachment.media_type') AS media_type "
        "FROM outbox o WHERE o.state = 'acked' AND o.op = 'attachment.create' "
        "AND NOT EXISTS (SELECT 1 FROM sync_state s "
        "  WHERE s.key = ? || json_extract(o.payload, '$.attachment.sha256') "
        "  AND (json_extract(s.value, '$.done') = 1 OR json_extract(s.value, '$.error') != '')) "
        "ORDER BY o.priority, o.seq",
        [BLOB_KEY_PREFIX],
    ).fetchall()
    seen: set[str] = set()
    result: list[tuple[str, str]] = []
    for sha, media_type in rows:
        if isinstance(sha, str) and sha not in seen:
            seen.add(sha)
            result.append((sha, str(media_type or "application/octet-stream")))
    return result


def _wire(op: OutboxOp) -> dict[str, Any]:
    """The op as the push body carries it (docs/SYNC.md): no ``entity``/``entity_id`` (the
    kind and the payload's record say them), and a ``case.queue`` without what it would
    repeat of its case (the hub puts it back)."""
    payload = op.payload
    if op.op == "case.queue":
        payload = _trim_case_queue(payload)
    return {
        "op_id": op.op_id,
        "seq": op.seq,
        "op": op.op,
        "payload": payload,
        "created_at": codec.iso(op.created_at),
    }


def _trim_case_queue(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop the payload's copy of the case's consent and each observation's ``case_id`` when
    they equal the case's own: about 40 B a case on the wire, gzip or not."""
    case = payload.get("case")
    if not isinstance(case, dict):
        return payload
    trimmed = dict(payload)
    if "consent" in trimmed and trimmed["consent"] == case.get("consent"):
        del trimmed["consent"]
    items = trimmed.get("observations")
    if isinstance(items, list):
        trimmed["observations"] = [
            {k: v for k, v in item.items() if k != "case_id" or v != case.get("id")}
            if isinstance(item, dict)
            else item
            for item in items
        ]
    return trimmed


def _describe(exc: BaseException) -> str:
    if isinstance(exc, HubError):
        return f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


# -- applying the hub's changes ----------------------------------------------------------------


class _RxChecks:
    """The prescription checks of one write transaction: the hub key and revocations held,
    the verifier built from them again after a revocation arrives."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        verifiers: RxVerifierFactory | None,
        revocation_checks: RevocationCheckFactory | None,
        *,
        fixed: prescription_sync.Verifier | None = None,
    ) -> None:
        self._db = db
        self._verifiers = verifiers
        self._checks = revocation_checks
        self._verify = fixed
        self._hub_key = settings.get(db, credentials.KEY_SIGNING_KEY) or ""

    def verifier(self) -> prescription_sync.Verifier | None:
        if self._verify is None and self._verifiers is not None:
            held = prescription_sync.revocations(self._db)
            self._verify = self._verifiers(self._hub_key, held)
        return self._verify

    def revocation(self, item: object, entity_id: object, now: datetime) -> None:
        """A revocation: an ``rx_key.revoked`` payload from the feed (``entity_id``: its key
        id), or a certificate from the anchor answer (``entity_id`` None); kept if the hub key
        signed it, then that key's prescriptions checked again."""
        if self._checks is None or self._verifiers is None:
            log.error("key revocation %r not applied: no signature check", entity_id)
            return
        check = self._checks(self._hub_key)
        if entity_id is None:
            kid = prescription_sync.store_revocation(self._db, item, check)
        else:
            kid = prescription_sync.apply_revoked(self._db, entity_id, item, check)
        if kid is None:
            return
        self._verify = None  # the next check counts this revocation
        verify = self.verifier()
        assert verify is not None
        changed = prescription_sync.recheck(self._db, verify, now, key_id=kid)
        if changed:
            log.warning("%d prescription(s) signed with revoked key %s: invalid", len(changed), kid)


def _looks_like_key(text: str) -> bool:
    """base64url (unpadded) of 32 raw bytes: the form the hub publishes its key in."""
    if len(text) != 43 or not text.isascii():
        return False
    try:
        raw = base64.urlsafe_b64decode(text + "=")
    except (binascii.Error, ValueError):
        return False
    return len(raw) == 32 and base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == text


def _apply_change(
    db: sqlite_utils.Database,
    change: dict[str, Any],
    now: datetime,
    checks: _RxChecks | prescription_sync.Verifier | None = None,
) -> None:
    # A bare verifier (tests) checks arrivals only.
    rx = checks if isinstance(checks, _RxChecks) else _RxChecks(db, None, None, fixed=checks)
    entity, op, payload = change["entity"], change["op"], change["payload"]
    if entity == "case" and op == "case.status":
        cid = payload.get("id") or change.get("entity_id")
        try:
            target = CaseStatus(payload.get("status"))
        except ValueError:
            log.warning("ignoring case.status with unknown status %r", payload.get("status"))
            return
        if not isinstance(cid, str) or target not in HUB_STATUSES:
            log.warning("ignoring case.status %r for %r", target, cid)
            return
        _move_case(db, CaseId(cid), target, now)
        return
    if entity == "staff" and op == "staff.upsert":
        # An account the hub manages for this spoke; a bad payload is logged and skipped there.
        staff_sync.apply_upsert(db, payload, now)
        return
    if entity == "prescription" and op == "prescription.issued":
        # Checked against the hub key pinned at enrolment, stored whatever the verdict, an
        # invalid one reported; a bad payload is logged and skipped there.
        verify = rx.verifier()
        if verify is None:
            # An engine built without the signature check (a tool, a test) must not judge
            # prescriptions: storing one unchecked or as invalid would both mislead.
            log.error("prescription %s not applied: no signature check", change.get("entity_id"))
            return
        prescription_sync.apply_issued(db, change.get("entity_id"), payload, now, verify)
        return
    if entity == "rx_key" and op == prescription_sync.OP_KEY_REVOKED:
        # Kept only if the pinned hub key signed it; that key's prescriptions checked again.
        rx.revocation(payload, change.get("entity_id"), now)
        return
    if entity == "case" and op == "case.message":
        prescription_sync.apply_message(db, change.get("entity_id"), payload, now)
        return
    # A change this version cannot apply (a newer hub): skipping it keeps the feed moving; a
    # later version re-pulls from 0 if it needs the history.
    log.info("ignoring hub change %s/%s (seq %s)", entity, op, change.get("seq"))


def _move_case(db: sqlite_utils.Database, cid: CaseId, target: CaseStatus, now: datetime) -> None:
    """Walk the case forward to ``target`` through allowed transitions; no-op when it is
    there already, or when ``target`` is behind it (a replayed or out-of-date change)."""
    case = cases_repo.get(db, cid)
    if case is None:
        return
    path = _path(case.status, target)
    if not path:
        return
    for step in path:
        case = case_rules.transition(case, step, now)
    cases_repo.update(db, case)


def _case_rejected(db: sqlite_utils.Database, cid: CaseId, now: datetime) -> None:
    """A queued case the hub refused goes to NEEDS_ATTENTION (a person re-queues or cancels)."""
    case = cases_repo.get(db, cid)
    if case is not None and case.status is CaseStatus.QUEUED:
        cases_repo.update(db, case_rules.transition(case, CaseStatus.NEEDS_ATTENTION, now))


def _path(start: CaseStatus, target: CaseStatus) -> list[CaseStatus]:
    """Shortest chain of allowed transitions from ``start`` to ``target`` whose intermediate
    statuses are hub-owned; [] when there is none (or ``start == target``)."""
    if start == target:
        return []
    queue: deque[tuple[CaseStatus, list[CaseStatus]]] = deque([(start, [])])
    seen = {start}
    while queue:
        status, route = queue.popleft()
        for nxt in sorted(case_rules.ALLOWED[status]):
            if nxt in seen:
                continue
            if nxt == target:
                return [*route, nxt]
            if nxt in HUB_STATUSES:
                seen.add(nxt)
                queue.append((nxt, [*route, nxt]))
    return []
