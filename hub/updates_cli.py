"""The release manager's ``hub`` commands for signed updates (docs/UPDATES.md):

    main.py hub update-keys --keys KEYS --repo REPO       new keys, and the repository's root
    main.py hub publish-update --repo REPO --keys KEYS --bundle dist/hwc-spoke --version X.Y.Z
    main.py hub refresh-updates --repo REPO --keys KEYS    re-sign timestamp/snapshot (cron)

None of them opens the hub database. tufup (and with it python-tuf) is imported only when one
of them runs, so ``hub serve`` does not pay for it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def _fail(command: str, exc: Exception) -> int:
    print(f"hub {command}: {exc}", file=sys.stderr)
    return 2


def cmd_update_keys(args: argparse.Namespace) -> int:
    from hub import updates_repo

    try:
        made = updates_repo.make_keys(args.keys)
        root = updates_repo.init_repo(args.repo, args.keys)
    except (updates_repo.UpdateRepoError, OSError) as exc:
        return _fail("update-keys", exc)
    print(f"Release keys written to {args.keys}:")
    for role, path in made.items():
        print(f"  {role:9} {path}")
    print(
        f"The repository's trusted root is {root}.\n"
        "  Copy it to installer/update-root.json before building: every build carries it.\n"
        f"  Move {args.keys / 'offline'} to the release manager's encrypted USB drive; the hub\n"
        f"  server may hold {args.keys / 'online'} (for refresh-updates) and the *.pub files only."
    )
    return 0


def cmd_publish_update(args: argparse.Namespace) -> int:
    from hub import updates_repo

    try:
        published = updates_repo.publish(args.repo, args.keys, args.bundle, args.version)
    except (updates_repo.UpdateRepoError, OSError) as exc:
        return _fail("publish-update", exc)
    archive = published.archive.stat().st_size
    print(f"Published {published.version} in {published.seconds:.1f} s:")
    print(f"  archive {published.archive} ({archive:,} bytes)")
    if published.patch is not None:
        print(f"  patch   {published.patch} ({published.patch.stat().st_size:,} bytes)")
    else:
        print("  no patch (the first version in this repository)")
    return 0


def cmd_refresh_updates(args: argparse.Namespace) -> int:
    from hub import updates_repo

    started = time.monotonic()
    try:
        updates_repo.refresh(args.repo, args.keys)
    except (updates_repo.UpdateRepoError, OSError) as exc:
        return _fail("refresh-updates", exc)
    days = updates_repo.EXPIRY_DAYS["timestamp"]
    print(
        f"Timestamp and snapshot re-signed, valid {days} days ({time.monotonic() - started:.1f} s)."
    )
    return 0


def add_update_commands(sub: Any) -> None:
    """Add the commands to ``main.py hub``'s subparsers."""
    keys_help = "the release keys folder (update-keys made it)"
    keys = sub.add_parser(
        "update-keys",
        help="make the signing keys for updates and the update repository's trusted root",
    )
    keys.add_argument("--keys", type=Path, required=True, metavar="DIR", help="new, empty folder")
    keys.add_argument("--repo", type=Path, required=True, metavar="DIR", help="the repository")
    keys.set_defaults(func=cmd_update_keys)

    publish = sub.add_parser(
        "publish-update",
        help="publish a one-folder build as a new version, with a patch from the previous one",
    )
    publish.add_argument("--repo", type=Path, required=True, metavar="DIR")
    publish.add_argument("--keys", type=Path, required=True, metavar="DIR", help=keys_help)
    publish.add_argument(
        "--bundle", type=Path, required=True, metavar="DIR", help="e.g. dist/hwc-spoke"
    )
    publish.add_argument("--version", required=True, metavar="X.Y.Z")
    publish.set_defaults(func=cmd_publish_update)

    refresh = sub.add_parser(
        "refresh-updates",
        help="re-sign the update repository's timestamp and snapshot (online keys; run weekly)",
    )
    refresh.add_argument("--repo", type=Path, required=True, metavar="DIR")
    refresh.add_argument("--keys", type=Path, required=True, metavar="DIR", help=keys_help)
    refresh.set_defaults(func=cmd_refresh_updates)
