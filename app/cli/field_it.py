"""Field IT's commands: ``backup``, ``backup-verify``, ``restore``, ``doctor`` and
``support-bundle`` (docs/FIELD_IT.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.domain.models import User
    from app.services.backup_archive import BackupInfo
    from app.services.diagnostics import DiagnosticsService

from app.cli.common import (
    existing_data_dir,
    open_services,
    run_cancellable,
    setup_logging,
    unlock_headless,
)


def print_backup_progress(phase: str, done: int, total: int) -> None:
    """One terminal line that counts up per phase (pages of the database, then files)."""
    what = "database pages" if phase == "database" else "files"
    if sys.stdout.isatty():
        print(f"\r  {what}: {done:,} / {total:,}   ", end="\n" if done == total else "", flush=True)
    elif done == total:
        print(f"  {what}: {total:,}", flush=True)


def describe_backup(info: BackupInfo) -> str:
    made = info.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    spoke = f", spoke {info.spoke_id}" if info.spoke_id else ", not enrolled with a hub"
    return (
        f"made {made} by HWC Spoke {info.app_version}{spoke}: {info.patients:,} patients, "
        f"{info.cases:,} cases, {info.pending_sync:,} operations waiting to sync, "
        f"{len(info.files):,} files"
    )


def cmd_backup(args: argparse.Namespace) -> int:
    """``backup --to FOLDER``: exit 0 written, 1 it failed, 2 it could not start (no database,
    locked, not encrypted, not an administrator), 130 cancelled with Ctrl+C."""
    from app.domain.errors import DomainError
    from app.services.backup import RECOVERY_KEY_HOLDER
    from app.services.container import DB_FILE
    from app.store.errors import StoreError

    data_dir = existing_data_dir(args)
    if not (data_dir / DB_FILE).is_file():
        print(f"backup: no clinic database in {data_dir} (--data-dir DIR)", file=sys.stderr)
        return 2
    setup_logging(data_dir, args.verbose)
    with open_services(data_dir, headless=True) as services:
        was_locked = services.store.is_locked
        user = unlock_headless(services, "backup")
        try:
            services.backup.require_encrypted()
            if not was_locked:  # an encrypted folder always opens locked: nobody unlocked it
                raise DomainError("backup.not_encrypted", "The clinic database is not encrypted.")
            # Field IT with the recovery key has no account: the key opens all a backup holds.
            actor = user if user is not None else RECOVERY_KEY_HOLDER
        except DomainError as exc:
            print(f"backup: {exc.message}", file=sys.stderr)
            return 2
        print(f"Backing up {data_dir} to {args.to} ...", flush=True)
        try:
            result = run_cancellable(
                lambda cancel: services.backup.create(
                    actor,
                    Path(args.to).expanduser(),
                    progress=print_backup_progress,
                    cancel=cancel,
                ),
                "backup",
            )
        except (DomainError, StoreError) as exc:
            print(f"\nbackup: {exc.message}", file=sys.stderr)
            if exc.code == "backup.cancelled":
                return 130
            return 2 if exc.code in ("permission.denied", "backup.not_encrypted") else 1
    print(f"Backup written: {result.path} ({result.size / 1e6:,.1f} MB)")
    print(f"  {describe_backup(result.info)}")
    print("  It opens with the staff passwords that open this PC now, or its recovery key.")
    return 0


def cmd_backup_verify(args: argparse.Namespace) -> int:
    """``backup-verify FILE``: exit 0 whole, 1 damaged or not a backup, 2 no such file."""
    from app.domain.errors import DomainError
    from app.services.backup import verify

    try:
        info = verify(Path(args.file))
    except DomainError as exc:
        print(f"backup-verify: {exc.message}", file=sys.stderr)
        return 2 if exc.code == "backup.not_found" else 1
    print(f"whole: {args.file}")
    print(f"  {describe_backup(info)}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """``restore FILE``: verify, restore into the data folder, then open it with a staff
    password or the recovery key and check it. Exit 0 restored and checked, 1 restored but the
    check failed, 2 not restored, 130 cancelled."""
    from app.domain.audit import Action
    from app.domain.errors import DomainError
    from app.services.backup import restore
    from app.store import audit
    from app.store.errors import StoreError

    data_dir = existing_data_dir(args)
    print(f"Restoring {args.file} into {data_dir} ...", flush=True)
    try:
        done = run_cancellable(
            lambda cancel: restore(
                Path(args.file),
                data_dir,
                replace=args.replace,
                progress=print_backup_progress,
                cancel=cancel,
            ),
            "restore",
        )
    except DomainError as exc:
        print(f"restore: {exc.message}", file=sys.stderr)
        return 130 if exc.code == "backup.cancelled" else 2
    if done.moved_aside is not None:
        print(f"  The folder that was there is kept as {done.moved_aside}")
    print(f"Restored the backup {describe_backup(done.info)}.")
    print("Checking that it opens ...", flush=True)
    setup_logging(data_dir, args.verbose)
    with open_services(data_dir, headless=True) as services:
        user = unlock_headless(services, "restore")
        try:
            check = services.store.read(
                lambda db: db.execute("PRAGMA integrity_check").fetchone()[0]
            )
            counts = services.store.read(
                lambda db: (
                    db.execute("SELECT count(*) FROM patients").fetchone()[0],
                    db.execute("SELECT count(*) FROM cases").fetchone()[0],
                )
            )
            pending = services.pending_sync_count()
            made = f"{done.info.created_at:%Y%m%dT%H%M%SZ}"
            audit.record(services.store, user, Action.RESTORE, "backup", detail=f"created={made}")
        except StoreError as exc:
            print(f"restore: the restored database does not open: {exc.message}", file=sys.stderr)
            return 1
    if check != "ok":
        print(f"restore: the restored database is damaged ({check})", file=sys.stderr)
        return 1
    print(f"It opens and checks ok: {counts[0]:,} patients, {counts[1]:,} cases, {pending:,} "
          "operations waiting to sync.")  # fmt: skip
    return 0


@contextmanager
def diagnostics_for(
    args: argparse.Namespace, command: str
) -> Iterator[tuple[DiagnosticsService, User | None]]:
    """The diagnostics of the data folder ``args`` name, and who signed in, for ``doctor`` and
    ``support-bundle``; the folder's services are closed afterwards. A folder without a
    database gets none (none is created) and one that will not open is reported, not raised.
    A locked folder is unlocked from the environment when credentials are there, else left
    locked: these commands report what they can without the key, and never ask or wait."""
    from app.domain.errors import DomainError
    from app.services.container import DB_FILE, Services
    from app.services.diagnostics import DiagnosticsService
    from app.store.errors import StoreError

    data_dir = existing_data_dir(args)
    if data_dir.is_dir():
        setup_logging(data_dir, args.verbose)
    if not (data_dir / DB_FILE).is_file():
        yield DiagnosticsService(data_dir, None), None
        return
    try:
        services = Services.open(data_dir, encrypted=True, encrypt_new=False)
    except (StoreError, DomainError) as exc:
        yield DiagnosticsService(data_dir, None, open_error=exc), None
        return
    try:
        yield services.diagnostics, unlock_headless(services, command, optional=True)
    finally:
        services.close()


def cmd_doctor(args: argparse.Namespace) -> int:
    """``doctor``: every check with its verdict and what to do. Exit 0 all fine, 1 a warning,
    2 a problem (docs/FIELD_IT.md). Never waits for input, needs no display; Ctrl+C stops the
    database check (the report says so)."""
    import json

    with diagnostics_for(args, "doctor") as (service, _user):
        report = run_cancellable(
            lambda cancel: service.run(offline=args.offline, cancel=cancel), "doctor"
        )
    if hasattr(sys.stdout, "reconfigure"):  # a facility name in Hindi on a Windows pipe
        sys.stdout.reconfigure(errors="backslashreplace")
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.to_text())
    return int(report.exit_code)


def cmd_support_bundle(args: argparse.Namespace) -> int:
    """``support-bundle OUT.zip``: exit 0 written, 1 not written (the folder is missing, the
    drive full or not writable). No patient data, no keys (docs/FIELD_IT.md)."""
    from app.domain.errors import DomainError

    try:
        with diagnostics_for(args, "support-bundle") as (service, user):
            path = service.support_bundle(Path(args.out), actor=user, offline=args.offline)
    except DomainError as exc:
        print(f"support-bundle: {exc.message}", file=sys.stderr)
        return 1
    print(f"Support bundle written: {path} ({path.stat().st_size / 1e6:,.2f} MB)")
    print("  It holds the diagnostics, logs and settings that are not secret: no patient data,")
    print("  no database, no keys.")
    return 0
