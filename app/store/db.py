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
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from app.store import errors
from app.store.errors import StoreError
from app.store.migrations import migrate, user_version

T = TypeVar("T")

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT_MS = 5000


class Store:
    """Use ``Store.open(path)``; see the module docstring for the threading rule."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._writer_thread: int | None = None
        self._writer: sqlite_utils.Database | None = None
        self._readers: list[sqlite3.Connection] = []  # every read connection, to close
        self._idle: list[sqlite_utils.Database] = []  # those not lent out right now
        self._borrowed: dict[int, sqlite_utils.Database] = {}  # thread id -> lent connection
        self._readers_lock = threading.Lock()
        self._closed = False

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Store:
        """Open (creating folder and file if needed) and migrate to the latest schema."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.translate_os(exc, path) or StoreError(
                "store.error",
                f"Could not create the data folder {path.parent} ({exc.strerror}).",
                {"path": str(path)},
            ) from exc
        store = cls(path, busy_timeout_ms=busy_timeout_ms)
        try:
            store._executor.submit(store._open_writer).result()
        except BaseException:
            store._executor.shutdown(wait=True)
            store._closed = True
            raise
        return store

    def _connect(self, *, read_only: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path,
            timeout=self._busy_timeout_ms / 1000,
            # Reader connections are pooled: lent to one thread at a time, closed by close().
            check_same_thread=not read_only,
        )
        try:
            conn.row_factory = sqlite3.Row
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

    def _open_writer(self) -> None:
        self._writer_thread = threading.get_ident()
        try:
            conn = self._connect(read_only=False)
        except sqlite3.Error as exc:
            raise errors.wrap(exc, self._path) from exc
        try:
            migrate(conn)
        except StoreError as exc:
            conn.close()
            exc.params.setdefault("path", str(self._path))
            raise
        except sqlite3.Error as exc:
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
        except sqlite3.Error as exc:
            raise errors.wrap(exc, self._path) from exc
        try:
            result = fn(db)
            conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback(conn)
            if isinstance(exc, sqlite3.Error):
                raise errors.wrap(exc, self._path) from exc
            raise
        return result

    def _rollback(self, conn: sqlite3.Connection) -> None:
        # After some errors (SQLITE_FULL, IOERR) SQLite has already rolled back on its own.
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
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
        except sqlite3.Error as exc:
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
        except sqlite3.Error as exc:
            raise errors.wrap(exc, self._path) from exc
        with self._readers_lock:
            if self._closed:
                conn.close()
                raise _closed_error(self._path)
            self._readers.append(conn)
        return sqlite_utils.Database(conn, execute_plugins=False)

    def _give_back(self, db: sqlite_utils.Database) -> None:
        with self._readers_lock:
            if not self._closed:
                self._idle.append(db)

    def reader_count(self) -> int:
        """How many read connections are open (they are pooled, so this stays small)."""
        with self._readers_lock:
            return len(self._readers)

    # -- closing -----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise _closed_error(self._path)

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
                except sqlite3.Error:
                    log.exception("closing a reader failed")

    def _close_writer(self) -> None:
        self.assert_writer_thread()
        db, self._writer = self._writer, None
        if db is None:
            return
        conn = db.conn
        try:
            # Fold the WAL back into the main file so a copy of the .sqlite3 alone is whole.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            log.warning("checkpoint on close failed", exc_info=True)
        conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _closed_error(path: Path) -> StoreError:
    return StoreError("store.closed", f"The database {path} has been closed.", {"path": str(path)})
