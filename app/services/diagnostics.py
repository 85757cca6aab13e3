"""Diagnostics for field IT: one list that says what is wrong on this clinic PC and what to do
(``python main.py doctor``, Help → Diagnostics; docs/FIELD_IT.md).

``DiagnosticsService.run()`` checks, in ``app.domain.diagnostics.CHECK_KEYS`` order: the data
folder and its free disk, the database's integrity (``PRAGMA quick_check``, bounded and
cancellable), encryption at rest, the enrolment, the hub (one real HTTPS request through
``app.sync.transport`` with the pinned certificate, a few seconds at most), the clock against
the hub's, the sync backlog, serial ports and paired devices, and the versions. Each gives a
``Check`` with a verdict, English text and codes for the UI.

It works with whatever can be opened: no database at all (a new folder, or a wrong
``--data-dir``), a database that would not open (``open_error``), a locked encrypted one (the
checks that need its content say "locked" and the rest run), or an open one. It writes
nothing to the data folder; the support bundle (``support_bundle``) records one audit entry.

What it never shows: patient data, readings' values, keys, the sync secret, staff names.

Threading: ``run`` blocks (disk, database, network): call it from a worker, never the GUI
thread. The hub request runs on a thread of its own beside the database check, so the whole
run takes about as long as the slower of the two.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import logging
import os
import platform
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import sqlite_utils

from app import __version__
from app.domain import diagnostics as rules
from app.domain.diagnostics import Check, Verdict, finding
from app.domain.models import User
from app.security import keyslots
from app.services import support_bundle
from app.services.backup_schedule import read_state as read_backup_schedule
from app.services.clock import Clock, system_clock
from app.services.keys import NOT_SHOWN_MARKER
from app.store import audit, codec, sync_log
from app.store import devices as devices_repo
from app.store.db import Store, is_plaintext_database
from app.sync import credentials
from app.sync.credentials import HubCredentials
from app.sync.transport import HubBusy, HubClient, HubError, HubTimeout, HubUnreachable
from app.updates import launch
from app.updates.service import updates_enabled

log = logging.getLogger(__name__)

# (connect, read) seconds for the hub request: enough for a 2G link's handshake, short enough
# that an unreachable hub costs field IT a few seconds, not the sync's 15 + 60.
HUB_TIMEOUT = (4.0, 6.0)
# The integrity check's time budget. Measured on a 2-core PC (warm cache): 0.15 s plaintext
# and 0.74 s encrypted for 100,000 patients (80 MB); 12 s for 1,000,000 patients (820 MB)
# encrypted, on a busy PC. The budget only bounds a cold, slow disk.
DB_CHECK_SECONDS = 60.0
_PROGRESS_EVERY = 10_000  # SQLite VM steps between looks at the clock and the cancel flag
# Paired kinds whose address is a serial port (the others are Bluetooth or a TCP listener).
_SERIAL_KINDS = frozenset({"cms50", "scale"})

DiskUsage = Callable[[str], Any]  # shutil.disk_usage's shape: .free, .total
ListPorts = Callable[[], Sequence[Any]]  # app.devices.transports.serial_ports.list_ports


class ProbeResult(NamedTuple):
    """One request to the hub: its clock (None when it sent none) and the round trip, or the
    transport error."""

    hub_time: datetime | None
    rtt_s: float
    sent_at: datetime
    error: HubError | None


HubProbe = Callable[[HubCredentials, tuple[float, float]], ProbeResult]


def probe_hub(creds: HubCredentials, timeout: tuple[float, float]) -> ProbeResult:
    """``GET /v1/meta`` through the sync's own transport, trusting only the certificate pinned
    at enrolment (no credentials are sent)."""
    client = HubClient(
        creds.hub_url, creds.spoke_id, creds.secret, timeout=timeout, anchor_pem=creds.anchor_pem
    )
    sent = datetime.now(UTC)
    try:
        reply = client.meta()
    except HubError as exc:
        return ProbeResult(None, 0.0, sent, exc)
    finally:
        client.close()
    return ProbeResult(reply.hub_time, reply.rtt_s, sent, None)


@dataclass(frozen=True, slots=True)
class Report:
    """A run's checks, in ``CHECK_KEYS`` order."""

    checks: tuple[Check, ...]
    started_at: datetime
    finished_at: datetime
    data_dir: str

    @property
    def worst(self) -> Verdict:
        return rules.worst(self.checks)

    @property
    def exit_code(self) -> int:
        return rules.exit_code(self.checks)

    def check(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)

    def to_dict(self) -> dict[str, object]:
        return {
            "data_dir": self.data_dir,
            "started_at": codec.iso(self.started_at),
            "finished_at": codec.iso(self.finished_at),
            "worst": self.worst.value,
            "exit_code": self.exit_code,
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_text(self) -> str:
        """What ``main.py doctor`` prints: one block per check, the verdict in words (a
        terminal or a printout may have no colour)."""
        lines = [f"HWC Spoke diagnostics: {self.data_dir}", ""]
        for c in self.checks:
            lines.append(f"[{c.verdict.value.upper():^7}] {c.title}")
            lines.append(f"          {c.detail}")
            if c.advice_code != rules.NO_ADVICE:
                lines.append(f"          What to do: {c.advice}")
        lines += ["", f"Overall: {self.worst.value} (exit code {self.exit_code})"]
        return "\n".join(lines)


@dataclass
class _Context:
    """What one run knows about the folder before the checks read it."""

    data_dir: Path
    store: Store | None  # None: no database, or it did not open
    open_error: BaseException | None
    creds: HubCredentials | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def db_path(self) -> Path:
        # Late: the container imports this module.
        from app.services.container import DB_FILE

        return self.data_dir / DB_FILE

    @property
    def readable(self) -> bool:
        return self.store is not None and not self.store.is_locked


class DiagnosticsService:
    """See the module docstring. The seams (``disk_usage``, ``list_ports``, ``hub_probe``)
    are for tests, which replace them at the lowest level: the real code around them runs."""

    def __init__(
        self,
        data_dir: Path,
        store: Store | None,
        *,
        clock: Clock = system_clock,
        open_error: BaseException | None = None,
        disk_usage: DiskUsage = shutil.disk_usage,
        list_ports: ListPorts | None = None,
        hub_probe: HubProbe = probe_hub,
        hub_timeout: tuple[float, float] = HUB_TIMEOUT,
    ) -> None:
        self.data_dir = Path(data_dir)
        self._store = store
        self._clock = clock
        self._open_error = open_error
        self._disk_usage = disk_usage
        self._list_ports = list_ports
        self._hub_probe = hub_probe
        self.hub_timeout = hub_timeout

    # -- running -----------------------------------------------------------------------------

    def run(
        self,
        *,
        offline: bool = False,
        cancel: threading.Event | None = None,
        db_check_seconds: float = DB_CHECK_SECONDS,
    ) -> Report:
        """Every check (blocking: a worker thread). ``offline``: no request to the hub (the
        hub and the live clock say "not checked"). ``cancel`` stops the integrity check early
        (it then says so); the hub request is bounded by ``hub_timeout`` instead."""
        started = self._clock()
        ctx = _Context(self.data_dir, self._store, self._open_error, now=started)
        if ctx.store is not None and not ctx.store.is_locked:
            try:
                ctx.creds = credentials.load(ctx.store)
            except Exception as exc:  # the database check says why
                log.warning("diagnostics: enrolment not read: %s", getattr(exc, "code", exc))
        probe: dict[str, ProbeResult] = {}
        prober: threading.Thread | None = None
        if ctx.creds is not None and not offline:
            creds = ctx.creds

            def ask() -> None:
                probe["result"] = self._hub_probe(creds, self.hub_timeout)

            prober = threading.Thread(target=ask, name="diagnostics-hub", daemon=True)
            prober.start()
        checks: list[Check] = [
            _guarded("disk", lambda: disk_check(ctx, self._disk_usage)),
            _guarded("database", lambda: database_check(ctx, cancel, db_check_seconds)),
            _guarded("encryption", lambda: encryption_check(ctx)),
            _guarded("enrolment", lambda: enrolment_check(ctx)),
        ]
        if prober is not None:
            # The transport's own timeouts end the request; the margin covers DNS, which
            # requests does not bound.
            prober.join(sum(self.hub_timeout) + 5.0)
        result = probe.get("result")
        checks.append(_guarded("hub", lambda: hub_check(ctx, offline, result, self.hub_timeout)))
        checks.append(_guarded("clock", lambda: clock_check(ctx, result)))
        checks.append(_guarded("sync", lambda: sync_check(ctx)))
        checks.append(_guarded("backups", lambda: backups_check(ctx)))
        checks.append(_guarded("devices", lambda: devices_check(ctx, self._list_ports)))
        checks.append(_guarded("versions", versions_check))
        checks.append(_guarded("updates", updates_check))
        report = Report(tuple(checks), started, self._clock(), str(self.data_dir))
        log.info(
            "diagnostics: %s",
            ", ".join(f"{c.key}={c.verdict.value}:{c.code}" for c in report.checks),
        )
        return report

    def support_bundle(
        self,
        target: Path,
        *,
        actor: User | None = None,
        report: Report | None = None,
        offline: bool = False,
    ) -> Path:
        """Write the support bundle to ``target`` (``app.services.support_bundle``): the
        diagnostics (``report``, or a new run), logs, versions, allow-listed settings, counts.
        Blocking: a worker thread. Codes ``bundle.disk_full``, ``bundle.write_failed``,
        ``bundle.folder_missing``."""
        if report is None:
            report = self.run(offline=offline)
        return support_bundle.write(
            Path(target),
            data_dir=self.data_dir,
            store=self._store,
            report=report,
            actor=actor,
            now=self._clock(),
        )


# -- the checks ----------------------------------------------------------------------------------


def _guarded(key: str, fn: Callable[[], Check]) -> Check:
    """A check that failed in an unforeseen way says so, and the others still run."""
    try:
        return fn()
    except Exception as exc:
        log.warning("diagnostics: the %s check failed: %s", key, getattr(exc, "code", exc))
        return finding(
            key,
            Verdict.UNKNOWN,
            "doctor.check_failed",
            "doctor.advice.check_again",
            {"error": type(exc).__name__},
        )


def _locked(key: str) -> Check:
    return finding(key, Verdict.UNKNOWN, "doctor.locked", "doctor.advice.unlock")


def _no_database(key: str) -> Check:
    return finding(key, Verdict.UNKNOWN, "doctor.no_database")


def _when(dt: datetime | None) -> str:
    return "never" if dt is None else dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def disk_check(ctx: _Context, disk_usage: DiskUsage) -> Check:
    folder = str(ctx.data_dir)
    # A folder not made yet (a new PC, or a mistyped --data-dir): the drive it would be on.
    measured = ctx.data_dir
    while not measured.is_dir() and measured.parent != measured:
        measured = measured.parent
    try:
        usage = disk_usage(str(measured))
    except OSError as exc:
        return finding(
            "disk",
            Verdict.PROBLEM,
            "doctor.folder_unusable",
            "doctor.advice.folder_access",
            {"folder": folder, "reason": exc.strerror or type(exc).__name__},
        )
    free = int(usage.free)
    verdict = rules.disk_verdict(free)
    params = {"folder": folder, "free": rules.size_text(free)}
    data = {"folder": folder, "free_bytes": free, "total_bytes": int(usage.total)}
    if measured != ctx.data_dir:
        if verdict is Verdict.PROBLEM:
            return finding(
                "disk",
                verdict,
                "doctor.disk_very_low",
                "doctor.advice.free_space_now",
                params,
                data,
            )
        return finding(
            "disk",
            Verdict.WARNING,
            "doctor.folder_missing",
            "doctor.advice.wrong_folder",
            params,
            {**data, "exists": False},
        )
    if not os.access(ctx.data_dir, os.W_OK):
        return finding(
            "disk",
            Verdict.PROBLEM,
            "doctor.folder_unusable",
            "doctor.advice.folder_access",
            {"folder": folder, "reason": "not writable"},
            data,
        )
    code, advice = {
        Verdict.OK: ("doctor.disk_ok", "doctor.advice.none"),
        Verdict.WARNING: ("doctor.disk_low", "doctor.advice.free_space"),
        Verdict.PROBLEM: ("doctor.disk_very_low", "doctor.advice.free_space_now"),
    }[verdict]
    return finding("disk", verdict, code, advice, params, data)


def database_check(ctx: _Context, cancel: threading.Event | None, budget_s: float) -> Check:
    if ctx.open_error is not None:
        error_code = str(getattr(ctx.open_error, "code", type(ctx.open_error).__name__))
        advice = (
            "doctor.advice.key_file"
            if error_code.startswith("keys.")
            else "doctor.advice.restore_backup"
        )
        return finding(
            "database",
            Verdict.PROBLEM,
            "doctor.db_unopenable",
            advice,
            {"error_code": error_code},
        )
    if ctx.store is None:
        return finding(
            "database",
            Verdict.WARNING,
            "doctor.db_none",
            "doctor.advice.wrong_folder",
            {"folder": str(ctx.data_dir)},
        )
    if ctx.store.is_locked:
        return _locked("database")
    size = _db_size(ctx.db_path)
    outcome = quick_check(ctx.store, cancel=cancel, budget_s=budget_s)
    data: dict[str, object] = {
        "size_bytes": size,
        "seconds": round(outcome.seconds, 2),
        "schema_version": ctx.store.schema_version(),
    }
    if outcome.finished is False:
        return finding(
            "database",
            Verdict.UNKNOWN,
            "doctor.db_check_stopped",
            "doctor.advice.check_again",
            {"seconds": f"{outcome.seconds:.0f}"},
            data,
        )
    if outcome.errors:
        return finding(
            "database",
            Verdict.PROBLEM,
            "doctor.db_damaged",
            "doctor.advice.restore_backup",
            {"first_error": outcome.errors[0]},
            {**data, "errors": list(outcome.errors)},
        )
    return finding(
        "database",
        Verdict.OK,
        "doctor.db_ok",
        params={"size": rules.size_text(size), "seconds": f"{outcome.seconds:.1f}"},
        data=data,
    )


def _db_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):  # no WAL file: nothing to add
            total += path.with_name(path.name + suffix).stat().st_size
    return total


class QuickCheck(NamedTuple):
    finished: bool
    errors: tuple[str, ...]  # SQLite's own words (pages, tables, indexes: never values)
    seconds: float


def quick_check(
    store: Store, *, cancel: threading.Event | None = None, budget_s: float = DB_CHECK_SECONDS
) -> QuickCheck:
    """``PRAGMA quick_check`` on a reader connection, stopped (``finished`` False) when
    ``cancel`` is set or ``budget_s`` has passed: SQLite's progress handler interrupts it."""
    started = time.monotonic()
    deadline = started + budget_s
    stopped = threading.Event()

    def should_stop() -> int:
        if (cancel is not None and cancel.is_set()) or time.monotonic() > deadline:
            stopped.set()
            return 1
        return 0

    def run(db: sqlite_utils.Database) -> list[str]:
        conn = db.conn
        conn.set_progress_handler(should_stop, _PROGRESS_EVERY)
        try:
            rows = conn.execute("PRAGMA quick_check(20)").fetchall()
        except Exception:
            if stopped.is_set():  # interrupted: our own stop, not damage
                return []
            raise
        finally:
            conn.set_progress_handler(None, 0)
        # One row may hold several lines, under a "*** in database main ***" heading.
        lines = (line.strip() for r in rows for line in str(r[0]).splitlines())
        return [line for line in lines if line and not line.startswith("***")]

    try:
        lines = store.read(run)
    except Exception as exc:
        # A page so damaged that the check itself fails: that is its finding.
        lines = [f"{getattr(exc, 'code', type(exc).__name__)}: {_sqlite_words(exc)}"]
    seconds = time.monotonic() - started
    if stopped.is_set():
        return QuickCheck(False, (), seconds)
    errors = tuple(line for line in lines if line != "ok")
    return QuickCheck(True, errors, seconds)


def _sqlite_words(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return str(cause)[:200]


def encryption_check(ctx: _Context) -> Check:
    """From the files (no key needed): the slot file and how many slots it holds, whether
    the recovery key is still waiting to be shown, and whether the database is plaintext."""
    slots_path = ctx.data_dir / keyslots.FILE_NAME
    has_db = ctx.db_path.exists()
    if not slots_path.exists():
        if not has_db:
            return finding("encryption", Verdict.UNKNOWN, "doctor.enc_new")
        return finding(
            "encryption",
            Verdict.WARNING,
            "doctor.enc_off",
            "doctor.advice.sign_in_once",
            data={"sqlcipher": False, "key_file": False},
        )
    try:
        slots = keyslots.load(slots_path)
    except (OSError, keyslots.KeySlotsError):
        return finding(
            "encryption",
            Verdict.PROBLEM,
            "doctor.enc_key_file_damaged",
            "doctor.advice.key_file",
            data={"key_file": True},
        )
    users = len(slots.users())
    shown = not (ctx.data_dir / NOT_SHOWN_MARKER).exists()
    plaintext = is_plaintext_database(ctx.db_path)
    data = {
        "key_file": True,
        "password_slots": users,
        "recovery_slot": True,
        "recovery_key_shown": shown,
        "sqlcipher": has_db and not plaintext,
        "locked": not ctx.readable,
    }
    params = {"users": users}
    if not ctx.readable:
        return finding(
            "encryption", Verdict.WARNING, "doctor.enc_locked", "doctor.advice.unlock", params, data
        )
    if not shown:
        return finding(
            "encryption",
            Verdict.WARNING,
            "doctor.enc_recovery_not_shown",
            "doctor.advice.show_recovery_key",
            params,
            data,
        )
    return finding("encryption", Verdict.OK, "doctor.enc_on", params=params, data=data)


def enrolment_check(ctx: _Context) -> Check:
    if ctx.store is None:
        if ctx.open_error is not None:
            return _no_database("enrolment")
        return finding("enrolment", Verdict.WARNING, "doctor.not_enrolled", "doctor.advice.enrol")
    if ctx.store.is_locked:
        return _locked("enrolment")
    creds = ctx.creds
    if creds is None:
        return finding("enrolment", Verdict.WARNING, "doctor.not_enrolled", "doctor.advice.enrol")
    return finding(
        "enrolment",
        Verdict.OK,
        "doctor.enrolled",
        params={"hub": creds.hub_url, "spoke": creds.spoke_id, "facility": creds.facility},
        data={
            "hub_url": creds.hub_url,
            "spoke_id": creds.spoke_id,
            "facility": creds.facility,
            "hub_name": creds.hub_name,
            **_anchor_facts(creds.anchor_pem),
        },
    )


def _anchor_facts(pem: str) -> dict[str, object]:
    """The pinned certificate's subject and end date (public facts), for support."""
    if not pem:
        return {"pinned_certificate": False}
    try:
        from cryptography import x509

        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except Exception:
        return {"pinned_certificate": True}
    return {
        "pinned_certificate": True,
        "pinned_subject": cert.subject.rfc4514_string(),
        "pinned_valid_until": codec.iso(cert.not_valid_after_utc),
    }


def hub_check(
    ctx: _Context, offline: bool, probe: ProbeResult | None, timeout: tuple[float, float]
) -> Check:
    if ctx.store is None:
        return _no_database("hub") if ctx.open_error else _not_enrolled_hub()
    if ctx.store.is_locked:
        return _locked("hub")
    creds = ctx.creds
    if creds is None:
        return _not_enrolled_hub()
    hub = creds.hub_url
    if offline:
        return finding("hub", Verdict.UNKNOWN, "doctor.hub_skipped", "doctor.advice.go_online")
    if probe is None:  # the request outlived even its timeouts (a DNS lookup that hangs)
        seconds = f"{sum(timeout):.0f}"
        return finding(
            "hub",
            Verdict.PROBLEM,
            "doctor.hub_timeout",
            "doctor.advice.check_link",
            {"hub": hub, "seconds": seconds},
        )
    exc = probe.error
    if exc is None:
        ms = f"{probe.rtt_s * 1000:.0f}"
        data = {"rtt_ms": round(probe.rtt_s * 1000), "hub_url": hub}
        if hub.startswith("http://"):
            return finding(
                "hub",
                Verdict.WARNING,
                "doctor.hub_plain_http",
                "doctor.advice.plain_http",
                {"hub": hub, "ms": ms},
                data,
            )
        return finding("hub", Verdict.OK, "doctor.hub_ok", params={"hub": hub, "ms": ms}, data=data)
    data = {"hub_url": hub, "error_code": exc.code, "error": exc.message[:300]}
    if isinstance(exc, HubTimeout):
        return finding(
            "hub",
            Verdict.PROBLEM,
            "doctor.hub_timeout",
            "doctor.advice.check_link",
            {"hub": hub, "seconds": f"{sum(timeout):.0f}"},
            data,
        )
    if isinstance(exc, HubUnreachable) and exc.code == "hub.tls":
        return finding(
            "hub", Verdict.PROBLEM, "doctor.hub_tls", "doctor.advice.tls", {"hub": hub}, data
        )
    if isinstance(exc, HubUnreachable):
        return finding(
            "hub",
            Verdict.PROBLEM,
            "doctor.hub_unreachable",
            "doctor.advice.check_link",
            {"hub": hub, "error_code": exc.code},
            data,
        )
    if isinstance(exc, HubBusy):
        return finding(
            "hub",
            Verdict.WARNING,
            "doctor.hub_busy",
            "doctor.advice.wait_hub",
            {"hub": hub, "status": exc.status},
            data,
        )
    return finding(
        "hub",
        Verdict.PROBLEM,
        "doctor.hub_bad_reply",
        "doctor.advice.wait_hub",
        {"hub": hub, "error_code": exc.code},
        data,
    )


def _not_enrolled_hub() -> Check:
    return finding("hub", Verdict.UNKNOWN, "doctor.hub_not_enrolled", "doctor.advice.enrol")


def clock_check(ctx: _Context, probe: ProbeResult | None) -> Check:
    """Hub minus PC, as the sync engine measures it: the hub's ``X-Hub-Time`` against the
    PC's clock at the request's midpoint. Without a live answer, the last sync's figure."""
    offset: float | None = None
    measured: datetime | None = None
    if probe is not None and probe.error is None and probe.hub_time is not None:
        midpoint = probe.sent_at + timedelta(seconds=probe.rtt_s / 2)
        offset = (probe.hub_time - midpoint).total_seconds()
        measured = probe.sent_at
    elif ctx.store is not None and not ctx.store.is_locked:
        entry = ctx.store.read(sync_log.read)
        if entry.clock_offset_s is not None:
            offset = entry.clock_offset_s
            measured = entry.last_success_at or entry.last_attempt_at
    if offset is None:
        if ctx.store is not None and ctx.store.is_locked:
            return _locked("clock")
        return finding("clock", Verdict.UNKNOWN, "doctor.clock_unknown")
    verdict = rules.clock_verdict(offset)
    if verdict is Verdict.OK:
        code = "doctor.clock_ok"
    else:
        code = "doctor.clock_behind" if offset > 0 else "doctor.clock_ahead"
    advice = "doctor.advice.none" if verdict is Verdict.OK else "doctor.advice.set_clock"
    return finding(
        "clock",
        verdict,
        code,
        advice,
        {"offset": rules.duration_text(offset), "measured": _when(measured)},
        {"offset_s": round(offset, 3), "live": probe is not None and probe.error is None},
    )


def sync_check(ctx: _Context) -> Check:
    if ctx.store is None:
        return _no_database("sync")
    if ctx.store.is_locked:
        return _locked("sync")
    now = ctx.now

    def read(db: sqlite_utils.Database) -> tuple[Any, ...]:
        # As the status bar counts: audit entries travel too, but are nothing a person made.
        waiting, oldest = db.execute(
            "SELECT COUNT(*), MIN(created_at) FROM outbox "
            "WHERE state IN ('pending', 'sent') AND op != ?",
            [audit.OP_APPEND],
        ).fetchone()
        return (
            sync_log.read(db),
            sync_log.pending_by_class(db),
            sync_log.rejected_count(db),
            oldest,
            int(waiting),
        )

    entry, pending, refused, oldest_raw, waiting = ctx.store.read(read)
    oldest = codec.parse_dt(oldest_raw) if oldest_raw else None
    age = (now - oldest).total_seconds() if oldest is not None else None
    verdict = rules.backlog_verdict(waiting, age, refused)
    data = {
        "pending_ops": waiting,
        "pending_records": pending.records,
        "pending_photos": pending.photos,
        "refused": refused,
        "oldest_pending_at": codec.iso_or_none(oldest),
        "last_success_at": codec.iso_or_none(entry.last_success_at),
        "last_attempt_at": codec.iso_or_none(entry.last_attempt_at),
        "last_error_code": entry.last_error_code,
        "offline_since": codec.iso_or_none(entry.offline_since),
    }
    last = _when(entry.last_success_at)
    if refused and verdict is not Verdict.PROBLEM:
        return finding(
            "sync",
            verdict,
            "doctor.sync_refused",
            "doctor.advice.sync_refused",
            {"refused": refused},
            data,
        )
    if verdict is Verdict.OK:
        advice = rules.NO_ADVICE
    else:  # nothing is sent before the PC is enrolled: that is what to fix first
        advice = "doctor.advice.sync_now" if ctx.creds is not None else "doctor.advice.enrol"
    if not waiting:
        if entry.last_success_at is None:
            return finding(
                "sync", verdict, "doctor.sync_never", advice, {"records": 0, "photos": 0}, data
            )
        return finding("sync", verdict, "doctor.sync_clear", advice, {"last_success": last}, data)
    if entry.last_success_at is None:
        return finding(
            "sync",
            verdict,
            "doctor.sync_never",
            advice,
            {"records": pending.records, "photos": pending.photos},
            data,
        )
    return finding(
        "sync",
        verdict,
        "doctor.sync_waiting",
        advice,
        {
            "records": pending.records,
            "photos": pending.photos,
            "oldest": rules.duration_text(age or 0.0),
            "last_success": last,
        },
        data,
    )


def backups_check(ctx: _Context) -> Check:
    """The scheduled backup (``services.backup_schedule``): set, recent, working."""
    if ctx.store is None:
        return _no_database("backups")
    if ctx.store.is_locked:
        return _locked("backups")
    if not ctx.store.is_encrypted:
        return finding(
            "backups", Verdict.UNKNOWN, "doctor.backup_unavailable", "doctor.advice.sign_in_once"
        )
    state = ctx.store.read(read_backup_schedule)
    schedule = state.schedule
    every = schedule.every_days if schedule.on else 0
    last = state.last_success_at
    age = (ctx.now - last).total_seconds() if last is not None else None
    verdict = rules.backup_verdict(every, age, state.failing)
    data = {
        "every_days": every,
        "keep": schedule.keep,
        "last_success_at": codec.iso_or_none(last),
        "last_failure_at": codec.iso_or_none(state.last_failure_at),
        "last_error_code": state.last_error_code,
    }
    if not every:
        return finding(
            "backups", verdict, "doctor.backup_none", "doctor.advice.schedule_backup", data=data
        )
    folder = str(schedule.folder)
    advice = rules.NO_ADVICE if verdict is Verdict.OK else "doctor.advice.backup_drive"
    if verdict is Verdict.PROBLEM:
        params = {
            "last_success": _when(last),
            "every": every,
            "folder": folder,
            "error_code": state.last_error_code or "none",
        }
        return finding("backups", verdict, "doctor.backup_overdue", advice, params, data)
    if state.failing:
        params = {
            "error_code": state.last_error_code,
            "failed_at": _when(state.last_failure_at),
            "last_success": _when(last),
            "folder": folder,
        }
        return finding("backups", verdict, "doctor.backup_failing", advice, params, data)
    if last is None:
        return finding(
            "backups", verdict, "doctor.backup_first", advice, {"every": every, "folder": folder}
        )
    params = {"last_success": _when(last), "folder": folder, "every": every, "keep": schedule.keep}
    return finding("backups", verdict, "doctor.backup_ok", advice, params, data)


def devices_check(ctx: _Context, list_ports: ListPorts | None) -> Check:
    try:
        if list_ports is None:
            from app.devices.transports.serial_ports import list_ports as real_list_ports

            list_ports = real_list_ports
        ports = list(list_ports())
    except Exception as exc:
        log.warning("diagnostics: serial ports not listed: %s", type(exc).__name__)
        return finding("devices", Verdict.UNKNOWN, "doctor.devices_unknown")
    port_names = [str(p.device) for p in ports]
    port_facts = [
        {
            "device": str(p.device),
            "description": str(getattr(p, "description", "") or ""),
            "adapter": getattr(p, "adapter", None),
        }
        for p in ports
    ]
    shown_ports = ", ".join(port_names) or "none"
    if ctx.store is None:  # no database: nothing can be paired
        return finding(
            "devices",
            Verdict.OK,
            "doctor.devices_none",
            params={"ports": shown_ports},
            data={"ports": port_facts},
        )
    if ctx.store.is_locked:
        return finding(
            "devices",
            Verdict.UNKNOWN,
            "doctor.devices_ports_only",
            "doctor.advice.unlock",
            {"ports": shown_ports},
            {"ports": port_facts},
        )
    paired = ctx.store.read(devices_repo.all)
    device_facts = [
        {
            "kind": d.kind,
            "name": d.name,
            "address": d.address,
            "last_reading_at": codec.iso_or_none(d.last_reading_at),
        }  # the reading's values stay out: only when
        for d in paired
    ]
    data = {"ports": port_facts, "paired": device_facts}
    if not paired:
        return finding(
            "devices", Verdict.OK, "doctor.devices_none", params={"ports": shown_ports}, data=data
        )
    present = {_port_key(n) for n in port_names}
    for d in paired:
        if d.kind in _SERIAL_KINDS and not _port_present(d.address, present):
            return finding(
                "devices",
                Verdict.WARNING,
                "doctor.device_port_missing",
                "doctor.advice.plug_device",
                {"name": d.name, "port": d.address},
                data,
            )
    names = ", ".join(f"{d.name} ({d.address})" for d in paired)
    return finding(
        "devices",
        Verdict.OK,
        "doctor.devices_ok",
        params={"paired": names, "ports": shown_ports},
        data=data,
    )


def _port_present(address: str, listed: set[str]) -> bool:
    # The port enumeration knows USB and built-in ports; a pseudo-terminal (the demo's
    # simulated devices) or a /dev/serial/by-id link is only seen by its path existing.
    return _port_key(address) in listed or (
        os.name == "posix" and address.startswith("/dev/") and os.path.exists(address)
    )


def _port_key(name: str) -> str:
    # Windows port names are case-insensitive (com3 is COM3).
    return name.upper() if sys.platform == "win32" else name


def versions() -> dict[str, str]:
    """The versions field IT are asked for. Qt's is the installed PySide6 distribution's,
    read from its metadata: importing Qt here would load it into a command that needs none."""
    qt = "not installed"
    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            qt = importlib.metadata.version(dist)
            break
        except importlib.metadata.PackageNotFoundError:
            continue
    loaded = sys.modules.get("PySide6")
    if qt == "not installed" and loaded is not None:  # a frozen app without the metadata
        qt = str(getattr(loaded, "__version__", qt))
    return {
        "app": __version__,
        "python": platform.python_version(),
        "qt": qt,
        "sqlite": sqlite3.sqlite_version,
        "sqlcipher": _sqlcipher_version(),
        "os": platform.platform(),
    }


def _sqlcipher_version() -> str:
    try:
        module = importlib.import_module("sqlcipher3.dbapi2")
        conn = module.connect(":memory:")
        try:
            row = conn.execute("PRAGMA cipher_version").fetchone()
        finally:
            conn.close()
    except Exception:
        return "not available"
    return str(row[0]) if row and row[0] else "not available"


def versions_check() -> Check:
    found = versions()
    return finding("versions", Verdict.OK, "doctor.versions", params=found, data=found)


def updates_check(root: Path | None = None, *, enabled: bool | None = None) -> Check:
    """Signed updates (docs/UPDATES.md): which version runs, one waiting for the next start,
    versions set aside. From the updates folder's state.json alone: no network."""
    from app import __version__

    running = {"running": __version__}
    root = root if root is not None else launch.default_root()
    if not (updates_enabled() if enabled is None else enabled) or root is None:
        return finding("updates", Verdict.UNKNOWN, "doctor.updates_off", params=running)
    try:
        state = launch.read_state(root)
    except launch.StateError:
        return finding(
            "updates",
            Verdict.WARNING,
            "doctor.updates_state",
            "doctor.advice.update_state",
            running,
        )
    data = {"candidate": state.candidate, "current": state.current, "bad": list(state.bad)}
    # A version set aside that a newer one has since replaced needs nobody any more.
    now = launch.parse_version(__version__) or (0, 0, 0)
    waiting_fix = [v for v in state.bad if (launch.parse_version(v) or (0, 0, 0)) > now]
    if waiting_fix:
        params = {**running, "bad": ", ".join(waiting_fix)}
        return finding(
            "updates", Verdict.WARNING, "doctor.updates_bad", "doctor.advice.bad_version",
            params, data,
        )  # fmt: skip
    if state.candidate:
        params = {**running, "staged": state.candidate}
        return finding("updates", Verdict.OK, "doctor.updates_staged", params=params, data=data)
    return finding("updates", Verdict.OK, "doctor.updates_current", params=running, data=data)
