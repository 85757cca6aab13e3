"""``hub`` subcommands (``python main.py hub ...`` or ``python -m hub.cli ...``).

``serve`` runs the hub; ``enrol-token`` prints a one-time enrolment token for a clinic;
``tokens``, ``stats``, ``new-epoch`` and ``user ...`` (hub users and the staff accounts handed
down to spokes) open the database, do one thing, print JSON on stdout and exit.
``update-keys``, ``publish-update`` and ``refresh-updates`` are the release manager's (no
database; hub/updates_cli.py, docs/UPDATES.md). The database
is ``--db URL``, else the ``HUB_DB`` environment variable, else ``sqlite:///hub.sqlite3`` (a
file in the current directory).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import segno

from hub.enrolment import DEFAULT_VALID_DAYS, MAX_VALID_DAYS, NoAddress, issue_token
from hub.server import DEFAULT_BIND, serve
from hub.storage import HubStore, HubStoreError, open_store
from hub.updates_cli import add_update_commands

DEFAULT_DB = "sqlite:///hub.sqlite3"
DB_ENV = "HUB_DB"
PASSWORD_ENV = "HUB_USER_PASSWORD"
USER_ROLES = ("hub_admin", "specialist", "paramedic", "generalist", "admin")


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False))


def _with_store(args: argparse.Namespace, action: Callable[[HubStore], int]) -> int:
    store = open_store(args.db)
    try:
        return action(store)
    finally:
        store.close()


def cmd_serve(args: argparse.Namespace) -> int:
    if (args.cert is None) != (args.key is None):
        print("hub: give both --cert and --key, or neither", file=sys.stderr)
        return 2
    serve(
        args.db,
        args.bind,
        name=args.name,
        address=args.address,
        names=args.san,
        cert_file=args.cert,
        key_file=args.key,
        insecure_http=args.insecure_http,
        updates_dir=args.updates,
    )
    return 0


def cmd_enrol_token(args: argparse.Namespace) -> int:
    def run(store: HubStore) -> int:
        try:
            issued = issue_token(
                store, args.facility, valid_days=args.valid_days, address=args.address
            )
        except NoAddress as exc:
            print(f"hub: {exc} with --address", file=sys.stderr)
            return 2
        print(issued.text)
        print(
            f"One-time token for {issued.facility!r}, valid until "
            f"{issued.expires_at:%Y-%m-%d %H:%M} UTC. On the clinic PC: "
            "main.py enrol --token TOKEN",
            file=sys.stderr,
        )
        if args.qr:
            segno.make(issued.text, error="m").save(args.qr, scale=8, border=4)
            print(f"QR code written to {args.qr}", file=sys.stderr)
        return 0

    return _with_store(args, run)


def cmd_tokens(args: argparse.Namespace) -> int:
    def run(store: HubStore) -> int:
        _print_json(store.enrol_tokens())
        return 0

    return _with_store(args, run)


def cmd_stats(args: argparse.Namespace) -> int:
    def run(store: HubStore) -> int:
        _print_json(store.stats())
        return 0

    return _with_store(args, run)


def cmd_new_epoch(args: argparse.Namespace) -> int:
    def run(store: HubStore) -> int:
        _print_json({"epoch": store.new_epoch()})
        return 0

    return _with_store(args, run)


class _NoPassword(Exception):
    """No password in the environment and no terminal to ask on."""


def _read_password() -> str:
    """From ``$HUB_USER_PASSWORD``, else asked twice on the terminal; never an argument, which
    would stay in the shell history and show in the process list."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise _NoPassword(f"set {PASSWORD_ENV} or run this on a terminal to be asked")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _user_doc(store: HubStore, username: str) -> dict[str, Any]:
    wanted = username.strip().lower()
    return next(u for u in store.users() if u["username"] == wanted)


def cmd_user(args: argparse.Namespace) -> int:
    def run(store: HubStore) -> int:
        action: str = args.user_action
        try:
            if action == "list":
                _print_json(store.users(args.spoke))
                return 0
            if action == "add":
                password = _read_password()
                store.add_user(
                    args.username,
                    args.name,
                    args.role,
                    password,
                    spoke_id=args.spoke,
                    registration_no=args.registration_no,
                    specialty=args.specialty,
                    registration_council=args.council,
                    qualification=args.qualification,
                )
            elif action in ("enable", "disable"):
                store.set_user_active(args.username, action == "enable")
            else:  # set-password (a specialist: a new signing key, the old one revoked)
                if not any(u["username"] == args.username.strip().lower() for u in store.users()):
                    raise KeyError(args.username)  # before asking for a password in vain
                store.set_user_password(args.username, _read_password())
        except _NoPassword as exc:
            print(f"hub: no password: {exc}", file=sys.stderr)
            return 2
        except KeyError:
            print(f"hub: no hub user named {args.username!r}", file=sys.stderr)
            return 2
        _print_json(_user_doc(store, args.username))
        if action == "add" and args.spoke:
            print("The account reaches the spoke at its next sync.", file=sys.stderr)
        return 0

    return _with_store(args, run)


def _add_user_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], db: argparse.ArgumentParser
) -> None:
    user = sub.add_parser(
        "user",
        help="manage hub users and the staff accounts handed down to spokes",
        description="Hub users: hub_admin and specialist work at the hub; paramedic, "
        "generalist and admin are a spoke's staff, handed down to that spoke at its next "
        f"sync so that they can log in there offline. Passwords come from ${PASSWORD_ENV}, "
        "else they are asked for twice on the terminal.",
    )
    actions = user.add_subparsers(title="actions", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[db], help="add a user (prints it as JSON)")
    add.add_argument("--username", required=True, help="2-32 of a-z, 0-9, '.', '_', '-'")
    add.add_argument("--name", required=True, help="the full name people see")
    add.add_argument("--role", required=True, choices=USER_ROLES)
    add.add_argument(
        "--spoke", metavar="SPOKE_ID", help="the spoke of a paramedic, generalist or admin"
    )
    add.add_argument(
        "--registration-no", default="", metavar="N", help="a specialist's medical registration"
    )
    add.add_argument("--specialty", default="", metavar="S", help="a specialist's specialty")
    add.add_argument(
        "--council", default="", metavar="C", help="the council a specialist is registered with"
    )
    add.add_argument(
        "--qualification", default="", metavar="Q", help="a specialist's degrees, e.g. 'MBBS, MD'"
    )
    add.set_defaults(func=cmd_user, user_action="add")
    listing = actions.add_parser("list", parents=[db], help="list users as JSON")
    listing.add_argument("--spoke", metavar="SPOKE_ID", help="only this spoke's staff")
    listing.set_defaults(func=cmd_user, user_action="list")
    for action, text in (
        ("disable", "switch an account off (a spoke's staff: at its next sync)"),
        ("enable", "switch an account on again"),
        ("set-password", "give an account a new password"),
    ):
        one = actions.add_parser(action, parents=[db], help=text)
        one.add_argument("username")
        one.set_defaults(func=cmd_user, user_action=action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py hub",
        description="The reference hub that spokes sync with (docs/SYNC.md).",
        epilog=f"DATABASE: --db URL, else ${DB_ENV}, else {DEFAULT_DB} (in the current folder). "
        "URLs: sqlite:///relative/path, sqlite:////absolute/path, postgresql://user@host/db.",
    )
    sub = parser.add_subparsers(title="subcommands", metavar="COMMAND", required=True)
    # --db is accepted after the subcommand (where people type it), with the same default.
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument(
        "--db",
        metavar="URL",
        default=os.environ.get(DB_ENV, DEFAULT_DB),
        help=f"the hub database (${DB_ENV}, else {DEFAULT_DB})",
    )

    serve_cmd = sub.add_parser(
        "serve",
        parents=[db],
        help="serve the sync API over HTTPS until Ctrl+C",
        description="Serve the sync API over HTTPS. On first start the hub creates its own "
        "certificate authority and keeps it in the database; enrolment tokens pin it.",
    )
    serve_cmd.add_argument(
        "--bind", metavar="HOST:PORT", default=DEFAULT_BIND, help="where to listen (%(default)s)"
    )
    serve_cmd.add_argument(
        "--name", default="HWC Hub", help="the name /v1/meta reports (%(default)s)"
    )
    serve_cmd.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="the address spokes reach this hub at, put in enrolment tokens and the "
        "certificate (default: the bind address, or this machine's main address)",
    )
    serve_cmd.add_argument(
        "--san",
        metavar="NAME",
        action="append",
        default=[],
        help="another host name or address the certificate should carry (repeatable)",
    )
    serve_cmd.add_argument("--cert", type=Path, help="serve the operator's certificate chain")
    serve_cmd.add_argument("--key", type=Path, help="the private key of --cert")
    serve_cmd.add_argument(
        "--insecure-http",
        action="store_true",
        help="plain HTTP (only behind a TLS-terminating proxy, or for development)",
    )
    serve_cmd.add_argument(
        "--updates",
        type=Path,
        metavar="DIR",
        help="also serve this update repository, read-only, at /v1/updates/ (docs/UPDATES.md)",
    )
    serve_cmd.set_defaults(func=cmd_serve)

    token = sub.add_parser(
        "enrol-token",
        parents=[db],
        help="print a one-time enrolment token for a clinic",
        description="Print a one-time enrolment token on stdout: the hub's address, the pin "
        "of its certificate and a one-time secret. A spoke enrols with it "
        "(main.py enrol --token TOKEN) and gets its own credentials; the token then stops "
        "working.",
    )
    token.add_argument("--facility", required=True, help="the clinic's name, for people")
    token.add_argument(
        "--address", metavar="HOST:PORT", help="the hub's address (default: the one it serves at)"
    )
    token.add_argument(
        "--valid-days",
        type=int,
        default=DEFAULT_VALID_DAYS,
        choices=range(1, MAX_VALID_DAYS + 1),
        metavar="DAYS",
        help="how long the token can be used (%(default)s days; 1-90)",
    )
    token.add_argument("--qr", metavar="FILE", help="also write it as a QR code (.png or .svg)")
    token.set_defaults(func=cmd_enrol_token)

    tokens = sub.add_parser(
        "tokens", parents=[db], help="list enrolment tokens (used, unused, expired) as JSON"
    )
    tokens.set_defaults(func=cmd_tokens)

    stats = sub.add_parser("stats", parents=[db], help="print the database's counts as JSON")
    stats.set_defaults(func=cmd_stats)

    new_epoch = sub.add_parser(
        "new-epoch",
        parents=[db],
        help="give the database a new epoch: run it after restoring a backup",
        description="Give the database a new epoch. Run it after restoring the database from "
        "a backup: spokes that see the new epoch pull again from 0 and push again every op "
        "they had pushed, so nothing acknowledged after the backup is lost.",
    )
    new_epoch.set_defaults(func=cmd_new_epoch)
    _add_user_parser(sub, db)
    add_update_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``hub`` subcommand; the exit status (0 ok, 1 storage failure, 2 usage)."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    if words and words[0].startswith("-") and words[0] not in ("-h", "--help"):
        words.insert(0, "serve")  # "hub --db URL --bind HOST:PORT" serves, as people expect
    args = parser.parse_args(words)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ValueError as exc:  # a database URL or bind address that makes no sense
        print(f"hub: {exc}", file=sys.stderr)
        return 2
    except HubStoreError as exc:
        print(f"hub: the database is unavailable: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
