"""The support bundle: one zip that field IT send to support, with no patient data and no keys.

What goes in (docs/FIELD_IT.md, "The support bundle"):

- ``README.txt``: what the bundle is and what it never holds;
- ``diagnostics.json`` and ``diagnostics.txt``: the diagnostics run (``app.services.diagnostics``);
- ``versions.json``;
- ``logs/``: the data folder's log files, written free of patient data (``app.logfile``);
- ``updates/``: the update launcher's log and ``state.json`` (versions and outcomes only,
  docs/UPDATES.md), when this PC has them;
- ``preferences.json``: this PC's preferences file as it is (the interface language: it is
  read before anyone signs in, and holds nothing clinical by design);
- ``settings.json``: the settings and sync bookkeeping named in ``SETTINGS_ALLOWED`` and
  ``STATE_ALLOWED``, nothing else. An allow-list, not a deny-list: the settings table also
  holds the sync secret, a half-done enrolment's secret and unfinished registration forms
  (patient data), and whatever is added to it later stays out until someone decides it may go;
- ``sync.json``: the sync log (times and codes), the outbox counted by op and state, the
  hub's refusals counted by reason code (no payloads, no record ids);
- ``audit.json``: the audit trail counted by action, and whether its chain is intact (no
  entries: they carry record ids).

Never: the database, attachments, ``keyslots.json``, the database key, the sync secret.

The zip is written under a temporary name in the target folder and renamed when complete, so
a bundle that is there is whole. Errors are ``DomainError``: ``bundle.folder_missing``,
``bundle.disk_full``, ``bundle.write_failed`` (params ``folder``). When the database is open,
an ``export`` audit entry (entity ``support_bundle``) records that a bundle was made.

Threading: blocking file and database work; a worker thread.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from app.domain.audit import Action
from app.domain.errors import DomainError
from app.domain.models import User
from app.store import audit, settings, sync_log
from app.store.db import Store
from app.updates import launch

if TYPE_CHECKING:
    from app.services.diagnostics import Report

log = logging.getLogger(__name__)

LOG_FOLDER = "logs"
PREFERENCES_FILE = "preferences.json"

# Settings that may leave the PC: what field IT need to know which hub, which spoke, which
# language and lock time. Not sync.secret, not sync.pending_enrolment (a secret too), not
# form.registration.* (a half-typed patient), not whatever comes next.
SETTINGS_ALLOWED = frozenset(
    {
        "sync.hub_url",
        "sync.spoke_id",
        "sync.facility",
        "sync.hub_name",
        "sync.hub_signing_key",  # the hub's public key
        "ui.language",
        "session.lock_after_minutes",
    }
)
# Sync bookkeeping that may leave the PC: times, cursors, sizes, codes.
STATE_ALLOWED = frozenset(
    {
        "sync.epoch",
        "sync.pull_cursor",
        "sync.clock_offset_s",
        "sync.push_batch",
        "sync.blob_chunk",
        "sync.last_success_at",
        "sync.last_success_hub_time",
        "sync.rx_anchor_at",
        "sync.last_attempt_at",
        "sync.last_error_code",
        "sync.offline_since",
        "outbox.last_seq",
    }
)
_BLOB_STATE_PREFIX = "sync.blob."  # one per upload: counted, never listed (names are hashes)

README = """HWC Spoke support bundle

Made by HWC Spoke {app} at {made} for the data folder {folder}.

It holds: the diagnostics (diagnostics.txt, diagnostics.json), versions, the log files
(logs/, written without patient data), this PC's preferences, the settings that are not
secret (an allow-list), the sync log (times, codes and counts), the audit trail counted by
action.

It never holds: the clinic database, attachments, patient data, the key file
(keyslots.json), the database key, the hub credentials.
"""


def _folder_of(target: Path) -> str:
    return str(target.parent)


def _error(code: str, message: str, target: Path) -> DomainError:
    return DomainError(code, message, {"folder": _folder_of(target)})


def write(
    target: Path,
    *,
    data_dir: Path,
    store: Store | None,
    report: Report,
    actor: User | None,
    now: datetime,
) -> Path:
    """Write the bundle to ``target`` (replacing a file of that name); returns its path."""
    target = Path(target).expanduser().absolute()
    folder = target.parent
    if not folder.is_dir():
        raise _error(
            "bundle.folder_missing",
            f"The folder {folder} is not there: choose another one.",
            target,
        )
    members = _members(data_dir, store, report, now)
    try:
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=".hwc-support-", suffix=".part")
    except OSError as exc:
        raise _write_error(exc, target) from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, content in members.items():
                zf.writestr(name, content)
            for name, path in [*_log_files(data_dir), *_update_files()]:
                try:
                    zf.write(path, name)
                except FileNotFoundError:  # rotated away meanwhile
                    continue
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _write_error(exc, target) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if store is not None and not store.is_locked:
        audit.record(store, actor, Action.EXPORT, "support_bundle", now=now)
    log.info("support bundle written (%d bytes)", target.stat().st_size)
    return target


def _write_error(exc: OSError, target: Path) -> DomainError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _error(
            "bundle.disk_full",
            f"The drive holding {target.parent} is full: the support bundle was not written.",
            target,
        )
    return _error(
        "bundle.write_failed",
        f"The support bundle could not be written to {target.parent} "
        f"({exc.strerror or type(exc).__name__}).",
        target,
    )


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _members(
    data_dir: Path, store: Store | None, report: Report, now: datetime
) -> dict[str, bytes]:
    from app import __version__

    versions = report.check("versions").data
    members: dict[str, bytes] = {
        "README.txt": README.format(
            app=__version__, made=now.isoformat(timespec="seconds"), folder=data_dir
        ).encode("utf-8"),
        "diagnostics.json": _json(report.to_dict()),
        "diagnostics.txt": report.to_text().encode("utf-8"),
        "versions.json": _json(dict(versions)),
    }
    prefs = data_dir / PREFERENCES_FILE
    if prefs.is_file():
        members[PREFERENCES_FILE] = prefs.read_bytes()
    if store is not None and not store.is_locked:
        settings_doc, sync_doc, audit_doc = store.read(_store_documents)
        members["settings.json"] = _json(settings_doc)
        members["sync.json"] = _json(sync_doc)
        members["audit.json"] = _json(audit_doc)
    else:
        why = {"not_included": "the clinic database was locked or not there"}
        for name in ("settings.json", "sync.json", "audit.json"):
            members[name] = _json(why)
    return members


def _log_files(data_dir: Path) -> list[tuple[str, Path]]:
    folder = data_dir / LOG_FOLDER
    if not folder.is_dir():
        return []
    return [(f"{LOG_FOLDER}/{p.name}", p) for p in sorted(folder.iterdir()) if p.is_file()]


def _update_files() -> list[tuple[str, Path]]:
    root = launch.default_root()
    if root is None:
        return []
    names = (launch.LOG_FILE, launch.STATE_FILE)
    return [(f"updates/{name}", root / name) for name in names if (root / name).is_file()]


def _store_documents(
    db: sqlite_utils.Database,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    return _settings_document(db), _sync_document(db), _audit_document(db)


def _settings_document(db: sqlite_utils.Database) -> dict[str, Any]:
    chosen = {key: settings.get(db, key) for key in sorted(SETTINGS_ALLOWED)}
    state = {key: settings.get_state(db, key) for key in sorted(STATE_ALLOWED)}
    uploads = db.execute(
        "SELECT COUNT(*), SUM(json_extract(value, '$.done') = 1), "
        "SUM(COALESCE(json_extract(value, '$.error'), '') != '') "
        "FROM sync_state WHERE key LIKE ?",
        [_BLOB_STATE_PREFIX + "%"],
    ).fetchone()
    left_out = db.execute("SELECT COUNT(*) FROM settings").fetchone()[0] - sum(
        1 for v in chosen.values() if v is not None
    )
    return {
        "settings": {k: v for k, v in chosen.items() if v is not None},
        "sync_state": {k: v for k, v in state.items() if v is not None},
        "photo_uploads": {
            "tracked": int(uploads[0] or 0),
            "done": int(uploads[1] or 0),
            "failed": int(uploads[2] or 0),
        },
        "settings_left_out": int(left_out),  # secrets and drafts: counted, never shown
    }


def _sync_document(db: sqlite_utils.Database) -> dict[str, Any]:
    entry = sync_log.read(db)
    by_op: dict[str, dict[str, int]] = {}
    for op, state, n in db.execute(
        "SELECT op, state, COUNT(*) FROM outbox GROUP BY op, state ORDER BY op, state"
    ).fetchall():
        by_op.setdefault(str(op), {})[str(state)] = int(n)
    refused: dict[str, int] = {}
    for item in sync_log.rejected(db, limit=100_000):
        key = item.reason_code or "(no code)"
        refused[key] = refused.get(key, 0) + 1
    pending = sync_log.pending_by_class(db)
    return {
        "last_success_at": _iso(entry.last_success_at),
        "last_success_hub_time": _iso(entry.last_success_hub_time),
        "last_attempt_at": _iso(entry.last_attempt_at),
        "last_error_code": entry.last_error_code,
        "offline_since": _iso(entry.offline_since),
        "clock_offset_s": entry.clock_offset_s,
        "pending_records": pending.records,
        "pending_photos": pending.photos,
        "outbox_by_op": by_op,
        "refused_by_reason": refused,
    }


def _audit_document(db: sqlite_utils.Database) -> dict[str, Any]:
    counts: Mapping[str, int] = {
        str(action): int(n)
        for action, n in db.execute(
            "SELECT action, COUNT(*) FROM audit_log GROUP BY action ORDER BY action"
        ).fetchall()
    }
    first, last = db.execute("SELECT MIN(at), MAX(at) FROM audit_log").fetchone()
    check = audit.verify(db)
    return {
        "entries": sum(counts.values()),
        "by_action": dict(counts),
        "first_at": first,
        "last_at": last,
        "chain_intact": check.intact,
        "chain_broken_at": check.broken_at,
    }


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat()
