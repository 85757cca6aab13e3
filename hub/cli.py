"""``hub`` subcommands (``python main.py hub ...`` or ``python -m hub.cli ...``).

``serve`` runs the hub; ``stats``, ``add-spoke`` and ``new-epoch`` open the database, do one
thing, print JSON on stdout and exit. The database is ``--db URL``, else the ``HUB_DB``
environment variable, else ``sqlite:///hub.sqlite3`` (a file in the current directory).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from hub.server import DEFAULT_BIND, serve
from hub.storage import HubStore, HubStoreError, open_store

DEFAULT_DB = "sqlite:///hub.sqlite3"
DB_ENV = "HUB_DB"


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False))


def _with_store(args: argparse.Namespace, action: Callable[[HubStore], int]) -> int:
    store = open_store(args.db)
    try:
        return action(store)
    finally:
        store.close()


def cmd_serve(args: argparse.Namespace) -> int:
    serve(args.db, args.bind, name=args.name)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    def run(store: HubStore) -> int:
        _print_json(store.stats())
        return 0

    return _with_store(args, run)


def cmd_add_spoke(args: argparse.Namespace) -> int:
    def run(store: HubStore) -> int:
        spoke_id, secret = store.register_spoke(args.name)
        _print_json(
            {
                "name": args.name,
                "spoke_id": spoke_id,
                "secret": secret,
                "token": f"{spoke_id}.{secret}",
            }
        )
        print(
            "Give the token to the spoke now: the hub keeps only a hash of the secret.",
            file=sys.stderr,
        )
        return 0

    return _with_store(args, run)


def cmd_new_epoch(args: argparse.Namespace) -> int:
    def run(store: HubStore) -> int:
        _print_json({"epoch": store.new_epoch()})
        return 0

    return _with_store(args, run)


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
        "serve", parents=[db], help="serve the sync API over plain HTTP until Ctrl+C"
    )
    serve_cmd.add_argument(
        "--bind",
        metavar="HOST:PORT",
        default=DEFAULT_BIND,
        help="where to listen (%(default)s)",
    )
    serve_cmd.add_argument(
        "--name", default="HWC Hub", help="the name /v1/meta reports (%(default)s)"
    )
    serve_cmd.set_defaults(func=cmd_serve)

    stats = sub.add_parser("stats", parents=[db], help="print the database's counts as JSON")
    stats.set_defaults(func=cmd_stats)

    add_spoke = sub.add_parser(
        "add-spoke",
        parents=[db],
        help="register a spoke; prints its id and secret once (stand-in for enrolment tokens)",
        description="Register a spoke and print, once, its spoke_id, secret and the bearer "
        "token (spoke_id.secret) as JSON. The hub keeps only a hash of the secret. This is a "
        "stand-in until enrolment with one-time tokens exists.",
    )
    add_spoke.add_argument("--name", required=True, help="the clinic's name, for people")
    add_spoke.set_defaults(func=cmd_add_spoke)

    new_epoch = sub.add_parser(
        "new-epoch",
        parents=[db],
        help="give the database a new epoch: run it after restoring a backup",
        description="Give the database a new epoch. Run it after restoring the database from "
        "a backup: spokes that see the new epoch pull again from 0 and push again every op "
        "they had pushed, so nothing acknowledged after the backup is lost.",
    )
    new_epoch.set_defaults(func=cmd_new_epoch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``hub`` subcommand; the exit status (0 ok, 1 storage failure, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
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
