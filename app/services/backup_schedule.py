"""Scheduled backups: an administrator sets a folder (a USB drive), how often and how many to
keep; the app makes the backup in the background while anyone is signed in (docs/SECURITY.md,
"Backups"; docs/FIELD_IT.md, "Scheduled backups").

The schedule lives in the settings table (``backup.schedule.*``): ``set_schedule`` needs
``Permission.BACKUP`` and ``MANAGE_SETTINGS`` (administrators) and records each change in the
audit trail (the folder as ``set``, never its path). What the last attempt did
(``backup.last_*``) is bookkeeping, readable by anyone signed in: it holds no clinical data.

Why a scheduled run is allowed while a paramedic is signed in: the schedule *is* the
administrator's permission, given once and recorded. ``run_if_due`` makes the backup as
``backup.ScheduledRun(set_by)``, never with the signed-in person's rights, and only when a
schedule is set; the audit entry names the administrator who set it, with ``scheduled``.

When: "every N days" means once on each Nth calendar day (local time), at the first check of
that day while someone is signed in, so a daily backup stays a daily one whatever the hour
people start work. A failed attempt (the drive not plugged in, full, pulled out) is recorded
with its code and tried again at the next check; it never interrupts anyone.

After a backup is written it is read back whole (``backup.verify``); only then are older
backups of this clinic in that folder removed, keeping the newest ``keep``. "Of this clinic":
the file name is ours (``hwc-spoke-backup-<UTC time>.hwcbak``) and its manifest names this
spoke. Anything else (other files, another clinic's backups, files that cannot be read) is
never touched; a PC not yet enrolled has no spoke id to tell its backups from another's, so
it removes none.

Threading: ``BackupScheduler`` is one daemon thread (``start_worker``/``stop_worker``, as the
sync worker) that checks every ``CHECK_SECONDS``; the backup reads the store through its own
snapshot (``Store.snapshot``), so staff keep working. Listeners are called on that thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import sqlite_utils

from app.domain.audit import Action
from app.domain.errors import DomainError
from app.domain.models import User
from app.security.permissions import Permission, require
from app.services import backup_archive as archive
from app.services.backup import FILE_PREFIX, BackupResult, BackupService, ScheduledRun, verify
from app.services.clock import Clock
from app.store import audit, codec, settings
from app.store.backup import Cancel, cancel_check
from app.store.db import Store

log = logging.getLogger(__name__)

KEY_FOLDER: Final = "backup.schedule.folder"
KEY_EVERY_DAYS: Final = "backup.schedule.every_days"  # 0 or absent: off
KEY_KEEP: Final = "backup.schedule.keep"
KEY_SET_BY: Final = "backup.schedule.set_by"  # the administrator's user id
KEY_LAST_SUCCESS_AT: Final = "backup.last_success_at"
KEY_LAST_SUCCESS_FILE: Final = "backup.last_success_file"
KEY_LAST_FAILURE_AT: Final = "backup.last_failure_at"
KEY_LAST_ERROR: Final = "backup.last_error_code"  # "" after a success

EVERY_DAYS_RANGE: Final = (1, 30)
KEEP_RANGE: Final = (1, 100)
DEFAULT_KEEP: Final = 7
# Every few minutes: a drive plugged in is used soon after, and a check that finds nothing
# due reads four settings.
CHECK_SECONDS: Final = 300.0
# The first check waits a little after sign-in: the window, the devices and the first sync
# round start first.
FIRST_CHECK_SECONDS: Final = 60.0

_OUR_FILE = re.compile(re.escape(FILE_PREFIX) + r"\d{8}T\d{6}Z" + re.escape(archive.SUFFIX))

DiskUsage = Callable[[Path], Any]  # shutil.disk_usage: ``.free`` in bytes


@dataclass(frozen=True, slots=True)
class BackupSchedule:
    folder: Path | None
    every_days: int  # 0: off
    keep: int
    set_by: str  # the administrator's user id; "" when never set

    @property
    def on(self) -> bool:
        return self.every_days > 0 and self.folder is not None


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """The schedule and what its last attempt did (no clinical data: any role may read it)."""

    schedule: BackupSchedule
    last_success_at: datetime | None
    last_success_file: str
    last_failure_at: datetime | None
    last_error_code: str  # "" when the last attempt worked (or none was made)

    @property
    def failing(self) -> bool:
        return bool(self.last_error_code)

    def next_due(self) -> date | None:
        """The local calendar day the next backup is due (None: no schedule)."""
        if not self.schedule.on:
            return None
        if self.last_success_at is None:
            return date.min
        return _local_day(self.last_success_at) + timedelta(days=self.schedule.every_days)

    def due(self, now: datetime) -> bool:
        day = self.next_due()
        if day is None:
            return False
        today = _local_day(now)
        # A last backup "in the future" means the clock was wrong then or is now: waiting for
        # that date could mean weeks without a backup, so make one (it records today's date).
        last = self.last_success_at
        return today >= day or (last is not None and today < _local_day(last))


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What one check did: ``ran`` False when nothing was due (or no schedule is set)."""

    ran: bool
    state: ScheduleState
    result: BackupResult | None = None
    error_code: str = ""
    removed: tuple[Path, ...] = ()


Listener = Callable[[RunOutcome], None]


def _local_day(dt: datetime) -> date:
    return dt.astimezone().date()


def read_state(db: sqlite_utils.Database) -> ScheduleState:
    """The stored schedule and its last outcome (in ``Store.read``; diagnostics use it too)."""

    def text(key: str) -> str:
        return settings.get(db, key) or ""

    def number(key: str, default: int) -> int:
        try:
            return int(text(key) or default)
        except ValueError:
            return default

    def when(key: str) -> datetime | None:
        raw = text(key)
        return codec.parse_dt(raw) if raw else None

    folder = text(KEY_FOLDER)
    schedule = BackupSchedule(
        folder=Path(folder) if folder else None,
        every_days=max(0, number(KEY_EVERY_DAYS, 0)),
        keep=max(1, number(KEY_KEEP, DEFAULT_KEEP)),
        set_by=text(KEY_SET_BY),
    )
    return ScheduleState(
        schedule=schedule,
        last_success_at=when(KEY_LAST_SUCCESS_AT),
        last_success_file=text(KEY_LAST_SUCCESS_FILE),
        last_failure_at=when(KEY_LAST_FAILURE_AT),
        last_error_code=text(KEY_LAST_ERROR),
    )


def _range_error(code: str, what: str, bounds: tuple[int, int], field: str) -> DomainError:
    low, high = bounds
    return DomainError(
        code, f"Choose {what} between {low} and {high}.", {"min": low, "max": high}, field=field
    )


class BackupScheduleService:
    def __init__(
        self,
        store: Store,
        backup: BackupService,
        clock: Clock,
        *,
        blob_root: Path | None = None,
        disk_usage: DiskUsage = shutil.disk_usage,
    ) -> None:
        self._store = store
        self._blob_root = blob_root
        self._backup = backup
        self._clock = clock
        self._disk_usage = disk_usage
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self._run_lock = threading.Lock()  # one scheduled backup at a time
        self._worker: BackupScheduler | None = None
        self._worker_lock = threading.Lock()

    @property
    def available(self) -> bool:
        """Whether backups can be made here at all (an encrypted folder)."""
        return self._backup.available

    # -- the schedule ------------------------------------------------------------------------

    def state(self) -> ScheduleState:
        return self._store.read(read_state)

    def set_schedule(
        self, actor: User, folder: Path | None, every_days: int, keep: int = DEFAULT_KEEP
    ) -> ScheduleState:
        """Set (``every_days`` ≥ 1) or switch off (0) the schedule. The folder must be there
        when the schedule is switched on (it was just chosen); it may be missing later."""
        require(actor, Permission.BACKUP)
        require(actor, Permission.MANAGE_SETTINGS)
        self._backup.require_encrypted()
        for value, code, what, bounds, field in (
            (every_days, "backup.every_days_range", "how often", (0, EVERY_DAYS_RANGE[1]), "every"),
            (keep, "backup.keep_range", "how many backups to keep", KEEP_RANGE, "keep"),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise _range_error(code, what, bounds, field)
            if not bounds[0] <= value <= bounds[1]:
                raise _range_error(code, what, bounds, field)
        chosen = Path(os.path.abspath(folder)) if folder else None
        if every_days:
            if chosen is None:
                raise DomainError(
                    "backup.folder_required",
                    "Choose the folder (a USB drive) the backups go to.",
                    field="folder",
                )
            if not chosen.is_dir():
                raise DomainError(
                    "backup.folder_missing",
                    f"The folder {chosen} is not there (was the USB drive taken out?). Choose "
                    "another folder.",
                    {"folder": str(chosen)},
                )
        now = self._clock()

        def change(db: sqlite_utils.Database) -> ScheduleState:
            before = read_state(db).schedule
            new_folder = str(chosen) if chosen is not None else ""
            old_folder = str(before.folder) if before.folder is not None else ""
            changes = [
                (KEY_EVERY_DAYS, str(every_days), str(before.every_days), str(every_days)),
                (KEY_KEEP, str(keep), str(before.keep), str(keep)),
                # The path stays out of the trail (a drive letter says little; a user name in
                # a path is personal): only that it changed.
                (KEY_FOLDER, new_folder, old_folder, "set" if new_folder else "cleared"),
            ]
            changed = False
            for key, value, old, detail in changes:
                if value == old and settings.get(db, key) is not None:
                    continue
                settings.put(db, key, value)
                audit.append(db, actor, Action.SETTINGS_CHANGE, "setting", key, detail, now)
                changed = True
            if changed:
                settings.put(db, KEY_SET_BY, str(actor.id))
            return read_state(db)

        state = self._store.write(change)
        self.wake()  # a schedule just set is checked now, not in five minutes
        return state

    # -- running -----------------------------------------------------------------------------

    def run_if_due(self, *, cancel: Cancel | None = None) -> RunOutcome:
        """Make the scheduled backup when it is due. Failures are recorded and returned, never
        raised: nobody is waiting for this."""
        stop = cancel_check(cancel)
        with self._run_lock:
            if self._store.is_locked or not self._backup.available:
                return RunOutcome(False, _OFF)
            state = self.state()
            now = self._clock()
            schedule = state.schedule
            if not schedule.on or not schedule.set_by or not state.due(now):
                return RunOutcome(False, state)
            assert schedule.folder is not None
            written: Path | None = None
            try:
                self._check_room(schedule.folder)
                result = self._backup.create(
                    ScheduledRun(schedule.set_by), schedule.folder, cancel=stop
                )
                written = result.path
                verify(result.path, cancel=stop)
            except Exception as exc:
                if written is not None:
                    # Not read back whole (or cancelled while checking): not a backup to
                    # count on, nor one to rotate others away for.
                    with contextlib.suppress(OSError):
                        written.unlink()
                if stop():
                    # Sign-out or exit: nothing failed; the next session tries again.
                    return RunOutcome(False, state)
                code = str(getattr(exc, "code", "") or "backup.write_failed")
                if not getattr(exc, "code", ""):
                    log.exception("scheduled backup failed")
                elif code == state.last_error_code:
                    log.info("scheduled backup skipped again: %s", code)
                else:
                    log.warning("scheduled backup skipped: %s", code)
                outcome = RunOutcome(True, self._record_failure(code), error_code=code)
                self._notify(outcome)
                return outcome
            try:
                removed = self._rotate(schedule, result)
            except Exception:  # the backup is made; old ones stay until the next one
                log.exception("old backups not rotated")
                removed = ()
            outcome = RunOutcome(True, self._record_success(result), result, removed=removed)
        self._notify(outcome)
        return outcome

    def _check_room(self, folder: Path) -> None:
        """Refuse before writing when the drive plainly cannot hold the backup: a full USB
        stick is a quick notice, not a file written up to the last byte and removed."""
        if not folder.is_dir():
            raise DomainError(
                "backup.folder_missing",
                f"The folder {folder} is not there (was the USB drive taken out?).",
                {"folder": str(folder)},
            )
        try:
            free = self._disk_usage(folder).free
        except OSError:
            return  # the write itself will say what is wrong
        if free < self._estimated_size():
            raise DomainError(
                "backup.disk_full",
                f"The drive holding {folder} is full: the backup was not made.",
                {"folder": str(folder)},
            )

    def _estimated_size(self) -> int:
        total = 0
        db = self._store.path
        for part in (db, db.with_name(db.name + "-wal")):
            with contextlib.suppress(OSError):
                total += part.stat().st_size
        blobs = self._blob_root
        if blobs is not None:
            with contextlib.suppress(OSError):
                for path in blobs.glob("??/??/*"):
                    with contextlib.suppress(OSError):
                        total += path.stat().st_size
        return total

    def _record_success(self, result: BackupResult) -> ScheduleState:
        at = codec.iso(result.info.created_at)

        def note(db: sqlite_utils.Database) -> ScheduleState:
            settings.put(db, KEY_LAST_SUCCESS_AT, at)
            settings.put(db, KEY_LAST_SUCCESS_FILE, result.path.name)
            settings.put(db, KEY_LAST_ERROR, "")
            return read_state(db)

        return self._store.write(note)

    def _record_failure(self, code: str) -> ScheduleState:
        at = codec.iso(self._clock())

        def note(db: sqlite_utils.Database) -> ScheduleState:
            settings.put(db, KEY_LAST_FAILURE_AT, at)
            settings.put(db, KEY_LAST_ERROR, code)
            return read_state(db)

        return self._store.write(note)

    def _rotate(self, schedule: BackupSchedule, newest: BackupResult) -> tuple[Path, ...]:
        """Remove this clinic's older backups in the folder beyond ``keep`` (module docstring).
        Called only after ``newest`` was written and read back whole."""
        spoke_id = newest.info.spoke_id
        folder = schedule.folder
        if not spoke_id or folder is None:
            return ()
        try:
            names = sorted(p.name for p in folder.iterdir() if _OUR_FILE.fullmatch(p.name))
        except OSError as exc:
            log.warning("old backups not listed: %s", exc.strerror or exc)
            return ()
        ours: list[Path] = []
        for name in names:
            path = folder / name
            if path == newest.path or not path.is_file():
                continue
            try:
                zf, info = archive.read_info(path)
                zf.close()
            except DomainError:
                continue  # not readable as a backup: not known to be ours
            if info.spoke_id == spoke_id:
                ours.append(path)
        # Names carry the UTC time they were made: the last ones are the newest.
        old = ours[: max(0, len(ours) - (schedule.keep - 1))]
        removed: list[Path] = []
        for path in old:
            try:
                path.unlink()
            except OSError as exc:
                log.warning("old backup %s not removed: %s", path.name, exc.strerror or exc)
                continue
            removed.append(path)
        if removed:
            log.info("removed %d older backup(s), keeping %d", len(removed), schedule.keep)
        return tuple(removed)

    # -- listeners and the worker --------------------------------------------------------------

    def add_listener(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn(outcome)`` after every attempt (on the worker's thread); returns a
        function that removes it."""
        with self._listeners_lock:
            self._listeners.append(fn)

        def remove() -> None:
            with self._listeners_lock, contextlib.suppress(ValueError):
                self._listeners.remove(fn)

        return remove

    def _notify(self, outcome: RunOutcome) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for fn in listeners:
            try:
                fn(outcome)
            except Exception:
                log.exception("a backup listener failed")

    def start_worker(
        self,
        *,
        check_seconds: float = CHECK_SECONDS,
        first_check_seconds: float = FIRST_CHECK_SECONDS,
    ) -> None:
        """Start checking in the background (idempotent); at sign-in."""
        with self._worker_lock:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = BackupScheduler(self, check_seconds, first_check_seconds)
            self._worker.start()

    def stop_worker(self, timeout: float | None = 2.0) -> None:
        """Stop checking; a backup in progress is cancelled (nothing is left of it). At
        sign-out (``timeout=0``: the daemon thread ends by itself) and exit."""
        with self._worker_lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout)

    def wake(self) -> None:
        """Check now instead of at the next tick (a schedule was just set)."""
        with self._worker_lock:
            worker = self._worker
        if worker is not None:
            worker.wake()

    @property
    def worker_running(self) -> bool:
        with self._worker_lock:
            return self._worker is not None and self._worker.is_alive()


class BackupScheduler(threading.Thread):
    """The daemon thread that asks ``run_if_due`` every ``check_seconds``."""

    def __init__(
        self, service: BackupScheduleService, check_seconds: float, first_check_seconds: float
    ) -> None:
        super().__init__(name="backup-scheduler", daemon=True)
        self._service = service
        self._check_seconds = check_seconds
        self._first = first_check_seconds
        self._stop_event = threading.Event()
        self._wake = threading.Event()

    def run(self) -> None:
        delay = self._first
        while not self._stop_event.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop_event.is_set():
                return
            try:
                self._service.run_if_due(cancel=self._stop_event)
            except Exception as exc:  # the store closed under it, or worse: try again later
                log.warning("scheduled backup check failed: %s", getattr(exc, "code", exc))
            delay = self._check_seconds

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None) -> None:
        self._stop_event.set()
        self._wake.set()
        if timeout != 0 and self is not threading.current_thread():
            self.join(timeout)


_OFF: Final = ScheduleState(BackupSchedule(None, 0, DEFAULT_KEEP, ""), None, "", None, "")
