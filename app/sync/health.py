"""This PC's health as the hub's Clinics page shows it (docs/SYNC.md "Health report").

At the end of every round that got through its pull, the engine sends one small report: the
app's version, what is still waiting to go (ops, the age of the oldest, attachment bytes), what
the hub refused, this PC's clock against the hub's, the free space of the data folder and the
operating system. Counts, sizes and versions only: nothing here can name a patient, and the
whole body stays near 250 bytes, which a 2G link sends in well under a second.

Ages are differences of two PC-clock times (an op's ``created_at`` and now), so a PC clock that
is wrong but steady still gives the right age; the clock's own error is the separate
``clock_offset_s``, measured against the hub's ``X-Hub-Time`` at the start of the round.
"""

from __future__ import annotations

import logging
import platform
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import sqlite_utils

import app
from app.store import codec

log = logging.getLogger(__name__)

MAX_TEXT: Final = 64  # the hub keeps at most this much of a version or an OS name

_ATTACHMENT: Final = "attachment.create"
_BLOB_KEY_PREFIX: Final = "sync.blob."  # the engine's per-upload state (app.sync.engine)


@dataclass(frozen=True, slots=True)
class Backlog:
    """What is still waiting to reach the hub, read from the outbox in one snapshot."""

    pending_ops: int
    oldest_created_at: datetime | None  # PC clock
    pending_blob_bytes: int
    needs_attention: int  # ops the hub refused: a person at the clinic must look


@dataclass(frozen=True, slots=True)
class HealthReport:
    """The body of ``POST /v1/status``. ``clock_offset_s`` is this PC's clock minus the hub's
    (positive: the PC is ahead); None fields are left out of the body."""

    app_version: str
    os: str
    pending_ops: int
    oldest_pending_s: int | None
    pending_blob_bytes: int
    needs_attention: int
    clock_offset_s: float | None
    free_disk_bytes: int | None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "app_version": self.app_version,
            "os": self.os,
            "pending_ops": self.pending_ops,
            "oldest_pending_s": self.oldest_pending_s,
            "pending_blob_bytes": self.pending_blob_bytes,
            "needs_attention": self.needs_attention,
            "clock_offset_s": self.clock_offset_s,
            "free_disk_bytes": self.free_disk_bytes,
        }
        return {k: v for k, v in body.items() if v is not None}


def backlog(db: sqlite_utils.Database) -> Backlog:
    """The outbox's waiting ops (``pending``/``sent``), the oldest one's time, the bytes of
    attachments the hub does not hold yet, and the refused ops. Runs inside ``Store.read``."""
    pending, oldest = db.execute(
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state IN ('pending', 'sent')"
    ).fetchone()
    # An attachment's bytes wait while its op does, and after the hub has the record until
    # the upload is done; an upload that can never be done (damaged, missing) is not a wait.
    (blob_bytes,) = db.execute(
        "SELECT COALESCE(SUM(json_extract(o.payload, '$.attachment.size')), 0) FROM outbox o "
        "WHERE o.op = ? AND (o.state IN ('pending', 'sent') OR (o.state = 'acked' "
        "AND NOT EXISTS (SELECT 1 FROM sync_state s "
        "  WHERE s.key = ? || json_extract(o.payload, '$.attachment.sha256') "
        "  AND (json_extract(s.value, '$.done') = 1 OR json_extract(s.value, '$.error') != ''))))",
        [_ATTACHMENT, _BLOB_KEY_PREFIX],
    ).fetchone()
    (refused,) = db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'rejected'").fetchone()
    return Backlog(
        pending_ops=int(pending),
        oldest_created_at=codec.parse_dt(oldest) if oldest else None,
        pending_blob_bytes=_whole(blob_bytes),
        needs_attention=int(refused),
    )


def free_disk_bytes(folder: Path) -> int | None:
    """Free bytes on the volume of ``folder`` for this user; None when it cannot be read."""
    try:
        return int(shutil.disk_usage(folder).free)
    except OSError as exc:
        log.info("cannot read the free space of %s: %s", folder, exc)
        return None


def os_name() -> str:
    """The operating system and its version (``Windows-10-10.0.19045-SP0``): no host name,
    no user name."""
    return platform.platform()[:MAX_TEXT]


def build(
    waiting: Backlog,
    *,
    now: datetime,
    hub_minus_pc_s: float | None,
    data_folder: Path,
) -> HealthReport:
    """The report for this round. ``hub_minus_pc_s`` is the offset the round measured (the
    engine's sign: hub minus PC), turned round here so the hub reads "the PC is N s ahead"."""
    oldest_s: int | None = None
    if waiting.oldest_created_at is not None:
        # A PC clock set back since the op was made gives a negative age: none is older.
        oldest_s = max(0, int((now - waiting.oldest_created_at).total_seconds()))
    offset = None if hub_minus_pc_s is None else round(-hub_minus_pc_s, 1) + 0.0
    return HealthReport(
        app_version=app.__version__[:MAX_TEXT],
        os=os_name(),
        pending_ops=waiting.pending_ops,
        oldest_pending_s=oldest_s,
        pending_blob_bytes=waiting.pending_blob_bytes,
        needs_attention=waiting.needs_attention,
        clock_offset_s=offset,
        free_disk_bytes=free_disk_bytes(data_folder),
    )


def _whole(value: object) -> int:
    """A SUM over sizes the spoke wrote itself; anything odd in a payload counts as 0."""
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, float):
        return max(0, int(value))
    return 0
