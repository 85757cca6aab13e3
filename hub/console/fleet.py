"""The administrator's Clinics page: every enrolled clinic's health, the ones to visit first at
the top, so field IT know where to go.

Each clinic's PC reports at the end of every sync round that got through (docs/SYNC.md
"Health report"); the hub keeps the latest report and its own time of arrival, which is the
clinic's last completed sync. What is judged here, and why:

- **Last sync** over ``STALE_AFTER`` (2 days) is a problem: the PC is off, offline, or failing
  to sync, and new cases are not reaching the specialists. A clinic enrolled longer than that
  with no report at all is one too (its app may also predate health reports).
- **Free disk** under ``DISK_PROBLEM`` (500 MB) is a problem (the app may soon fail to save a
  case), under ``DISK_LOW`` (2 GB) something to check.
- **App version** older than the newest any clinic reports, a **clock** more than
  ``CLOCK_LIMIT_S`` (2 minutes) off the hub's, ops the hub **refused** (someone at the clinic
  must look) and changes **waiting** longer than ``BACKLOG_OLD`` are things to check.

Clinics are sorted by problems, then things to check, then the longest without a sync. Counts,
sizes and versions only: the page shows nothing about patients. Server-rendered, no script;
a Refresh link reloads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.console.auth import HUB_ADMIN, Auth, User
from hub.console.templates import render
from hub.storage.base import HubStore

STALE_AFTER: Final = timedelta(days=2)
CLOCK_LIMIT_S: Final = 120.0
DISK_LOW: Final = 2 * 10**9
DISK_PROBLEM: Final = 500 * 10**6
BACKLOG_OLD: Final = timedelta(days=1)

Level = Literal["problem", "check"]
_VERSION: Final = re.compile(r"(\d+(?:\.\d+)*)")


@dataclass(frozen=True, slots=True)
class Flag:
    """Something about a clinic that needs a look, and why, in words for field IT."""

    level: Level
    why: str


@dataclass(frozen=True, slots=True)
class Cell:
    """One value of the table: what it says, and the flag on it (None: fine)."""

    text: str
    flag: Flag | None = None
    detail: str = ""  # a second, quieter line (the exact time behind "3 days ago")


@dataclass(frozen=True, slots=True)
class ClinicRow:
    spoke_id: str
    name: str
    version: Cell
    last_sync: Cell
    last_sync_at: datetime | None
    backlog: Cell
    clock: Cell
    disk: Cell
    os: Cell
    flags: list[Flag] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(f.level == "problem" for f in self.flags)

    @property
    def checks(self) -> int:
        return sum(f.level == "check" for f in self.flags)

    @property
    def summary(self) -> str:
        parts = []
        if self.problems:
            parts.append(_count(self.problems, "problem"))
        if self.checks:
            parts.append(f"{_count(self.checks, 'thing')} to check")
        return ", ".join(parts) or "Nothing to do"


_NOT_REPORTED: Final = Cell("Not reported")


def clinic_rows(fleet: Sequence[Mapping[str, Any]], now: datetime) -> list[ClinicRow]:
    """``HubStore.fleet()`` judged at ``now`` (the hub's clock), the clinics to visit first
    at the top."""
    newest = max(
        (v for s in fleet if (v := _version_key(_report(s).get("app_version")))), default=None
    )
    rows = [_row(spoke, now, newest) for spoke in fleet]
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(
        rows,
        key=lambda r: (-r.problems, -r.checks, r.last_sync_at or never, r.name.casefold()),
    )


def _row(spoke: Mapping[str, Any], now: datetime, newest: tuple[int, ...] | None) -> ClinicRow:
    report = _report(spoke)
    cells = {
        "version": _version(report.get("app_version"), newest),
        "last_sync": _last_sync(spoke.get("received_at"), spoke["created_at"], now),
        "backlog": _backlog(report),
        "clock": _clock(report.get("clock_offset_s")),
        "disk": _disk(report.get("free_disk_bytes")),
        "os": Cell(str(report["os"])) if report.get("os") else _NOT_REPORTED,
    }
    return ClinicRow(
        spoke_id=str(spoke["id"]),
        name=str(spoke["name"]),
        last_sync_at=spoke.get("received_at"),
        flags=[c.flag for c in cells.values() if c.flag is not None],
        **cells,
    )


def _report(spoke: Mapping[str, Any]) -> Mapping[str, Any]:
    report = spoke.get("report")
    return report if isinstance(report, Mapping) else {}


def _version_key(text: object) -> tuple[int, ...] | None:
    """``0.10.2`` -> (0, 10, 2), so 0.10 is newer than 0.9; None for text with no number."""
    if not isinstance(text, str) or not (match := _VERSION.match(text.strip())):
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def _version(text: object, newest: tuple[int, ...] | None) -> Cell:
    if not isinstance(text, str) or not text:
        return _NOT_REPORTED
    key = _version_key(text)
    if key is not None and newest is not None and key < newest:
        shown = ".".join(str(p) for p in newest)
        return Cell(text, Flag("check", f"Older than {shown}, the newest in use: update it."))
    return Cell(text)


def _last_sync(received: datetime | None, enrolled: datetime, now: datetime) -> Cell:
    if received is None:
        if now - enrolled > STALE_AFTER:
            why = (
                f"No sync reported since it was enrolled {ago(enrolled, now)}: the PC may "
                "never have synced, or its app is too old to report."
            )
            return Cell("Never", Flag("problem", why))
        return Cell("Not yet", detail=f"Enrolled {ago(enrolled, now)}")
    detail = received.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if now - received > STALE_AFTER:
        why = (
            "Over 2 days without a completed sync: the PC may be off or offline, or sync "
            "is failing, and new cases are not reaching the hub."
        )
        return Cell(ago(received, now), Flag("problem", why), detail)
    return Cell(ago(received, now), detail=detail)


def _backlog(report: Mapping[str, Any]) -> Cell:
    pending = report.get("pending_ops")
    if not isinstance(pending, int):
        return _NOT_REPORTED
    refused = report.get("needs_attention")
    oldest = report.get("oldest_pending_s")
    blob_bytes = report.get("pending_blob_bytes")
    parts = [f"{_count(pending, 'change')} waiting" if pending else "Nothing waiting"]
    if pending and isinstance(oldest, int):
        parts.append(f"oldest {duration(oldest)}")
    if isinstance(blob_bytes, int) and blob_bytes:
        parts.append(f"{size(blob_bytes)} of attachments")
    if isinstance(refused, int) and refused:
        parts.append(f"{refused} refused by the hub")
    flag = None
    if isinstance(refused, int) and refused:
        flag = Flag(
            "check",
            f"The hub refused {_count(refused, 'change')}: someone at the clinic must look "
            "(Sync page, Needs attention).",
        )
    elif pending and isinstance(oldest, int) and oldest > BACKLOG_OLD.total_seconds():
        flag = Flag("check", "Changes have waited over a day: they are not getting through.")
    return Cell("; ".join(parts), flag)


def _clock(offset: object) -> Cell:
    if not isinstance(offset, int | float) or isinstance(offset, bool):
        return _NOT_REPORTED
    if abs(offset) < 1:
        return Cell("Matches the hub")
    side = "ahead" if offset > 0 else "behind"
    text = f"{duration(abs(offset))} {side}"
    if abs(offset) > CLOCK_LIMIT_S:
        why = (
            f"The PC's clock is {text} of the hub's (over 2 minutes): set its date and time, "
            "or times on its records and printouts read wrong."
        )
        return Cell(text, Flag("check", why))
    return Cell(text)


def _disk(free: object) -> Cell:
    if not isinstance(free, int) or isinstance(free, bool):
        return _NOT_REPORTED
    text = f"{size(free)} free"
    if free < DISK_PROBLEM:
        why = "Under 500 MB free: the app may soon be unable to save cases. Free space now."
        return Cell(text, Flag("problem", why))
    if free < DISK_LOW:
        return Cell(text, Flag("check", "Under 2 GB free: free some space on the next visit."))
    return Cell(text)


# --- words for numbers -----------------------------------------------------------------------


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def duration(seconds: float) -> str:
    """``3 s``, ``5 min``, ``2 h``, ``3 days``: the largest whole unit."""
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 2 * 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} days"


def ago(moment: datetime, now: datetime) -> str:
    """``just now``, ``5 minutes ago``, ``7 hours ago``, ``3 days ago``."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{_count(int(seconds // 60), 'minute')} ago"
    if seconds < 2 * 86400:
        return f"{_count(int(seconds // 3600), 'hour')} ago"
    return f"{_count(int(seconds // 86400), 'day')} ago"


def size(n: int) -> str:
    """Bytes in decimal units, as disks are sold: ``350 MB``, ``12.3 GB``."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{n} B"


# --- the page --------------------------------------------------------------------------------


class FleetPages:
    def __init__(self, store: HubStore, auth: Auth) -> None:
        self.store = store
        self.auth = auth

    def routes(self) -> list[Route]:
        page = self.auth.page({HUB_ADMIN})
        return [Route("/clinics", page(self.clinics), methods=["GET"])]

    async def clinics(self, request: Request, user: User) -> Response:
        fleet = await run_in_threadpool(self.store.fleet)
        now = datetime.now(UTC)
        rows = clinic_rows(fleet, now)
        context = {
            "user": user,
            "page": "clinics",
            "rows": rows,
            "now": now,
            "to_visit": sum(1 for r in rows if r.problems),
        }
        return render(request, "clinics.html", context)
