"""Content-addressed attachment files: ``root/ab/cd/<sha256 hex>``, or encrypted with a key.

The address of a blob is always the sha256 hex digest of its plain bytes: the ids in the
database and on the wire are the same with or without encryption, and the same bytes stored
twice are one file.

``put`` writes to a temporary file in the target folder, fsyncs it, renames it into place
(atomic on one file system) and fsyncs the folder, so after a power cut a blob is either
whole or absent, never half-written. Writing the same bytes again is a no-op. ``get`` checks
the hash, so a damaged file is reported (``store.corrupt``) instead of sent to the hub.

**Keyed** (``BlobStore(root, key=<the 32-byte database key>)``; docs/SECURITY.md,
"Attachments"): HKDF-SHA256 (info ``hwc-blobs/1``) derives from the database key an
encryption key and a naming key. A blob is stored as ``HWCB1`` + a 12-byte random nonce +
AES-256-GCM(encryption key, plain bytes, associated data = the sha256 hex), in the file
``root/ef/gh/<HMAC-SHA256(naming key, sha256 hex) hex>.hwcb``: neither the content nor its
plain hash is on the disk, so a thief holding a known photo cannot tell whether this PC has
it. Blobs are encrypted in memory in one piece (attachments are a few MB at most), so the
temporary file only ever holds ciphertext. ``root/.encrypted`` records that the folder is
keyed and a check value of the key, so a wrong key and a keyless store fail clearly.
``unlock(key)`` keys a store made without one (the database is opened locked and unlocked by
a sign-in). ``encrypt_existing`` converts the plaintext files left from before encryption.

Threading rule: safe from any thread; concurrent ``put`` of the same bytes is harmless (both
renames carry equivalent content).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.durable import fsync_dir
from app.store.errors import StoreError, translate_os

_SHA256 = re.compile(r"[0-9a-f]{64}")
_BUCKET = re.compile(r"[0-9a-f]{2}")

KEY_BYTES = 32
MAGIC = b"HWCB1"
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + NONCE_BYTES
KEYED_SUFFIX = ".hwcb"
MARKER_FILE = ".encrypted"
_HKDF_INFO = b"hwc-blobs/1"
_CHECK_LABEL = b"hwc-blobs/check"
_MARKER_PREFIX = b"hwc-blobs/1 "
_TMP_PREFIX = ".tmp-"
_STALE_TMP_SECONDS = 3600.0


@dataclass(frozen=True)
class EncryptReport:
    """What ``encrypt_existing`` did: blobs encrypted now, plaintext files whose content no
    longer matches their name (left in place: ``get`` reports them as damaged), and stale
    temporary files removed."""

    converted: int = 0
    damaged: tuple[Path, ...] = field(default_factory=tuple)
    stale_tmp_removed: int = 0


class BlobStore:
    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self._root = Path(root)
        self._aead: AESGCM | None = None
        self._name_key = b""
        try:
            self._root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_error(exc, self._root) from exc
        if key is not None:
            self.unlock(key)

    def unlock(self, key: bytes) -> None:
        """Key a store made without one (the database key, once a sign-in has unlocked it):
        from now on it reads and writes encrypted files. ``StoreError`` ``store.corrupt`` if
        the folder was encrypted under another key; ``ValueError`` if the store already has
        another key. Call it before the store is used from other threads."""
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise ValueError(f"the blob store's key must be {KEY_BYTES} bytes")
        okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_HKDF_INFO).derive(key)
        if self._aead is not None:
            if not hmac.compare_digest(okm[32:], self._name_key):
                raise ValueError("this blob store already has another key")
            return
        self._check_or_write_marker(_check_value(okm[32:]))
        self._name_key = okm[32:]
        self._aead = AESGCM(okm[:32])  # last: ``_aead`` is what switches the store to keyed

    @property
    def root(self) -> Path:
        return self._root

    @property
    def keyed(self) -> bool:
        return self._aead is not None

    def path(self, sha: str) -> Path:
        """Where the blob ``sha`` is (or would be) stored: ``root/ab/cd/<sha>`` without a
        key, ``root/ef/gh/<HMAC of sha>.hwcb`` with one."""
        if self._aead is None:
            return self._plain_path(sha)
        _check_sha(sha)
        name = hmac.new(self._name_key, sha.encode("ascii"), hashlib.sha256).hexdigest()
        return self._root / name[:2] / name[2:4] / (name + KEYED_SUFFIX)

    def has(self, sha: str) -> bool:
        if self._aead is None:
            return self._plain_path(sha).is_file()
        # A blob not yet converted by ``encrypt_existing`` is still there, in clear.
        return self.path(sha).is_file() or self._plain_path(sha).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data``; returns its sha256 hex digest (its address)."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if self._aead is None:
            self._refuse_plain_in_keyed_folder()
            if target.is_file() and target.stat().st_size == len(data):
                return sha
            self._write(target, data)
            return sha
        if not (target.is_file() and target.stat().st_size == _sealed_size(len(data))):
            self._write(target, self._seal(sha, data))
        plain = self._plain_path(sha)
        if plain.is_file():  # left from before encryption: the encrypted copy replaces it
            self._remove(plain)
        return sha

    def get(self, sha: str) -> bytes:
        """The bytes stored under ``sha``; ``StoreError`` ``store.corrupt`` if they do not
        hash to it (or, keyed, do not decrypt: damaged, or written under another key),
        ``store.blob_missing`` if there is no such file."""
        if self._aead is None:
            try:
                return self._get_plain(sha)
            except StoreError as exc:
                if exc.code == "store.blob_missing":
                    self._refuse_plain_in_keyed_folder()
                raise
        target = self.path(sha)
        try:
            sealed = target.read_bytes()
        except FileNotFoundError:
            # Not converted yet (``encrypt_existing`` was interrupted or has not run).
            return self._get_plain(sha)
        except OSError as exc:
            raise _os_error(exc, target) from exc
        return self._open(sha, sealed, target)

    def encrypt_existing(self) -> EncryptReport:
        """Encrypt every plaintext blob left from before encryption (keyed stores only).

        For each ``root/ab/cd/<sha>`` whose content hashes to its name: write the encrypted
        file, then remove the plaintext. Idempotent, and safe to interrupt at any point:
        every blob stays readable (``get`` falls back to the plaintext name), and the next
        call finishes the job. A plaintext file that does not match its name is damaged and
        left in place. Temporary files older than an hour (left by a crash, possibly in clear
        from before encryption) are removed. Reads and writes every old blob: call it from a
        worker thread, not the GUI thread.
        """
        if self._aead is None:
            raise ValueError("encrypt_existing needs a keyed BlobStore")
        converted = 0
        damaged: list[Path] = []
        stale = 0
        now = time.time()
        for folder in self._buckets():
            try:
                entries = list(os.scandir(folder))
            except OSError as exc:
                raise _os_error(exc, folder) from exc
            for entry in entries:
                path = Path(entry.path)
                if entry.name.startswith(_TMP_PREFIX):
                    with contextlib.suppress(OSError):
                        if now - entry.stat().st_mtime > _STALE_TMP_SECONDS:
                            os.unlink(path)
                            stale += 1
                    continue
                if not (_SHA256.fullmatch(entry.name) and entry.is_file()):
                    continue  # encrypted files end in .hwcb; anything else is not ours
                if folder != self._plain_path(entry.name).parent:
                    continue
                try:
                    data = path.read_bytes()
                except FileNotFoundError:
                    continue  # converted meanwhile by a concurrent put
                except OSError as exc:
                    raise _os_error(exc, path) from exc
                if hashlib.sha256(data).hexdigest() != entry.name:
                    damaged.append(path)
                    continue
                # Always (re)write: after a crash between the write and the removal, the
                # encrypted copy is whole (atomic rename) but rewriting it costs little.
                self._write(self.path(entry.name), self._seal(entry.name, data))
                # Removing the plaintext unlinks it; it does not wipe its blocks. Until they
                # are reused, the old content can be recovered from the raw disk (and on an
                # SSD overwriting would not reach them either): only full-disk encryption
                # covers the attachments saved before this upgrade.
                self._remove(path)
                converted += 1
        return EncryptReport(converted, tuple(damaged), stale)

    # -- keyed internals -------------------------------------------------------------------

    def _seal(self, sha: str, data: bytes) -> bytes:
        assert self._aead is not None
        nonce = secrets.token_bytes(NONCE_BYTES)
        return MAGIC + nonce + self._aead.encrypt(nonce, data, sha.encode("ascii"))

    def _open(self, sha: str, sealed: bytes, target: Path) -> bytes:
        assert self._aead is not None
        if len(sealed) < HEADER_BYTES + TAG_BYTES or not sealed.startswith(MAGIC):
            raise _corrupt(target)
        nonce = sealed[len(MAGIC) : HEADER_BYTES]
        try:
            data = self._aead.decrypt(nonce, sealed[HEADER_BYTES:], sha.encode("ascii"))
        except InvalidTag as exc:  # damaged, moved from another name, or another key's
            raise _corrupt(target) from exc
        if hashlib.sha256(data).hexdigest() != sha:
            raise _corrupt(target)
        return data

    def _check_or_write_marker(self, check: bytes) -> None:
        marker = self._root / MARKER_FILE
        expected = _MARKER_PREFIX + check.hex().encode("ascii") + b"\n"
        try:
            found = marker.read_bytes()
        except FileNotFoundError:
            self._write(marker, expected)
            return
        except OSError as exc:
            raise _os_error(exc, marker) from exc
        if not hmac.compare_digest(found, expected):
            raise StoreError(
                "store.corrupt",
                f"The attached files in {self._root} were encrypted for another clinic "
                "database (another key), or their key record is damaged. They cannot be "
                "read with this database. Call field IT support.",
                {"path": str(marker)},
            )

    def _buckets(self) -> list[Path]:
        """The ``root/ab/cd`` folders, where files of either naming live."""
        out: list[Path] = []
        try:
            for first in sorted(self._root.iterdir()):
                if first.is_dir() and _BUCKET.fullmatch(first.name):
                    out.extend(
                        second
                        for second in sorted(first.iterdir())
                        if second.is_dir() and _BUCKET.fullmatch(second.name)
                    )
        except OSError as exc:
            raise _os_error(exc, self._root) from exc
        return out

    # -- plain internals -------------------------------------------------------------------

    def _plain_path(self, sha: str) -> Path:
        _check_sha(sha)
        return self._root / sha[:2] / sha[2:4] / sha

    def _refuse_plain_in_keyed_folder(self) -> None:
        marker = self._root / MARKER_FILE
        if marker.is_file():
            raise StoreError(
                "store.error",
                f"The attached files in {self._root} are encrypted, and they were opened "
                "without the clinic database's key, so they cannot be read or added to. "
                "This is a fault in the program: call field IT support.",
                {"path": str(marker)},
            )

    def _get_plain(self, sha: str) -> bytes:
        target = self._plain_path(sha)
        try:
            data = target.read_bytes()
        except FileNotFoundError as exc:
            shown = self.path(sha)
            raise StoreError(
                "store.blob_missing",
                f"The attached file {shown} is missing from the data folder.",
                {"path": str(shown)},
            ) from exc
        except OSError as exc:
            raise _os_error(exc, target) from exc
        if hashlib.sha256(data).hexdigest() != sha:
            raise _corrupt(target)
        return data

    def _write(self, target: Path, data: bytes) -> None:
        """Atomically replace ``target`` with ``data`` (already ciphertext when keyed)."""
        tmp_name: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=target.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp_name, target)
            tmp_name = None
            fsync_dir(target.parent)
        except OSError as exc:
            raise _os_error(exc, target) from exc
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)

    def _remove(self, path: Path) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise _os_error(exc, path) from exc
        fsync_dir(path.parent)


def _check_sha(sha: str) -> None:
    if not _SHA256.fullmatch(sha):
        raise ValueError("not a lower-case sha256 hex digest")


def _check_value(name_key: bytes) -> bytes:
    return hmac.new(name_key, _CHECK_LABEL, hashlib.sha256).digest()[:16]


def _sealed_size(plain_size: int) -> int:
    return HEADER_BYTES + plain_size + TAG_BYTES


def _corrupt(target: Path) -> StoreError:
    return StoreError(
        "store.corrupt",
        f"The attached file {target} is damaged (its contents no longer match what was "
        "saved). It will not be sent. Attach the document or photo again if you still "
        "have it, and tell field IT support: the disk may be failing.",
        {"path": str(target)},
    )


def _os_error(exc: OSError, path: Path) -> StoreError:
    return translate_os(exc, path) or StoreError(
        "store.error",
        f"Could not use the file {path} ({exc.strerror}).",
        {"path": str(path), "detail": str(exc)},
    )
