"""HWC Spoke: composition root and command line.

    python main.py                       open the app (login, then the main window)
    python main.py --demo                the same on a demo data folder with seeded data
    python main.py seed --patients N --cases M
    python main.py --demo simulate DEVICE  run one simulated device (demo mode and tests only)
    python main.py hub serve --db URL --bind HOST:PORT   the reference hub
    python main.py verify-rx FILE [--hub-key KEY]        check a prescription's QR code offline
    python main.py audit verify|show [--data-dir DIR]    check / list the audit trail
    python main.py backup --to FOLDER [--data-dir DIR]   an encrypted backup of the data folder
    python main.py backup-verify FILE                    check a backup file (no key needed)
    python main.py provision FILE [--data-dir DIR]       hand the app a hub's enrolment token
    python main.py restore FILE [--data-dir DIR] [--replace]   restore a backup (a new PC)
    python main.py doctor [--data-dir DIR] [--json] [--offline]   diagnostics for field IT
    python main.py support-bundle OUT.zip [--data-dir DIR]   logs and diagnostics, no patient data
    python main.py --help                every option and subcommand

This is the only module that picks concrete implementations (data folder, real or demo
pieces) and wires them together. Heavy imports (Qt, SQLite layers) happen inside the commands
that need them, so ``--help`` and ``--version`` stay instant and the login window comes up fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.domain.models import User
    from app.services.backup_archive import BackupInfo
    from app.services.container import Services

# A windowed build (the frozen app on Windows, like pythonw) starts with sys.stdin, stdout and
# stderr set to None, and the first write or isatty() would raise. They read and write nothing
# instead; the data folder's log keeps what matters, and hwc-spoke-cli.exe is the console twin
# for commands.
for _stream, _mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
    if getattr(sys, _stream) is None:
        setattr(sys, _stream, open(os.devnull, _mode, encoding="utf-8"))  # noqa: SIM115

if __name__ == "__main__":
    # Before anything else: an update staged beside the clinic data may be the version to run
    # (docs/UPDATES.md). Only the frozen program dispatches; the standard library only.
    from app.updates.launch import dispatch_at_start

    _dispatched = dispatch_at_start(sys.argv[1:])
    if _dispatched is not None:
        sys.exit(_dispatched)

PROCESS_START = time.perf_counter()
APP_NAME = "HWC Spoke"
APP_DIR_NAME = "hwc-spoke"
DEMO_PATIENTS = 2000
DEMO_CASES = 60

log = logging.getLogger("hwc_spoke")


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


def prepare_demo(services: Services) -> list[tuple[str, str, str]]:
    """Seed the demo folder once; returns the accounts (user, password, role) to show."""
    from app.services.seed import DEMO_ACCOUNTS, seed, seed_demo_users
    from app.store import patients

    if services.store.is_locked:  # the demo's passwords are known: the demo admin unlocks
        admin_name, password, _, _ = next(a for a in DEMO_ACCOUNTS if str(a[2]) == "admin")
        services.auth.login(admin_name, password)
    accounts = seed_demo_users(services)
    if services.keys is not None and services.keys.unlocked:
        for username, password, _ in accounts:  # every demo account opens the demo folder
            if not services.keys.has_slot(username):
                services.keys.add_user(username, password)
    if services.keys is not None and services.keys.pending_recovery:
        print_recovery_key(services.keys.pending_recovery)  # the demo's: on the terminal
        services.keys.recovery_key_shown()
    if services.store.read(patients.count) == 0:
        print(f"Preparing demo data ({DEMO_PATIENTS:,} patients, {DEMO_CASES} cases)...")
        # The clinic's history goes to the demo hub at the first sync: its patients, and the
        # cases sent to it, which make the specialist's queue.
        seed(
            services,
            patients=DEMO_PATIENTS,
            cases=DEMO_CASES,
            sent_history=True,
            progress=print_progress,
        )
    return accounts


def start_demo_devices(
    services: Services, accounts: list[tuple[str, str, str]], hl7_address: str | None = None
) -> Any:
    """Start the simulated devices and pair them (again: their ports change every run)."""
    from app.devices.simulators.demo import DEMO_HL7_ADDRESS, DemoDevices

    try:
        demo = DemoDevices(hl7_address or DEMO_HL7_ADDRESS).start()
    except Exception as exc:  # e.g. no pseudo-terminals: the demo still runs, without devices
        log.exception("demo devices did not start")
        print(f"Demo devices are not available: {exc}", file=sys.stderr)
        return None
    os.environ.setdefault("HWC_SPOKE_BLE_SIM", ",".join(demo.ble_endpoints()))
    admin_name, password, _ = next(a for a in accounts if a[2] == "admin")
    admin = services.auth.login(admin_name, password)
    paired = {(d.kind, d.name): d for d in services.devices.paired()}
    for p in demo.pairings():
        current = paired.get((p.kind, p.name))
        if current is None:
            services.devices.pair(admin, p.kind, p.name, p.address, p.options)
        elif (current.address, dict(current.options)) != (p.address, p.options):
            services.devices.update(admin, current.id, address=p.address, options=p.options)
    return demo


# The demo hub's console accounts: (username, name, role, password). Demo data only.
DEMO_HUB_ACCOUNTS = (
    ("dr.mehta", "Dr. Anil Mehta", "specialist", "demo-pass-4"),
    ("hub.admin", "Hub Administrator", "hub_admin", "demo-pass-5"),
)


def _demo_hub_accounts(store: Any) -> None:
    """The demo hub's specialist and administrator, made on its first run."""
    existing = {u["username"] for u in store.users()}
    for username, name, role, password in DEMO_HUB_ACCOUNTS:
        if username in existing:
            continue
        extra = (
            {
                "registration_no": "DMC-48213",
                "registration_council": "Delhi Medical Council",
                "qualification": "MBBS, MD (General Medicine)",
                "specialty": "general_medicine",
            }
            if role == "specialist"
            else {}
        )
        store.add_user(username, name, role, password, **extra)


def start_demo_hub(services: Services, data_dir: Path) -> Any:
    """An embedded hub on loopback (SQLite in the demo folder), over HTTPS with its own CA,
    with this PC enrolled with it through an enrolment token, as field IT would.

    The hub keeps the spoke's credentials between runs; only its port changes, so the
    stored enrolment is pointed at the new address.
    """
    from app.sync import credentials
    from hub.app import create_app
    from hub.enrolment import issue_token
    from hub.server import hub_identity, start_in_thread
    from hub.storage import open_store

    store = open_store(f"sqlite:///{data_dir / 'demo-hub.sqlite3'}")
    try:
        identity = hub_identity(store, "127.0.0.1:0")
        server = start_in_thread(create_app(store, name="Demo hub"), identity=identity)
    except BaseException:
        store.close()
        raise
    current = credentials.load(services.store)
    if (
        current is not None
        and current.anchor_pem == identity.anchor_pem
        and store.authenticate(current.spoke_id, current.secret)
    ):
        services.sync.repoint(server.url)
    else:
        credentials.forget(services.store)  # a demo folder from before HTTPS, or a new hub
        token = issue_token(
            store, "Demo Health & Wellness Centre", valid_days=1, address=f"127.0.0.1:{server.port}"
        )
        services.sync.enrol(None, token.text)

    _demo_hub_accounts(store)
    specialist, hub_admin = DEMO_HUB_ACCOUNTS
    print(
        f"Demo hub console: {server.url}/console (its certificate is the demo hub's own)\n"
        f"  specialist: {specialist[0]} / {specialist[3]}; "
        f"hub administrator: {hub_admin[0]} / {hub_admin[3]}",
        flush=True,
    )

    class DemoHub:
        def stop(self) -> None:
            server.stop()
            store.close()

    return DemoHub()


def cmd_gui(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args)
    setup_logging(data_dir, args.verbose)
    services = open_services(data_dir)
    demo_devices = demo_hub = None
    try:
        accounts = prepare_demo(services) if args.demo else None
        if accounts:
            demo_devices = start_demo_devices(services, accounts)
            demo_hub = start_demo_hub(services, data_dir)
        if not services.store.is_locked:
            # Drivers run on their own threads; nothing here waits. A locked PC (encrypted,
            # with accounts) starts them after the sign-in that opens the database (Shell).
            services.devices.start()
        if accounts and args.screenshot and "SPOKE_SCREENSHOT_USER" not in os.environ:
            # A demo screenshot shows the main window as the demo paramedic sees it.
            user, password, _role = next((a for a in accounts if a[2] == "paramedic"), accounts[0])
            os.environ["SPOKE_SCREENSHOT_USER"] = user
            os.environ["SPOKE_SCREENSHOT_PASSWORD"] = password
        from app.ui.run import run_gui

        return run_gui(
            services,
            demo_accounts=accounts,
            screenshot=Path(args.screenshot) if args.screenshot else None,
            language=args.lang or os.environ.get("SPOKE_LANG"),
            font_scale=args.font_scale,
            startup_probe=args.startup_probe,
            probe_searches=args.probe_search,
            process_start=PROCESS_START,
        )
    finally:
        services.close()
        if demo_devices is not None:
            demo_devices.stop()
        if demo_hub is not None:
            demo_hub.stop()


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


SIMULATED = ("oximeter", "scale", "bp", "thermometer", "ble-oximeter", "ble-scale",
             "glucometer", "monitor")  # fmt: skip


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run one simulated device in the foreground until Ctrl+C."""
    try:
        import app.devices.simulators  # noqa: F401  (refuses outside demo mode and tests)
    except RuntimeError as exc:
        print(f"simulate: {exc}", file=sys.stderr)
        return 2
    from app.devices.simulators.cli import run_simulator

    return run_simulator(args.device, to=args.to, every=args.every)


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


# The XMP property a printed prescription PDF carries its QR text in (app.ui.rx_print).
RX_XMP_PATTERN = rb"<hwcrx:qrPayload>([^<]*)</hwcrx:qrPayload>"
RX_XMP_NAMESPACE = b'xmlns:hwcrx="urn:hwc-spoke:rx:1"'


def read_rx_pdf(data: bytes) -> str:
    """The QR text a printed prescription PDF carries in its XMP packet. Qt stores that packet
    uncompressed, so the bytes are searched directly; strict: exactly one packet with exactly
    one payload, inside the packet's wrapper, or ValueError."""
    import re

    packets = re.findall(rb"<\?xpacket begin=.*?<\?xpacket end=\"[rw]\"\?>", data, re.DOTALL)
    found = [
        m
        for packet in packets
        if RX_XMP_NAMESPACE in packet
        for m in re.findall(RX_XMP_PATTERN, packet)
    ]
    # A second payload (an incremental update, a pasted page) would make "which one did the
    # pharmacist check" ambiguous: refuse rather than pick.
    if len(found) > 1:
        raise ValueError("the PDF carries more than one prescription code")
    if len(re.findall(rb"hwcrx:qrPayload>", data)) != 2 * len(found):
        raise ValueError("the PDF carries a prescription code outside its metadata")
    if not found:
        raise ValueError("the PDF carries no prescription code (printed invalid, or not ours)")
    try:
        return found[0].decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("the PDF's prescription code is not text") from None


def read_rx_file(path: Path) -> str:
    """The QR payload text in ``path``: what a phone's QR scanner saved, or the payload a
    printed prescription PDF carries. Raises ValueError (with a message for the pharmacist)
    for a file that holds no payload."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        return read_rx_pdf(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not text") from None


def verify_rx_hub_key(args: argparse.Namespace) -> str | None:
    """The hub's signing key: ``--hub-key``, else this clinic PC's enrolment (None if absent).
    Never creates a data folder or database where there was none."""
    if args.hub_key:
        return str(args.hub_key)
    chosen = args.data_dir or os.environ.get("SPOKE_DATA_DIR")
    data_dir = Path(chosen).expanduser() if chosen else default_data_dir(args.demo)
    from app.services.container import DB_FILE

    if not (data_dir / DB_FILE).is_file():
        return None
    from app.sync import credentials

    services = open_services(data_dir, headless=True)
    try:
        unlock_headless(services, "verify-rx")
        creds = credentials.load(services.store)
    finally:
        services.close()
    return creds.signing_key if creds is not None and creds.signing_key else None


def cmd_verify_rx(args: argparse.Namespace) -> int:
    """Check a prescription's QR payload offline: exit 0 valid, 1 not valid, 2 unreadable."""
    from app.security import rx_signatures as rx
    from app.store.errors import StoreError

    try:
        text = read_rx_file(Path(args.file))
    except (OSError, ValueError) as exc:
        print(f"unreadable: {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        key_text = verify_rx_hub_key(args)
    except StoreError as exc:
        print(f"verify-rx: cannot read this PC's enrolment: {exc.message}", file=sys.stderr)
        return 2
    if not key_text:
        print("verify-rx: no hub key: pass --hub-key=KEY (the hub's signing key) or run it on "
              "an enrolled clinic PC", file=sys.stderr)  # fmt: skip
        return 2
    try:
        hub_key = rx.parse_public_key(key_text)
    except ValueError as exc:
        print(f"verify-rx: {exc}", file=sys.stderr)
        return 2
    check = rx.check_qr_payload(text, hub_key)
    if check.decoded is None:
        print(f"unreadable: {check.verdict.reason}")
        return 2
    print(check.status.value)
    if check.verdict.valid:
        print("Compare with the paper:")
    else:
        print(f"  {check.verdict.reason}. Do not dispense on this code.")
        print("What the code claims (NOT verified):")
    # The practitioner comes from the certificate the check used, else the one the code carries.
    cert = check.verdict.certificate or check.decoded.certificate.certificate
    for label, value in rx.prescription_facts(check.decoded.payload, cert):
        print(f"  {label + ':':<14} {value}")
    return 0 if check.verdict.valid else 1


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


def cmd_audit(args: argparse.Namespace) -> int:
    """``audit verify``: exit 0 intact, 1 broken, 2 no database; ``audit show``: the newest
    entries (ids and codes only: the trail holds no patient data)."""
    from app.store import audit
    from app.store.errors import StoreError

    try:
        store = open_existing_store(args)
    except StoreError as exc:
        print(f"audit: cannot open the clinic database: {exc.message}", file=sys.stderr)
        return 2
    if store is None:
        print("audit: no clinic database in this data folder (--data-dir DIR)", file=sys.stderr)
        return 2
    try:
        if args.audit_command == "show":
            for e in reversed(store.read(lambda db: audit.recent(db, args.last))):
                who = f"{e.actor_id} ({e.actor_role})" if e.actor_id else "-"
                what = f"{e.entity} {e.entity_id}".strip() or "-"
                print(f"{e.seq:>7}  {e.at.isoformat(timespec='seconds')}  {e.action:<15} "
                      f"{who}  {what}  {e.detail}".rstrip())  # fmt: skip
            return 0
        check = store.read(audit.verify)
    except StoreError as exc:
        print(f"audit: {exc.message}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if check.intact:
        last = check.last_at.isoformat(timespec="seconds") if check.last_at else "never"
        print(f"intact: {check.entries} entries, last at {last}")
        return 0
    print(f"BROKEN at entry {check.broken_at}: {check.reason}")
    print(f"  {check.message}")
    return 1


def existing_data_dir(args: argparse.Namespace) -> Path:
    """The data folder the arguments name, without creating it."""
    chosen = args.data_dir or os.environ.get("SPOKE_DATA_DIR")
    return (Path(chosen).expanduser() if chosen else default_data_dir(args.demo)).absolute()


def print_backup_progress(phase: str, done: int, total: int) -> None:
    """One terminal line that counts up per phase (pages of the database, then files)."""
    what = "database pages" if phase == "database" else "files"
    if sys.stdout.isatty():
        print(f"\r  {what}: {done:,} / {total:,}   ", end="\n" if done == total else "", flush=True)
    elif done == total:
        print(f"  {what}: {total:,}", flush=True)


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


def open_for_diagnostics(
    data_dir: Path, command: str
) -> tuple[Services | None, BaseException | None, User | None]:
    """The data folder's services for ``doctor`` and ``support-bundle``: None when the folder
    has no database (none is created), with the error when it would not open. A locked folder
    is unlocked from the environment when credentials are there, else left locked: these
    commands report what they can without the key, and never ask or wait."""
    from app.domain.errors import DomainError
    from app.services.container import DB_FILE, Services
    from app.store.errors import StoreError

    if not (data_dir / DB_FILE).is_file():
        return None, None, None
    try:
        services = Services.open(data_dir, encrypted=True, encrypt_new=False)
    except (StoreError, DomainError) as exc:
        return None, exc, None
    return services, None, unlock_headless(services, command, optional=True)


def cmd_doctor(args: argparse.Namespace) -> int:
    """``doctor``: every check with its verdict and what to do. Exit 0 all fine, 1 a warning,
    2 a problem (docs/FIELD_IT.md). Never waits for input, needs no display; Ctrl+C stops the
    database check (the report says so)."""
    import json

    from app.services.diagnostics import DiagnosticsService

    data_dir = existing_data_dir(args)
    if data_dir.is_dir():
        setup_logging(data_dir, args.verbose)
    services, open_error, _user = open_for_diagnostics(data_dir, "doctor")
    try:
        service = (
            services.diagnostics
            if services is not None
            else DiagnosticsService(data_dir, None, open_error=open_error)
        )
        report = run_cancellable(
            lambda cancel: service.run(offline=args.offline, cancel=cancel), "doctor"
        )
    finally:
        if services is not None:
            services.close()
    if hasattr(sys.stdout, "reconfigure"):  # a facility name in Hindi on a Windows pipe
        sys.stdout.reconfigure(errors="backslashreplace")
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.to_text())
    return int(report.exit_code)


def cmd_support_bundle(args: argparse.Namespace) -> int:
    """``support-bundle OUT.zip``: exit 0 written, 1 not written (the folder is missing, the
    drive full or not writable). No patient data, no keys (docs/FIELD_IT.md)."""
    from app.domain.errors import DomainError
    from app.services.diagnostics import DiagnosticsService

    data_dir = existing_data_dir(args)
    if data_dir.is_dir():
        setup_logging(data_dir, args.verbose)
    services, open_error, user = open_for_diagnostics(data_dir, "support-bundle")
    try:
        service = (
            services.diagnostics
            if services is not None
            else DiagnosticsService(data_dir, None, open_error=open_error)
        )
        path = service.support_bundle(Path(args.out), actor=user, offline=args.offline)
    except DomainError as exc:
        print(f"support-bundle: {exc.message}", file=sys.stderr)
        return 1
    finally:
        if services is not None:
            services.close()
    print(f"Support bundle written: {path} ({path.stat().st_size / 1e6:,.2f} MB)")
    print("  It holds the diagnostics, logs and settings that are not secret: no patient data,")
    print("  no database, no keys.")
    return 0


def cmd_hub(args: argparse.Namespace) -> int:
    """The reference hub's own commands (``main.py hub --help``)."""
    from hub.cli import main as hub_main

    return hub_main(args.hub_args)


def build_parser() -> argparse.ArgumentParser:
    from app import __version__

    parser = argparse.ArgumentParser(
        prog="main.py",
        description=f"{APP_NAME}: offline-first teleconsultation client for Health & Wellness "
        "Centres. Without a subcommand, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder holding the clinic database and attachments "
        "(default: the platform data folder; also SPOKE_DATA_DIR)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="demo mode: a separate demo data folder with seeded patients and demo accounts",
    )
    parser.add_argument(
        "--lang",
        choices=["en", "hi"],
        help="interface language (default: the one last chosen on the sign-in screen, else en)",
    )
    parser.add_argument(
        "--font-scale", type=float, default=1.0, metavar="F", help="font size factor, e.g. 1.5"
    )
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        help="render the window after start-up to a PNG (offscreen works) and exit: the main "
        "window in demo mode or with SPOKE_SCREENSHOT_USER/_PASSWORD set, else the login window",
    )
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--probe-search", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true", help="log to the console too")
    parser.set_defaults(func=cmd_gui)

    sub = parser.add_subparsers(title="subcommands", metavar="COMMAND")
    seed = sub.add_parser(
        "seed",
        help="add deterministic synthetic patients and cases (for demos, tests and benchmarks)",
    )
    # Also accepted after the subcommand; SUPPRESS keeps a value given before it.
    seed.add_argument(
        "--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="the folder to fill"
    )
    seed.add_argument(
        "--patients", type=int, default=1000, metavar="N", help="patients to add (1000)"
    )
    seed.add_argument(
        "--cases", type=int, default=100, metavar="M", help="cases, 8 vitals each (100)"
    )
    seed.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    seed.add_argument(
        "--queued", action="store_true", help="leave the seeded cases queued for the hub"
    )
    seed.set_defaults(func=cmd_seed)

    simulate = sub.add_parser(
        "simulate",
        help="run a simulated device that speaks the real bytes (only with --demo, or in tests)",
    )
    simulate.add_argument("device", choices=SIMULATED)
    simulate.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="required: demo mode"
    )
    simulate.add_argument(
        "--to",
        metavar="HOST:PORT",
        default="127.0.0.1:2575",
        help="monitor only: the app's HL7 listener to send to (127.0.0.1:2575)",
    )
    simulate.add_argument(
        "--every", type=float, default=30.0, metavar="S", help="seconds between measurements (30)"
    )
    simulate.set_defaults(func=cmd_simulate)

    enrol = sub.add_parser("enrol", help="enrol this PC with a hub (field IT)")
    enrol.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    enrol.add_argument(
        "--token", required=True, help="the enrolment token 'main.py hub enrol-token' printed"
    )
    enrol.add_argument(
        "--hub", metavar="URL", help="reach the hub at this https:// address instead of the token's"
    )
    enrol.set_defaults(func=cmd_enrol)

    provision = sub.add_parser(
        "provision",
        help="hand the app a hub's enrolment token from a provisioning file (field IT; "
        "exit 0 enrolled, 1 saved and enrols later, 2 refused)",
    )
    provision.add_argument("file", metavar="FILE", help="a provisioning.ini (docs/SYNC.md)")
    provision.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    provision.set_defaults(func=cmd_provision)

    sync = sub.add_parser("sync", help="sync with the hub")
    sync.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    sync.add_argument(
        "--once", action="store_true", required=True, help="one full round, then exit"
    )
    sync.set_defaults(func=cmd_sync)

    verify_rx = sub.add_parser(
        "verify-rx",
        help="check a prescription's QR code offline (exit 0 valid, 1 not valid, 2 unreadable)",
    )
    verify_rx.add_argument(
        "file", metavar="FILE", help="the QR code's text as a scanner saved it, or a printed PDF"
    )
    verify_rx.add_argument(
        "--hub-key",
        metavar="KEY",
        help="the hub's signing key, 43 characters of base64url (write --hub-key=KEY: it may "
        "begin with '-'); default: this clinic PC's enrolment",
    )
    verify_rx.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    verify_rx.set_defaults(func=cmd_verify_rx)

    audit = sub.add_parser("audit", help="the audit trail: verify (exit 0 intact, 1 broken), show")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_verify = audit_sub.add_parser("verify", help="is the hash chain intact? where it breaks")
    audit_verify.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    audit_show = audit_sub.add_parser("show", help="the newest entries (no patient data)")
    audit_show.add_argument("--last", metavar="N", type=int, default=20)
    audit_show.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    audit.set_defaults(func=cmd_audit)

    backup = sub.add_parser(
        "backup", help="write an encrypted backup of the data folder (administrator or field IT)"
    )
    backup.add_argument(
        "--to", metavar="FOLDER", required=True, help="the folder to write it to (a USB drive)"
    )
    backup.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    backup.set_defaults(func=cmd_backup)

    backup_verify = sub.add_parser(
        "backup-verify", help="check a backup file against its manifest (no key needed)"
    )
    backup_verify.add_argument("file", metavar="FILE", help="the .hwcbak file")
    backup_verify.set_defaults(func=cmd_backup_verify)

    restore = sub.add_parser(
        "restore", help="restore a backup as the data folder (a new PC), then check it opens"
    )
    restore.add_argument("file", metavar="FILE", help="the .hwcbak file")
    restore.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    restore.add_argument(
        "--replace",
        action="store_true",
        help="the data folder already holds a clinic database: move it aside (kept, renamed "
        "<folder>.before-restore-<time>) and restore in its place",
    )
    restore.set_defaults(func=cmd_restore)

    doctor = sub.add_parser(
        "doctor",
        help="diagnostics for field IT: disk, database, encryption, hub, clock, sync, devices "
        "(exit 0 fine, 1 warning, 2 problem)",
    )
    doctor.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    doctor.add_argument("--json", action="store_true", help="the report as JSON")
    doctor.add_argument(
        "--offline", action="store_true", help="do not contact the hub (it is shown as not checked)"
    )
    doctor.set_defaults(func=cmd_doctor)

    bundle = sub.add_parser(
        "support-bundle",
        help="a zip for support: diagnostics, logs, settings that are not secret; no patient "
        "data, no keys",
    )
    bundle.add_argument("out", metavar="OUT.zip", help="the file to write")
    bundle.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)
    bundle.add_argument(
        "--offline", action="store_true", help="do not contact the hub for the diagnostics"
    )
    bundle.set_defaults(func=cmd_support_bundle)

    hub = sub.add_parser(
        "hub",
        help="the reference hub: serve, enrol-token, stats ... ('main.py hub --help')",
        add_help=False,
    )
    hub.add_argument("hub_args", nargs=argparse.REMAINDER)
    hub.set_defaults(func=cmd_hub)
    return parser


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    if words[:1] == ["hub"]:
        # argparse cannot hand "hub --db URL ..." to a REMAINDER argument (it reads --db as
        # its own option), so the hub's command line goes to the hub's parser untouched.
        from hub.cli import main as hub_main

        return hub_main(words[1:])
    args = build_parser().parse_args(words)
    if getattr(args, "demo", False):
        # Demo mode is where simulated devices may load (app.devices.simulators checks this).
        os.environ["HWC_SPOKE_SIMULATORS"] = "1"
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
