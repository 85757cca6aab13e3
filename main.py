"""HWC Spoke: composition root and command line.

    python main.py                       open the app (login, then the main window)
    python main.py --demo                the same on a demo data folder with seeded data
    python main.py seed --patients N --cases M
    python main.py --demo simulate DEVICE  run one simulated device (demo mode and tests only)
    python main.py hub serve --db URL --bind HOST:PORT   the reference hub
    python main.py verify-rx FILE [--hub-key KEY]        check a prescription's QR code offline
    python main.py audit verify|show [--data-dir DIR]    check / list the audit trail
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
    from app.services.container import Services

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


def unlock_headless(services: Services, command: str) -> None:
    """Open a locked store for a command without a window: from the environment
    (``HWC_SPOKE_USER`` + ``HWC_SPOKE_PASSWORD``, or ``HWC_SPOKE_RECOVERY_KEY``), else by asking
    on the terminal; exits with a message saying how otherwise."""
    from app.domain.errors import DomainError
    from app.security.keyslots import KeySlotsError

    keys = services.keys
    if keys is None or not services.store.is_locked:
        return
    user = os.environ.get("HWC_SPOKE_USER", "")
    password = os.environ.get("HWC_SPOKE_PASSWORD", "")
    recovery = os.environ.get("HWC_SPOKE_RECOVERY_KEY", "")
    if not (user and password) and not recovery:
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
            services.auth.login(user, password)
        else:
            keys.unlock_with_recovery(recovery)
    except (DomainError, KeySlotsError) as exc:
        services.close()
        why = exc.message if isinstance(exc, DomainError) else str(exc)
        print(f"{command}: cannot unlock the clinic database: {why}", file=sys.stderr)
        sys.exit(EXIT_LOCKED)


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
        services.devices.start()  # drivers run on their own threads; nothing here waits
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


def cmd_sync(args: argparse.Namespace) -> int:
    """One full sync round, headless; the exit code says whether it succeeded."""
    import json

    from app.domain.errors import DomainError

    data_dir = resolve_data_dir(args)
    setup_logging(data_dir, args.verbose)
    with open_services(data_dir, headless=True) as services:
        unlock_headless(services, "sync")
        try:
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
