"""Backups of a clinic's data folder, and restoring one onto a new PC (docs/SECURITY.md,
"Backups").

``BackupService.create(actor, folder)`` writes one file ``hwc-spoke-backup-<UTC time>.hwcbak``
into ``folder`` (a USB drive, any folder): a consistent snapshot of the database taken while
the app goes on working (``Store.snapshot``), the slot file, the interface language and every
attachment file as stored, with a manifest (``app.services.backup_archive``). Only an
encrypted folder is backed up (``backup.not_encrypted`` otherwise): the database copy is
SQLCipher under the same key and the attachments are already encrypted, so the file is
encrypted by construction and opens with the passwords and recovery key that had a slot when
it was made. Administrators only (``Permission.BACKUP``), or field IT who unlocked the folder
with its recovery key (``RECOVERY_KEY_HOLDER``, headless), or the schedule an administrator set
(``ScheduledRun``, ``app.services.backup_schedule``); recorded in the audit trail.

``verify(path)`` checks a backup without any key; ``restore(path, data_dir)`` (no services
open: a new PC) verifies, extracts beside ``data_dir`` and moves the whole folder into place,
never leaving half of one; an existing clinic database is refused (``backup.target_not_empty``)
unless ``replace``, and then moved aside, never deleted.

Progress: ``progress(phase, done, total)`` with phase ``"database"`` (pages copied) then
``"files"`` (files written into the backup, or restored). ``cancel`` (a ``threading.Event`` or
a function) is checked between steps of both phases; a cancel raises ``backup.cancelled``
and leaves no file.

Threading: every call reads or writes the whole folder: worker threads only, never the GUI
thread. The writer thread keeps writing meanwhile (the snapshot holds its own read
transaction, not the writer).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Final

import sqlite_utils

from app import __version__
from app.domain.audit import Action
from app.domain.errors import DomainError
from app.domain.models import User
from app.durable import fsync_dir
from app.security.permissions import Permission, require
from app.services import backup_archive as archive
from app.services.backup_archive import BackupInfo, FileEntry
from app.services.clock import Clock
from app.services.keys import KeyService
from app.store import audit, outbox, settings
from app.store.backup import Cancel, SnapshotCancelled, cancel_check, remove_with_sidecars
from app.store.blobs import BlobStore
from app.store.db import Store
from app.store.errors import StoreError, translate_os
from app.store.migrations import user_version
from app.sync.credentials import KEY_SPOKE_ID

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)
PHASE_DATABASE: Final = "database"
PHASE_FILES: Final = "files"

FILE_PREFIX: Final = "hwc-spoke-backup-"
_BLOB_FILE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}(?:\.hwcb)?")
_SNAPSHOT_PREFIX: Final = ".backup-snapshot-"


@dataclass(frozen=True, slots=True)
class RecoveryKeyHolder:
    """Field IT who opened the folder with its recovery key, headless: no account is signed
    in, and the key opens everything a backup holds anyway. Recorded with no actor."""


RECOVERY_KEY_HOLDER: Final = RecoveryKeyHolder()


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    """The backup schedule an administrator set (``app.services.backup_schedule``), running
    while whoever is signed in works: the schedule is the permission, so the run needs no
    administrator at the PC. Recorded as that administrator's, with detail ``scheduled``."""

    set_by: str  # the id of the administrator who set the schedule
    role: str = "admin"

    @property
    def id(self) -> str:  # the audit trail's actor (``app.store.audit.Actor``)
        return self.set_by


Actor = User | RecoveryKeyHolder | ScheduledRun


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int  # bytes
    info: BackupInfo


@dataclass(frozen=True, slots=True)
class RestoreResult:
    info: BackupInfo
    data_dir: Path
    moved_aside: Path | None  # where the folder that was there went (None: there was none)


@dataclass(frozen=True, slots=True)
class _Facts:
    schema_version: int
    spoke_id: str
    patients: int
    cases: int
    pending_sync: int


def _facts(db: sqlite_utils.Database) -> _Facts:
    """Read in the snapshot's own transaction: counts of exactly what is copied."""
    return _Facts(
        schema_version=user_version(db.conn),
        spoke_id=settings.get(db, KEY_SPOKE_ID) or "",
        patients=int(db.execute("SELECT count(*) FROM patients").fetchone()[0]),
        cases=int(db.execute("SELECT count(*) FROM cases").fetchone()[0]),
        pending_sync=outbox.pending_count(db, except_op=audit.OP_APPEND),
    )


def not_encrypted() -> DomainError:
    return DomainError(
        "backup.not_encrypted",
        "This PC's clinic data is not encrypted yet, so no backup is made of it (a copy would "
        "show every patient to whoever finds the drive). Sign in once in the app to encrypt "
        "it, then make the backup.",
    )


class BackupService:
    def __init__(
        self,
        store: Store,
        blobs: BlobStore,
        clock: Clock,
        *,
        keys: KeyService | None,
        preferences_path: Path | None,
    ) -> None:
        self._store = store
        self._blobs = blobs
        self._clock = clock
        self._keys = keys
        self._preferences = preferences_path

    @property
    def available(self) -> bool:
        """Whether this folder can be backed up: encrypted (the UI shows the button then)."""
        return self._keys is not None and self._keys.encrypted

    def require_encrypted(self) -> None:
        if not self.available:
            raise not_encrypted()

    def create(
        self,
        actor: Actor,
        folder: Path,
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> BackupResult:
        """Write a backup of this data folder into ``folder``; see the module docstring."""
        self.require_encrypted()
        if isinstance(actor, User):
            require(actor, Permission.BACKUP)
        elif not isinstance(actor, RecoveryKeyHolder | ScheduledRun):
            raise TypeError("a backup needs an administrator or the recovery key's holder")
        if self._store.is_locked:
            self._store.schema_version()  # raises store.key_needed, as every read would
        if not self._store.is_encrypted or not self._blobs.keyed:
            raise not_encrypted()  # slot file but plaintext store: upgrade not finished
        folder = Path(folder)
        if not folder.is_dir():
            raise DomainError(
                "backup.folder_missing",
                f"The folder {folder} is not there (was the USB drive taken out?). Choose "
                "another folder.",
                {"folder": str(folder)},
            )
        stop = cancel_check(cancel)
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        name = f"{FILE_PREFIX}{now:%Y%m%dT%H%M%SZ}{archive.SUFFIX}"
        if (folder / name).exists():
            raise DomainError(
                "backup.exists",
                f"A backup named {name} is already in {folder}. Wait a moment and try again.",
                {"folder": str(folder), "name": name},
            )
        snapshot = self._store.path.with_name(f"{_SNAPSHOT_PREFIX}{secrets.token_hex(8)}")
        try:
            facts = self._snapshot(snapshot, progress, stop)
            assert facts is not None
            path, entries = self._write(folder, name, now, snapshot, facts, progress, stop)
        finally:
            remove_with_sidecars(snapshot)
        info = _info(now, facts, entries)
        size = path.stat().st_size
        user = actor if isinstance(actor, User | ScheduledRun) else None
        detail = f"patients={facts.patients} cases={facts.cases} files={len(entries)}"
        if isinstance(actor, ScheduledRun):
            detail += " scheduled"
        elif user is None:
            detail += " by=recovery_key"
        audit.record(self._store, user, Action.BACKUP, "backup", name, detail, now=now)
        log.info("backup written: %s, %d bytes, %d files", name, size, len(entries))
        return BackupResult(path, size, info)

    def _snapshot(
        self, target: Path, progress: Progress | None, stop: Callable[[], bool]
    ) -> _Facts | None:
        def pages(done: int, total: int) -> None:
            if progress is not None:
                progress(PHASE_DATABASE, done, total)

        try:
            return self._store.snapshot(target, inspect=_facts, progress=pages, cancel=stop)
        except SnapshotCancelled:
            raise archive.cancelled() from None

    def _write(
        self,
        folder: Path,
        name: str,
        now: datetime,
        snapshot: Path,
        facts: _Facts,
        progress: Progress | None,
        stop: Callable[[], bool],
    ) -> tuple[Path, tuple[FileEntry, ...]]:
        sources = [(archive.DB_MEMBER, snapshot)]
        if self._keys is not None:
            sources.append((archive.SLOTS_MEMBER, self._keys.slots_path))
        if self._preferences is not None and self._preferences.is_file():
            sources.append((archive.PREFERENCES_MEMBER, self._preferences))
        sources.extend(self._blob_files())
        total = len(sources)
        with archive.ArchiveWriter(folder, name, now) as writer:
            for done, (member, source) in enumerate(sources, 1):
                if stop():
                    raise archive.cancelled()
                self._add(writer, member, source, required=member in archive.REQUIRED)
                if progress is not None:
                    progress(PHASE_FILES, done, total)
            entries = writer.entries
            path = writer.finish(_info(now, facts, entries))
        return path, entries

    @staticmethod
    def _add(writer: archive.ArchiveWriter, member: str, source: Path, *, required: bool) -> None:
        try:
            f = open(source, "rb")  # noqa: SIM115 - closed below; the open is what may fail
        except FileNotFoundError:
            if required:
                raise _read_error(FileNotFoundError(2, "missing"), source) from None
            return  # an attachment file gone meanwhile: not in the manifest either
        except OSError as exc:
            raise _read_error(exc, source) from exc
        with f:
            try:
                size = os.fstat(f.fileno()).st_size
            except OSError as exc:
                raise _read_error(exc, source) from exc
            writer.add(member, _ReadChecked(f, source), size)

    def _blob_files(self) -> list[tuple[str, Path]]:
        """Every attachment file as stored, and the folder's marker (temporary files and
        anything that is not ours are left out)."""
        root = self._blobs.root
        found: list[tuple[str, Path]] = []
        marker = root / ".encrypted"
        if marker.is_file():
            found.append((archive.BLOB_PREFIX + marker.name, marker))
        try:
            for path in sorted(root.glob("??/??/*")):
                relative = path.relative_to(root).as_posix()
                if _BLOB_FILE.fullmatch(relative) and path.is_file():
                    found.append((archive.BLOB_PREFIX + relative, path))
        except OSError as exc:
            raise _read_error(exc, root) from exc
        return found


class _ReadChecked:
    """A source file whose read errors say which file of the data folder failed (not the
    backup's drive)."""

    def __init__(self, f: BinaryIO, path: Path) -> None:
        self._f = f
        self._path = path

    def read(self, n: int = -1, /) -> bytes:
        try:
            return self._f.read(n)
        except OSError as exc:
            raise _read_error(exc, self._path) from exc


def _read_error(exc: OSError, path: Path) -> StoreError:
    return translate_os(exc, path) or StoreError(
        "store.error",
        f"Could not read {path} for the backup ({exc.strerror or exc}).",
        {"path": str(path), "detail": str(exc)},
    )


def _info(now: datetime, facts: _Facts, entries: tuple[FileEntry, ...]) -> BackupInfo:
    return BackupInfo(
        created_at=now,
        app_version=__version__,
        schema_version=facts.schema_version,
        spoke_id=facts.spoke_id,
        patients=facts.patients,
        cases=facts.cases,
        pending_sync=facts.pending_sync,
        files=entries,
    )


# -- checking and restoring (no services open) -------------------------------------------------


def verify(path: Path, *, cancel: Cancel | None = None) -> BackupInfo:
    """Check every file of the backup at ``path`` against its manifest; no key needed."""
    return archive.verify(Path(path), cancel=cancel_check(cancel))


def restore(
    path: Path,
    data_dir: Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    now: datetime | None = None,
) -> RestoreResult:
    """Restore the backup at ``path`` as the data folder ``data_dir`` (see the module
    docstring). Run it with no ``Services`` open on that folder."""
    from app.services.container import DB_FILE  # the container imports this module

    path = Path(path)
    data_dir = Path(os.path.abspath(data_dir))
    stop = cancel_check(cancel)
    info = archive.verify(path, cancel=stop)
    if (data_dir / DB_FILE).exists() and not replace:
        raise DomainError(
            "backup.target_not_empty",
            f"The folder {data_dir} already holds a clinic database. Nothing was changed. "
            "Restore into another folder, or replace it (the folder there now is kept "
            "beside it, renamed).",
            {"folder": str(data_dir)},
        )
    parent = data_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restoring-", dir=parent))
    except OSError as exc:
        raise _restore_error(exc, data_dir) from exc
    try:

        def files(done: int, total: int) -> None:
            if progress is not None:
                progress(PHASE_FILES, done, total)

        try:
            archive.extract(path, info, work, progress=files, cancel=stop)
        except OSError as exc:
            raise _restore_error(exc, data_dir) from exc
        if stop():
            raise archive.cancelled()
        moved_aside = _move_into_place(work, data_dir, now or datetime.now(UTC))
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return RestoreResult(info, data_dir, moved_aside)


def _move_into_place(work: Path, data_dir: Path, now: datetime) -> Path | None:
    """Rename the finished folder to ``data_dir``: an empty folder there is removed, anything
    else is renamed aside first (and put back if the last rename fails)."""
    aside: Path | None = None
    try:
        if data_dir.exists():
            if data_dir.is_dir() and not any(data_dir.iterdir()):
                data_dir.rmdir()
            else:
                stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
                aside = data_dir.with_name(f"{data_dir.name}.before-restore-{stamp}")
                n = 1
                while aside.exists():
                    n += 1
                    aside = data_dir.with_name(f"{data_dir.name}.before-restore-{stamp}-{n}")
                os.rename(data_dir, aside)
        try:
            os.rename(work, data_dir)
        except OSError:
            if aside is not None:
                with contextlib.suppress(OSError):
                    os.rename(aside, data_dir)
            raise
        fsync_dir(data_dir.parent)
    except OSError as exc:
        raise _restore_error(exc, data_dir) from exc
    return aside


def _restore_error(exc: OSError, data_dir: Path) -> DomainError:
    error = archive.write_error(exc, data_dir.parent)
    if error.code == "backup.disk_full":
        return error
    return DomainError(
        "backup.restore_failed",
        f"The backup could not be restored into {data_dir} ({exc.strerror or exc}). The "
        "folder there was not changed.",
        {"folder": str(data_dir), "detail": str(exc)},
    )
