"""Hub storage fixtures: a private PostgreSQL cluster for the session, a database per test,
and ``open_hub``, parametrized so that every store test runs on SQLite and on PostgreSQL.

The cluster (``hub.testing.pg_cluster``) starts only when a PostgreSQL test runs. Without the
server binaries (or psycopg) those tests are skipped with the reason, unless
``HWC_REQUIRE_POSTGRES=1`` (the project's test command sets it): then they fail, loudly.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from hub.storage import HubStore, open_store
from hub.testing.pg_cluster import PgCluster, PgClusterError, find_bindir

REQUIRE_POSTGRES = os.environ.get("HWC_REQUIRE_POSTGRES") == "1"
_db_numbers = itertools.count(1)


def _unavailable(reason: str) -> NoReturn:
    if REQUIRE_POSTGRES:
        pytest.fail(f"HWC_REQUIRE_POSTGRES=1 but PostgreSQL is unavailable: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The session's private cluster, started on first use."""
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError as exc:
        _unavailable(f"{exc} (pip install 'psycopg[binary]' psycopg-pool)")
    if find_bindir() is None:
        _unavailable(
            "no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH "
            "(Debian: apt-get install postgresql)"
        )
    try:
        cluster = PgCluster.start(fast=True)
    except PgClusterError as exc:
        _unavailable(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_dsn(pg_cluster: PgCluster) -> Iterator[str]:
    """A new empty database on the private cluster, dropped after the test."""
    name = f"hub_test_{next(_db_numbers)}"
    dsn = pg_cluster.create_database(name)
    try:
        yield dsn
    finally:
        pg_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
def hub_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty hub database, on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    dsn: str = request.getfixturevalue("pg_dsn")
    return dsn


@pytest.fixture
def open_hub(hub_url: str) -> Iterator[Callable[[], HubStore]]:
    """Opens (and migrates) a store on the test's database; call again to "reopen". Every
    store opened is closed at the end of the test."""
    opened: list[HubStore] = []

    def open_() -> HubStore:
        store = open_store(hub_url)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def hub_store(open_hub: Callable[[], HubStore]) -> HubStore:
    """A migrated store on each backend in turn."""
    return open_hub()


Peek = Callable[[str], list[tuple[Any, ...]]]


@pytest.fixture
def peek(hub_url: str) -> Peek:
    """Runs a read-only SQL query (no parameters) straight on the test's database, for checks
    the ``HubStore`` interface has no reader for. Both schemas use the same table and column
    names; JSON documents come back parsed on both backends."""

    def run(sql: str) -> list[tuple[Any, ...]]:
        if hub_url.startswith("sqlite:///"):
            conn = sqlite3.connect(hub_url.removeprefix("sqlite:///"))
            try:
                rows = conn.execute(sql).fetchall()
            finally:
                conn.close()
        else:
            import psycopg

            with psycopg.connect(hub_url, autocommit=True) as pg:
                rows = pg.execute(sql.encode()).fetchall()
        return [tuple(_parsed(v) for v in row) for row in rows]

    return run


def _parsed(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        return json.loads(value)
    return value
