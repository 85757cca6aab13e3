"""Sync through a fault-injecting proxy (tests/sync/proxy.py) in front of the real hub:
answers lost after the hub committed, and a link that resets every 64 KB."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.container import Services
from app.sync.engine import MAX_LINK_FAILURES, SyncReport
from tests.sync.conftest import (
    SEEDED_CASES,
    SEEDED_OPS,
    SEEDED_PATIENTS,
    EngineFactory,
    Hub,
    outbox_counts,
)
from tests.sync.proxy import FaultProxy
from tests.sync.test_end_to_end import (
    assert_hub_has_each_once,
    hub_blob_bytes,
    make_jpeg,
    paramedic,
    queue_new_case,
)


@pytest.fixture
def proxy(hub: Hub) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", hub.server.port) as p:
        yield p


def test_an_answer_lost_after_the_hub_committed_is_resent_as_duplicates(
    spoke: Services, hub: Hub, proxy: FaultProxy, make_engine: EngineFactory, tmp_path: Path
) -> None:
    engine = make_engine(proxy.url)
    # Every push answer of the first round is lost (the round retries a few times itself).
    proxy.drop_responses("/v1/sync/push", count=MAX_LINK_FAILURES)

    lost = engine.run_once()
    assert not lost.ok
    assert proxy.dropped == MAX_LINK_FAILURES
    assert outbox_counts(spoke) == {"pending": SEEDED_OPS, "sent": 0, "acked": 0, "rejected": 0}
    # ... although the hub has every record already.
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)

    report = engine.run_once()
    assert report.ok, report.error
    assert report.pushed.duplicate == SEEDED_OPS and report.pushed.applied == 0
    assert outbox_counts(spoke)["acked"] == SEEDED_OPS
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)


def test_one_lost_answer_is_retried_within_the_round(
    spoke: Services, hub: Hub, proxy: FaultProxy, make_engine: EngineFactory, tmp_path: Path
) -> None:
    proxy.drop_responses("/v1/sync/push", count=1)
    report = make_engine(proxy.url).run_once()

    assert report.ok, report.error
    assert proxy.dropped == 1
    assert report.pushed.duplicate == SEEDED_OPS
    assert outbox_counts(spoke)["acked"] == SEEDED_OPS
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)


def test_a_300_kb_photo_over_a_link_that_resets_every_64_kb_arrives_whole(
    spoke: Services, hub: Hub, proxy: FaultProxy, make_engine: EngineFactory, tmp_path: Path
) -> None:
    actor = paramedic(spoke)
    case = queue_new_case(spoke, actor, photo=make_jpeg(tmp_path / "wound.jpg", 680))
    attachment = spoke.cases.detail(actor, case.id).attachments[0]
    assert attachment.size > 250_000
    proxy.reset_after(64 * 1024)
    engine = make_engine(proxy.url)

    reports: list[SyncReport] = []
    deadline = time.monotonic() + 40
    while hub.store.blob_offset(attachment.sha256) != attachment.size:
        assert time.monotonic() < deadline, f"no complete upload after {len(reports)} rounds"
        assert len(reports) < 30, [r.error for r in reports]
        reports.append(engine.run_once())

    assert proxy.resets > 0
    assert any(not r.ok for r in reports)  # it really took more than one go
    assert sum(r.blobs_uploaded for r in reports) == 1
    held = hub_blob_bytes(tmp_path, attachment.sha256)
    assert len(held) == attachment.size
    assert hashlib.sha256(held).hexdigest() == attachment.sha256
    assert hub.store.blob_start(attachment.sha256, attachment.size, "image/jpeg")[0] == "exists"
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES + 1, SEEDED_PATIENTS)

    proxy.pass_through()
    final = engine.run_once()
    assert final.ok, final.error
    assert final.pending_left == 0 and final.blobs_uploaded == 0
