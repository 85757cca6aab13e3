"""SyncService status, needs-attention list, retry, permissions and the worker, against a real
hub on loopback (tests/sync/conftest.py) and real services with a settable clock."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from app.domain.errors import DomainError
from app.domain.ids import CaseId
from app.domain.models import CaseStatus
from app.services.container import Services
from app.services.seed import seed
from app.services.sync import SyncReport
from app.store import cases as cases_repo
from app.store import outbox, sync_log
from app.sync import credentials, engine
from app.sync.credentials import HubCredentials
from tests.services.helpers import FakeClock, Staff
from tests.sync.conftest import Hub, hub  # noqa: F401  (the fixture, used by name)

PATIENTS, CASES = 4, 2


@pytest.fixture
def seeded(services: Services, staff: Staff) -> Services:
    seed(services, patients=PATIENTS, cases=CASES, queued=True)
    return services


def enrol(services: Services, staff: Staff, hub: Hub) -> None:  # noqa: F811
    # The test hub speaks plain HTTP; enrolment by token (HTTPS only) has its own tests.
    credentials.save(services.store, HubCredentials(hub.url, hub.spoke_id, hub.secret))


def poison(services: Services) -> str:
    """An op the hub can only refuse (an op kind it does not know)."""
    return services.store.write(
        lambda db: outbox.enqueue(
            db, entity="case", entity_id="nope", op="bogus.kind", payload={}, priority=0
        )
    )


def test_the_store_uses_the_engines_keys() -> None:
    assert sync_log.KEY_LAST_SUCCESS == engine.KEY_LAST_SUCCESS
    assert sync_log.KEY_LAST_SUCCESS_HUB == engine.KEY_LAST_SUCCESS_HUB
    assert sync_log.KEY_CLOCK_OFFSET == engine.KEY_CLOCK_OFFSET
    assert sync_log.BLOB_KEY_PREFIX == engine.BLOB_KEY_PREFIX


def test_not_enrolled_status_counts_what_waits(seeded: Services, staff: Staff) -> None:
    status = seeded.sync.status(staff.paramedic)
    assert not status.enrolled and status.hub_url is None
    assert status.pending_records == seeded.pending_sync_count() == PATIENTS + CASES
    assert status.pending_photos == 0
    assert status.needs_attention == 0
    assert status.last_success_at is None and status.offline_since is None
    assert not status.online and not status.worker_running
    # Counts are not clinical: the administrator sees them too.
    assert seeded.sync.status(staff.admin).pending_total == PATIENTS + CASES


def test_a_round_records_success_and_a_failure_starts_offline_since(
    seeded: Services,
    staff: Staff,
    hub: Hub,  # noqa: F811
    clock: FakeClock,
) -> None:
    enrol(seeded, staff, hub)
    report = seeded.sync.run_once()
    assert report.ok, report.error
    succeeded = clock.now
    status = seeded.sync.status(staff.paramedic)
    assert status.enrolled and status.hub_url == hub.url
    assert status.pending_total == 0
    assert status.last_success_at == clock.now == status.last_attempt_at
    assert status.last_success_hub_time is not None
    assert status.online and status.last_error_code is None
    # The fake clock is a year behind the hub's: that is what the warning is for.
    assert status.clock_offset_s is not None and status.clock_offset_s > 300
    assert status.clock_warning

    hub.server.stop()
    clock.advance(60)
    first_failure = clock.now
    assert not seeded.sync.run_once().ok
    clock.advance(60)
    assert not seeded.sync.run_once().ok
    status = seeded.sync.status(staff.paramedic)
    assert status.offline_since == first_failure  # later failures do not move it
    assert status.last_attempt_at == clock.now
    assert status.last_error_code == "hub.unreachable"
    assert not status.online
    assert status.last_success_at == succeeded  # the last success is kept, shown beside it

    hub.restart()
    assert seeded.sync.run_once().ok
    status = seeded.sync.status(staff.paramedic)
    assert status.online and status.offline_since is None and status.last_error_code is None


def test_a_cancelled_round_says_nothing_about_the_hub(
    seeded: Services,
    staff: Staff,
    hub: Hub,  # noqa: F811
) -> None:
    enrol(seeded, staff, hub)
    cancel = threading.Event()
    cancel.set()
    report = seeded.sync.run_once(cancel)
    assert report.error_code == "sync.cancelled"
    status = seeded.sync.status(staff.paramedic)
    assert status.offline_since is None and status.last_attempt_at is None


def test_a_refused_op_is_listed_and_send_again_queues_it(
    seeded: Services,
    staff: Staff,
    hub: Hub,  # noqa: F811
) -> None:
    enrol(seeded, staff, hub)
    op_id = poison(seeded)
    assert seeded.sync.run_once().pushed.rejected == 1
    items = seeded.sync.needs_attention(staff.paramedic)
    assert [i.op_id for i in items] == [op_id]
    item = items[0]
    assert item.op == "bogus.kind" and item.entity == "case"
    assert item.reason_code and item.reason
    assert seeded.sync.status(staff.admin).needs_attention == 1

    with pytest.raises(DomainError) as denied:
        seeded.sync.retry(staff.admin, op_id)  # field IT may look, not resend clinical work
    assert denied.value.code == "permission.denied"

    seeded.sync.retry(staff.paramedic, op_id)
    assert seeded.sync.needs_attention(staff.paramedic) == []
    status = seeded.sync.status(staff.paramedic)
    assert status.needs_attention == 0 and status.pending_records == 1
    with pytest.raises(DomainError) as gone:
        seeded.sync.retry(staff.paramedic, op_id)
    assert gone.value.code == "sync.op_not_found"


def test_send_again_puts_a_refused_case_back_in_the_queue(
    seeded: Services,
    staff: Staff,
    hub: Hub,  # noqa: F811
) -> None:
    enrol(seeded, staff, hub)
    queue_op = seeded.store.read(
        lambda db: next(op for op in outbox.pending(db, 500) if op.op == "case.queue")
    )
    # The hub refuses this case: its patient is not known there (a broken reference).
    seeded.store.write(
        lambda db: db.execute(
            "UPDATE outbox SET payload = json_set(payload, '$.case.patient_id', 'missing') "
            "WHERE op_id = ?",
            [queue_op.op_id],
        )
    )
    seeded.sync.run_once()
    rejected = [i.op_id for i in seeded.sync.needs_attention(staff.paramedic)]
    assert queue_op.op_id in rejected

    def status() -> CaseStatus | None:
        case = seeded.store.read(lambda db: cases_repo.get(db, CaseId(queue_op.entity_id)))
        return None if case is None else case.status

    assert status() is CaseStatus.NEEDS_ATTENTION
    seeded.sync.retry(staff.paramedic, queue_op.op_id)
    assert status() is CaseStatus.QUEUED


def test_viewing_needs_an_active_account(seeded: Services, staff: Staff) -> None:
    gone = dataclasses.replace(staff.paramedic, active=False)
    for call in (
        lambda: seeded.sync.status(gone),
        lambda: seeded.sync.needs_attention(gone),
        lambda: seeded.sync.retry(gone, "x"),
    ):
        with pytest.raises(DomainError) as denied:
            call()
        assert denied.value.code == "permission.denied"


def test_photos_are_counted_apart_from_records(seeded: Services, staff: Staff) -> None:
    seeded.store.write(
        lambda db: outbox.enqueue(
            db,
            entity="attachment",
            entity_id="a1",
            op="attachment.create",
            payload={"attachment": {"sha256": "0" * 64}},
            priority=outbox.PRIORITY_BLOB,
        )
    )
    status = seeded.sync.status(staff.paramedic)
    assert (status.pending_records, status.pending_photos) == (PATIENTS + CASES, 1)
    # Acknowledged but its bytes not yet at the hub: still one photo waiting.
    seeded.store.write(
        lambda db: db.execute("UPDATE outbox SET state = 'acked' WHERE op = 'attachment.create'")
    )
    assert seeded.sync.status(staff.paramedic).pending_photos == 1


def test_the_worker_runs_only_when_enrolled_and_reports(
    seeded: Services,
    staff: Staff,
    hub: Hub,  # noqa: F811
) -> None:
    assert not seeded.sync.start_worker()
    assert not seeded.sync.sync_now() and not seeded.sync.nudge()
    enrol(seeded, staff, hub)
    reports: list[SyncReport] = []
    heard: list[SyncReport] = []
    done = threading.Event()
    remove = seeded.sync.add_listener(lambda r: (heard.append(r), done.set()))

    assert seeded.sync.start_worker(reports.append, first_delay_s=0.0)
    try:
        assert not seeded.sync.start_worker()  # one worker per service
        assert seeded.sync.status(staff.paramedic).worker_running
        assert done.wait(20)
        assert heard[0].ok, heard[0].error
        assert seeded.sync.status(staff.paramedic).pending_total == 0
        poison(seeded)
        done.clear()
        seeded.sync.nudge()
        assert done.wait(20)
    finally:
        assert seeded.sync.stop_worker()
        remove()
    assert reports and reports[0].ok
    assert not seeded.sync.status(staff.paramedic).worker_running
    assert seeded.sync.status(staff.paramedic).needs_attention == 1
