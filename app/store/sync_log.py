"""What the sync status display needs that the engine does not store itself.

The engine (``app.sync.engine``) keeps the last *successful* round's times and the clock offset
in ``sync_state``. A person also needs to know whether the last *attempt* worked, why not, and
since when this PC has been unable to reach its hub: ``record_round`` writes that after each
round, and ``read`` returns it with the engine's own keys in one snapshot. ``pending_by_class``
splits what still waits to go into records and photos, ``rejected`` lists the ops the hub
refused (``app.store.outbox.requeue_rejected`` puts one of them back in the queue).

Times here are the PC's clock, for display only: nothing is decided by them.

Threading rule: ``record_round`` writes and must run inside
``Store.write``; the rest may run inside ``Store.read`` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from app.store import audit, codec, outbox, settings

# The engine's keys (app.sync.engine owns them; the store layer may not import the sync layer,
# so their names are repeated here, and tests/services/test_sync_status.py checks they agree).
KEY_LAST_SUCCESS = "sync.last_success_at"
KEY_LAST_SUCCESS_HUB = "sync.last_success_hub_time"
KEY_CLOCK_OFFSET = "sync.clock_offset_s"
BLOB_KEY_PREFIX = "sync.blob."

# Ours.
KEY_LAST_ATTEMPT = "sync.last_attempt_at"
KEY_LAST_ERROR_CODE = "sync.last_error_code"  # "" after a successful round
KEY_LAST_ERROR = "sync.last_error"  # English, for support; the UI shows the code's text
KEY_OFFLINE_SINCE = "sync.offline_since"  # the first failed attempt after the last success

# Rounds that say nothing about the hub: a person cancelled, or another round was on.
NEUTRAL_CODES = frozenset({"sync.cancelled", "sync.already_running"})


@dataclass(frozen=True, slots=True)
class SyncLog:
    last_success_at: datetime | None
    last_success_hub_time: datetime | None
    last_attempt_at: datetime | None
    last_error_code: str | None
    last_error: str | None
    offline_since: datetime | None
    clock_offset_s: float | None


@dataclass(frozen=True, slots=True)
class PendingCounts:
    records: int  # patients, cases, observations... not yet acknowledged by the hub
    photos: int  # attachments whose record or bytes have not yet reached the hub


@dataclass(frozen=True, slots=True)
class RejectedOp:
    op_id: str
    op: str  # "case.queue", ...
    entity: str
    entity_id: str
    created_at: datetime
    attempts: int
    reason_code: str
    reason: str


def _dt(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return codec.parse_dt(raw)
    except ValueError:
        return None


def record_round(
    db: sqlite_utils.Database,
    *,
    finished_at: datetime,
    error_code: str | None,
    error: str | None,
) -> None:
    """Note one round's outcome (``error_code`` None: it succeeded)."""
    if error_code in NEUTRAL_CODES:
        return  # neither online nor offline: keep what the last real round said
    settings.put_state(db, KEY_LAST_ATTEMPT, codec.iso(finished_at))
    if error_code is None and error is None:
        settings.put_state(db, KEY_LAST_ERROR_CODE, "")
        settings.put_state(db, KEY_LAST_ERROR, "")
        settings.put_state(db, KEY_OFFLINE_SINCE, "")
        return
    settings.put_state(db, KEY_LAST_ERROR_CODE, error_code or "sync.failed")
    settings.put_state(db, KEY_LAST_ERROR, error or "")
    # Only the first failure starts the offline period; later ones must not move it forward.
    if not settings.get_state(db, KEY_OFFLINE_SINCE):
        settings.put_state(db, KEY_OFFLINE_SINCE, codec.iso(finished_at))


def read(db: sqlite_utils.Database) -> SyncLog:
    def get(key: str) -> str | None:
        return settings.get_state(db, key)

    offset_raw = get(KEY_CLOCK_OFFSET)
    try:
        offset = float(offset_raw) if offset_raw else None
    except ValueError:
        offset = None
    return SyncLog(
        last_success_at=_dt(get(KEY_LAST_SUCCESS)),
        last_success_hub_time=_dt(get(KEY_LAST_SUCCESS_HUB)),
        last_attempt_at=_dt(get(KEY_LAST_ATTEMPT)),
        last_error_code=get(KEY_LAST_ERROR_CODE) or None,
        last_error=get(KEY_LAST_ERROR) or None,
        offline_since=_dt(get(KEY_OFFLINE_SINCE)),
        clock_offset_s=offset,
    )


def pending_by_class(db: sqlite_utils.Database) -> PendingCounts:
    """Ops still on their way, as a person counts them: records, and photos.

    A photo counts while its ``attachment.create`` op waits, and after the hub has the record
    but not yet the bytes (the engine uploads them after the records): one photo, once.
    """
    # Audit entries travel too, but they are not records a person made: counted apart, never
    # as "3 records waiting" for one patient registered.
    records = db.execute(
        "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sent') AND priority < ? "
        "AND op != ?",
        [outbox.PRIORITY_BLOB, audit.OP_APPEND],
    ).fetchone()[0]
    photo_ops = db.execute(
        "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sent') AND priority >= ?",
        [outbox.PRIORITY_BLOB],
    ).fetchone()[0]
    # Acknowledged attachments whose bytes are neither uploaded nor known to be unsendable
    # (those are a problem, not a wait).
    bytes_waiting = db.execute(
        "SELECT COUNT(*) FROM outbox o WHERE o.state = 'acked' AND o.op = 'attachment.create' "
        "AND NOT EXISTS (SELECT 1 FROM sync_state s "
        "  WHERE s.key = ? || json_extract(o.payload, '$.attachment.sha256') "
        "  AND (json_extract(s.value, '$.done') = 1 OR json_extract(s.value, '$.error') != ''))",
        [BLOB_KEY_PREFIX],
    ).fetchone()[0]
    return PendingCounts(records=int(records), photos=int(photo_ops) + int(bytes_waiting))


def _split_reason(text: str) -> tuple[str, str]:
    """The engine stores "code: message"; an older or odd entry has no code."""
    code, sep, message = text.partition(":")
    if sep and code and " " not in code.strip():
        return code.strip(), message.strip()
    return "", text.strip()


def rejected(db: sqlite_utils.Database, limit: int = 500) -> list[RejectedOp]:
    """The ops the hub refused, oldest first (no payloads: no clinical content)."""
    rows = db.execute(
        "SELECT op_id, op, entity, entity_id, created_at, attempts, last_error FROM outbox "
        "WHERE state = 'rejected' ORDER BY seq LIMIT ?",
        [limit],
    ).fetchall()
    result: list[RejectedOp] = []
    for op_id, op, entity, entity_id, created_at, attempts, last_error in rows:
        code, message = _split_reason(str(last_error or ""))
        result.append(
            RejectedOp(
                op_id=str(op_id),
                op=str(op),
                entity=str(entity),
                entity_id=str(entity_id),
                created_at=codec.parse_dt(created_at),
                attempts=int(attempts),
                reason_code=code,
                reason=message,
            )
        )
    return result


def rejected_count(db: sqlite_utils.Database) -> int:
    return int(outbox.counts(db)["rejected"])
