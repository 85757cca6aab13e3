"""Provisioning: the installer hands the app the hub's enrolment token, and the app enrols by
itself (docs/SYNC.md, "Provisioning").

The installer (or ``python main.py provision FILE``) leaves a small INI file::

    [enrolment]
    token = hub.example.org:8765/K7QM-....
    ; optional: reach the hub at another https address than the token's
    hub = https://10.0.0.5:8765

``candidates`` lists where it is looked for, in order: the path in ``HWC_SPOKE_PROVISIONING``,
the per-machine file (``machine_path``: ``%PROGRAMDATA%\\HWC Spoke\\provisioning.ini`` on
Windows, ``/etc/hwc-spoke/provisioning.ini`` elsewhere), then ``<data folder>/provisioning.ini``.
The first that exists is used.

The data folder is encrypted and locked until a staff member signs in, so the token cannot
go anywhere safe before that. ``ProvisioningService.consume`` runs once the store is open (a
sign-in in the app: ``after_sign_in``; a headless command): on a PC not enrolled yet it moves
the token into the pending enrolment inside the encrypted database
(``app.sync.enrolment.hold_in``), deletes the file and syncs its folder, and the sync worker
then enrols with it on its usual timer and backoff (``SyncService.enrol_held``) until the hub
answers. Success forgets the token in the database too; a refusal that no retry can change
(``app.services.sync.ENROL_FINAL``) forgets it and is shown on the Sync page.

A file that cannot be deleted (no rights) is reported to the administrator and in the log;
the hash of its token is kept (``KEY_CONSUMED``) so the same file never starts a second
enrolment. On a PC already enrolled, a file for the same hub (same certificate pin or address)
is stale and deleted; one for another hub is left alone and reported: moving a clinic is an
administrator's explicit act (``reprovision``), never a side effect of a file.

``reprovision`` moves an enrolled clinic to another hub (``Permission.MANAGE_SETTINGS``): it
refuses while records or photos are still unsent (``provision.unsent_data``) unless forced,
enrols with the new hub like any enrolment (the certificate is checked against the token's
pin), and only then, in one transaction, replaces the credentials and makes the whole outbox
due again for the new hub (see docs/SYNC.md, "Moving a clinic to another hub", for why).

Codes: ``provision.malformed`` (``path``, ``message``), ``provision.unreadable`` (``path``),
``provision.undeletable`` (``path``), ``provision.other_hub`` (``hub``, ``current``),
``provision.unsent_data`` (``records``, ``photos``), the domain's ``token.*`` for a token in
the file that is mistyped, and ``services.sync``'s enrolment codes.

Threading: file and store access, and network in ``reprovision``: never on the GUI thread.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import sqlite_utils

from app.domain import audit as audit_rules
from app.domain import enrolment as token_format
from app.domain.enrolment import EnrolmentToken
from app.domain.errors import DomainError
from app.domain.models import User
from app.durable import fsync_dir
from app.security.permissions import Permission, allowed, require
from app.services.clock import Clock
from app.services.keys import KeyService
from app.services.sync import SyncService, decode_token, enrol_failure
from app.store import audit, outbox, settings, sync_log
from app.store.db import Store
from app.sync import credentials, engine, enrolment

log = logging.getLogger(__name__)

# -- the contract with the installer (docs/SYNC.md, "Provisioning") ---------------------------

FILE_NAME: Final = "provisioning.ini"
ENV_VAR: Final = "HWC_SPOKE_PROVISIONING"  # a path: tests, field IT
WINDOWS_FOLDER: Final = "HWC Spoke"  # under %PROGRAMDATA%
WINDOWS_PROGRAMDATA: Final = r"C:\ProgramData"  # when %PROGRAMDATA% is not set
POSIX_PATH: Final = "/etc/hwc-spoke/provisioning.ini"
SECTION: Final = "enrolment"
KEY_TOKEN: Final = "token"
KEY_HUB: Final = "hub"
MAX_FILE_BYTES: Final = 16 * 1024  # a token and an address; anything larger is not ours
FILE_MODE: Final = 0o600

# Settings key: the hash of the last token taken from a file (never the token), so a file
# that could not be deleted does not start a second enrolment.
KEY_CONSUMED: Final = "provision.consumed"

# Sync bookkeeping that belongs to one hub; a move to another starts it again.
_HUB_STATE_KEYS: Final = (
    engine.KEY_EPOCH,
    engine.KEY_CURSOR,
    engine.KEY_CLOCK_OFFSET,
    engine.KEY_LAST_SUCCESS,
    engine.KEY_LAST_SUCCESS_HUB,
    engine.KEY_RX_ANCHOR,
    sync_log.KEY_LAST_ATTEMPT,
    sync_log.KEY_LAST_ERROR_CODE,
    sync_log.KEY_LAST_ERROR,
    sync_log.KEY_OFFLINE_SINCE,
)


def machine_path(platform: str = sys.platform, environ: Mapping[str, str] | None = None) -> Path:
    """Where the installer writes the file for every user of this computer."""
    env = os.environ if environ is None else environ
    if platform == "win32":
        base = env.get("PROGRAMDATA") or WINDOWS_PROGRAMDATA
        return Path(base) / WINDOWS_FOLDER / FILE_NAME
    return Path(POSIX_PATH)


def candidates(
    data_dir: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    machine: Path | None = None,
) -> list[Path]:
    """Where a provisioning file is looked for, in order (``machine`` None: this platform's
    per-machine path)."""
    env = os.environ if environ is None else environ
    found: list[Path] = []
    chosen = env.get(ENV_VAR, "").strip()
    if chosen:
        found.append(Path(chosen).expanduser())
    found.append(machine if machine is not None else machine_path(environ=env))
    if data_dir is not None:
        found.append(data_dir / FILE_NAME)
    return found


# -- the file ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Provisioning:
    """A provisioning file's content; ``path`` is where it was read."""

    path: Path
    token: EnrolmentToken  # its repr leaves out the secret
    hub_url: str | None = None

    @property
    def url(self) -> str:
        """The address the app will contact."""
        return self.hub_url or self.token.url


def _malformed(path: Path, why: str) -> DomainError:
    return DomainError(
        "provision.malformed",
        f"The provisioning file {path} is not usable: {why}.",
        {"path": str(path), "message": why},
    )


def _text_of(raw: bytes, path: Path) -> str:
    """The file as text: UTF-8 (with or without a BOM) or UTF-16 with a BOM, as Windows tools
    write INI files."""
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _malformed(path, "it is not text (UTF-8 or UTF-16)") from None


def parse(text: str, path: Path) -> Provisioning:
    """Read a provisioning file's text; ``provision.malformed``, or the domain's ``token.*``
    error for a token that is mistyped."""
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=(";", "#"))
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise _malformed(path, f"it is not an INI file ({exc.message.splitlines()[0]})") from None
    if not parser.has_section(SECTION):
        raise _malformed(path, f"it has no [{SECTION}] section")
    section = parser[SECTION]
    unknown = sorted(set(section) - {KEY_TOKEN, KEY_HUB})
    if unknown:
        raise _malformed(path, f"[{SECTION}] has unknown keys: {', '.join(unknown)}")
    token_text = section.get(KEY_TOKEN, "").strip()
    if not token_text:
        raise _malformed(path, f"[{SECTION}] has no {KEY_TOKEN} = ...")
    token = token_format.decode(token_text)  # TokenError: the domain's own codes and words
    hub = section.get(KEY_HUB, "").strip().rstrip("/") or None
    if hub is not None and (not hub.startswith("https://") or len(hub) <= len("https://")):
        raise _malformed(path, f"{KEY_HUB} must be an https:// address, not {hub!r}")
    return Provisioning(path, token, hub)


def read(path: Path) -> Provisioning:
    """Read and check the file at ``path`` (``provision.unreadable`` when it cannot be read)."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DomainError(
            "provision.unreadable",
            f"The provisioning file {path} cannot be read: {exc.strerror or exc}.",
            {"path": str(path)},
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise _malformed(path, f"it is larger than {MAX_FILE_BYTES} bytes")
    return parse(_text_of(raw, path), path)


def render(provisioning: Provisioning) -> str:
    """The file's text, as ``write_into`` writes it."""
    lines = [f"[{SECTION}]", f"{KEY_TOKEN} = {token_format.encode(provisioning.token)}"]
    if provisioning.hub_url:
        lines.append(f"{KEY_HUB} = {provisioning.hub_url}")
    return "\n".join(lines) + "\n"


def write_into(data_dir: Path, source: Path) -> Provisioning:
    """Check the file at ``source`` and copy it into ``data_dir`` (owner-only rights, written
    whole or not at all). Nothing is written when it is not usable."""
    checked = read(source)
    target = data_dir / FILE_NAME
    temporary = data_dir / (FILE_NAME + ".new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(render(checked))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, FILE_MODE)  # whatever the umask did
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(data_dir)
    return Provisioning(target, checked.token, checked.hub_url)


def remove(path: Path) -> bool:
    """Delete the file and make the deletion durable; False when it could not be deleted."""
    try:
        path.unlink()
    except FileNotFoundError:
        return True
    except OSError as exc:
        log.error("could not delete the provisioning file %s: %s", path, exc.strerror or exc)
        return False
    _sync_folder(path.parent)
    return True


def _sync_folder(folder: Path) -> None:
    """Best effort: the file is already gone; a folder that cannot be flushed changes nothing."""
    with contextlib.suppress(OSError):
        fsync_dir(folder)


# -- the service ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``consume`` did. ``action``: ``none`` (no file), ``locked`` (the store is not
    open, or not encrypted yet), ``held`` (a token waits for the worker: taken now or
    earlier), ``spent`` (a file whose token was taken before and is not waiting any more),
    ``stale`` (a file for the hub this PC is enrolled with), ``ignored`` (a file for another
    hub), ``invalid``.
    ``notice`` is what the administrator should be told (None: nothing)."""

    action: str
    hub: str | None = None
    path: Path | None = None
    notice: DomainError | None = field(default=None)


def _undeletable(path: Path) -> DomainError:
    return DomainError(
        "provision.undeletable",
        f"The provisioning file {path} could not be deleted (no rights). It will not be used "
        "again; ask field IT to delete it.",
        {"path": str(path)},
    )


class ProvisioningService:
    def __init__(
        self,
        store: Store,
        sync: SyncService,
        clock: Clock,
        data_dir: Path | None,
        *,
        keys: KeyService | None = None,
        machine_file: Path | None = None,
    ) -> None:
        self._store = store
        self._keys = keys
        self._sync = sync
        self._clock = clock
        self._data_dir = data_dir
        self._machine_file = machine_file

    def find(self) -> Path | None:
        """The provisioning file in effect (the first of ``candidates`` that exists)."""
        for path in candidates(self._data_dir, machine=self._machine_file):
            if path.is_file():
                return path
        return None

    # -- at sign-in --------------------------------------------------------------------------

    def after_sign_in(self, user: User) -> Outcome:
        """What a completed sign-in runs (off the GUI thread): take a provisioning file, then
        start the sync worker (which enrols with a held token). ``notice`` is kept only for
        someone who manages this PC's settings; everyone else just gets the worker."""
        try:
            outcome = self.consume()
        except Exception:  # a bug or a store failure must not stop syncing from starting
            log.exception("could not read the provisioning file")
            outcome = Outcome("none")
        self._sync.start_worker()
        if outcome.notice is not None and not allowed(user, Permission.MANAGE_SETTINGS):
            return Outcome(outcome.action, outcome.hub, outcome.path)
        return outcome

    def consume(self) -> Outcome:
        """Take a provisioning file into the encrypted database (see the module docstring).
        Needs the store open; returns what it did."""
        if self._store.is_locked or (self._keys is not None and not self._keys.unlocked):
            # Locked, or a plaintext folder not yet encrypted (a new one opened by a command
            # without a window, an upgrading PC): the token waits in its file until the
            # database it would move into is encrypted.
            return Outcome("locked")
        path = self.find()
        if path is None:
            held = self._sync.held_enrolment()
            return Outcome("held" if held is not None else "none")
        try:
            found = read(path)
        except DomainError as exc:
            log.warning("provisioning file %s not used: %s", path, exc.message)
            return Outcome("invalid", path=path, notice=exc)
        digest = enrolment.token_hash(found.token)
        creds = credentials.load(self._store)
        consumed = self._store.read(lambda db: settings.get(db, KEY_CONSUMED))
        if creds is not None:
            if digest != consumed and not _same_hub(found, creds):
                log.warning(
                    "provisioning file %s names %s; this PC is enrolled with %s: left alone",
                    path,
                    found.url,
                    creds.hub_url,
                )
                return Outcome(
                    "ignored",
                    found.url,
                    path,
                    DomainError(
                        "provision.other_hub",
                        f"This PC is enrolled with the hub at {creds.hub_url}; the "
                        f"provisioning file {path} names the hub at {found.url} and was not "
                        "used. To move this clinic, use Move to another hub on the Sync page.",
                        {"hub": found.url, "current": creds.hub_url, "path": str(path)},
                    ),
                )
            log.info("provisioning file %s is for the hub this PC is enrolled with", path)
            return self._removed(Outcome("stale", found.url, path))
        if digest == consumed:  # taken before; the file could not be deleted then
            held = self._sync.held_enrolment()
            return self._removed(Outcome("held" if held else "spent", found.url, path))

        def take(db: sqlite_utils.Database) -> None:
            enrolment.hold_in(db, found.token, found.hub_url)
            settings.put(db, KEY_CONSUMED, digest)

        self._store.write(take)
        log.info("took the enrolment token for %s from %s", found.url, path)
        return self._removed(Outcome("held", found.url, path))

    def _removed(self, outcome: Outcome) -> Outcome:
        assert outcome.path is not None
        if remove(outcome.path):
            return outcome
        return Outcome(outcome.action, outcome.hub, outcome.path, _undeletable(outcome.path))

    # -- moving to another hub ---------------------------------------------------------------

    def reprovision(
        self, actor: User, token_text: str, hub_url: str | None = None, *, force: bool = False
    ) -> enrolment.Enrolled:
        """Move this clinic to the hub in ``token_text`` (blocking: network). Refuses while
        records or photos are unsent (``provision.unsent_data``) unless ``force``. The old
        enrolment stays in force until the new hub has accepted this PC; then, in one
        transaction, the new credentials replace it and every op of the outbox is due again
        for the new hub (docs/SYNC.md, "Moving a clinic to another hub")."""
        require(actor, Permission.MANAGE_SETTINGS)
        token = decode_token(token_text)
        current = credentials.load(self._store)
        if current is None:  # nothing to move: an ordinary enrolment
            return self._sync.enrol(actor, token_text, hub_url)
        pending = self._store.read(sync_log.pending_by_class)
        if (pending.records or pending.photos) and not force:
            raise DomainError(
                "provision.unsent_data",
                f"{pending.records} record(s) and {pending.photos} photo(s) have not reached "
                f"the hub at {current.hub_url} yet. Sync first, or move anyway.",
                {"records": pending.records, "photos": pending.photos},
            )
        # No round may run against the old hub while the outbox is made due again for the new
        # one (an op acknowledged by the old hub afterwards would never reach the new one).
        was_running = self._sync.worker_running()
        if not self._sync.stop_worker(timeout=30.0):
            if was_running:  # a request stuck on the wire: syncing goes on as before
                self._sync.start_worker()
            raise DomainError(
                "sync.already_running",
                "A sync is still running. Wait until it ends, then try again.",
            )
        try:
            try:
                done = enrolment.enrol(self._store, token, hub_url or None, after=_start_over)
            except enrolment.EnrolmentFailed as exc:
                raise enrol_failure(exc, hub_url or token.url) from None
        finally:
            if was_running:
                self._sync.start_worker()
        log.warning(
            "moved from the hub at %s (spoke %s) to %s (spoke %s)%s",
            current.hub_url,
            current.spoke_id,
            done.hub_url,
            done.spoke_id,
            f", forced with {pending.records} record(s) and {pending.photos} photo(s) unsent"
            if pending.records or pending.photos
            else "",
        )
        spoke = done.spoke_id if audit_rules.ID_RE.fullmatch(done.spoke_id) else ""
        detail = "moved" + (":forced" if pending.records or pending.photos else "")
        audit.record(
            self._store, actor, audit.Action.ENROL, "spoke", spoke, detail, now=self._clock()
        )
        self._sync.nudge()
        return done


def _same_hub(found: Provisioning, creds: credentials.HubCredentials) -> bool:
    """The file names the hub this PC is enrolled with: the same certificate, or address."""
    if found.url.rstrip("/") == creds.hub_url.rstrip("/"):
        return True
    if not creds.anchor_pem:
        return False
    try:
        return enrolment.anchor_pin(creds.anchor_pem) == found.token.pin
    except enrolment.EnrolmentFailed:
        return False


def _start_over(db: sqlite_utils.Database) -> None:
    """The new hub knows nothing of this clinic: it gets every op again, in the order they
    were made (records before what refers to them), its feed is read from the start, and the
    old hub's bookkeeping goes. Ops the old hub refused stay for a person to look at."""
    outbox.requeue_sent(db)
    outbox.requeue_acked(db)
    db.execute(
        "DELETE FROM sync_state WHERE key IN (SELECT value FROM json_each(?)) OR key LIKE ?",
        [json.dumps(list(_HUB_STATE_KEYS)), engine.BLOB_KEY_PREFIX + "%"],
    )
