"""What every command without a window shares: the data folder, the log, opening (and
unlocking) the clinic database the way field IT's commands do, and terminal progress.

Heavy imports happen inside the functions, so ``main.py --help`` stays instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.domain.models import User
    from app.services.container import Services

APP_DIR_NAME = "hwc-spoke"


def default_data_dir(demo: bool) -> Path:
    from platformdirs import user_data_dir

    base = Path(user_data_dir(APP_DIR_NAME, appauthor=False))
    return base / "demo" if demo else base


def resolve_data_dir(args: argparse.Namespace) -> Path:
    chosen = args.data_dir or os.environ.get("SPOKE_DATA_DIR")
    path = Path(chosen).expanduser() if chosen else default_data_dir(args.demo)
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def setup_logging(data_dir: Path, verbose: bool) -> None:
    """The data folder's log, and crash reports in it: never patient data (app.logfile)."""
    from app import logfile

    logfile.setup(data_dir, verbose=verbose)
    logfile.install_crash_handler()


def open_services(data_dir: Path, *, headless: bool = False) -> Services:
    """The data folder's services, encrypted at rest (docs/SECURITY.md, "In the app").
    ``headless``: a command without a window leaves a new folder plaintext until its first
    sign-in in the app (nobody's password is known to make a slot with)."""
    from app.domain.errors import DomainError
    from app.services.container import Services
    from app.store.errors import StoreError

    try:
        return Services.open(data_dir, encrypted=True, encrypt_new=not headless)
    except (StoreError, DomainError) as exc:
        sys.exit(f"Cannot open the clinic database in {data_dir}: {exc.message}")


# A command that could not open the database: 2, as for any failure before its work began
# (1 keeps its own meaning: "audit verify" found the chain broken, a sync round failed).
EXIT_LOCKED = 2
UNLOCK_HELP = (
    "The clinic database is locked. Set HWC_SPOKE_USER and HWC_SPOKE_PASSWORD (a staff "
    "account that has signed in on this PC), or HWC_SPOKE_RECOVERY_KEY (field IT), and run "
    "the command again."
)


def unlock_headless(services: Services, command: str, *, optional: bool = False) -> User | None:
    """Open a locked store for a command without a window: from the environment
    (``HWC_SPOKE_USER`` + ``HWC_SPOKE_PASSWORD``, or ``HWC_SPOKE_RECOVERY_KEY``), else by asking
    on the terminal; exits with a message saying how otherwise. Returns the staff member it
    signed in; None when the recovery key opened it, or it was not locked.
    ``optional`` (doctor: it reports what it can without the key): no credentials in the
    environment leave the store locked, with no prompt, and credentials that do not open it
    are reported and leave it locked; it never exits."""
    from app.domain.errors import DomainError
    from app.security.keyslots import KeySlotsError

    keys = services.keys
    if keys is None or not services.store.is_locked:
        return None
    user = os.environ.get("HWC_SPOKE_USER", "")
    password = os.environ.get("HWC_SPOKE_PASSWORD", "")
    recovery = os.environ.get("HWC_SPOKE_RECOVERY_KEY", "")
    if not (user and password) and not recovery:
        if optional:
            return None
        if not sys.stdin.isatty():
            services.close()
            print(f"{command}: {UNLOCK_HELP}", file=sys.stderr)
            sys.exit(EXIT_LOCKED)
        import getpass

        user = input("The clinic database is locked. User name (empty for the recovery key): ")
        if user.strip():
            password = getpass.getpass("Password: ")
        else:
            recovery = getpass.getpass("Recovery key: ")
    try:
        if user.strip() and password:
            return services.auth.login(user, password)
        keys.unlock_with_recovery(recovery)
    except (DomainError, KeySlotsError) as exc:
        why = exc.message if isinstance(exc, DomainError) else str(exc)
        print(f"{command}: cannot unlock the clinic database: {why}", file=sys.stderr)
        if optional:
            return None
        services.close()
        sys.exit(EXIT_LOCKED)
    return None


def print_recovery_key(secret: str) -> None:
    print(
        f"Recovery key of this data folder: {secret}\n"
        "  Write it down and keep it away from this PC; it opens the clinic's data if every "
        "password is lost. It will not be shown again.",
        flush=True,
    )


def print_progress(done: int, total: int) -> None:
    if not total or (done != total and done % max(1, total // 20)):
        return
    if sys.stdout.isatty():  # one line that counts up
        print(f"\r  {done:,} / {total:,}", end="\n" if done == total else "", flush=True)
    elif done == total or done % max(1, total // 4) == 0:
        print(f"  {done:,} / {total:,}", flush=True)


def open_existing_store(args: argparse.Namespace) -> Any:
    """The clinic database of the data folder, opened as the other headless commands do; None
    when there is none (never creates a data folder or database)."""
    chosen = args.data_dir or os.environ.get("SPOKE_DATA_DIR")
    data_dir = Path(chosen).expanduser() if chosen else default_data_dir(args.demo)
    from app.services.container import DB_FILE

    if not (data_dir / DB_FILE).is_file():
        return None
    services = open_services(data_dir, headless=True)
    unlock_headless(services, "audit")
    # Only the store is used: the services' workers never started, and closing the store
    # closes everything they opened.
    return services.store


def existing_data_dir(args: argparse.Namespace) -> Path:
    """The data folder the arguments name, without creating it."""
    chosen = args.data_dir or os.environ.get("SPOKE_DATA_DIR")
    return (Path(chosen).expanduser() if chosen else default_data_dir(args.demo)).absolute()


def run_cancellable(work: Any, command: str) -> Any:
    """``work(cancel_event)`` on a worker thread; Ctrl+C sets the event, and the work stops
    cleanly at its next step (and raises ``backup.cancelled``). Returns its result."""
    import threading

    cancel = threading.Event()
    outcome: dict[str, Any] = {}

    def body() -> None:
        try:
            outcome["result"] = work(cancel)
        except BaseException as exc:  # handed to the main thread below
            outcome["error"] = exc

    thread = threading.Thread(target=body, name=command)
    thread.start()
    while thread.is_alive():
        try:
            thread.join(0.2)
        except KeyboardInterrupt:
            if not cancel.is_set():
                print(f"\n{command}: cancelling...", file=sys.stderr, flush=True)
            cancel.set()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
