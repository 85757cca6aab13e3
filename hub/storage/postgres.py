"""The hub on PostgreSQL: the production backend. Stateless: every byte (blobs included) lives
in the database, so several hub processes can serve one database behind a load balancer.

Threads: a ``psycopg_pool.ConnectionPool``; each call borrows one connection for its
transaction and gives it back, so any number of threads may call in. Connections are in
autocommit mode and every write is an explicit ``conn.transaction()`` (READ COMMITTED: the
counter-row update below relies on it re-reading the row after waiting for the lock).

Change-feed order (docs/SYNC.md, postgres-measurements.md): a ``SEQUENCE`` hands out numbers
when a row is inserted, so a transaction holding 7 can commit after one holding 8 and a reader
already past 8 never sees 7. Here each change's seq comes from the single ``feed_counter`` row,
updated in the same transaction by the same statement that inserts the changes, and that
statement is the LAST of the transaction. The row lock is held from there to COMMIT, so a
second writer waits for the first to commit before it reads the counter: seqs are handed out
in commit order, and a reader that sees seq N sees every seq below N. The lock is held only for
that final insert and the commit, not for the whole batch (measured: bumping first serialises
every writer for the whole transaction; bumping last scales).

Ingest is set-based: a batch of ops becomes a handful of statements that feed whole arrays
through ``unnest`` (one round trip per table, not per row); see ``_common.apply_batch`` for
how one poisoned op is still isolated (a per-op SAVEPOINT replay). Arrays go as BINARY
parameters (``%b``): in the text format psycopg escapes every quote of every JSON document
with a regex, which measured as half the ingest time (bench/bench_hub_ingest.py).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Final

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

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

Conn = psycopg.Connection[TupleRow]

# The database refused an op's data (a value it cannot store): that op is rejected, not the
# batch. Connection loss, deadlocks and serialization failures are OperationalError: 503.
_UNSTORABLE: Final = (pg_errors.DataError, pg_errors.IntegrityError)
# pg_advisory_xact_lock key for migrations: concurrent hub start-ups take turns.
_MIGRATION_LOCK: Final = int.from_bytes(hashlib.sha256(b"hwc-hub-migrate").digest()[:8], "big") >> 1

# Numbered migrations, recorded in schema_migrations. Never edit a released one: add the next.
_MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
    -- One row; see the module docstring. A low fillfactor leaves room for HOT updates.
    CREATE TABLE feed_counter (
        id smallint PRIMARY KEY CHECK (id = 1), value bigint NOT NULL
    ) WITH (fillfactor = 10);
    INSERT INTO feed_counter (id, value) VALUES (1, 0);
    CREATE TABLE spokes (
        id text PRIMARY KEY, name text NOT NULL, secret_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE applied_ops (
        op_id text PRIMARY KEY, spoke_id text NOT NULL, spoke_seq bigint,
        status text NOT NULL, code text NOT NULL DEFAULT '', message text NOT NULL DEFAULT '',
        received_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE patients (
        id text PRIMARY KEY, spoke_id text NOT NULL, version integer NOT NULL,
        doc jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE cases (
        id text PRIMARY KEY, spoke_id text NOT NULL, patient_id text NOT NULL,
        status text NOT NULL, status_reason text NOT NULL DEFAULT '',
        priority text NOT NULL, specialty text NOT NULL, doc jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX cases_patient ON cases (patient_id);
    CREATE TABLE observations (
        id text PRIMARY KEY, spoke_id text NOT NULL, case_id text NOT NULL,
        code text NOT NULL, status text NOT NULL, status_reason text NOT NULL DEFAULT '',
        doc jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX observations_case ON observations (case_id);
    CREATE TABLE attachments (
        id text PRIMARY KEY, spoke_id text NOT NULL, case_id text NOT NULL,
        sha256 text NOT NULL, size bigint NOT NULL, media_type text NOT NULL,
        doc jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX attachments_case ON attachments (case_id);
    CREATE TABLE changes (
        seq bigint PRIMARY KEY, spoke_id text NOT NULL, entity text NOT NULL,
        entity_id text NOT NULL, op text NOT NULL, payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX changes_spoke_seq ON changes (spoke_id, seq);
    -- "offset" is an SQL keyword: upload_offset is the bytes held so far.
    CREATE TABLE blobs (
        sha256 text PRIMARY KEY, size bigint NOT NULL, media_type text NOT NULL,
        upload_offset bigint NOT NULL DEFAULT 0, complete boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(), completed_at timestamptz
    );
    CREATE TABLE blob_chunks (
        sha256 text NOT NULL, start bigint NOT NULL, data bytea NOT NULL,
        PRIMARY KEY (sha256, start)
    );
    """,
    """
    CREATE TABLE enrol_tokens (
        id text PRIMARY KEY, facility text NOT NULL, secret_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL,
        used_at timestamptz, spoke_id text REFERENCES spokes (id)
    );
    """,
    """
    -- Usernames are stored lower-case; the index on lower() keeps them unique regardless of
    -- case even for a row written by hand. Hub roles have no spoke, spoke roles one.
    CREATE TABLE hub_users (
        id text PRIMARY KEY, username text NOT NULL, display_name text NOT NULL,
        role text NOT NULL CHECK (role IN
            ('hub_admin', 'specialist', 'paramedic', 'generalist', 'admin')),
        spoke_id text REFERENCES spokes (id),
        registration_no text NOT NULL DEFAULT '', specialty text NOT NULL DEFAULT '',
        password_hash text NOT NULL, active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((role IN ('hub_admin', 'specialist')) = (spoke_id IS NULL))
    );
    CREATE UNIQUE INDEX hub_users_username ON hub_users (lower(username));
    CREATE INDEX hub_users_spoke ON hub_users (spoke_id, username);
    """,
    """
    -- E-prescriptions (hub.storage._rx). Times a spoke reports (at, sent_at) are kept as sent.
    ALTER TABLE hub_users ADD COLUMN registration_council text NOT NULL DEFAULT '';
    ALTER TABLE hub_users ADD COLUMN qualification text NOT NULL DEFAULT '';
    CREATE TABLE specialist_keys (
        key_id text PRIMARY KEY, user_id text NOT NULL REFERENCES hub_users (id),
        sealed text NOT NULL, certificate text NOT NULL, revocation text,
        created_at timestamptz NOT NULL, revoked_at timestamptz
    );
    -- One active key per specialist.
    CREATE UNIQUE INDEX specialist_keys_active ON specialist_keys (user_id)
        WHERE revoked_at IS NULL;
    CREATE TABLE prescriptions (
        id text PRIMARY KEY, case_id text NOT NULL, spoke_id text NOT NULL,
        specialist_id text NOT NULL, key_id text NOT NULL REFERENCES specialist_keys (key_id),
        canonical bytea NOT NULL, signature bytea NOT NULL, certificate text NOT NULL,
        issued_at timestamptz NOT NULL, supersedes text REFERENCES prescriptions (id),
        created_at timestamptz NOT NULL
    );
    CREATE INDEX prescriptions_case ON prescriptions (case_id);
    -- A prescription is corrected at most once: a correction of it is corrected in turn.
    CREATE UNIQUE INDEX prescriptions_supersedes ON prescriptions (supersedes)
        WHERE supersedes IS NOT NULL;
    -- Signed bytes never change: not through the store, and not by a stray UPDATE.
    CREATE FUNCTION prescriptions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'signed prescriptions are immutable'; END $$;
    CREATE TRIGGER prescriptions_immutable BEFORE UPDATE OR DELETE ON prescriptions
        FOR EACH ROW EXECUTE FUNCTION prescriptions_immutable();
    CREATE TABLE prescription_acks (
        prescription_id text PRIMARY KEY, spoke_id text NOT NULL, by_user_id text NOT NULL,
        by_name text NOT NULL, at text NOT NULL, received_at timestamptz NOT NULL
    );
    CREATE TABLE prescription_dispensing (
        prescription_id text NOT NULL, item_index integer NOT NULL, spoke_id text NOT NULL,
        status text NOT NULL, quantity double precision, note text NOT NULL,
        by_user_id text NOT NULL, by_name text NOT NULL, at text NOT NULL, seq bigint NOT NULL,
        received_at timestamptz NOT NULL, PRIMARY KEY (prescription_id, item_index)
    );
    CREATE TABLE prescription_invalid (
        op_id text PRIMARY KEY, prescription_id text NOT NULL, spoke_id text NOT NULL,
        status text NOT NULL, reason text NOT NULL, at text NOT NULL,
        received_at timestamptz NOT NULL
    );
    CREATE TABLE case_messages (
        id text PRIMARY KEY, case_id text NOT NULL, spoke_id text NOT NULL,
        prescription_id text, author_user_id text NOT NULL, author_name text NOT NULL,
        author_role text NOT NULL, body text NOT NULL, sent_at text NOT NULL,
        origin text NOT NULL CHECK (origin IN ('spoke', 'hub')),
        received_at timestamptz NOT NULL
    );
    CREATE INDEX case_messages_case ON case_messages (case_id, received_at);
    """,
    """
    -- The specialist's console (hub.storage._clinical): who has taken a case, and the index
    -- the queue and its polled count read.
    CREATE TABLE case_claims (
        case_id text PRIMARY KEY, user_id text NOT NULL REFERENCES hub_users (id),
        username text NOT NULL, display_name text NOT NULL, claimed_at timestamptz NOT NULL
    );
    CREATE INDEX cases_queue ON cases (status, specialty);
    """,
    """
    -- The clinics' audit trails (hub.storage._audit): entries by (spoke, seq), first copy
    -- wins; another copy of a held seq is kept aside as a conflict.
    CREATE TABLE audit_entries (
        spoke_id text NOT NULL, seq bigint NOT NULL, chain text NOT NULL, at text NOT NULL,
        actor_id text NOT NULL, actor_role text NOT NULL, action text NOT NULL,
        entity text NOT NULL, entity_id text NOT NULL, detail text NOT NULL,
        prev_hash text NOT NULL, hash text NOT NULL, received_at timestamptz NOT NULL,
        PRIMARY KEY (spoke_id, seq)
    );
    CREATE TABLE audit_conflicts (
        spoke_id text NOT NULL, seq bigint NOT NULL, chain text NOT NULL, at text NOT NULL,
        actor_id text NOT NULL, actor_role text NOT NULL, action text NOT NULL,
        entity text NOT NULL, entity_id text NOT NULL, detail text NOT NULL,
        prev_hash text NOT NULL, hash text NOT NULL, held_hash text NOT NULL,
        received_at timestamptz NOT NULL, PRIMARY KEY (spoke_id, seq, hash)
    );
    """,
    """
    -- The Clinics page (hub.storage._fleet): each spoke's latest health report and the hub's
    -- time it arrived, the end of the spoke's last completed round.
    CREATE TABLE spoke_health (
        spoke_id text PRIMARY KEY REFERENCES spokes (id), report jsonb NOT NULL,
        received_at timestamptz NOT NULL
    );
    """,
)

# The counter bump and the feed insert in ONE statement, the last of the transaction.
_ADD_CHANGES: Final = """
    WITH counter AS (
        UPDATE feed_counter SET value = value + %(n)s WHERE id = 1 RETURNING value
    )
    INSERT INTO changes (seq, spoke_id, entity, entity_id, op, payload)
    SELECT counter.value - %(n)s + t.ord, %(spoke)s, t.entity, t.entity_id, t.op,
           t.payload::jsonb
    FROM counter,
         unnest(%(entities)b::text[], %(ids)b::text[], %(ops)b::text[], %(payloads)b::text[])
         WITH ORDINALITY AS t(entity, entity_id, op, payload, ord)
    RETURNING seq
"""


class PostgresHubStore(
    _rx.RxStore,
    _clinical.ClinicalReads,
    _audit.AuditStore,
    _fleet.FleetStore,
    common.UserChanges,
):
    """``HubStore`` on the PostgreSQL database at ``dsn`` (a libpq URL or key=value string).

    Thread-safe (a pool of ``min_size``..``max_size`` connections). Call ``migrate`` once
    before use (``open_store`` does; concurrent hub processes may all call it) and ``close``
    at the end.
    """

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 8) -> None:
        self._pool: ConnectionPool[Conn] = ConnectionPool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            kwargs={"autocommit": True, "application_name": "hwc-hub"},
            timeout=10.0,  # waiting for a free connection longer than this: answer 503
            name="hwc-hub",
            open=False,
        )
        self._pool.open(wait=False)
        self._verifier = common.SecretVerifier()
        self._passwords = common.UserPasswordChecker()

    @contextmanager
    def _conn(self) -> Iterator[Conn]:
        """A pooled connection; a database that is down or overloaded is ``HubStoreError``."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout, PoolClosed) as exc:
            raise HubStoreError(f"hub database unavailable: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------------------

    def migrate(self) -> None:
        """Apply the missing migrations in one transaction, under an advisory lock so that
        hub processes starting together take turns; make sure there is an epoch."""
        with self._conn() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_MIGRATION_LOCK])
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            if done and max(done) > len(_MIGRATIONS):
                raise HubStoreError(
                    f"the hub database is at schema {max(done)}, newer than this hub "
                    f"({len(_MIGRATIONS)})"
                )
            for number, script in enumerate(_MIGRATIONS, start=1):
                if number in done:
                    continue
                conn.execute(script)  # several statements: no parameters
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", [number])
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('epoch', %s) ON CONFLICT DO NOTHING",
                [common.new_epoch_id()],
            )

    def close(self) -> None:
        """Close the pool (waits for borrowed connections to come back). Idempotent."""
        self._pool.close()

    # -- meta ------------------------------------------------------------------------------

    def epoch(self) -> str:
        with self._conn() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        if row is None:
            raise HubStoreError("the hub database has no epoch: migrate() it first")
        return str(row[0])

    def new_epoch(self) -> str:
        epoch = common.new_epoch_id()
        with self._conn() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('epoch', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [epoch],
            )
        return epoch

    def max_seq(self) -> int:
        # The counter's committed value: every seq up to it is committed (commit order).
        with self._conn() as conn:
            row = conn.execute("SELECT value FROM feed_counter WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def meta_get(self, key: str) -> str | None:
        with self._conn() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = %s", [key]).fetchone()
        return None if row is None else str(row[0])

    def meta_put(self, key: str, value: str, *, replace: bool = True) -> str:
        conflict = "DO UPDATE SET value = excluded.value" if replace else "DO NOTHING"
        with self._conn() as conn, conn.transaction():
            conn.execute(
                f"INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) {conflict}",
                [key, value],
            )
            row = conn.execute("SELECT value FROM meta WHERE key = %s", [key]).fetchone()
        return str(row[0]) if row else value

    # -- enrolment -------------------------------------------------------------------------

    def create_enrol_token(self, facility: str, secret: str, expires_at: datetime) -> str:
        facility = common.check_spoke_name(facility)
        token_id = str(uuid.uuid4())
        with self._conn() as conn:
            conn.execute(
                "INSERT INTO enrol_tokens (id, facility, secret_hash, expires_at) "
                "VALUES (%s, %s, %s, %s)",
                [token_id, facility, common.enrol_token_hash(secret), expires_at],
            )
        return token_id

    def redeem_enrol_token(self, secret: str, spoke_secret: str) -> tuple[str, str]:
        token_hash = common.enrol_token_hash(secret)
        find = (
            "SELECT t.id, t.facility, t.expires_at, t.spoke_id, s.secret_hash "
            "FROM enrol_tokens t LEFT JOIN spokes s ON s.id = t.spoke_id "
            "WHERE t.secret_hash = %s"
        )
        with self._conn() as conn:
            if conn.execute(find, [token_hash]).fetchone() is None:
                raise common.unknown_token()  # before scrypt: a guess costs the hub nothing
        hashed = common.hash_secret(spoke_secret)
        with self._conn() as conn, conn.transaction():
            # FOR UPDATE OF t: two requests with one token take turns; the second sees it used.
            row = conn.execute(f"{find} FOR UPDATE OF t", [token_hash]).fetchone()
            if row is None:
                raise common.unknown_token()
            token_id, facility, expires_at, used_by, used_hash = row
            verdict = common.judge_enrol_token(
                expires_at=expires_at,
                used_by=used_by,
                now=datetime.now(UTC),
                same_spoke=bool(used_hash) and self._verifier.verify(str(used_hash), spoke_secret),
            )
            if verdict == "again":
                return str(used_by), str(facility)
            spoke_id = common.new_spoke_credentials()[0]
            conn.execute(
                "INSERT INTO spokes (id, name, secret_hash) VALUES (%s, %s, %s)",
                [spoke_id, facility, hashed],
            )
            conn.execute(
                "UPDATE enrol_tokens SET used_at = now(), spoke_id = %s WHERE id = %s",
                [spoke_id, token_id],
            )
        return spoke_id, str(facility)

    def enrol_tokens(self) -> list[dict[str, Any]]:
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT id, facility, created_at, expires_at, used_at, spoke_id "
                "FROM enrol_tokens ORDER BY created_at DESC"
            ).fetchall()
        return common.token_documents(rows)

    # -- spokes ----------------------------------------------------------------------------

    def register_spoke(self, name: str) -> tuple[str, str]:
        name = common.check_spoke_name(name)
        spoke_id, secret = common.new_spoke_credentials()
        hashed = common.hash_secret(secret)
        with self._conn() as conn:
            conn.execute(
                "INSERT INTO spokes (id, name, secret_hash) VALUES (%s, %s, %s)",
                [spoke_id, name, hashed],
            )
        return spoke_id, secret

    def authenticate(self, spoke_id: str, secret: str) -> bool:
        with self._conn() as conn:
            row = conn.execute(
                "SELECT secret_hash FROM spokes WHERE id = %s", [spoke_id]
            ).fetchone()
        return row is not None and self._verifier.verify(str(row[0]), secret)

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
        hashed = common.hash_user_password(password)  # slow on purpose: before the transaction
        key = common.seal_new_key(password) if new.role == "specialist" else None
        user_id = str(uuid.uuid4())
        try:
            with self._conn() as conn, conn.transaction():
                if (
                    new.spoke_id is not None
                    and not conn.execute(
                        "SELECT 1 FROM spokes WHERE id = %s", [new.spoke_id]
                    ).fetchone()
                ):
                    raise ValueError(f"no spoke with id {new.spoke_id!r}")
                if conn.execute(
                    "SELECT 1 FROM hub_users WHERE lower(username) = %s", [new.username]
                ).fetchone():
                    raise common.duplicate_user(new.username)
                row = conn.execute(
                    "INSERT INTO hub_users (id, username, display_name, role, spoke_id, "
                    "registration_no, specialty, registration_council, qualification, "
                    "password_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    f"RETURNING {common.USER_COLUMNS}",
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
                    ],
                ).fetchone()
                assert row is not None
                if key is not None:
                    _rx.insert_key(_rx.pg_sql(conn), user_id, key, datetime.now(UTC))
                if new.spoke_id is not None:
                    # The feed insert is the last statement (module docstring).
                    _add_changes(conn, new.spoke_id, [common.staff_change(row)])
        except pg_errors.UniqueViolation as exc:  # the same name added at the same moment
            raise common.duplicate_user(new.username) from exc
        return user_id

    def verify_user(self, username: str, password: str) -> dict[str, Any] | None:
        with self._conn() as conn:
            row = conn.execute(
                f"SELECT {common.USER_COLUMNS} FROM hub_users WHERE lower(username) = %s",
                [common.normalise_username(username)],
            ).fetchone()
        # Always one scrypt, and with no connection held.
        ok = self._passwords.check(None if row is None else str(row[-1]), password)
        return common.user_document(row) if ok and row is not None and row[7] else None

    def users(self, spoke_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE spoke_id = %s", [spoke_id]) if spoke_id is not None else ("", [])
        with self._conn() as conn:
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
        transaction (the feed insert last; a specialist's key changes in it too)."""
        key = common.normalise_username(username)
        with self._conn() as conn, conn.transaction():
            # FOR UPDATE: two changes of one user take turns, so updated_at only grows.
            row = conn.execute(
                f"SELECT {common.USER_COLUMNS} FROM hub_users WHERE lower(username) = %s "
                "FOR UPDATE",
                [key],
            ).fetchone()
            if row is None:
                raise common.unknown_user(username)
            if password_hash is None and active is not None and bool(row[7]) == active:
                return  # already so: nothing to hand down
            # Always later than the version before, even if the hub's clock was set back:
            # spokes order the versions they receive by it.
            changed = conn.execute(
                "UPDATE hub_users SET active = coalesce(%s, active), "
                "password_hash = coalesce(%s, password_hash), "
                "updated_at = greatest(now(), updated_at + interval '1 microsecond') "
                f"WHERE id = %s RETURNING {common.USER_COLUMNS}",
                [active, password_hash, row[0]],
            ).fetchone()
            assert changed is not None
            if changed[3] == "specialist":
                sql = _rx.pg_sql(conn)
                _rx.apply_key_change(sql, str(changed[0]), datetime.now(UTC), new_key, reseal)
            if changed[4] is not None:
                _add_changes(conn, str(changed[4]), [common.staff_change(changed)])

    # -- prescriptions (hub.storage._rx) ---------------------------------------------------

    @contextmanager
    def _rx_write(self) -> Iterator[_rx.RxWrite]:
        with self._conn() as conn, conn.transaction():
            yield _PgRxWrite(conn)

    @contextmanager
    def _rx_read(self) -> Iterator[_rx.Sql]:
        with self._conn() as conn:
            yield _rx.pg_sql(conn)

    def _rx_unique_violation(self) -> tuple[type[Exception], ...]:
        return (pg_errors.UniqueViolation,)

    # -- push and pull ---------------------------------------------------------------------

    def apply_ops(self, spoke_id: str, ops: Sequence[Mapping[str, Any]]) -> list[OpResult]:
        """Apply a pushed batch in one transaction (see ``_common.apply_batch``).

        The fast path runs inside a savepoint; if the database refuses some op's data, the
        savepoint is rolled back and the batch replayed op by op, each in its own savepoint.
        The feed insert (with the counter bump) comes last, just before COMMIT.
        """
        if not ops:
            return []
        with self._conn() as conn, conn.transaction():
            tx = _PgTx(conn)
            try:
                with conn.transaction():
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
        with self._conn() as conn, conn.transaction():
            return _add_changes(conn, spoke_id, [(entity, entity_id, op, dict(payload))])[0]

    def pull(self, spoke_id: str, since: int, limit: int) -> PullPage:
        common.check_pull_args(since, limit)
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT seq, entity, entity_id, op, payload FROM changes "
                "WHERE spoke_id = %s AND seq > %s ORDER BY seq LIMIT %s",
                [spoke_id, since, limit + 1],
            ).fetchall()
        page = [
            {"seq": r[0], "entity": r[1], "entity_id": r[2], "op": r[3], "payload": r[4]}
            for r in rows[:limit]
        ]
        return PullPage(page, page[-1]["seq"] if page else since, len(rows) > limit)

    def authenticated_pulls(self, asks: Sequence[PullAsk]) -> list[PullPage | None]:
        # The poll every spoke makes every few minutes: the secrets' hashes, the epoch and
        # the pages of many polls in one statement (the secret check itself is a memory
        # lookup after the first: SecretVerifier).
        for ask in asks:
            common.check_pull_args(ask.since, ask.limit)
        if not asks:
            return []
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT r.i, s.secret_hash, m.value, c.seq, c.entity, c.entity_id, c.op, "
                "c.payload FROM unnest(%s::text[], %s::bigint[], %s::bigint[]) "
                "WITH ORDINALITY AS r (spoke_id, since, lim, i) "
                "JOIN spokes s ON s.id = r.spoke_id "
                "LEFT JOIN meta m ON m.key = 'epoch' "
                "LEFT JOIN LATERAL (SELECT seq, entity, entity_id, op, payload FROM changes "
                "  WHERE spoke_id = s.id AND seq > r.since ORDER BY seq LIMIT r.lim) c ON true "
                "ORDER BY r.i, c.seq",
                [
                    [a.spoke_id for a in asks],
                    [a.since for a in asks],
                    [a.limit + 1 for a in asks],
                ],
            ).fetchall()
        by_ask: dict[int, list[Any]] = {}
        for row in rows:
            by_ask.setdefault(int(row[0]) - 1, []).append(row)
        return [self._page(ask, by_ask.get(i, [])) for i, ask in enumerate(asks)]

    def _page(self, ask: PullAsk, rows: Sequence[Any]) -> PullPage | None:
        if not rows or not self._verifier.verify(str(rows[0][1]), ask.secret):
            return None
        if rows[0][2] is None:
            raise HubStoreError("the hub database has no epoch: migrate() it first")
        found = [r for r in rows if r[3] is not None]
        page = [
            {"seq": r[3], "entity": r[4], "entity_id": r[5], "op": r[6], "payload": r[7]}
            for r in found[: ask.limit]
        ]
        since = page[-1]["seq"] if page else ask.since
        return PullPage(page, since, len(found) > ask.limit, str(rows[0][2]))

    # -- blobs -----------------------------------------------------------------------------

    def blob_start(self, sha256: str, size: int, media_type: str) -> tuple[str, int]:
        common.check_blob_args(sha256, size, media_type)
        with self._conn() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO blobs (sha256, size, media_type) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                [sha256, size, media_type],
            )
            row = conn.execute(
                "SELECT size, upload_offset, complete FROM blobs WHERE sha256 = %s FOR UPDATE",
                [sha256],
            ).fetchone()
            assert row is not None  # inserted above or already there, and never deleted here
            held_size, held, complete = row
            if complete:
                return "exists", int(held_size)
            if held_size != size:
                # Announced again with another size: one announcement is wrong, and bytes
                # held for the other cannot be trusted. Start over.
                conn.execute("DELETE FROM blob_chunks WHERE sha256 = %s", [sha256])
                conn.execute(
                    "UPDATE blobs SET size = %s, media_type = %s, upload_offset = 0 "
                    "WHERE sha256 = %s",
                    [size, media_type, sha256],
                )
                return "created", 0
            return "created", int(held)

    def blob_offset(self, sha256: str) -> int | None:
        common.check_blob_args(sha256)
        with self._conn() as conn:
            row = conn.execute(
                "SELECT upload_offset FROM blobs WHERE sha256 = %s", [sha256]
            ).fetchone()
        return None if row is None else int(row[0])

    def blob_append(self, sha256: str, offset: int, data: bytes) -> int:
        common.check_blob_args(sha256)
        mismatch = False
        with self._conn() as conn, conn.transaction():
            # FOR UPDATE: two hub processes appending to one upload take turns.
            row = conn.execute(
                "SELECT size, upload_offset, complete FROM blobs WHERE sha256 = %s FOR UPDATE",
                [sha256],
            ).fetchone()
            if row is None:
                raise KeyError(sha256)
            size, held, complete = int(row[0]), int(row[1]), bool(row[2])
            if offset != held or (complete and data):
                raise BlobOffsetError(held)
            if complete:
                return held
            end = held + len(data)
            if end > size:
                raise ValueError(f"the upload runs past its announced size ({size} bytes)")
            if data:
                conn.execute(
                    "INSERT INTO blob_chunks (sha256, start, data) VALUES (%s, %s, %s)",
                    [sha256, held, bytes(data)],
                )
            if end < size:
                conn.execute("UPDATE blobs SET upload_offset = %s WHERE sha256 = %s", [end, sha256])
                return end
            # A server-side cursor streams the chunks: a large blob is never all in memory.
            with conn.cursor(name="blob_chunks") as cur:
                cur.itersize = 8
                cur.execute(
                    "SELECT data FROM blob_chunks WHERE sha256 = %s ORDER BY start", [sha256]
                )
                digest = common.sha256_of(bytes(r[0]) for r in cur)
            if digest == sha256:
                conn.execute(
                    "UPDATE blobs SET upload_offset = %s, complete = true, completed_at = now() "
                    "WHERE sha256 = %s",
                    [end, sha256],
                )
                return end
            # Discard the upload (committed below) so that a resend starts clean.
            conn.execute("DELETE FROM blob_chunks WHERE sha256 = %s", [sha256])
            conn.execute("DELETE FROM blobs WHERE sha256 = %s", [sha256])
            mismatch = True
        if mismatch:
            raise BlobHashMismatch(f"the {size} bytes received do not hash to {sha256}")
        raise AssertionError("unreachable")

    # -- stats -----------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        # REPEATABLE READ: every count from one snapshot.
        with self._conn() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            try:
                with conn.transaction():
                    spokes = conn.execute(
                        "SELECT id, name, created_at FROM spokes ORDER BY created_at, id"
                    ).fetchall()
                    counts = {
                        table: {
                            str(r[0]): int(r[1])
                            for r in conn.execute(
                                f"SELECT spoke_id, count(*) FROM {table} GROUP BY spoke_id"
                            )
                        }
                        for table in (
                            "patients", "cases", "observations", "attachments", "prescriptions",
                        )
                    }  # fmt: skip
                    with_blob = {
                        str(r[0]): int(r[1])
                        for r in conn.execute(
                            "SELECT a.spoke_id, count(*) FROM attachments a "
                            "JOIN blobs b ON b.sha256 = a.sha256 AND b.complete "
                            "GROUP BY a.spoke_id"
                        )
                    }
                    totals = conn.execute(
                        "SELECT count(*) FILTER (WHERE complete), "
                        "coalesce(sum(size) FILTER (WHERE complete), 0), "
                        "count(*) FILTER (WHERE NOT complete) FROM blobs"
                    ).fetchone()
                    counter = conn.execute("SELECT value FROM feed_counter WHERE id = 1").fetchone()
                    rx_counts = _rx.prescription_counts(_rx.pg_sql(conn))
            finally:
                conn.isolation_level = None
        assert totals is not None and counter is not None
        return common.stats_document(
            [(str(r[0]), str(r[1]), common.iso(r[2])) for r in spokes],
            counts,
            with_blob,
            int(totals[0]),
            int(totals[1]),
            int(totals[2]),
            int(counter[0]),
            rx_counts,
        )


def _add_changes(conn: Conn, spoke_id: str, changes: Sequence[common.Change]) -> list[int]:
    """Append to the spoke's feed, taking the seqs from the counter row (module docstring).
    Must be the last statement of its transaction."""
    if not changes:
        return []
    rows = conn.execute(
        _ADD_CHANGES,
        {
            "n": len(changes),
            "spoke": spoke_id,
            "entities": [c[0] for c in changes],
            "ids": [c[1] for c in changes],
            "ops": [c[2] for c in changes],
            "payloads": [common.to_json(c[3]) for c in changes],
        },
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


class _PgRxWrite:
    """``_rx.RxWrite`` on one connection inside its open transaction."""

    lock = " FOR UPDATE"  # READ COMMITTED: rows checked must stay so until COMMIT

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self.sql = _rx.pg_sql(conn)

    def publish(self, spoke_id: str, changes: Sequence[common.Change]) -> list[int]:
        return _add_changes(self._conn, spoke_id, changes)


class _PgTx:
    """``_common.Tx`` on one connection inside its open transaction. Rows are sent as arrays
    (``unnest``) and sorted by key, so that concurrent batches lock rows in the same order."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        with self._conn.transaction():  # nested: a SAVEPOINT, rolled back if the block raises
            yield

    def claim(self, spoke_id: str, claims: Sequence[Claim]) -> dict[str, ClaimOutcome]:
        ordered = sorted(claims, key=lambda c: c.op_id)
        ids = [c.op_id for c in ordered]
        # Inserted, or a rejected op of this spoke judged again: RETURNING names them. An id
        # another transaction is inserting makes this wait for it (the primary key).
        got = self._conn.execute(
            "INSERT INTO applied_ops AS a (op_id, spoke_id, spoke_seq, status, code, message) "
            "SELECT t.op_id, %s, t.seq, t.status, t.code, t.message FROM unnest("
            "%b::text[], %b::bigint[], %b::text[], %b::text[], %b::text[]) "
            "AS t(op_id, seq, status, code, message) "
            "ON CONFLICT (op_id) DO UPDATE SET spoke_seq = excluded.spoke_seq, "
            "status = excluded.status, code = excluded.code, message = excluded.message, "
            "received_at = excluded.received_at "
            "WHERE a.status = 'rejected' AND a.spoke_id = excluded.spoke_id "
            "RETURNING op_id",
            [
                spoke_id,
                ids,
                [c.seq for c in ordered],
                [c.status for c in ordered],
                [c.code for c in ordered],
                [c.message for c in ordered],
            ],
        ).fetchall()
        outcome: dict[str, ClaimOutcome] = {str(r[0]): "new" for r in got}
        rest = [i for i in ids if i not in outcome]
        if rest:
            for op_id, owner in self._conn.execute(
                "SELECT op_id, spoke_id FROM applied_ops WHERE op_id = ANY(%b)", [rest]
            ):
                outcome[op_id] = "duplicate" if owner == spoke_id else "conflict"
        return outcome

    def owners(self, wanted: Mapping[str, set[str]]) -> dict[ops.Ref, str]:
        parts: list[str] = []
        params: list[list[str]] = []
        for entity, ids in wanted.items():
            parts.append(
                f"SELECT '{entity}', id, spoke_id FROM {_TABLES[entity]} WHERE id = ANY(%b)"
            )
            params.append(sorted(ids))
        if not parts:
            return {}
        rows = self._conn.execute(" UNION ALL ".join(parts), params).fetchall()
        return {(str(e), str(rid)): str(owner) for e, rid, owner in rows}

    def reject(self, spoke_id: str, rejected: Sequence[tuple[str, str, str]]) -> None:
        self._conn.execute(
            "UPDATE applied_ops a SET status = 'rejected', code = t.code, message = t.message "
            "FROM unnest(%b::text[], %b::text[], %b::text[]) AS t(op_id, code, message) "
            "WHERE a.op_id = t.op_id AND a.spoke_id = %s",
            [
                [r[0] for r in rejected],
                [r[1] for r in rejected],
                [r[2] for r in rejected],
                spoke_id,
            ],
        )

    def write(self, spoke_id: str, writes: ops.Writes) -> dict[str, str]:
        conn = self._conn
        if writes.patients:
            rows = sorted(writes.patients.values(), key=lambda p: p.id)
            conn.execute(
                "INSERT INTO patients (id, spoke_id, version, doc) "
                "SELECT t.id, %s, t.version, t.doc::jsonb "
                "FROM unnest(%b::text[], %b::integer[], %b::text[]) AS t(id, version, doc) "
                "ON CONFLICT (id) DO NOTHING",
                [spoke_id, [p.id for p in rows], [p.version for p in rows], [p.doc for p in rows]],
            )
        if writes.patches:
            # In op order; "version <" makes a late or replayed update a no-op. jsonb || is a
            # shallow merge, as the SQLite backend does in Python.
            with conn.cursor() as cur:
                cur.executemany(
                    "UPDATE patients SET doc = doc || %s::jsonb, version = %s, updated_at = now() "
                    "WHERE id = %s AND spoke_id = %s AND version < %s",
                    [(p.merge, p.version, p.id, spoke_id, p.version) for p in writes.patches],
                )
        statuses: dict[str, str] = {}
        if writes.cases:
            rows_c = sorted(writes.cases.values(), key=lambda c: c.id)
            got = conn.execute(
                "INSERT INTO cases AS c "
                "(id, spoke_id, patient_id, status, priority, specialty, doc) "
                "SELECT t.id, %s, t.patient_id, %s, t.priority, t.specialty, t.doc::jsonb "
                "FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[]) "
                "AS t(id, patient_id, priority, specialty, doc) "
                "ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, "
                "priority = excluded.priority, specialty = excluded.specialty, doc = excluded.doc, "
                "updated_at = now() WHERE c.spoke_id = excluded.spoke_id "
                "RETURNING id, status",
                [
                    spoke_id,
                    ops.CASE_AT_HUB,
                    [c.id for c in rows_c],
                    [c.patient_id for c in rows_c],
                    [c.priority for c in rows_c],
                    [c.specialty for c in rows_c],
                    [c.doc for c in rows_c],
                ],
            ).fetchall()
            statuses = {str(r[0]): str(r[1]) for r in got}
        if writes.observations:
            rows_o = sorted(writes.observations.values(), key=lambda o: o.id)
            conn.execute(
                "INSERT INTO observations AS o (id, spoke_id, case_id, code, status, doc) "
                "SELECT t.id, %s, t.case_id, t.code, t.status, t.doc::jsonb "
                "FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[]) "
                "AS t(id, case_id, code, status, doc) "
                "ON CONFLICT (id) DO UPDATE SET code = excluded.code, status = excluded.status, "
                "doc = excluded.doc WHERE o.spoke_id = excluded.spoke_id",
                [
                    spoke_id,
                    [o.id for o in rows_o],
                    [o.case_id for o in rows_o],
                    [o.code for o in rows_o],
                    [o.status for o in rows_o],
                    [o.doc for o in rows_o],
                ],
            )
        if writes.attachments:
            rows_a = sorted(writes.attachments.values(), key=lambda a: a.id)
            conn.execute(
                "INSERT INTO attachments (id, spoke_id, case_id, sha256, size, media_type, doc) "
                "SELECT t.id, %s, t.case_id, t.sha256, t.size, t.media_type, t.doc::jsonb "
                "FROM unnest(%b::text[], %b::text[], %b::text[], %b::bigint[], %b::text[], "
                "%b::text[]) AS t(id, case_id, sha256, size, media_type, doc) "
                "ON CONFLICT (id) DO NOTHING",
                [
                    spoke_id,
                    [a.id for a in rows_a],
                    [a.case_id for a in rows_a],
                    [a.sha256 for a in rows_a],
                    [a.size for a in rows_a],
                    [a.media_type for a in rows_a],
                    [a.doc for a in rows_a],
                ],
            )
        if writes.cancels:
            last = {m.id: m.reason for m in writes.cancels}  # one row per case: the last reason
            conn.execute(
                "UPDATE cases c SET status = %s, status_reason = t.reason, updated_at = now() "
                "FROM unnest(%b::text[], %b::text[]) AS t(id, reason) "
                "WHERE c.id = t.id AND c.spoke_id = %s",
                [ops.CASE_CANCELLED, sorted(last), [last[k] for k in sorted(last)], spoke_id],
            )
        if writes.entered_in_error:
            last = {m.id: m.reason for m in writes.entered_in_error}
            conn.execute(
                "UPDATE observations o SET status = %s, status_reason = t.reason "
                "FROM unnest(%b::text[], %b::text[]) AS t(id, reason) "
                "WHERE o.id = t.id AND o.spoke_id = %s",
                [
                    ops.OBSERVATION_ENTERED_IN_ERROR,
                    sorted(last),
                    [last[k] for k in sorted(last)],
                    spoke_id,
                ],
            )
        _rx.write_ops(_rx.pg_sql(conn), spoke_id, writes, datetime.now(UTC))
        _audit.write_ops(_rx.pg_sql(conn), spoke_id, writes.audit, datetime.now(UTC))
        return statuses


_TABLES: Final = {
    "patient": "patients",
    "case": "cases",
    "observation": "observations",
    "attachment": "attachments",
    "prescription": "prescriptions",
    "case_message": "case_messages",
}
