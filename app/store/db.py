"""The ``Store``: one SQLite file, one writer thread, a read connection per reading thread.

Threading rule:
- Writes: ``Store.write(fn)`` hands ``fn`` to a single-worker executor whose thread owns the
  only writing connection; ``fn(db)`` runs there inside ``BEGIN IMMEDIATE`` ... ``COMMIT`` and
  everything it did is rolled back if it raises. The caller blocks until it is done and gets
  ``fn``'s result (or its exception). Serialising writes on one thread means SQLite never has
  to arbitrate between our own writers, and a domain row and its outbox row always commit
  together. Code that must only run on that thread calls ``assert_writer_thread``.
- Reads: ``Store.read(fn)`` runs ``fn(db)`` on the calling thread with a connection lent from
  a small pool (``query_only``; one per concurrent reader), in one read transaction so it sees
  a single snapshot. WAL lets readers run while the writer writes.
- ``close()`` is for when the store is idle (the app is quitting): it waits for queued writes,
  then closes every connection. Calls after ``close()`` raise ``StoreError`` (``store.closed``).

Durability: WAL with ``synchronous=FULL`` (a commit is on the disk before ``write`` returns,
so a power cut after "Saved" loses nothing), ``foreign_keys=ON``, ``busy_timeout`` 5 s.
SQLite failures come out as ``StoreError`` subclasses whose messages say what to do.

Encryption at rest: ``Store.open(path, key=<32 bytes>)`` opens every connection (the writer
and each reader) through SQLCipher 4 (the ``sqlcipher3`` package) keyed with that raw 256-bit
key, so a copied file reveals nothing; the key is checked before anything else touches the
file, and a wrong key, a missing key or a plaintext file opened with a key each fail with a
``StoreError`` saying so. Without ``key`` the store uses the standard library's ``sqlite3``
exactly as before. ``encrypt_in_place(path, key)`` converts an existing plaintext database.

Locked mode: ``Store.open_locked(path)`` opens nothing yet; every ``read``/``write`` raises
``StoreError`` ``store.key_needed`` until ``unlock(key)`` opens it keyed, exactly as ``open``
with that key would (a wrong key leaves it locked). ``is_locked`` says which. (Not
``store.locked``: that code already means "busy in another program".) ``encrypt(key)``
converts an open plaintext store in place (``encrypt_in_place``) and reopens it keyed: for a
PC upgrading, once somebody's password is known.

Copying: ``snapshot(target)`` writes a consistent copy of the open database to a new file,
keyed as the store is, while the writer goes on writing (``app.store.backup``: one read
transaction held across the backup API's steps).
"""

from __future__ import annotations

import importlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import sqlite_utils

from app.durable import fsync_dir, fsync_file
from app.store import backup, errors
from app.store.errors import StoreError
from app.store.migrations import migrate, user_version

T = TypeVar("T")

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT_MS = 5000
KEY_BYTES = 32  # SQLCipher 4's raw key: 256 bits, no passphrase derivation
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every plaintext database


def _sqlcipher() -> ModuleType:
    """The SQLCipher DB-API module, imported only when a key is used (keeps plain starts lean)."""
    return importlib.import_module("sqlcipher3.dbapi2")


def _check_key(key: bytes) -> str:
    """The key as SQLCipher's raw-key literal ``x'<64 hex>'`` (hex only: safe in a PRAGMA)."""
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"store: the database key must be {KEY_BYTES} bytes")
    return f"x'{key.hex()}'"


def is_plaintext_database(path: Path) -> bool:
    """Whether ``path`` starts as every unencrypted SQLite file does (False for SQLCipher
    files, missing and unreadable ones): for reports such as the doctor's."""
    return _header(path) == SQLITE_HEADER


def _header(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_HEADER))
    except OSError:
        return b""


def _looks_encrypted(path: Path) -> bool:
    """Whether an unreadable file looks like an SQLCipher database rather than junk.

    SQLCipher files are whole pages (4096 bytes by default) of random-looking bytes from the
    first byte on (the salt, then ciphertext); a renamed photo or text file is not.
    """
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            first = f.read(4096)
    except OSError:
        return False
    if size < 4096 or size % 1024 or first.startswith(SQLITE_HEADER):
        return False
    return len(set(first)) > 200  # 4 KB of uniform random bytes shows ~255 distinct values


class Store:
    """Use ``Store.open(path)``; see the module docstring for the threading rule."""

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        key: bytes | None = None,
    ) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._key_literal: str | None = None
        self._driver: Any = sqlite3
        self._db_errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        self._use_key(key)
        self._locked = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._writer_thread: int | None = None
        self._writer: sqlite_utils.Database | None = None
        self._readers: list[sqlite3.Connection] = []  # every read connection, to close
        self._idle: list[sqlite_utils.Database] = []  # those not lent out right now
        self._borrowed: dict[int, sqlite_utils.Database] = {}  # thread id -> lent connection
        self._readers_lock = threading.Lock()
        self._closed = False

    def _use_key(self, key: bytes | None) -> None:
        # The raw-key literal, or None for a plaintext store (stdlib sqlite3, as before).
        self._key_literal = None if key is None else _check_key(key)
        self._driver = sqlite3 if key is None else _sqlcipher()
        # What a failing connection raises: sqlcipher3's exceptions are its own classes.
        self._db_errors = (sqlite3.Error,) if key is None else (sqlite3.Error, self._driver.Error)

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        key: bytes | None = None,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> Store:
        """Open (creating folder and file if needed) and migrate to the latest schema.

        With ``key`` (32 bytes) the file is an SQLCipher database keyed with it (a new file is
        created encrypted); ``StoreError`` ``store.locked_wrong_key`` if the key does not open
        it, ``store.not_encrypted`` if the file is a plaintext database.
        """
        path = Path(path)
        if key is not None:
            _check_key(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.translate_os(exc, path) or StoreError(
                "store.error",
                f"Could not create the data folder {path.parent} ({exc.strerror}).",
                {"path": str(path)},
            ) from exc
        store = cls(path, busy_timeout_ms=busy_timeout_ms, key=key)
        try:
            store._executor.submit(store._open_writer).result()
        except BaseException:
            store._executor.shutdown(wait=True)
            store._closed = True
            raise
        return store

    @classmethod
    def open_locked(cls, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Store:
        """A store for the encrypted database at ``path`` that stays shut (every read and write
        raises ``store.key_needed``) until ``unlock(key)``. Touches no file yet."""
        store = cls(Path(path), busy_timeout_ms=busy_timeout_ms)
        store._locked = True
        return store

    @property
    def is_locked(self) -> bool:
        return self._locked

    @property
    def is_encrypted(self) -> bool:
        """Whether the open store is keyed (SQLCipher); False when plaintext or still locked."""
        return self._key_literal is not None

    def unlock(self, key: bytes) -> None:
        """Open the locked store keyed with ``key`` (and migrate), as ``open(path, key=key)``
        does. On failure (``store.locked_wrong_key``, ``store.not_encrypted``, ...) it stays
        locked. A store that is not locked is left alone."""
        literal = _check_key(key)
        if self._closed:
            raise _closed_error(self._path)
        if not self._locked:
            if self._key_literal != literal:
                raise ValueError("store: already open with another key (or none)")
            return
        self._use_key(key)
        try:
            self._executor.submit(self._open_writer).result()
        except BaseException:
            self._use_key(None)
            raise
        self._locked = False

    def encrypt(self, key: bytes) -> None:
        """Convert this open plaintext store to SQLCipher under ``key`` and reopen it keyed.

        Waits for queued writes, closes every connection, runs ``encrypt_in_place``, then opens
        the writer again keyed. For when the store is idle (at a sign-in, before any page
        reads): a read running on another thread meanwhile would lose its connection. If the
        conversion fails the plaintext store is reopened as it was and the error raised.
        """
        _check_key(key)
        self._check_open()
        if self._key_literal is not None:
            raise ValueError("store: the database is already encrypted")
        self._executor.submit(self._close_writer).result()
        with self._readers_lock:
            readers, self._readers, self._idle = self._readers, [], []
        for conn in readers:
            try:
                conn.close()
            except self._db_errors:
                log.exception("closing a reader failed")
        try:
            encrypt_in_place(self._path, key)
        except BaseException:
            self._executor.submit(self._open_writer).result()
            raise
        self._use_key(key)
        self._executor.submit(self._open_writer).result()

    def _connect(self, *, read_only: bool) -> sqlite3.Connection:
        conn: sqlite3.Connection = self._driver.connect(
            self._path,
            timeout=self._busy_timeout_ms / 1000,
            # Reader connections are pooled: lent to one thread at a time, closed by close().
            check_same_thread=not read_only,
        )
        try:
            conn.row_factory = self._driver.Row
            if self._key_literal is not None:
                # First, before anything reads the file: the key. The log level stops
                # SQLCipher printing "hmac check failed" to stderr for a wrong key.
                conn.execute("PRAGMA cipher_log_level = NONE")
                conn.execute(f'PRAGMA key = "{self._key_literal}"')
            self._check_readable(conn)
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal_mode is %s, not WAL", mode)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            if read_only:
                conn.execute("PRAGMA query_only = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_readable(self, conn: sqlite3.Connection) -> None:
        """Read page 1 now, so a wrong or missing key fails here, clearly, and nothing else."""
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except self._db_errors as exc:
            if errors.is_not_a_database(exc):
                if self._key_literal is not None:
                    if _header(self._path) == SQLITE_HEADER:
                        raise errors.not_encrypted(self._path) from exc
                    raise errors.wrong_key(self._path) from exc
                if _looks_encrypted(self._path):
                    raise errors.wrong_key(self._path, key_given=False) from exc
            raise

    def _open_writer(self) -> None:
        self._writer_thread = threading.get_ident()
        try:
            conn = self._connect(read_only=False)
        except self._db_errors as exc:
            raise errors.wrap(exc, self._path) from exc
        try:
            migrate(conn)
        except StoreError as exc:
            conn.close()
            exc.params.setdefault("path", str(self._path))
            raise
        except self._db_errors as exc:
            conn.close()
            raise errors.wrap(exc, self._path) from exc
        except BaseException:
            conn.close()
            raise
        self._writer = sqlite_utils.Database(conn, execute_plugins=False)

    # -- properties --------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._path

    def schema_version(self) -> int:
        return self.read(lambda db: user_version(db.conn))

    # -- copying -----------------------------------------------------------------------------

    def snapshot(
        self,
        target: Path,
        *,
        inspect: Callable[[sqlite_utils.Database], T] | None = None,
        progress: backup.Progress | None = None,
        cancel: backup.Cancel | None = None,
        pages_per_step: int = backup.PAGES_PER_STEP,
    ) -> T | None:
        """A consistent copy of the database into the new file ``target``, keyed as this store
        is, while the writer goes on writing (``app.store.backup``); ``inspect``'s result, read
        from the same snapshot. ``backup.SnapshotCancelled`` when cancelled (no file left)."""
        self._check_open()
        try:
            source = self._connect(read_only=True)
        except self._db_errors as exc:
            raise errors.wrap(exc, self._path) from exc
        try:
            return backup.copy(
                source,
                target,
                self._connect_copy,
                inspect=inspect,
                progress=progress,
                cancel=cancel,
                pages_per_step=pages_per_step,
            )
        except self._db_errors as exc:
            raise errors.wrap(exc, target) from exc
        finally:
            source.close()

    def _connect_copy(self, path: Path) -> Any:
        """A connection to a new file keyed as this store is (the snapshot's target)."""
        conn = self._driver.connect(path, isolation_level=None)
        if self._key_literal is not None:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f'PRAGMA key = "{self._key_literal}"')
        return conn

    # -- writing -----------------------------------------------------------------------------

    def assert_writer_thread(self) -> None:
        """Raise unless called on the writer thread (for code that writes)."""
        if threading.get_ident() != self._writer_thread:
            raise RuntimeError("store: database writes must run on the store's writer thread")

    def write(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``fn(db)`` in one write transaction on the writer thread; return its result.

        ``fn`` may raise anything: the transaction is rolled back and the exception re-raised
        here (SQLite errors as ``StoreError``). A ``write`` from inside ``fn`` joins the
        running transaction rather than deadlocking on the single writer thread.
        """
        self._check_open()
        if threading.get_ident() == self._writer_thread:
            db = self._writer
            if db is None or not db.conn.in_transaction:
                raise RuntimeError("store: write() re-entered outside a transaction")
            return fn(db)
        return self._executor.submit(self._run_write, fn).result()

    def _run_write(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        self.assert_writer_thread()
        db = self._writer
        if db is None:
            raise _closed_error(self._path)
        conn = db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except self._db_errors as exc:
            raise errors.wrap(exc, self._path) from exc
        try:
            result = fn(db)
            conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback(conn)
            if isinstance(exc, self._db_errors):
                raise errors.wrap(exc, self._path) from exc
            raise
        return result

    def _rollback(self, conn: sqlite3.Connection) -> None:
        # After some errors (SQLITE_FULL, IOERR) SQLite has already rolled back on its own.
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except self._db_errors:
                log.exception("rollback failed")

    # -- reading -----------------------------------------------------------------------------

    def read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``fn(db)`` on this thread with a read-only connection, in one snapshot."""
        self._check_open()
        me = threading.get_ident()
        held = self._borrowed.get(me)
        if held is not None:  # a read() inside a read(): same snapshot
            return fn(held)
        db = self._borrow()
        self._borrowed[me] = db
        conn = db.conn
        try:
            conn.execute("BEGIN")
            try:
                return fn(db)
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        except self._db_errors as exc:
            raise errors.wrap(exc, self._path) from exc
        finally:
            del self._borrowed[me]
            self._give_back(db)

    def _borrow(self) -> sqlite_utils.Database:
        # A pool, not a thread-local: Qt's worker threads are not Python threads, and a
        # thread-local set on one is gone by its next task, so every search would open (and
        # keep) another connection.
        with self._readers_lock:
            if self._idle:
                return self._idle.pop()
        try:
            conn = self._connect(read_only=True)
        except self._db_errors as exc:
            raise errors.wrap(exc, self._path) from exc
        with self._readers_lock:
            if self._closed:
                conn.close()
                raise _closed_error(self._path)
            self._readers.append(conn)
        return sqlite_utils.Database(conn, execute_plugins=False)

    def _give_back(self, db: sqlite_utils.Database) -> None:
        with self._readers_lock:
            # Not one closed by encrypt() meanwhile (identity: connections compare by it).
            if not self._closed and any(c is db.conn for c in self._readers):
                self._idle.append(db)

    def reader_count(self) -> int:
        """How many read connections are open (they are pooled, so this stays small)."""
        with self._readers_lock:
            return len(self._readers)

    # -- closing -----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise _closed_error(self._path)
        if self._locked:
            raise StoreError(
                "store.key_needed",
                "The clinic database is locked: sign in to open it.",
                {"path": str(self._path)},
            )

    def close(self) -> None:
        """Finish queued writes, then close every connection. Safe to call twice."""
        with self._readers_lock:
            if self._closed:
                return
            self._closed = True
            readers, self._readers, self._idle = self._readers, [], []
        try:
            self._executor.submit(self._close_writer).result()
        finally:
            self._executor.shutdown(wait=True)
            for conn in readers:
                try:
                    conn.close()
                except self._db_errors:
                    log.exception("closing a reader failed")

    def _close_writer(self) -> None:
        db, self._writer = self._writer, None
        if db is None:  # never opened (a locked store)
            return
        self.assert_writer_thread()
        conn = db.conn
        try:
            # Fold the WAL back into the main file so a copy of the .sqlite3 alone is whole.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except self._db_errors:
            log.warning("checkpoint on close failed", exc_info=True)
        conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _closed_error(path: Path) -> StoreError:
    return StoreError("store.closed", f"The database {path} has been closed.", {"path": str(path)})


# -- converting a plaintext database ---------------------------------------------------------


def encrypt_in_place(path: Path, key: bytes) -> None:
    """Convert the plaintext database at ``path`` into an SQLCipher one keyed with ``key``.

    For PCs upgrading to encryption at rest; the app must not have the file open. SQLCipher's
    documented way: ``ATTACH`` a new keyed file, ``sqlcipher_export`` into it, ``DETACH``.
    The plaintext stays untouched until the encrypted copy has been reopened with the key and
    checked (same tables, same row counts, same ``user_version``, ``quick_check`` ok); then the
    copy atomically replaces it and the plaintext's ``-wal``/``-shm`` are removed. If anything
    fails, the plaintext database is left as it was and the half-made copy is removed.

    Deleting or replacing a file does not wipe its blocks: the plaintext pages stay readable
    on the disk until they are overwritten (and SSDs may keep remapped copies longer). Full
    disk encryption (BitLocker) is what covers that; this only stops an ordinary file copy.
    """
    path = Path(path)
    literal = _check_key(key)
    driver = _sqlcipher()
    if not path.is_file():
        raise StoreError("store.error", f"There is no database at {path}.", {"path": str(path)})
    if _header(path) != SQLITE_HEADER:
        raise (
            errors.wrong_key(path, key_given=False)
            if _looks_encrypted(path)
            else errors.corrupt(path)
        )
    tmp = path.with_name(path.name + ".encrypting")
    _remove_with_sidecars(tmp)
    db_errors = (sqlite3.Error, driver.Error)
    try:
        counts, version = _export(driver, path, tmp, literal)
        _verify(driver, tmp, literal, counts, version)
        fsync_file(tmp)
        os.replace(tmp, path)  # atomic: the path is the plaintext or the whole encrypted copy
        fsync_dir(path.parent)
    except db_errors as exc:
        _remove_with_sidecars(tmp)
        raise errors.wrap(exc, path) from exc
    except BaseException:
        _remove_with_sidecars(tmp)
        raise
    # The plaintext's WAL was checkpointed and truncated before the export; whatever is left
    # of it belongs to the old file and must not meet the new one.
    for suffix in ("-wal", "-shm", "-journal"):
        _unlink(path.with_name(path.name + suffix))


def _export(driver: Any, path: Path, tmp: Path, literal: str) -> tuple[dict[str, int], int]:
    """Export ``path`` into a new encrypted ``tmp``; the source's row counts and version."""
    conn = driver.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        # Fold the WAL into the main file, so nothing plaintext is left beside it afterwards.
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy is not None and busy[0]:
            raise errors.locked(path)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        counts = _row_counts(conn)
        # The file name is bound; the key literal is hex digits only.
        conn.execute(f'ATTACH DATABASE ? AS encrypted KEY "{literal}"', (str(tmp),))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        # sqlcipher_export copies schema and rows but not user_version: the migrations need it.
        conn.execute(f"PRAGMA encrypted.user_version = {version}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    return counts, version


def _verify(driver: Any, tmp: Path, literal: str, counts: dict[str, int], version: int) -> None:
    conn = driver.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key = "{literal}"')
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        got_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        got = _row_counts(conn)
    finally:
        conn.close()
    if check != "ok" or got_version != version or got != counts:
        raise StoreError(
            "store.error",
            f"The encrypted copy {tmp} did not match the database (check {check!r}, version "
            f"{got_version} for {version}). Nothing was changed.",
            {"path": str(tmp)},
        )


def _row_counts(conn: Any) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        ).fetchall()
    ]
    # Names come from the database's own schema; quoted as identifiers.
    return {
        n: int(
            conn.execute(f'SELECT count(*) FROM "{n.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
        )
        for n in names
    }


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        _unlink(path.with_name(path.name + suffix))


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)
