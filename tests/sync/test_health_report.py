"""The spoke's health report (docs/SYNC.md "Health report"): what a round sends and what it
measures, and that nothing the hub does with the report can fail a round: an older hub that
does not know the path, a hub that refuses it or is busy, a report it finds wrong.

The hubs here are the real app on loopback; an older or unwell hub is the real app with the
report's route taken out, or with one answer put in front of that path alone.
"""

from __future__ import annotations

import json
import logging
import platform
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import app
from app.domain.ids import new_id
from app.services.container import Services
from app.store import outbox
from app.sync import health
from app.sync.transport import HubClient, HubReply
from hub.app import create_app
from hub.server import RunningHub, start_in_thread
from tests.sync.conftest import SEEDED_OPS, TEST_TIMEOUT, EngineFactory, Hub, outbox_counts
from tests.sync.test_end_to_end import make_jpeg, paramedic, queue_new_case

WIRE_LIMIT = 300  # bytes of the report's body: what a 2G link is asked to carry per round


class Recorder:
    """In front of the real hub: keeps the raw body of every ``POST /v1/status``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/status":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        self.bodies.append(body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class Answering:
    """In front of the real hub: answers ``POST /v1/status`` with ``status`` itself."""

    def __init__(self, app: ASGIApp, status: int, code: str) -> None:
        self.app = app
        self.response = JSONResponse({"error": code, "message": "not now"}, status)
        if status == 503:
            self.response.headers["Retry-After"] = "15"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/status":
            await self.response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def older_hub(hub: Hub) -> Starlette:
    """The real hub as it was before health reports: the same app without the route."""
    made = create_app(hub.store)
    made.router.routes = [
        r for r in made.router.routes if not (isinstance(r, Route) and r.path == "/v1/status")
    ]
    return made


@pytest.fixture
def serve(hub: Hub) -> Iterator[Any]:
    """Serve another app over the test's hub store; returns its URL."""
    running: list[RunningHub] = []

    def start(app: ASGIApp) -> str:
        server = start_in_thread(app)
        running.append(server)
        return server.url

    yield start
    for server in running:
        server.stop()


# --- what a round sends -------------------------------------------------------------------


def test_a_round_ends_with_a_small_report_of_counts_and_sizes_only(
    spoke: Services, hub: Hub, make_engine: EngineFactory, serve: Any
) -> None:
    recorder = Recorder(create_app(hub.store))
    report = make_engine(serve(recorder)).run_once()

    assert report.ok, report.error
    [body] = recorder.bodies  # once per round
    assert len(body) < WIRE_LIMIT, body
    sent = json.loads(body)
    assert set(sent) == {
        "app_version", "os", "pending_ops", "pending_blob_bytes", "needs_attention",
        "clock_offset_s", "free_disk_bytes",
    }  # fmt: skip
    assert sent["app_version"] == app.__version__ and sent["os"] == platform.platform()[:64]
    assert sent["pending_ops"] == 0 and sent["needs_attention"] == 0
    # Nothing a person typed: every value is a number, the version or the system's name.
    patients = spoke.store.read(lambda db: [r[0] for r in db.execute("SELECT name FROM patients")])
    assert patients and not any(name in body.decode() for name in patients)
    held = hub.store.fleet()[0]
    assert held["report"] == sent and held["received_at"] is not None


def test_the_largest_plausible_report_still_fits_a_2g_budget() -> None:
    waiting = health.Backlog(
        pending_ops=999_999,
        oldest_created_at=datetime(2020, 1, 1, tzinfo=UTC),
        pending_blob_bytes=99 * 10**9,
        needs_attention=99_999,
    )
    report = health.build(
        waiting, now=datetime.now(UTC), hub_minus_pc_s=-123456789.5, data_folder=Path.cwd()
    )
    wire = json.dumps(
        {**report.as_json(), "os": "W" * health.MAX_TEXT}, separators=(",", ":")
    ).encode()
    assert len(wire) < WIRE_LIMIT


def test_a_clock_years_ahead_and_a_refused_op_are_reported(
    spoke: Services, hub: Hub, make_engine: EngineFactory
) -> None:
    bogus = new_id()
    spoke.store.write(
        lambda db: outbox.enqueue(
            db,
            entity="case",
            entity_id=bogus,
            op="case.explode",
            payload={"id": bogus},
            priority=outbox.PRIORITY_RECORD,
        )
    )
    ahead = timedelta(days=3 * 365)
    report = make_engine(clock=lambda: datetime.now(UTC) + ahead).run_once()

    assert report.ok, report.error
    held = hub.store.fleet()[0]["report"]
    assert abs(held["clock_offset_s"] - ahead.total_seconds()) < 30  # PC minus hub: ahead
    assert held["needs_attention"] == 1


def test_the_backlog_counts_what_waits_its_age_and_the_photo_bytes_not_yet_sent(
    spoke: Services, tmp_path: Path
) -> None:
    actor = paramedic(spoke)
    case = queue_new_case(spoke, actor, photo=make_jpeg(tmp_path / "rash.jpg", 64))
    [attachment] = spoke.cases.detail(actor, case.id).attachments
    waiting = spoke.store.read(health.backlog)
    counts = outbox_counts(spoke)

    assert waiting.pending_ops == counts["pending"] > SEEDED_OPS
    assert waiting.pending_blob_bytes == attachment.size > 0
    assert waiting.needs_attention == 0
    assert waiting.oldest_created_at is not None
    made = waiting.oldest_created_at
    later = health.build(
        waiting, now=made + timedelta(hours=5), hub_minus_pc_s=2.0, data_folder=Path.cwd()
    )
    assert later.oldest_pending_s == 5 * 3600
    assert later.clock_offset_s == -2.0  # the hub is 2 s ahead: the PC is 2 s behind
    # A PC clock set back since: no negative ages.
    earlier = health.build(
        waiting, now=made - timedelta(days=1), hub_minus_pc_s=None, data_folder=Path.cwd()
    )
    assert earlier.oldest_pending_s == 0 and "clock_offset_s" not in earlier.as_json()


def test_free_space_of_a_folder_that_is_gone_is_not_reported(tmp_path: Path) -> None:
    assert health.free_disk_bytes(tmp_path) is not None
    assert health.free_disk_bytes(tmp_path / "gone") is None


# --- nothing about the report fails a round ------------------------------------------------


def test_an_older_hub_without_the_report_path_syncs_as_before(
    spoke: Services,
    hub: Hub,
    make_engine: EngineFactory,
    serve: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="app.sync.engine"):
        report = make_engine(serve(older_hub(hub))).run_once()

    assert report.ok, report.error
    assert report.pushed.applied == SEEDED_OPS
    assert outbox_counts(spoke)["pending"] == 0
    assert hub.store.fleet()[0]["report"] is None
    assert "the hub takes no health reports (an older hub)" in caplog.text


@pytest.mark.parametrize(
    ("status", "code", "logged"),
    [
        (400, "request.malformed", "the hub refused this PC's health report"),
        (401, "auth.invalid", "the hub refused this PC's health report"),
        (413, "request.too_large", "the hub refused this PC's health report"),
        (503, "hub.unavailable", "this PC's health report got no answer"),
    ],
)
def test_a_refused_or_unanswered_report_leaves_the_round_a_success(
    spoke: Services,
    hub: Hub,
    make_engine: EngineFactory,
    serve: Any,
    caplog: pytest.LogCaptureFixture,
    status: int,
    code: str,
    logged: str,
) -> None:
    url = serve(Answering(create_app(hub.store), status, code))
    with caplog.at_level(logging.INFO, logger="app.sync.engine"):
        report = make_engine(url).run_once()

    assert report.ok, report.error
    assert report.pushed.applied == SEEDED_OPS and report.retry_after_s is None
    assert outbox_counts(spoke)["pending"] == 0
    assert logged in caplog.text and code in caplog.text


class JunkReporter(HubClient):
    """A spoke whose report is wrong: fields of the wrong type, far out of range, unknown."""

    def status(self, report: Mapping[str, Any]) -> HubReply:
        junk = {**report, "pending_ops": "many", "free_disk_bytes": -1, "secret_field": 1}
        return super().status(junk)


def test_a_report_the_hub_finds_wrong_is_clamped_logged_on_both_sides_and_the_round_ends_ok(
    spoke: Services, hub: Hub, make_engine: EngineFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = JunkReporter(hub.url, hub.spoke_id, hub.secret, timeout=TEST_TIMEOUT)
    with caplog.at_level(logging.WARNING):
        report = make_engine(client=client).run_once()

    assert report.ok, report.error
    held = hub.store.fleet()[0]["report"]
    assert "pending_ops" not in held and "secret_field" not in held
    assert held["free_disk_bytes"] == 0  # clamped
    hub_lines = [r.getMessage() for r in caplog.records if r.name == "hub.app"]
    assert any("'pending_ops' not an integer" in line for line in hub_lines)
    spoke_lines = [r.getMessage() for r in caplog.records if r.name == "app.sync.engine"]
    assert any(
        "ignored or clamped fields" in line and "secret_field" in line for line in spoke_lines
    )


def test_a_cancelled_round_sends_no_report(
    spoke: Services, hub: Hub, make_engine: EngineFactory
) -> None:
    cancel = threading.Event()
    engine = make_engine()

    def cancel_after_pull(phase: str, done: int, total: int) -> None:
        if phase == "pull":
            cancel.set()

    engine.run_once(cancel, cancel_after_pull)
    assert hub.store.fleet()[0]["report"] is None
