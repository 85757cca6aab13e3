"""The clinic's own commands: ``seed`` (synthetic data), ``enrol``, ``provision`` and
``sync --once``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from app.cli.common import (
    open_services,
    print_progress,
    resolve_data_dir,
    setup_logging,
    unlock_headless,
)


def cmd_seed(args: argparse.Namespace) -> int:
    if not (args.data_dir or os.environ.get("SPOKE_DATA_DIR") or args.demo):
        # Synthetic patients must never land in a clinic's real register by accident.
        print(
            "seed adds synthetic patients: name a folder with --data-dir DIR (or use --demo); "
            "it will not write into the clinic's own data folder.",
            file=sys.stderr,
        )
        return 2
    data_dir = resolve_data_dir(args)
    setup_logging(data_dir, args.verbose)
    services = open_services(data_dir, headless=True)
    unlock_headless(services, "seed")
    try:
        from app.services.seed import seed

        started = time.perf_counter()
        report = seed(
            services,
            patients=args.patients,
            cases=args.cases,
            rng_seed=args.seed,
            queued=args.queued,
            progress=print_progress,
        )
        print(f"{report} in {time.perf_counter() - started:.1f} s into {data_dir}")
        return 0
    finally:
        services.close()


def cmd_enrol(args: argparse.Namespace) -> int:
    from app.domain.errors import DomainError

    data_dir = resolve_data_dir(args)
    setup_logging(data_dir, args.verbose)
    with open_services(data_dir, headless=True) as services:
        unlock_headless(services, "enrol")
        try:
            done = services.sync.enrol(None, args.token, args.hub)
        except DomainError as exc:
            print(f"enrol: {exc.message}", file=sys.stderr)
            return 1 if exc.code in _ENROL_RETRYABLE else 2
    print(f"Enrolled {done.facility!r} as spoke {done.spoke_id} with {done.hub_url}.")
    return 0


# Worth trying again later with the same token (exit 1); anything else needs a person (2).
_ENROL_RETRYABLE = frozenset({"sync.enrol_unreachable", "sync.enrol_failed"})


def cmd_provision(args: argparse.Namespace) -> int:
    """Check a provisioning file, copy it into the data folder (owner-only), and enrol with it
    at once when the clinic database can be opened; else the app does at the next sign-in.
    Exit 0 enrolled, 1 saved (enrolment follows by itself), 2 refused (nothing changed by a
    bad file; a token the hub refused is not kept)."""
    from app.domain.errors import DomainError
    from app.services import provisioning
    from app.services.container import DB_FILE
    from app.services.sync import ENROL_FINAL

    source = Path(args.file).expanduser()
    try:
        checked = provisioning.read(source)
    except DomainError as exc:
        print(f"provision: {exc.message}", file=sys.stderr)
        return 2
    data_dir = resolve_data_dir(args)
    setup_logging(data_dir, args.verbose)
    saved = provisioning.write_into(data_dir, source)
    print(f"Saved the enrolment token for the hub at {checked.url} in {saved.path} (owner only).")
    later = (
        "The app enrols with it at the next sign-in on this PC, moves the token into the "
        "encrypted clinic database and deletes the file."
    )
    has_credentials = bool(
        (os.environ.get("HWC_SPOKE_USER") and os.environ.get("HWC_SPOKE_PASSWORD"))
        or os.environ.get("HWC_SPOKE_RECOVERY_KEY")
    )
    if not (data_dir / DB_FILE).exists():  # a new PC: no database until the first administrator
        print(later)
        return 1
    with open_services(data_dir, headless=True) as services:
        if services.store.is_locked and not has_credentials:
            print(later)
            return 1
        unlock_headless(services, "provision")
        outcome = services.provisioning.consume()
        if outcome.notice is not None:
            print(f"provision: {outcome.notice.message}", file=sys.stderr)
        if outcome.action in ("ignored", "invalid"):
            return 2
        if outcome.action == "locked":
            print(later)
            return 1
        if outcome.action == "stale" or services.sync.is_enrolled():
            print(f"This PC is enrolled with the hub at {services.sync.hub_url()}.")
            return 0
        if outcome.action != "held":
            print("provision: the token was used before and is not kept.", file=sys.stderr)
            return 2
        print(f"Enrolling with the hub at {outcome.hub}...", flush=True)
        report = services.sync.enrol_held()
        if services.sync.is_enrolled():
            print(f"Enrolled with the hub at {services.sync.hub_url()}.")
            return 0
    print(f"provision: {report.error}", file=sys.stderr)
    if report.error_code in ENROL_FINAL:
        return 2
    print("The token is kept in the encrypted clinic database; the app tries again by itself.")
    return 1


def cmd_sync(args: argparse.Namespace) -> int:
    """One full sync round, headless; the exit code says whether it succeeded."""
    import json

    from app.domain.errors import DomainError

    data_dir = resolve_data_dir(args)
    setup_logging(data_dir, args.verbose)
    with open_services(data_dir, headless=True) as services:
        unlock_headless(services, "sync")
        try:
            # The installer's token (docs/SYNC.md, "Provisioning") enrols first when it waits.
            services.provisioning.consume()
            if not services.sync.is_enrolled() and services.sync.held_enrolment() is not None:
                report = services.sync.enrol_held()
            else:
                report = services.sync.run_once()
        except DomainError as exc:
            print(f"sync: {exc.message}", file=sys.stderr)
            return 2
    summary = {
        "ok": report.ok,
        "pushed": {
            "applied": report.pushed.applied,
            "duplicate": report.pushed.duplicate,
            "rejected": report.pushed.rejected,
            "failed": report.pushed.failed,
        },
        "pulled": report.pulled,
        "blobs_uploaded": report.blobs_uploaded,
        "pending": report.pending_left,
        "needs_attention": report.needs_attention,
        "clock_offset_s": report.clock_offset_s,
        "clock_warning": report.clock_warning,
        "epoch_changed": report.epoch_changed,
        "error": report.error,
        "error_code": report.error_code,
    }
    print(json.dumps(summary, indent=2))
    return 0 if report.ok else 1
