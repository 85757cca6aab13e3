"""The PostgreSQL change feed is in COMMIT order: a reader never skips a late committer.

The hazard (docs/SYNC.md, sync research section 6 item 13): a spoke pulls ``seq > cursor`` and
moves its cursor to the last seq it got. If seq 7 is handed to a transaction that commits
after the one holding seq 8, a reader that ran in between moved past 8 and never sees 7.

Three tests, each driving the transactions step by step from separate connections with
explicit synchronisation (waiting until PostgreSQL reports a backend blocked on a lock),
never with sleeps that hope for an order:

1. ``test_a_naive_sequence_skips_the_late_committer``: the hazard is real. With ``nextval()``
   the transaction that starts first takes seq 1, the one that starts second takes 2 and
   commits first, and the reader in between loses seq 1 for ever.
2. ``test_the_counter_row_makes_a_later_taker_wait``: the same script with the hub's own feed
   insert (``_add_changes``: counter row bumped in the inserting statement): the second
   writer cannot take a seq until the first commits, so it cannot commit first with a higher
   seq, and the reader sees everything.
3. ``test_a_late_committer_is_never_skipped``: the whole ``PostgresHubStore.apply_ops``. The
   push that starts first is held in the middle of its transaction (after it has written
   rows, before its feed insert) while a second push commits and a reader pulls; then it
   commits. It gets a seq above the reader's cursor: nothing is skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from hub.storage import OpResult
from tests.hub.spoke_ops import SpokeOps

# psycopg is imported inside the tests: without it, ``pg_dsn`` skips them (or fails them when
# HWC_REQUIRE_POSTGRES=1) before any import error.

SPOKE = "spoke-a"
WAIT = 20.0  # seconds: how long a step may take before the test gives up (never reached)


@pytest.fixture
def dsn(pg_dsn: str) -> Iterator[str]:
    """A migrated hub database on the private cluster (these tests are PostgreSQL-only)."""
    from hub.storage.postgres import PostgresHubStore

    store = PostgresHubStore(pg_dsn)
    store.migrate()
    store.close()
    yield pg_dsn


def connect(dsn: str) -> Any:
    """A connection in manual-transaction mode, giving up on a lock after ``WAIT``."""
    import psycopg as pg

    conn = pg.connect(dsn, autocommit=False, application_name="commit-order-test")
    conn.execute(f"SET lock_timeout = '{int(WAIT)}s'")
    conn.commit()
    return conn


def wait_until_blocked(watcher: Any, application_name: str) -> tuple[int, datetime]:
    """Wait until a backend of ``application_name`` waits on a lock; its pid and when its
    transaction started."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        row = watcher.execute(
            "SELECT pid, xact_start FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s "
            "AND wait_event_type = 'Lock'",
            [application_name],
        ).fetchone()
        if row is not None:
            return int(row[0]), row[1]
        time.sleep(0.005)
    raise AssertionError(f"no {application_name} backend got blocked within {WAIT} s")


def read_since(reader: Any, table: str, cursor: int) -> list[int]:
    rows = reader.execute(
        f"SELECT seq FROM {table} WHERE spoke_id = %s AND seq > %s ORDER BY seq",
        [SPOKE, cursor],
    ).fetchall()
    return [int(r[0]) for r in rows]


def test_a_naive_sequence_skips_the_late_committer(dsn: str) -> None:
    first, second, reader = connect(dsn), connect(dsn), connect(dsn)
    reader.autocommit = True
    reader.execute(
        "CREATE TABLE naive_changes (seq bigserial PRIMARY KEY, spoke_id text, entity_id text)"
    )
    insert = "INSERT INTO naive_changes (spoke_id, entity_id) VALUES (%s, %s) RETURNING seq"
    try:
        # T1 starts first and takes its seq at insert time, as a plain sequence does.
        (seq1,) = first.execute(insert, [SPOKE, "case-1"]).fetchone()
        # T2 starts second, takes the next seq and commits first.
        (seq2,) = second.execute(insert, [SPOKE, "case-2"]).fetchone()
        second.commit()
        assert (seq1, seq2) == (1, 2)
        # The spoke pulls between the two commits and moves its cursor to 2.
        seen = read_since(reader, "naive_changes", 0)
        assert seen == [2]
        cursor = seen[-1]
        first.commit()  # T1 commits last, with seq 1, below the cursor
        seen += read_since(reader, "naive_changes", cursor)
        # THE BUG this design avoids: seq 1 is committed, yet the reader never gets it.
        assert read_since(reader, "naive_changes", 0) == [1, 2]
        assert seen == [2]
    finally:
        for conn in (first, second, reader):
            conn.close()


def test_the_counter_row_makes_a_later_taker_wait(dsn: str) -> None:
    from hub.storage.postgres import _add_changes

    first, second, reader = connect(dsn), connect(dsn), connect(dsn)
    reader.autocommit = True
    done: dict[str, Any] = {}

    def second_writer() -> None:
        try:
            done["seqs"] = _add_changes(second, SPOKE, [("case", "case-2", "case.status", {})])
            second.commit()
        except BaseException as exc:
            done["error"] = exc

    try:
        # The same script as with the naive sequence: T1 takes its seq first...
        assert _add_changes(first, SPOKE, [("case", "case-1", "case.status", {})]) == [1]
        # ... T2 tries to take one and commit: it has to wait for T1's counter row lock.
        thread = threading.Thread(target=second_writer)
        thread.start()
        wait_until_blocked(reader, "commit-order-test")
        assert "seqs" not in done  # T2 could not take a seq, let alone commit
        # The reader between: nothing is committed yet, the cursor stays at 0.
        assert read_since(reader, "changes", 0) == []
        first.commit()
        thread.join(WAIT)
        assert not thread.is_alive() and "error" not in done
        assert done["seqs"] == [2]  # T2 took its seq after T1 committed: commit order
        assert read_since(reader, "changes", 0) == [1, 2]
    finally:
        for conn in (first, second, reader):
            conn.close()


def test_a_late_committer_is_never_skipped(dsn: str) -> None:
    from hub.storage.postgres import PostgresHubStore

    store = PostgresHubStore(dsn)
    watcher = connect(dsn)
    watcher.autocommit = True
    blocker = connect(dsn)
    try:
        spoke_id, _ = store.register_spoke("Kheri HWC")
        spoke = SpokeOps()
        create1, patient1 = spoke.patient_create()
        queue1, case1 = spoke.case_queue(patient1.id)
        create2, patient2 = spoke.patient_create()
        queue2, case2 = spoke.case_queue(patient2.id)

        # Hold T1 in the middle of its transaction: an uncommitted row with its case's id
        # makes its case insert wait, after it has claimed its ops and written its patient.
        blocker.execute(
            "INSERT INTO cases (id, spoke_id, patient_id, status, priority, specialty, doc) "
            "VALUES (%s, 'blocker', 'p', 'at_hub', '', '', '{}')",
            [case1.id],
        )
        first: dict[str, Any] = {}

        def push_first() -> None:
            try:
                first["results"] = store.apply_ops(spoke_id, [create1, queue1])
            except BaseException as exc:
                first["error"] = exc

        thread = threading.Thread(target=push_first)
        thread.start()
        pid, t1_started = wait_until_blocked(watcher, "hwc-hub")
        (t2_starts,) = watcher.execute("SELECT clock_timestamp()").fetchone()
        assert t1_started < t2_starts  # T1 really is the transaction that started first

        # T2 starts after T1 and commits before it.
        results2 = store.apply_ops(spoke_id, [create2, queue2])
        assert [r.status for r in results2] == ["applied", "applied"]
        # The spoke pulls between the two commits.
        page = store.pull(spoke_id, 0, 100)
        assert [c["entity_id"] for c in page.changes] == [case2.id]
        cursor = page.next_since
        assert watcher.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone() == ("Lock",)  # T1 is still held: it has not committed

        blocker.rollback()  # T1 goes on and commits last
        thread.join(WAIT)
        assert not thread.is_alive() and "error" not in first
        assert [r.status for r in first["results"]] == ["applied", "applied"]
        assert all(isinstance(r, OpResult) for r in first["results"])

        later = store.pull(spoke_id, cursor, 100).changes
        # The late committer's change comes after the cursor the reader already holds...
        assert [c["entity_id"] for c in later] == [case1.id]
        assert later[0]["seq"] > cursor
        # ... and across both pulls every change arrived exactly once, in seq order.
        seen = page.changes + later
        assert [c["entity_id"] for c in seen] == [case2.id, case1.id]
        assert [c["seq"] for c in seen] == [1, 2] and store.max_seq() == 2
    finally:
        blocker.close()
        watcher.close()
        store.close()
