"""Fixtures for the sync tests: a real hub (SQLite store, Starlette app, uvicorn in a thread)
on loopback, and a real spoke data folder seeded with queued cases.

Every network address is 127.0.0.1. Client timeouts are short, so a test that goes wrong
fails in seconds instead of hanging for the production 60 s read timeout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from app.services.container import Services
from app.services.seed import seed
from app.store import outbox
from app.sync.engine import SyncEngine
from app.sync.transport import HubClient
from hub.app import create_app
from hub.server import RunningHub, start_in_thread
from hub.storage import HubStore, open_store
from tests.tls_hub import TlsHub, running_tls_hub

SEEDED_PATIENTS = 20
SEEDED_CASES = 10
SEEDED_OPS = SEEDED_PATIENTS + SEEDED_CASES
TEST_TIMEOUT = (2.0, 10.0)


@dataclass
class Hub:
    store: HubStore
    server: RunningHub
    spoke_id: str
    secret: str

    @property
    def url(self) -> str:
        return self.server.url

    def restart(self) -> None:
        """Start serving again on the same port after ``server.stop()``."""
        self.server = start_in_thread(create_app(self.store), port=self.server.port)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    store = open_store(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    spoke_id, secret = store.register_spoke("HWC Kheri")
    server = start_in_thread(create_app(store))
    running = Hub(store, server, spoke_id, secret)
    try:
        yield running
    finally:
        if running.server.running:
            running.server.stop()
        store.close()


@pytest.fixture
def spoke(tmp_path: Path) -> Iterator[Services]:
    services = Services.open(tmp_path / "spoke", password_log_n=4)
    try:
        seed(services, patients=SEEDED_PATIENTS, cases=SEEDED_CASES, queued=True)
        yield services
    finally:
        services.close()


@pytest.fixture
def tls_hub(tmp_path: Path) -> Iterator[TlsHub]:
    with running_tls_hub(tmp_path) as running:
        yield running


EngineFactory = Callable[..., SyncEngine]


@pytest.fixture
def make_engine(spoke: Services, hub: Hub) -> Iterator[EngineFactory]:
    clients: list[HubClient] = []

    def make(
        url: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        client: HubClient | None = None,
    ) -> SyncEngine:
        if client is None:
            client = HubClient(url or hub.url, hub.spoke_id, hub.secret, timeout=TEST_TIMEOUT)
        clients.append(client)
        if clock is None:
            return SyncEngine(spoke.store, spoke.blobs, client)
        return SyncEngine(spoke.store, spoke.blobs, client, clock=clock)

    yield make
    for c in clients:
        c.close()


def outbox_counts(services: Services) -> dict[str, int]:
    return services.store.read(outbox.counts)


def pending_audit_ops(services: Services) -> int:
    """Audit entries waiting to be sent (``audit.append``): they travel with the records."""
    pending = services.store.read(lambda db: outbox.pending(db, 10_000))
    return sum(o.op == "audit.append" for o in pending)
