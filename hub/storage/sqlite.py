"""The hub on one SQLite file: for demos, development and a hub serving a handful of spokes.

Threads: one writer connection behind ``_write_lock`` (SQLite has one writer anyway; the lock
makes it explicit and keeps Python threads from interleaving statements), and a small pool of
reader connections that pulls, lookups and stats use without waiting for writes (WAL lets
readers see the last commit while a write is in progress). Every write is one ``BEGIN
IMMEDIATE`` transaction, so several processes on one file also take turns. ``synchronous=FULL``:
an op the hub answered "applied" must survive a power cut, because the spoke forgets it.

Change-feed order: writers are serialised, so ``changes.seq`` (an ``AUTOINCREMENT`` rowid,
never reused) grows in commit order; no counter row is needed here.

Documents are JSON text with ``CHECK (json_valid(...))``, so SQLite refuses what PostgreSQL's
``jsonb`` refuses and the two backends reject the same ops.

Blob bytes live in the same file (``blob_chunks``), not in files beside it: a chunk and the
offset that counts it commit together, so a crash can never leave the two disagreeing, and a
backup is one file. Chunks are at most 256 KB, which SQLite stores comfortably.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from app.security import rx_signatures
from hub import ops
from hub.storage import _audit, _clinical, _fleet, _rx
from hub.storage import _common as common
from hub.storage._common import Claim, ClaimOutcome, NeedsOrder
from hub.storage.base import (
    BlobHashMismatch,
    BlobOffsetError,
    HubStoreError,
    OpResult,
    PullAsk,
    PullPage,
)

# Errors that say "this op's data cannot be stored", not "the database is unwell".
_UNSTORABLE: Final = (sqlite3.IntegrityError, sqlite3.DataError)
_MAX_VARS: Final = 500  # ids per IN (...) list; far below SQLite's limit, keeps plans simple
_READERS: Final = 4  # idle reader connections kept open

# Numbered migrations; PRAGMA user_version holds the last one applied. Never edit a released
# one: add the next.
_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE spokes (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE applied_ops (
            op_id TEXT PRIMARY KEY, spoke_id TEXT NOT NULL, spoke_seq INTEGER,
            status TEXT NOT NULL, code TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL DEFAULT '', received_at TEXT NOT NULL)""",
        """CREATE TABLE patients (
            id TEXT PRIMARY KEY, spoke_id TEXT NOT NULL, version INTEGER NOT NULL,
            doc TEXT NOT NULL CHECK (json_valid(doc)), received_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        """CREATE TABLE cases (
            id TEXT PRIMARY KEY, spoke_id TEXT NOT NULL, patient_id TEXT NOT NULL,
            status TEXT NOT NULL, status_reason TEXT NOT NULL DEFAULT '',
            priority TEXT NOT NULL, specialty TEXT NOT NULL,
            doc TEXT NOT NULL CHECK (json_valid(doc)),
            received_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX cases_patient ON cases (patient_id)",
        """CREATE TABLE observations (
            id TEXT PRIMARY KEY, spoke_id TEXT NOT NULL, case_id TEXT NOT NULL,
            code TEXT NOT NULL, status TEXT NOT NULL, status_reason TEXT NOT NULL DEFAULT '',
            doc TEXT NOT NULL CHECK (json_valid(doc)), received_at TEXT NOT NULL)""",
        "CREATE INDEX observations_case ON observations (case_id)",
        """CREATE TABLE attachments (
            id TEXT PRIMARY KEY, spoke_id TEXT NOT NULL, case_id TEXT NOT NULL,
            sha256 TEXT NOT NULL, size INTEGER NOT NULL, media_type TEXT NOT NULL,
            doc TEXT NOT NULL CHECK (json_valid(doc)), received_at TEXT NOT NULL)""",
        "CREATE INDEX attachments_case ON attachments (case_id)",
        """CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, spoke_id TEXT NOT NULL,
            entity TEXT NOT NULL, entity_id TEXT NOT NULL, op TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)), created_at TEXT NOT NULL)""",
        "CREATE INDEX changes_spoke_seq ON changes (spoke_id, seq)",
        # "offset" is an SQL keyword: upload_offset is the bytes held so far.
        """CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, media_type TEXT NOT NULL,
            upload_offset INTEGER NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL, completed_at TEXT)""",
        """CREATE TABLE blob_chunks (
            sha256 TEXT NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY (sha256, start))""",
    ),
    (
        """CREATE TABLE enrol_tokens (
            id TEXT PRIMARY KEY, facility TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT,
            spoke_id TEXT REFERENCES spokes (id))""",
    ),
    (
        # Usernames are stored lower-case; the index on lower() keeps them unique regardless
        # of case even for a row written by hand. Hub roles have no spoke, spoke roles one.
        """CREATE TABLE hub_users (
            id TEXT PRIMARY KEY, username TEXT NOT NULL, display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN
                ('hub_admin', 'specialist', 'paramedic', 'generalist', 'admin')),
            spoke_id TEXT REFERENCES spokes (id),
            registration_no TEXT NOT NULL DEFAULT '', specialty TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            CHECK ((role IN ('hub_admin', 'specialist')) = (spoke_id IS NULL)))""",
        "CREATE UNIQUE INDEX hub_users_username ON hub_users (lower(username))",
        "CREATE INDEX hub_users_spoke ON hub_users (spoke_id, username)",
    ),
    (
        # E-prescriptions (hub.storage._rx). Times the hub keeps are TEXT as elsewhere; times
        # a spoke reports (``at``, ``sent_at``) are kept as sent.
        "ALTER TABLE hub_users ADD COLUMN registration_council TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE hub_users ADD COLUMN qualification TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE specialist_keys (
            key_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES hub_users (id),
            sealed TEXT NOT NULL, certificate TEXT NOT NULL, revocation TEXT,
            created_at TEXT NOT NULL, revoked_at TEXT)""",
        # One active key per specialist.
        "CREATE UNIQUE INDEX specialist_keys_active ON specialist_keys (user_id) "
        "WHERE revoked_at IS NULL",
        """CREATE TABLE prescriptions (
            id TEXT PRIMARY KEY, case_id TEXT NOT NULL, spoke_id TEXT NOT NULL,
            specialist_id TEXT NOT NULL, key_id TEXT NOT NULL REFERENCES specialist_keys (key_id),
            canonical BLOB NOT NULL, signature BLOB NOT NULL, certificate TEXT NOT NULL,
            issued_at TEXT NOT NULL, supersedes TEXT REFERENCES prescriptions (id),
            created_at TEXT NOT NULL)""",
        "CREATE INDEX prescriptions_case ON prescriptions (case_id)",
        # A prescription is corrected at most once: a correction of it is corrected in turn.
        "CREATE UNIQUE INDEX prescriptions_supersedes ON prescriptions (supersedes) "
        "WHERE supersedes IS NOT NULL",
        # Signed bytes never change: not through the store, and not by a stray UPDATE.
        """CREATE TRIGGER prescriptions_immutable BEFORE UPDATE ON prescriptions
            BEGIN SELECT RAISE(ABORT, 'signed prescriptions are immutable'); END""",
        """CREATE TRIGGER prescriptions_kept BEFORE DELETE ON prescriptions
            BEGIN SELECT RAISE(ABORT, 'signed prescriptions are immutable'); END""",
        """CREATE TABLE prescription_acks (
            prescription_id TEXT PRIMARY KEY, spoke_id TEXT NOT NULL, by_user_id TEXT NOT NULL,
            by_name TEXT NOT NULL, at TEXT NOT NULL, received_at TEXT NOT NULL)""",
        """CREATE TABLE prescription_dispensing (
            prescription_id TEXT NOT NULL, item_index INTEGER NOT NULL, spoke_id TEXT NOT NULL,
            status TEXT NOT NULL, quantity REAL, note TEXT NOT NULL, by_user_id TEXT NOT NULL,
            by_name TEXT NOT NULL, at TEXT NOT NULL, seq INTEGER NOT NULL,
            received_at TEXT NOT NULL, PRIMARY KEY (prescription_id, item_index))""",
        """CREATE TABLE prescription_invalid (
            op_id TEXT PRIMARY KEY, prescription_id TEXT NOT NULL, spoke_id TEXT NOT NULL,
            status TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL,
            received_at TEXT NOT NULL)""",
        """CREATE TABLE case_messages (
            id TEXT PRIMARY KEY, case_id TEXT NOT NULL, spoke_id TEXT NOT NULL,
            prescription_id TEXT, author_user_id TEXT NOT NULL, author_name TEXT NOT NULL,
            author_role TEXT NOT NULL, body TEXT NOT NULL, sent_at TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('spoke', 'hub')), received_at TEXT NOT NULL)""",
        "CREATE INDEX case_messages_case ON case_messages (case_id, received_at)",
    ),
    (
        # The specialist's console (hub.storage._clinical): who has taken a case, and the
        # index the queue and its polled count read.
        """CREATE TABLE case_claims (
            case_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES hub_users (id),
            username TEXT NOT NULL, display_name TEXT NOT NULL, claimed_at TEXT NOT NULL)""",
        "CREATE INDEX cases_queue ON cases (status, specialty)",
    ),
    (
        # The clinics' audit trails (hub.storage._audit): entries by (spoke, seq), first copy
        # wins; another copy of a held seq is kept aside as a conflict.
        """CREATE TABLE audit_entries (
            spoke_id TEXT NOT NULL, seq INTEGER NOT NULL, chain TEXT NOT NULL, at TEXT NOT NULL,
            actor_id TEXT NOT NULL, actor_role TEXT NOT NULL, action TEXT NOT NULL,
            entity TEXT NOT NULL, entity_id TEXT NOT NULL, detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL, received_at TEXT NOT NULL,
            PRIMARY KEY (spoke_id, seq))""",
        """CREATE TABLE audit_conflicts (
            spoke_id TEXT NOT NULL, seq INTEGER NOT NULL, chain TEXT NOT NULL, at TEXT NOT NULL,
            actor_id TEXT NOT NULL, actor_role TEXT NOT NULL, action TEXT NOT NULL,
            entity TEXT NOT NULL, entity_id TEXT NOT NULL, detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL, held_hash TEXT NOT NULL,
            received_at TEXT NOT NULL, PRIMARY KEY (spoke_id, seq, hash))""",
    ),
    (
        # The Clinics page (hub.storage._fleet): each spoke's latest health report and the
        # hub's time it arrived, the end of the spoke's last completed round.
        """CREATE TABLE spoke_health (
            spoke_id TEXT PRIMARY KEY REFERENCES spokes (id),
            report TEXT NOT NULL CHECK (json_valid(report)), received_at TEXT NOT NULL)""",
    ),
)


class SqliteHubStore(
    _rx.RxStore,
    _clinical.ClinicalReads,
    _audit.AuditStore,
    _fleet.FleetStore,
    common.UserChanges,
):
    """``HubStore`` on the SQLite file at ``path`` (created with its folder when missing).

    Thread-safe; call ``migrate`` once before use (``open_store`` does) and ``close`` at the
    end.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._write_lock = threading.Lock()
        self._readers_lock = threading.Lock()
        self._readers: list[sqlite3.Connection] = []
        self._writer: sqlite3.Connection | None = None
        self._closed = False
        self._verifier = common.SecretVerifier()
        self._passwords = common.UserPasswordChecker()

    # -- connections ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE), never implicit.
            conn = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except (sqlite3.Error, OSError) as exc:
            raise HubStoreError(f"cannot open the hub database {self._path}: {exc}") from exc
        return conn

    def _check_open(self) -> None:
        if self._closed:
            raise HubStoreError("the hub store is closed")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, on the writer connection, with the writer lock held."""
        with self._write_lock:
            self._check_open()
            if self._writer is None:
                self._writer = self._connect()
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:  # some errors (disk full) already rolled back
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:  # locked, I/O, disk full: not the client's
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise HubStoreError(f"hub database error: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A reader connection for this thread's use until the block ends."""
        self._check_open()
        with self._readers_lock:
            conn = self._readers.pop() if self._readers else None
        if conn is None:
            conn = self._connect()
        keep = False
        try:
            yield conn
            keep = not conn.in_transaction
        except sqlite3.OperationalError as exc:
            raise HubStoreError(f"hub database error: {exc}") from exc
        finally:
            with self._readers_lock:
                if keep and not self._closed and len(self._readers) < _READERS:
                    self._readers.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    # -- lifecycle -------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema up to date (each migration in its own transaction) and make sure
        the database has an epoch."""
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(_MIGRATIONS):
                raise HubStoreError(
                    f"the hub database is at schema {version}, newer than this hub "
                    f"({len(_MIGRATIONS)})"
                )
        for number, statements in enumerate(_MIGRATIONS, start=1):
            with self._write() as conn:
                if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                    continue  # another process got there first
                for statement in statements:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?)",
                [common.new_epoch_id()],
            )

    def close(self) -> None:
        """Close every connection; later calls raise ``HubStoreError``. Idempotent."""
        with self._write_lock:
            self._closed = True
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()

    # -- meta ------------------------------------------------------------------------------

    def epoch(self) -> str:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        if row is None:
            raise HubStoreError("the hub database has no epoch: migrate() it first")
        return str(row[0])

    def new_epoch(self) -> str:
        epoch = common.new_epoch_id()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('epoch', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [epoch],
            )
        return epoch

    def max_seq(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT IFNULL(MAX(seq), 0) FROM changes").fetchone()[0])

    def meta_get(self, key: str) -> str | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def meta_put(self, key: str, value: str, *, replace: bool = True) -> str:
        conflict = "DO UPDATE SET value = excluded.value" if replace else "DO NOTHING"
        with self._write() as conn:
            conn.execute(
                f"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) {conflict}",
                [key, value],
            )
            return str(conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()[0])

    # -- enrolment -------------------------------------------------------------------------

    def create_enrol_token(self, facility: str, secret: str, expires_at: datetime) -> str:
        facility = common.check_spoke_name(facility)
        token_id = str(uuid.uuid4())
        with self._write() as conn:
            conn.execute(
                "INSERT INTO enrol_tokens (id, facility, secret_hash, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    token_id,
                    facility,
                    common.enrol_token_hash(secret),
                    common.now_iso(),
                    expires_at.astimezone(UTC).isoformat(timespec="microseconds"),
                ],
            )
        return token_id

    def redeem_enrol_token(self, secret: str, spoke_secret: str) -> tuple[str, str]:
        token_hash = common.enrol_token_hash(secret)
        find = (
            "SELECT t.id, t.facility, t.expires_at, t.spoke_id, s.secret_hash "
            "FROM enrol_tokens t LEFT JOIN spokes s ON s.id = t.spoke_id WHERE t.secret_hash = ?"
        )
        with self._read() as conn:
            found = conn.execute(find, [token_hash]).fetchone()
        if found is None:
            raise common.unknown_token()  # before scrypt: a guess costs the hub nothing
        hashed = common.hash_secret(spoke_secret)  # slow on purpose: outside the writer lock
        with self._write() as conn:
            token_id, facility, expires_at, used_by, used_hash = conn.execute(
                find, [token_hash]
            ).fetchone()
            verdict = common.judge_enrol_token(
                expires_at=datetime.fromisoformat(expires_at),
                used_by=used_by,
                now=datetime.now(UTC),
                same_spoke=bool(used_hash) and self._verifier.verify(used_hash, spoke_secret),
            )
            if verdict == "again":
                return str(used_by), str(facility)
            spoke_id = common.new_spoke_credentials()[0]
            now = common.now_iso()
            conn.execute(
                "INSERT INTO spokes (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)",
                [spoke_id, facility, hashed, now],
            )
            conn.execute(
                "UPDATE enrol_tokens SET used_at = ?, spoke_id = ? WHERE id = ?",
                [now, spoke_id, token_id],
            )
        return spoke_id, str(facility)

    def enrol_tokens(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, facility, created_at, expires_at, used_at, spoke_id "
                "FROM enrol_tokens ORDER BY created_at DESC"
            ).fetchall()
        return common.token_documents(rows)

    # -- spokes ----------------------------------------------------------------------------

    def register_spoke(self, name: str) -> tuple[str, str]:
        name = common.check_spoke_name(name)
        spoke_id, secret = common.new_spoke_credentials()
        hashed = common.hash_secret(secret)  # slow on purpose: outside the writer lock
        with self._write() as conn:
            conn.execute(
                "INSERT INTO spokes (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)",
                [spoke_id, name, hashed, common.now_iso()],
            )
        return spoke_id, secret

    def authenticate(self, spoke_id: str, secret: str) -> bool:
        with self._read() as conn:
            row = conn.execute("SELECT secret_hash FROM spokes WHERE id = ?", [spoke_id]).fetchone()
        return row is not None and self._verifier.verify(row[0], secret)

    # -- hub users -------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        display_name: str,
        role: str,
        password: str,
        *,
        spoke_id: str | None = None,
        registration_no: str = "",
        specialty: str = "",
        registration_council: str = "",
        qualification: str = "",
    ) -> str:
        new = common.check_new_user(
            username, display_name, role, password, spoke_id, registration_no, specialty,
            registration_council, qualification,
        )  # fmt: skip
        hashed = common.hash_user_password(password)  # slow on purpose: outside the writer lock
        key = common.seal_new_key(password) if new.role == "specialist" else None
        user_id = str(uuid.uuid4())
        with self._write() as conn:
            if (
                new.spoke_id is not None
                and not conn.execute("SELECT 1 FROM spokes WHERE id = ?", [new.spoke_id]).fetchone()
            ):
                raise ValueError(f"no spoke with id {new.spoke_id!r}")
            if conn.execute(
                "SELECT 1 FROM hub_users WHERE lower(username) = ?", [new.username]
            ).fetchone():
                raise common.duplicate_user(new.username)
            now = common.now_iso()
            conn.execute(
                "INSERT INTO hub_users (id, username, display_name, role, spoke_id, "
                "registration_no, specialty, registration_council, qualification, "
                "password_hash, active, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                [
                    user_id,
                    new.username,
                    new.display_name,
                    new.role,
                    new.spoke_id,
                    new.registration_no,
                    new.specialty,
                    new.registration_council,
                    new.qualification,
                    hashed,
                    now,
                    now,
                ],
            )
            if key is not None:
                _rx.insert_key(_rx.sqlite_sql(conn), user_id, key, datetime.now(UTC))
            if new.spoke_id is not None:
                row = _user_row(conn, "id = ?", user_id)
                assert row is not None
                _add_changes(conn, new.spoke_id, [common.staff_change(row)])
        return user_id

    def verify_user(self, username: str, password: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = _user_row(conn, "lower(username) = ?", common.normalise_username(username))
        # Always one scrypt, and never under the writer lock.
        ok = self._passwords.check(None if row is None else str(row[-1]), password)
        return common.user_document(row) if ok and row is not None and row[7] else None

    def users(self, spoke_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE spoke_id = ?", [spoke_id]) if spoke_id is not None else ("", [])
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {common.USER_COLUMNS} FROM hub_users {where} ORDER BY username", params
            ).fetchall()
        return [common.user_document(r) for r in rows]

    def _change_user(
        self,
        username: str,
        *,
        active: bool | None = None,
        password_hash: str | None = None,
        new_key: rx_signatures.SpecialistKey | None = None,
        reseal: common.Reseal | None = None,
    ) -> None:
        """Update one user and, for a spoke's staff, hand the new version down in the same
        transaction (a specialist's key changes in it too)."""
        key = common.normalise_username(username)
        with self._write() as conn:
            row = _user_row(conn, "lower(username) = ?", key)
            if row is None:
                raise common.unknown_user(username)
            if password_hash is None and active is not None and bool(row[7]) == active:
                return  # already so: nothing to hand down
            updated = common.next_updated_at(datetime.fromisoformat(row[9]), datetime.now(UTC))
            conn.execute(
                "UPDATE hub_users SET active = COALESCE(?, active), "
                "password_hash = COALESCE(?, password_hash), updated_at = ? WHERE id = ?",
                [
                    None if active is None else int(active),
                    password_hash,
                    common.precise_iso(updated),
                    row[0],
                ],
            )
            if row[3] == "specialist":
                sql = _rx.sqlite_sql(conn)
                _rx.apply_key_change(sql, str(row[0]), datetime.now(UTC), new_key, reseal)
            if row[4] is not None:
                changed = _user_row(conn, "id = ?", row[0])
                assert changed is not None
                _add_changes(conn, str(row[4]), [common.staff_change(changed)])

    # -- prescriptions (hub.storage._rx) ---------------------------------------------------

    @contextmanager
    def _rx_write(self) -> Iterator[_rx.RxWrite]:
        with self._write() as conn:
            yield _SqliteRxWrite(conn)

    @contextmanager
    def _rx_read(self) -> Iterator[_rx.Sql]:
        with self._read() as conn:
            yield _rx.sqlite_sql(conn)

    def _rx_unique_violation(self) -> tuple[type[Exception], ...]:
        return (sqlite3.IntegrityError,)

    # -- push and pull ---------------------------------------------------------------------

    def apply_ops(self, spoke_id: str, ops: Sequence[Mapping[str, Any]]) -> list[OpResult]:
        """Apply a pushed batch in one transaction (see ``_common.apply_batch``)."""
        if not ops:
            return []
        with self._write() as conn:
            tx = _SqliteTx(conn)
            try:
                with tx.savepoint():
                    results, changes = common.apply_batch(
                        tx, spoke_id, ops, one_by_one=False, unstorable=_UNSTORABLE
                    )
            except (NeedsOrder, *_UNSTORABLE):
                results, changes = common.apply_batch(
                    tx, spoke_id, ops, one_by_one=True, unstorable=_UNSTORABLE
                )
            _add_changes(conn, spoke_id, changes)
        return results

    def publish(
        self, spoke_id: str, entity: str, entity_id: str, op: str, payload: Mapping[str, Any]
    ) -> int:
        with self._write() as conn:
            return _add_changes(conn, spoke_id, [(entity, entity_id, op, dict(payload))])[0]

    def pull(self, spoke_id: str, since: int, limit: int) -> PullPage:
        common.check_pull_args(since, limit)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT seq, entity, entity_id, op, payload FROM changes "
                "WHERE spoke_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                [spoke_id, since, limit + 1],
            ).fetchall()
        page = [
            {
                "seq": r[0],
                "entity": r[1],
                "entity_id": r[2],
                "op": r[3],
                "payload": json.loads(r[4]),
            }
            for r in rows[:limit]
        ]
        return PullPage(page, page[-1]["seq"] if page else since, len(rows) > limit)

    def authenticated_pulls(self, asks: Sequence[PullAsk]) -> list[PullPage | None]:
        for ask in asks:
            common.check_pull_args(ask.since, ask.limit)
        with self._read() as conn:
            # One read transaction: the epoch and the pages are of the same database state.
            conn.execute("BEGIN")
            try:
                epoch = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
                if epoch is None:
                    raise HubStoreError("the hub database has no epoch: migrate() it first")
                return [self._page(conn, ask, str(epoch[0])) for ask in asks]
            finally:
                conn.execute("COMMIT")

    def _page(self, conn: sqlite3.Connection, ask: PullAsk, epoch: str) -> PullPage | None:
        row = conn.execute("SELECT secret_hash FROM spokes WHERE id = ?", [ask.spoke_id]).fetchone()
        if row is None or not self._verifier.verify(row[0], ask.secret):
            return None
        rows = conn.execute(
            "SELECT seq, entity, entity_id, op, payload FROM changes "
            "WHERE spoke_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            [ask.spoke_id, ask.since, ask.limit + 1],
        ).fetchall()
        page = [
            {
                "seq": r[0],
                "entity": r[1],
                "entity_id": r[2],
                "op": r[3],
                "payload": json.loads(r[4]),
            }
            for r in rows[: ask.limit]
        ]
        since = page[-1]["seq"] if page else ask.since
        return PullPage(page, since, len(rows) > ask.limit, epoch)

    # -- blobs -----------------------------------------------------------------------------

    def blob_start(self, sha256: str, size: int, media_type: str) -> tuple[str, int]:
        common.check_blob_args(sha256, size, media_type)
        with self._write() as conn:
            row = conn.execute(
                "SELECT size, upload_offset, complete FROM blobs WHERE sha256 = ?", [sha256]
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO blobs (sha256, size, media_type, created_at) VALUES (?, ?, ?, ?)",
                    [sha256, size, media_type, common.now_iso()],
                )
                return "created", 0
            held_size, held, complete = row
            if complete:
                return "exists", int(held_size)
            if held_size != size:
                # Announced again with another size: one announcement is wrong, and bytes
                # held for the other cannot be trusted. Start over.
                conn.execute("DELETE FROM blob_chunks WHERE sha256 = ?", [sha256])
                conn.execute(
                    "UPDATE blobs SET size = ?, media_type = ?, upload_offset = 0 WHERE sha256 = ?",
                    [size, media_type, sha256],
                )
                return "created", 0
            return "created", int(held)

    def blob_offset(self, sha256: str) -> int | None:
        common.check_blob_args(sha256)
        with self._read() as conn:
            row = conn.execute(
                "SELECT upload_offset FROM blobs WHERE sha256 = ?", [sha256]
            ).fetchone()
        return None if row is None else int(row[0])

    def blob_append(self, sha256: str, offset: int, data: bytes) -> int:
        common.check_blob_args(sha256)
        mismatch = False
        with self._write() as conn:
            row = conn.execute(
                "SELECT size, upload_offset, complete FROM blobs WHERE sha256 = ?", [sha256]
            ).fetchone()
            if row is None:
                raise KeyError(sha256)
            size, held, complete = (int(v) for v in row)
            if offset != held or (complete and data):
                raise BlobOffsetError(held)
            if complete:
                return held
            end = held + len(data)
            if end > size:
                raise ValueError(f"the upload runs past its announced size ({size} bytes)")
            if data:
                conn.execute(
                    "INSERT INTO blob_chunks (sha256, start, data) VALUES (?, ?, ?)",
                    [sha256, held, bytes(data)],
                )
            if end < size:
                conn.execute("UPDATE blobs SET upload_offset = ? WHERE sha256 = ?", [end, sha256])
                return end
            chunks = conn.execute(
                "SELECT data FROM blob_chunks WHERE sha256 = ? ORDER BY start", [sha256]
            )
            if common.sha256_of(bytes(c[0]) for c in chunks) == sha256:
                conn.execute(
                    "UPDATE blobs SET upload_offset = ?, complete = 1, completed_at = ? "
                    "WHERE sha256 = ?",
                    [end, common.now_iso(), sha256],
                )
                return end
            # Discard the upload (committed below) so that a resend starts clean.
            conn.execute("DELETE FROM blob_chunks WHERE sha256 = ?", [sha256])
            conn.execute("DELETE FROM blobs WHERE sha256 = ?", [sha256])
            mismatch = True
        if mismatch:
            raise BlobHashMismatch(f"the {size} bytes received do not hash to {sha256}")
        raise AssertionError("unreachable")

    # -- stats -----------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self._read() as conn:
            conn.execute("BEGIN")  # one snapshot for every count
            try:
                spokes = conn.execute(
                    "SELECT id, name, created_at FROM spokes ORDER BY created_at, id"
                ).fetchall()
                counts = {
                    table: dict(
                        conn.execute(
                            f"SELECT spoke_id, COUNT(*) FROM {table} GROUP BY spoke_id"
                        ).fetchall()
                    )
                    for table in (
                        "patients", "cases", "observations", "attachments", "prescriptions",
                    )
                }  # fmt: skip
                with_blob = dict(
                    conn.execute(
                        "SELECT a.spoke_id, COUNT(*) FROM attachments a "
                        "JOIN blobs b ON b.sha256 = a.sha256 AND b.complete "
                        "GROUP BY a.spoke_id"
                    ).fetchall()
                )
                blobs, blob_bytes, uploading = conn.execute(
                    "SELECT IFNULL(SUM(complete), 0), IFNULL(SUM(size * complete), 0), "
                    "IFNULL(SUM(1 - complete), 0) FROM blobs"
                ).fetchone()
                max_seq = conn.execute("SELECT IFNULL(MAX(seq), 0) FROM changes").fetchone()[0]
                rx_counts = _rx.prescription_counts(_rx.sqlite_sql(conn))
            finally:
                conn.execute("COMMIT")
        return common.stats_document(
            [(r[0], r[1], common.iso(r[2])) for r in spokes],
            counts,
            with_blob,
            int(blobs),
            int(blob_bytes),
            int(uploading),
            int(max_seq),
            rx_counts,
        )


def _add_changes(
    conn: sqlite3.Connection, spoke_id: str, changes: Sequence[common.Change]
) -> list[int]:
    """Append to the spoke's feed; the rowid is the seq (the single writer makes it commit
    order)."""
    now = common.now_iso()
    seqs: list[int] = []
    for entity, entity_id, op, payload in changes:
        cur = conn.execute(
            "INSERT INTO changes (spoke_id, entity, entity_id, op, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [spoke_id, entity, entity_id, op, common.to_json(payload), now],
        )
        assert cur.lastrowid is not None
        seqs.append(cur.lastrowid)
    return seqs


def _user_row(conn: sqlite3.Connection, where: str, value: str) -> tuple[Any, ...] | None:
    """One hub user as ``common.USER_COLUMNS`` (``where`` is our own SQL, one parameter)."""
    row = conn.execute(
        f"SELECT {common.USER_COLUMNS} FROM hub_users WHERE {where}", [value]
    ).fetchone()
    return None if row is None else tuple(row)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _MAX_VARS):
        yield ids[start : start + _MAX_VARS]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class _SqliteRxWrite:
    """``_rx.RxWrite`` on the writer connection (one writer: no row locks needed)."""

    lock = ""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.sql = _rx.sqlite_sql(conn)

    def publish(self, spoke_id: str, changes: Sequence[common.Change]) -> list[int]:
        return _add_changes(self._conn, spoke_id, changes)


class _SqliteTx:
    """``_common.Tx`` on the writer connection, inside its open transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._savepoints = 0

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        self._conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._conn.execute(f"ROLLBACK TO {name}")
            self._conn.execute(f"RELEASE {name}")
            raise
        self._conn.execute(f"RELEASE {name}")

    def claim(self, spoke_id: str, claims: Sequence[Claim]) -> dict[str, ClaimOutcome]:
        existing: dict[str, tuple[str, str]] = {}
        ids = [c.op_id for c in claims]
        for part in _chunks(ids):
            for op_id, owner, status in self._conn.execute(
                "SELECT op_id, spoke_id, status FROM applied_ops "
                f"WHERE op_id IN ({_marks(len(part))})",
                part,
            ):
                existing[op_id] = (owner, status)
        outcome: dict[str, ClaimOutcome] = {}
        rows: list[tuple[Any, ...]] = []
        now = common.now_iso()
        for c in claims:
            found = existing.get(c.op_id)
            if found is None or found == (spoke_id, "rejected"):
                outcome[c.op_id] = "new"
                rows.append((c.op_id, spoke_id, c.seq, c.status, c.code, c.message, now))
            elif found[0] != spoke_id:
                outcome[c.op_id] = "conflict"
            else:
                outcome[c.op_id] = "duplicate"
        self._conn.executemany(
            "INSERT INTO applied_ops (op_id, spoke_id, spoke_seq, status, code, message, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (op_id) DO UPDATE SET "
            "spoke_seq = excluded.spoke_seq, status = excluded.status, code = excluded.code, "
            "message = excluded.message, received_at = excluded.received_at",
            rows,
        )
        return outcome

    def owners(self, wanted: Mapping[str, set[str]]) -> dict[ops.Ref, str]:
        found: dict[ops.Ref, str] = {}
        for entity, ids in wanted.items():
            table = _TABLES[entity]
            for part in _chunks(sorted(ids)):
                for rid, owner in self._conn.execute(
                    f"SELECT id, spoke_id FROM {table} WHERE id IN ({_marks(len(part))})", part
                ):
                    found[(entity, rid)] = owner
        return found

    def reject(self, spoke_id: str, rejected: Sequence[tuple[str, str, str]]) -> None:
        self._conn.executemany(
            "UPDATE applied_ops SET status = 'rejected', code = ?, message = ? "
            "WHERE op_id = ? AND spoke_id = ?",
            [(code, message, op_id, spoke_id) for op_id, code, message in rejected],
        )

    def write(self, spoke_id: str, writes: ops.Writes) -> dict[str, str]:
        conn, now = self._conn, common.now_iso()
        conn.executemany(
            "INSERT INTO patients (id, spoke_id, version, doc, received_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [(p.id, spoke_id, p.version, p.doc, now, now) for p in writes.patients.values()],
        )
        for patch in writes.patches:
            # A shallow merge, as PostgreSQL's jsonb || does (SQLite's json_patch is RFC 7396:
            # it would drop fields set to null and merge nested objects).
            row = conn.execute(
                "SELECT doc FROM patients WHERE id = ? AND spoke_id = ? AND version < ?",
                [patch.id, spoke_id, patch.version],
            ).fetchone()
            if row is None:
                continue  # stale: the stored record is already this version or newer
            doc = json.loads(row[0])
            doc.update(json.loads(patch.merge))
            conn.execute(
                "UPDATE patients SET doc = ?, version = ?, updated_at = ? WHERE id = ?",
                [common.to_json(doc), patch.version, now, patch.id],
            )
        conn.executemany(
            "INSERT INTO cases (id, spoke_id, patient_id, status, priority, specialty, doc, "
            "received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, "
            "priority = excluded.priority, specialty = excluded.specialty, doc = excluded.doc, "
            "updated_at = excluded.updated_at WHERE cases.spoke_id = excluded.spoke_id",
            [
                (c.id, spoke_id, c.patient_id, ops.CASE_AT_HUB, c.priority, c.specialty, c.doc,
                 now, now)
                for c in writes.cases.values()
            ],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO observations (id, spoke_id, case_id, code, status, doc, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET code = excluded.code, "
            "status = excluded.status, doc = excluded.doc "
            "WHERE observations.spoke_id = excluded.spoke_id",
            [
                (o.id, spoke_id, o.case_id, o.code, o.status, o.doc, now)
                for o in writes.observations.values()
            ],
        )
        conn.executemany(
            "INSERT INTO attachments (id, spoke_id, case_id, sha256, size, media_type, doc, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [
                (a.id, spoke_id, a.case_id, a.sha256, a.size, a.media_type, a.doc, now)
                for a in writes.attachments.values()
            ],
        )
        conn.executemany(
            "UPDATE cases SET status = ?, status_reason = ?, updated_at = ? "
            "WHERE id = ? AND spoke_id = ?",
            [(ops.CASE_CANCELLED, m.reason, now, m.id, spoke_id) for m in writes.cancels],
        )
        conn.executemany(
            "UPDATE observations SET status = ?, status_reason = ? WHERE id = ? AND spoke_id = ?",
            [
                (ops.OBSERVATION_ENTERED_IN_ERROR, m.reason, m.id, spoke_id)
                for m in writes.entered_in_error
            ],
        )
        _rx.write_ops(_rx.sqlite_sql(conn), spoke_id, writes, datetime.now(UTC))
        _audit.write_ops(_rx.sqlite_sql(conn), spoke_id, writes.audit, datetime.now(UTC))
        statuses: dict[str, str] = {}
        for part in _chunks(list(writes.cases)):
            statuses.update(
                conn.execute(
                    "SELECT id, status FROM cases "
                    f"WHERE spoke_id = ? AND id IN ({_marks(len(part))})",
                    [spoke_id, *part],
                ).fetchall()
            )
        return statuses


_TABLES: Final = {
    "patient": "patients",
    "case": "cases",
    "observation": "observations",
    "attachment": "attachments",
    "prescription": "prescriptions",
    "case_message": "case_messages",
}
