"""The link faults of a field deployment, each against the real hub over loopback: the hub
killed and restarted with a push in flight, a 5 MB attachment over a link that resets every
200 KB, and a month offline followed by the catch-up.

Each ends the same way: every case exactly once on the hub, nothing lost on the spoke.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.services.container import Services
from app.services.seed import seed
from app.sync.backoff import CAP_S, Backoff
from app.sync.engine import SyncEngine, SyncReport
from app.sync.transport import HubReply
from tests.polling import wait_until
from tests.sync.conftest import (
    SEEDED_CASES,
    SEEDED_PATIENTS,
    TEST_TIMEOUT,
    EngineFactory,
    Hub,
    outbox_counts,
)
from tests.sync.proxy import FaultProxy
from tests.sync.test_end_to_end import (
    SpyClient,
    assert_hub_has_each_once,
    case_statuses,
    hub_blob_bytes,
    make_jpeg,
    paramedic,
    queue_new_case,
)

ROOT = Path(__file__).resolve().parents[2]
PUSH = "/v1/sync/push"
MAX_ROUNDS = 12  # far more than any scenario here needs; a loop that never ends is a failure


# -- helpers -----------------------------------------------------------------------------------


class RecordsFirstClient(SpyClient):
    """A spying client that also notes what the hub held when the first blob was announced:
    "records before bytes" checked on the hub, not only in the order of the calls."""

    def __init__(self, *args: Any, hub: Hub, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hub = hub
        self.hub_at_first_blob: dict[str, Any] | None = None

    def blob_start(self, sha256: str, size: int, media_type: str) -> HubReply:
        if self.hub_at_first_blob is None:
            self.hub_at_first_blob = self._hub.store.stats()
        return super().blob_start(sha256, size, media_type)


def spoke_totals(services: Services) -> dict[str, int]:
    """What the hub must end up holding: every queued case, its patients and observations,
    and the attachments of those cases."""

    def count(sql: str) -> int:
        return int(services.store.read(lambda db: db.execute(sql).fetchone()[0]))

    return {
        "patients": count("SELECT COUNT(*) FROM patients"),
        "cases": count("SELECT COUNT(*) FROM cases WHERE status != 'draft'"),
        "observations": count("SELECT COUNT(*) FROM observations"),
        "attachments": count("SELECT COUNT(*) FROM attachments"),
        "ops": count("SELECT COUNT(*) FROM outbox"),
    }


def assert_nothing_lost(services: Services, hub: Hub, tmp_path: Path) -> None:
    """Every case exactly once on the hub, with its patient, observations and attachments;
    on the spoke every op acknowledged and every case known to be at the hub."""
    want = spoke_totals(services)
    assert_hub_has_each_once(hub, tmp_path, want["cases"], want["patients"])
    stats = hub.store.stats()
    assert stats["observations"] == want["observations"]
    assert stats["attachments"] == want["attachments"]
    assert outbox_counts(services) == {"pending": 0, "sent": 0, "acked": want["ops"], "rejected": 0}
    assert set(case_statuses(services).values()) <= {"at_hub"}


def rounds_until_done(engine: SyncEngine, done: Callable[[SyncReport], bool]) -> list[SyncReport]:
    """Run rounds until ``done(report)``; fails after ``MAX_ROUNDS``."""
    reports: list[SyncReport] = []
    while not reports or not done(reports[-1]):
        assert len(reports) < MAX_ROUNDS, [r.error for r in reports]
        reports.append(engine.run_once())
    return reports


# The hub app under uvicorn, as the fixture serves it (plain HTTP on loopback), in a process.
SERVE_HUB = """
import sys
import uvicorn
from hub.app import create_app
from hub.storage import open_store
uvicorn.run(create_app(open_store(sys.argv[1])), host="127.0.0.1", port=int(sys.argv[2]),
            lifespan="off", server_header=False, log_level="warning")
"""


class HubProcess:
    """The hub on a fixed port and database in its own process, so it can be killed with
    SIGKILL (no graceful anything) and started again where it was."""

    def __init__(self, db: Path, port: int, log: Path) -> None:
        self._db = db
        self.port = port
        self._log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SERVE_HUB, f"sqlite:///{self._db}", str(self.port)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        assert wait_until(self._accepting, timeout=20), self._log.read_text()[-2000:]

    def kill(self) -> int:
        """SIGKILL; the process's exit status (-SIGKILL unless it had already died)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()

    def _accepting(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, self._log.read_text()[-2000:]
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False


@pytest.fixture
def hub_process(hub: Hub, tmp_path: Path) -> Iterator[HubProcess]:
    """The fixture hub's database served by a process of its own on the fixture's port (the
    in-thread server is stopped): ``hub.store`` still reads what that process writes."""
    hub.server.stop()
    served = HubProcess(tmp_path / "hub.sqlite3", hub.server.port, tmp_path / "hub.log")
    served.start()
    try:
        yield served
    finally:
        served.stop()


# -- 1. the hub restarted mid-push -------------------------------------------------------------


@pytest.mark.parametrize(
    "stage",
    [
        "sent",  # the hub holds the whole push and dies before answering (committed or not)
        "answered",  # the hub committed the push and died before its answer got out
    ],
)
def test_a_hub_killed_and_restarted_mid_push_loses_and_duplicates_nothing(
    spoke: Services,
    hub: Hub,
    hub_process: HubProcess,
    make_engine: EngineFactory,
    tmp_path: Path,
    stage: str,
) -> None:
    # A few hundred cases: several push batches, the second one in flight when the hub dies.
    seed(spoke, patients=100, cases=300, queued=True, rng_seed=7)
    total_ops = spoke_totals(spoke)["ops"]
    pushes: list[str] = []
    exits: list[int] = []

    def hook(when: str, _method: str, path: str) -> bool:
        if not path.startswith(PUSH):
            return False
        if when == "request":
            pushes.append(path)
        if when == stage and len(pushes) == 2 and not exits:
            exits.append(hub_process.kill())
            hub_process.start()  # same port, same database, before the spoke tries again
            return True  # at "answered": the answer died with the hub
        return False

    with FaultProxy("127.0.0.1", hub_process.port, hook=hook) as proxy:
        proxy.drop_responses("/nothing", 0)  # HTTP-aware forwarding, so the hook sees paths
        engine = make_engine(proxy.url)
        reports = rounds_until_done(engine, lambda r: r.ok and r.pending_left == 0)

    assert exits == [-signal.SIGKILL], "the hub was never killed mid-push"
    assert len(pushes) > 2  # the batch the hub died with was sent again
    # Each op got exactly one verdict the spoke heard; an op the hub committed before it died
    # comes back "duplicate", never applied twice.
    assert sum(r.pushed.applied + r.pushed.duplicate for r in reports) == total_ops
    assert sum(r.pushed.rejected for r in reports) == 0
    if stage == "answered":
        assert sum(r.pushed.duplicate for r in reports) > 0
    assert_nothing_lost(spoke, hub, tmp_path)
    assert spoke_totals(spoke)["cases"] == SEEDED_CASES + 300


# -- 2. a 5 MB attachment over a link that resets every 200 KB ---------------------------------

RESET_EVERY = 200 * 1024


def make_scan(path: Path, size: int) -> Path:
    """A scanned report as a PDF of ``size`` bytes. PDFs are stored byte for byte; a photo is
    re-encoded at 2048 px (under 3 MB), so a 5 MB attachment is a scan."""
    body = random.Random(5).randbytes(size - 16)
    path.write_bytes(b"%PDF-1.4\n" + body + b"\n%%EOF\n")
    return path


@pytest.fixture
def proxy(hub: Hub) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", hub.server.port) as p:
        yield p


def test_a_5_mb_attachment_over_a_link_that_resets_every_200_kb_arrives_whole_records_first(
    spoke: Services, hub: Hub, proxy: FaultProxy, make_engine: EngineFactory, tmp_path: Path
) -> None:
    actor = paramedic(spoke)
    case = queue_new_case(spoke, actor, photo=make_scan(tmp_path / "scan.pdf", 5 * 1024 * 1024))
    attachment = spoke.cases.detail(actor, case.id).attachments[0]
    assert attachment.size == 5 * 1024 * 1024
    proxy.reset_after(RESET_EVERY)
    client = RecordsFirstClient(proxy.url, hub.spoke_id, hub.secret, timeout=TEST_TIMEOUT, hub=hub)
    engine = make_engine(client=client)

    reports = rounds_until_done(
        engine, lambda r: hub.store.blob_offset(attachment.sha256) == attachment.size
    )

    # No connection carried 200 KB, so the bytes crossed on at least size / 200 KB of them.
    assert proxy.resets >= attachment.size // RESET_EVERY - 1
    assert sum(r.blobs_uploaded for r in reports) == 1
    held = hub_blob_bytes(tmp_path, attachment.sha256)
    assert len(held) == attachment.size
    assert hashlib.sha256(held).hexdigest() == attachment.sha256
    # Records first: the hub held every case (and this attachment's record) before one byte.
    assert client.hub_at_first_blob is not None
    assert client.hub_at_first_blob["cases"] == SEEDED_CASES + 1
    assert client.hub_at_first_blob["attachments"] == 1
    assert "push" not in client.calls[client.calls.index("blob_start") :]

    proxy.pass_through()
    final = engine.run_once()
    assert final.ok, final.error
    assert final.pending_left == 0 and final.blobs_uploaded == 0
    assert hub.store.blob_start(attachment.sha256, attachment.size, "application/pdf")[0] == (
        "exists"
    )
    assert_nothing_lost(spoke, hub, tmp_path)
    assert (hub.store.stats()["cases"], hub.store.stats()["patients"]) == (
        SEEDED_CASES + 1,
        SEEDED_PATIENTS,
    )


# -- 3. thirty days offline, then the catch-up -------------------------------------------------

DAYS = 30
CASES_A_DAY = 20
PHOTO_EVERY = 5  # days: one case with a photo on each of these


def test_thirty_days_offline_then_one_catch_up_delivers_everything_once_records_first(
    hub: Hub, tmp_path: Path
) -> None:
    start = datetime(2026, 10, 1, 3, 30, tzinfo=UTC)
    now = [start]

    def clock() -> datetime:
        return now[0]

    services = Services.open(tmp_path / "clinic", clock=clock, password_log_n=4)
    client = RecordsFirstClient(hub.url, hub.spoke_id, hub.secret, timeout=TEST_TIMEOUT, hub=hub)
    try:
        actor = paramedic(services)
        engine = SyncEngine(services.store, services.blobs, client, clock=clock)
        backoff = Backoff(rng=random.Random(30))
        hub.server.stop()  # the link is down for a month
        photos: list[str] = []
        for day in range(DAYS):
            now[0] = start + timedelta(days=day)
            seed(services, patients=5, cases=CASES_A_DAY - 1, queued=True,
                 rng_seed=1000 + day, now=now[0])  # fmt: skip
            photo = None
            if day % PHOTO_EVERY == 0:
                photo = make_jpeg(tmp_path / f"day{day}.jpg", 120, rng_seed=day)
            case = queue_new_case(services, actor, photo=photo)
            if photo is not None:
                photos.append(services.cases.detail(actor, case.id).attachments[0].sha256)

            failed = engine.run_once()
            assert not failed.ok and failed.error_code == "hub.unreachable"
            assert failed.pushed.total == 0 and failed.blobs_uploaded == 0
            queued = spoke_totals(services)["ops"]
            assert failed.pending_left == queued
            assert outbox_counts(services) == {
                "pending": queued, "sent": 0, "acked": 0, "rejected": 0,
            }  # fmt: skip
            # The worker's retries over this day: however long the hub stays away, the spoke
            # tries again at least every CAP_S (15 min), never less often.
            waited = 0.0
            while waited < 86400:
                wait = backoff.failure()
                assert 0.0 <= wait <= CAP_S
                waited += wait
        assert backoff.ceiling() == CAP_S
        assert spoke_totals(services)["cases"] == DAYS * CASES_A_DAY

        now[0] = start + timedelta(days=DAYS, hours=2)
        hub.restart()  # the link is back
        reports = rounds_until_done(engine, lambda r: r.ok and r.pending_left == 0)

        want = spoke_totals(services)
        assert sum(r.pushed.applied for r in reports) == want["ops"]
        assert sum(r.pushed.duplicate + r.pushed.rejected for r in reports) == 0
        assert sum(r.blobs_uploaded for r in reports) == len(photos) == DAYS // PHOTO_EVERY
        # Records first: every case, observation and attachment record before any byte.
        first = client.hub_at_first_blob
        assert first is not None
        assert (first["cases"], first["observations"], first["attachments"]) == (
            want["cases"],
            want["observations"],
            want["attachments"],
        )
        assert "push" not in client.calls[client.calls.index("blob_start") :]
        for sha in photos:
            held = hub_blob_bytes(tmp_path, sha)
            assert hashlib.sha256(held).hexdigest() == sha
        assert_nothing_lost(services, hub, tmp_path)
        assert reports[-1].needs_attention == 0
    finally:
        client.close()
        services.close()
