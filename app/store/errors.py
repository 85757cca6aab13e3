"""Storage errors with stable codes, and the mapping from SQLite's result codes to them.

A ``StoreError`` carries ``code`` (``store.disk_full``, ...), an English ``message`` that says
what happened and what to do, and ``params`` (always ``path``). The UI translates by code.
Pure functions: safe on any thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

# SQLite primary result codes (https://www.sqlite.org/rescode.html); the extended code's low
# byte is the primary code.
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


class StoreError(Exception):
    """A storage failure the person (or field IT) can act on."""

    code = "store.error"

    def __init__(
        self, code: str | None, message: str, params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.params: dict[str, Any] = dict(params or {})


class DiskFullError(StoreError):
    code = "store.disk_full"


class DatabaseLockedError(StoreError):
    code = "store.locked"


class DatabaseCorruptError(StoreError):
    code = "store.corrupt"


class ReadOnlyError(StoreError):
    code = "store.readonly"


def _integrity_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    from sqlcipher3 import dbapi2 as sqlcipher  # an encrypted store's connections raise these

    return (sqlite3.IntegrityError, sqlcipher.IntegrityError)


# A constraint refused a row, from a plain or an encrypted connection (sqlcipher3 has its own
# exception classes, not subclasses of sqlite3's).
INTEGRITY_ERRORS: tuple[type[Exception], ...] = _integrity_errors()
# The same, and a value a record cannot hold: what a sync handler skips a bad record for.
BAD_RECORD_ERRORS: tuple[type[Exception], ...] = (*INTEGRITY_ERRORS, ValueError)


class WrongKeyError(StoreError):
    """An encrypted database that did not open with the key given (or with none)."""

    code = "store.locked_wrong_key"


class NotEncryptedError(StoreError):
    """A plaintext database opened with a key: refused rather than silently left plaintext."""

    code = "store.not_encrypted"


def disk_full(path: Path | str) -> DiskFullError:
    return DiskFullError(
        None,
        f"The disk holding {path} is full, so this could not be saved. Nothing you typed is "
        "lost: it is still on the screen. Free some space (delete old downloads or copies) "
        "and save again.",
        {"path": str(path)},
    )


def locked(path: Path | str) -> DatabaseLockedError:
    return DatabaseLockedError(
        None,
        f"The database {path} is busy in another program (perhaps a second copy of HWC Spoke "
        "or a backup tool), so this could not be saved. Nothing you typed is lost. Close the "
        "other program and save again.",
        {"path": str(path)},
    )


def corrupt(path: Path | str) -> DatabaseCorruptError:
    return DatabaseCorruptError(
        None,
        f"The database {path} is damaged or is not an HWC Spoke database. Do not delete it. "
        "Stop using this computer for new records and call field IT support to restore it "
        "from the backup.",
        {"path": str(path)},
    )


def read_only(path: Path | str) -> ReadOnlyError:
    return ReadOnlyError(
        None,
        f"The database {path} can only be read, not written (the folder or disk is "
        "write-protected), so this could not be saved. Nothing you typed is lost. Ask field IT "
        "to give HWC Spoke write access to its data folder.",
        {"path": str(path)},
    )


def wrong_key(path: Path | str, *, key_given: bool = True) -> WrongKeyError:
    why = (
        "the database did not open with this key"
        if key_given
        else "the database is encrypted and no key was given to open it"
    )
    return WrongKeyError(
        None,
        f"The database {path} is locked: {why} (the key is wrong, or the file is damaged). "
        "Nothing was changed. Do not delete it: call field IT support to restore this "
        "computer's database key.",
        {"path": str(path)},
    )


def not_encrypted(path: Path | str) -> NotEncryptedError:
    return NotEncryptedError(
        None,
        f"The database {path} is not encrypted, but HWC Spoke was asked to open it with a "
        "key. Nothing was changed. Call field IT support to encrypt it (encrypt_in_place) "
        "before using it.",
        {"path": str(path)},
    )


_MESSAGE_HINTS: tuple[tuple[str, int], ...] = (
    ("database or disk is full", SQLITE_FULL),
    ("database is locked", SQLITE_BUSY),
    ("database table is locked", SQLITE_LOCKED),
    ("database schema is locked", SQLITE_LOCKED),
    ("file is not a database", SQLITE_NOTADB),
    ("database disk image is malformed", SQLITE_CORRUPT),
    ("attempt to write a readonly database", SQLITE_READONLY),
)


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    # Errors raised by the sqlite3 module itself carry no code; fall back to SQLite's text.
    text = str(exc).lower()
    for hint, primary in _MESSAGE_HINTS:
        if hint in text:
            return primary
    return None


def is_not_a_database(exc: BaseException) -> bool:
    """Whether SQLite said "file is not a database" (SQLCipher's answer to a wrong key)."""
    return _primary_code(exc) == SQLITE_NOTADB


def translate(exc: BaseException, path: Path | str) -> StoreError | None:
    """The ``StoreError`` for an SQLite failure a person can act on, or None for the rest.

    ``exc`` is an ``sqlite3.Error`` or an ``sqlcipher3`` one (same codes, separate classes).
    """
    primary = _primary_code(exc)
    if primary == SQLITE_FULL:
        return disk_full(path)
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return locked(path)
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return corrupt(path)
    if primary == SQLITE_READONLY:
        return read_only(path)
    return None


def wrap(exc: BaseException, path: Path | str) -> StoreError:
    """Always a ``StoreError``: the specific one, or ``store.error`` with SQLite's text."""
    specific = translate(exc, path)
    if specific is not None:
        return specific
    return StoreError(
        "store.error",
        f"The database {path} reported an error ({exc}). Nothing was saved by this step. "
        "Try again; if it keeps happening, call field IT support.",
        {"path": str(path), "detail": str(exc)},
    )


def translate_os(exc: OSError, path: Path | str) -> StoreError | None:
    """The ``StoreError`` for a file-system failure (attachment files), or None."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_full(path)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return read_only(path)
    return None
