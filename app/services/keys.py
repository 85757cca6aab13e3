"""The database key and the slot file of an encrypted data folder (docs/SECURITY.md, "Encryption
at rest: key slots", "In the app").

``KeyService.open_store(data_dir, db_path, log_n=...)`` decides how the store opens:

- a fresh folder (no database, no ``keyslots.json``): a new database key and recovery key, the
  slot file with the recovery slot, the database created keyed. The recovery key waits in
  ``pending_recovery`` to be shown once (``recovery_key_shown`` forgets it).
- ``keyslots.json`` exists: the store opens locked; ``unlock_with_password`` (the login) or
  ``unlock_with_recovery`` (field IT, headless) opens it.
- a plaintext database without ``keyslots.json`` (a PC upgrading): opened plaintext, as before;
  ``upgrade`` encrypts it at the first sign-in, when a password is known.

The database key lives only in this object's memory once unlocked: never written anywhere.
Slot changes (``add_user``, ``remove_user``, ``replace_recovery``) rewrite the slot file
atomically (``keyslots.save``).

Codes: ``keys.no_slot`` (a locked PC, and this account has no slot here yet),
``keys.not_this_database`` (the slot file and the database do not belong together),
``keys.damaged`` (the slot file cannot be read), ``keys.locked`` (needs the key in memory).

Threading: safe from any thread (one lock); scrypt (~0.4 s at the app's cost) runs on the
caller's thread, never the GUI's or the store's writer's.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from app.domain.errors import DomainError
from app.domain.models import User
from app.security import keyslots
from app.security.keyslots import KeySlots, KeySlotsError, NotThisDatabase
from app.security.permissions import Permission, require
from app.store import blobs as blobs_module
from app.store.blobs import BlobStore
from app.store.db import Store, is_plaintext_database
from app.store.errors import StoreError

log = logging.getLogger(__name__)

# Beside keyslots.json while the recovery key of a fresh folder has not been shown to anyone.
NOT_SHOWN_MARKER = "recovery-key-not-shown"


def _not_this_database() -> DomainError:
    return DomainError(
        "keys.not_this_database",
        "The key file of this PC does not match its clinic database. Call field IT; do not "
        "delete anything.",
    )


def _no_slot() -> DomainError:
    return DomainError(
        "keys.no_slot",
        "This PC is locked and your account has not been used on it yet: someone who has used "
        "it, or field IT with the recovery key, must sign in first.",
    )


class KeyService:
    def __init__(
        self, data_dir: Path, store: Store, *, log_n: int = keyslots.DEFAULT_LOG_N
    ) -> None:
        self._dir = data_dir
        self._store = store
        self._log_n = log_n
        self._lock = threading.RLock()
        self._key: bytes | None = None
        self._slots: KeySlots | None = None
        self._blobs: BlobStore | None = None
        self.pending_recovery: str | None = None

    @property
    def slots_path(self) -> Path:
        return self._dir / keyslots.FILE_NAME

    @property
    def _marker(self) -> Path:
        return self._dir / NOT_SHOWN_MARKER

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open_store(
        cls,
        data_dir: Path,
        db_path: Path,
        *,
        log_n: int = keyslots.DEFAULT_LOG_N,
        encrypt_new: bool = True,
        blob_dir: Path | None = None,
    ) -> tuple[Store, KeyService]:
        """The store (open, or locked) and its key service. ``encrypt_new=False``: a folder
        with no database yet is created plaintext and encrypted at the first sign-in or first
        administrator, like an upgrading PC (for commands without a window, where nobody's
        password is known: a key with only a recovery slot would lock every account out)."""
        slots_path = data_dir / keyslots.FILE_NAME
        slots: KeySlots | None = None
        if slots_path.exists():
            slots = _load(slots_path)
            if not slots.users() and (data_dir / NOT_SHOWN_MARKER).exists():
                # An unfinished first run: no password slot, and the recovery key was never
                # shown, so no secret anybody holds opens this database: there is nothing to
                # lose (at most an administrator account whose slot was never saved). Start
                # again.
                log.warning("unfinished first run: starting the encrypted folder again")
                for suffix in ("", "-wal", "-shm", "-journal"):
                    db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
                # No account means no attachment either: only the folder's key record.
                if blob_dir is not None:
                    (blob_dir / blobs_module.MARKER_FILE).unlink(missing_ok=True)
                slots_path.unlink()
                slots = None
        if slots is not None and is_plaintext_database(db_path):
            # A crash after the slot file was written but before the conversion finished
            # (``upgrade``): the database is still plaintext and the slots open nothing. Set
            # the file aside (never delete a key file) and carry on as the plaintext PC this
            # is; the next sign-in encrypts it again with a new key.
            aside = slots_path.with_name(f"{slots_path.name}.unused-{int(time.time())}")
            log.warning("key file beside a plaintext database (an unfinished upgrade): set aside")
            slots_path.replace(aside)
            slots = None
        if slots is not None:
            store = Store.open_locked(db_path)
            keys = cls(data_dir, store, log_n=log_n)
            keys._slots = slots
            return store, keys
        if db_path.exists() or not encrypt_new:  # plaintext until the first sign-in
            store = Store.open(db_path)
            return store, cls(data_dir, store, log_n=log_n)
        key = keyslots.new_database_key()
        secret = keyslots.new_recovery_secret()
        slots = KeySlots.create(key, secret, log_n=log_n)
        (data_dir / NOT_SHOWN_MARKER).touch()
        keyslots.save(slots_path, slots)
        store = Store.open(db_path, key=key)
        keys = cls(data_dir, store, log_n=log_n)
        keys._slots, keys._key, keys.pending_recovery = slots, key, secret
        return store, keys

    def attach_blobs(self, blobs: BlobStore) -> None:
        """The attachments folder, encrypted with the database's key from the moment the key
        is known (now, or at the unlock or upgrade that brings it)."""
        self._blobs = blobs
        if self._key is not None:
            self._lock_blobs_with(self._key)

    def _lock_blobs_with(self, key: bytes) -> None:
        if self._blobs is None:
            return
        self._blobs.unlock(key)
        # Plaintext attachments from before encryption (an upgrading PC): cheap once done.
        report = self._blobs.encrypt_existing()
        if report.converted:
            log.info("%d attachment(s) encrypted", report.converted)
        if report.damaged:
            log.warning("%d attachment file(s) did not match their name: left", len(report.damaged))

    # -- state -------------------------------------------------------------------------------

    @property
    def encrypted(self) -> bool:
        """Whether the folder has a slot file (False: a plaintext PC not yet upgraded)."""
        return self._slots is not None

    @property
    def unlocked(self) -> bool:
        return self._key is not None

    def has_slot(self, username: str) -> bool:
        with self._lock:
            return self._slots is not None and self._slots.has_user(username)

    def users(self) -> list[str]:
        with self._lock:
            return [] if self._slots is None else self._slots.users()

    def recovery_key_shown(self) -> None:
        """The pending recovery key has been shown (written down): forget it."""
        with self._lock:
            self.pending_recovery = None
            self._marker.unlink(missing_ok=True)

    # -- unlocking ---------------------------------------------------------------------------

    def unlock_with_password(self, username: str, password: str) -> None:
        """Open the locked store with ``username``'s slot. ``keys.no_slot`` when the account
        has none here; ``WrongSecret`` for a wrong password (the caller refuses as for any
        wrong password); ``keys.not_this_database`` when slot file and database disagree."""
        with self._lock:
            if self._slots is None:
                raise DomainError("keys.locked", "This PC has no key file.")
            if not self._slots.has_user(username):
                raise _no_slot()
            try:
                key = self._slots.unlock_with_password(username, password)
            except NotThisDatabase:
                raise _not_this_database() from None
            self._open_with(key)

    def unlock_with_recovery(self, secret: str) -> None:
        """Open the locked store with the recovery key (field IT). ``MistypedRecoveryKey`` or
        ``WrongSecret`` from ``app.security.keyslots`` for a key that is not this PC's."""
        with self._lock:
            if self._slots is None:
                raise DomainError("keys.locked", "This PC has no key file.")
            try:
                key = self._slots.unlock_with_recovery(secret)
            except NotThisDatabase:
                raise _not_this_database() from None
            self._open_with(key)

    def _open_with(self, key: bytes) -> None:
        if self._store.is_locked:
            try:
                self._store.unlock(key)
            except StoreError as exc:
                if exc.code in ("store.locked_wrong_key", "store.not_encrypted"):
                    raise _not_this_database() from exc
                raise
        self._key = key
        self._lock_blobs_with(key)

    # -- changing slots ----------------------------------------------------------------------

    def upgrade(self, username: str, password: str) -> None:
        """A plaintext PC's first sign-in: a new key, the slot file with this user's slot and a
        recovery slot (its key pending, to be shown to an administrator), then the database
        converted in place and reopened keyed. Nothing happens on an encrypted folder."""
        with self._lock:
            if self._slots is not None:
                return
            key = keyslots.new_database_key()
            secret = keyslots.new_recovery_secret()
            slots = KeySlots.create(key, secret, log_n=self._log_n)
            slots = slots.add_password(key, username, password, log_n=self._log_n)
            # The slot file first: a crash after it but before the conversion leaves a slot
            # file and a plaintext database, which the next start sets aside (open_store).
            keyslots.save(self.slots_path, slots)
            try:
                self._store.encrypt(key)
            except BaseException:
                self.slots_path.unlink(missing_ok=True)
                raise
            self._slots, self._key, self.pending_recovery = slots, key, secret
            self._lock_blobs_with(key)
            log.info("database encrypted at the first sign-in")

    def add_user(self, username: str, password: str) -> None:
        """Give ``username`` a slot under ``password`` (replacing theirs): at a sign-in with no
        slot, or a password change. Needs the key in memory; does nothing on a plaintext PC."""
        with self._lock:
            if self._slots is None:
                return
            if self._key is None:
                raise DomainError("keys.locked", "The clinic database is locked.")
            slots = self._slots.add_password(self._key, username, password, log_n=self._log_n)
            keyslots.save(self.slots_path, slots)
            self._slots = slots

    def ensure_user(self, username: str, password: str) -> None:
        """After a sign-in on an open store: give ``username`` a slot if they have none, and
        rewrap theirs if it does not open with this password (changed at the hub). One scrypt
        derivation to check; nothing on a plaintext PC."""
        with self._lock:
            if self._slots is None or self._key is None:
                return
            if self._slots.has_user(username):
                try:
                    self._slots.unlock_with_password(username, password)
                    return
                except KeySlotsError:
                    pass
            self.add_user(username, password)

    def with_user(self, username: str, password: str) -> KeySlots | None:
        """The slots with ``username``'s added, not saved yet (scrypt here, then
        ``save_slots`` where it must be quick); None on a plaintext PC."""
        with self._lock:
            if self._slots is None:
                return None
            if self._key is None:
                raise DomainError("keys.locked", "The clinic database is locked.")
            return self._slots.add_password(self._key, username, password, log_n=self._log_n)

    def save_slots(self, slots: KeySlots | None) -> None:
        if slots is None:
            return
        with self._lock:
            keyslots.save(self.slots_path, slots)
            self._slots = slots

    def remove_user(self, username: str) -> None:
        """Take ``username``'s slot away (account switched off or removed). An old copy of
        keyslots.json still opens the database with that password until the key is changed
        (a rekey: future work)."""
        with self._lock:
            if self._slots is None or not self._slots.has_user(username):
                return
            slots = self._slots.remove_user(username)
            keyslots.save(self.slots_path, slots)
            self._slots = slots

    def new_recovery_secret(self, actor: User) -> str:
        """A new recovery key (the old one stops opening the database); returned once, for an
        administrator to write down (a lost, or seen, recovery key)."""
        require(actor, Permission.MANAGE_USERS)
        with self._lock:
            secret = self._replace_recovery()
            self.pending_recovery = None
            self._marker.unlink(missing_ok=True)
            return secret

    def replace_recovery_after_use(self) -> None:
        """The recovery key was just typed in to sign in: replace it, the new one waiting in
        ``pending_recovery`` for the administrator who signs in (``AuthService.recover``)."""
        with self._lock:
            self.pending_recovery = self._replace_recovery()

    def _replace_recovery(self) -> str:
        if self._slots is None or self._key is None:
            raise DomainError("keys.locked", "The clinic database is not encrypted yet.")
        secret = keyslots.new_recovery_secret()
        slots = self._slots.replace_recovery(self._key, secret, log_n=self._log_n)
        keyslots.save(self.slots_path, slots)
        self._slots = slots
        return secret


def _load(path: Path) -> KeySlots:
    try:
        return keyslots.load(path)
    except KeySlotsError as exc:
        raise DomainError(
            "keys.damaged",
            f"The key file {path} cannot be read ({exc}). Call field IT; do not delete it.",
        ) from exc
