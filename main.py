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

This module parses the command line and wires the app: the window, demo mode (seeded data,
simulated devices, an embedded hub) and the hub's own commands. The commands without a window
live in ``app.cli`` (``common``: data folder, log, unlocking; ``clinic``: seed, enrol,
provision, sync; ``records``: verify-rx, audit; ``field_it``: backup, restore, doctor,
support-bundle). Heavy imports (Qt, SQLite layers) happen inside the commands that need them,
so ``--help`` and ``--version`` stay instant and the login window comes up fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.clinic import cmd_enrol, cmd_provision, cmd_seed, cmd_sync
from app.cli.common import (
    open_services,
    print_progress,
    print_recovery_key,
    resolve_data_dir,
    setup_logging,
)
from app.cli.field_it import (
    cmd_backup,
    cmd_backup_verify,
    cmd_doctor,
    cmd_restore,
    cmd_support_bundle,
)
from app.cli.records import cmd_audit, cmd_verify_rx

if TYPE_CHECKING:
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
