"""End-to-end sync: a real spoke data folder against the real hub over loopback HTTP.

What must hold in every scenario: nothing queued is lost, nothing reaches the hub twice, the
outbox says "acknowledged" only for what the hub is known to hold, and records travel before
photos.
"""

from __future__ import annotations

import io
import json
import random
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from app.domain.ids import CaseId, PatientId, new_id
from app.domain.models import Case, CaseStatus, ConsentMethod, Role, User
from app.services.container import Services
from app.store import outbox, settings
from app.sync.engine import KEY_CURSOR
from app.sync.transport import HubClient, HubReply
from tests.sync.conftest import (
    SEEDED_CASES,
    SEEDED_OPS,
    SEEDED_PATIENTS,
    TEST_TIMEOUT,
    EngineFactory,
    Hub,
    outbox_counts,
    pending_audit_ops,
)

PASSWORD = "correct-horse"


# -- helpers -----------------------------------------------------------------------------------


def paramedic(services: Services) -> User:
    admin = services.auth.create_first_admin("admin", "Field IT", PASSWORD)
    return services.auth.create_user(admin, "asha", "Asha", Role.PARAMEDIC, PASSWORD)


def make_jpeg(path: Path, side: int, rng_seed: int = 1) -> Path:
    """A photo of noise: JPEG cannot shrink it, so its size is predictable (~0.65 B/pixel)."""
    rng = random.Random(rng_seed)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


def queue_new_case(services: Services, actor: User, photo: Path | None = None) -> Case:
    """A case made the way a paramedic makes one: draft, consent, complaint, photo, queue."""
    pid = services.store.read(
        lambda db: db.execute("SELECT id FROM patients ORDER BY id LIMIT 1").fetchone()[0]
    )
    case = services.cases.start(actor, PatientId(pid))
    services.cases.record_consent(
        actor,
        case.id,
        given_by="Patient",
        relationship="self",
        method=ConsentMethod.VERBAL,
        witness="",
    )
    services.cases.save_draft(
        actor, case.id, chief_complaint="Fever for three days", specialty="general_medicine"
    )
    if photo is not None:
        services.cases.add_attachment(actor, case.id, photo, caption="rash")
    return services.cases.queue(actor, case.id, specialty="general_medicine", priority="routine")


def case_statuses(services: Services) -> dict[str, str]:
    rows = services.store.read(lambda db: db.execute("SELECT id, status FROM cases").fetchall())
    return {r[0]: r[1] for r in rows}


def hub_stats(hub: Hub) -> dict[str, Any]:
    return hub.store.stats()


def hub_rows(hub_path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{hub_path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def assert_hub_has_each_once(hub: Hub, tmp_path: Path, cases: int, patients: int) -> None:
    stats = hub_stats(hub)
    assert stats["cases"] == cases
    assert stats["patients"] == patients
    hub_db = tmp_path / "hub.sqlite3"
    assert hub_rows(hub_db, "SELECT COUNT(*), COUNT(DISTINCT id) FROM cases") == [(cases, cases)]
    # Every op id recorded once, whatever was re-sent.
    dup = hub_rows(hub_db, "SELECT op_id FROM applied_ops GROUP BY op_id HAVING COUNT(*) > 1")
    assert dup == []


def hub_blob_bytes(tmp_path: Path, sha: str) -> bytes:
    rows = hub_rows(
        tmp_path / "hub.sqlite3",
        "SELECT data FROM blob_chunks WHERE sha256 = ? ORDER BY start",
        (sha,),
    )
    return b"".join(bytes(r[0]) for r in rows)


class SpyClient(HubClient):
    """A real client that also records which protocol calls it made, in order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []
        self.pushed_ops: list[str] = []

    def push(self, ops: Any, epoch_seen: str | None) -> HubReply:
        self.calls.append("push")
        self.pushed_ops.extend(op["op"] for op in ops)
        return super().push(ops, epoch_seen)

    def blob_start(self, sha256: str, size: int, media_type: str) -> HubReply:
        self.calls.append("blob_start")
        return super().blob_start(sha256, size, media_type)

    def blob_patch(self, sha256: str, offset: int, data: bytes) -> HubReply:
        self.calls.append("blob_patch")
        return super().blob_patch(sha256, offset, data)

    def pull(self, since: int, limit: int) -> HubReply:
        self.calls.append("pull")
        return super().pull(since, limit)


# -- the scenarios -----------------------------------------------------------------------------


def test_one_round_pushes_everything_once_and_a_second_pushes_nothing(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    engine = make_engine()
    phases: list[str] = []
    report = engine.run_once(progress=lambda phase, done, total: phases.append(phase))

    assert report.ok, report.error
    assert report.pushed.applied == SEEDED_OPS
    assert report.pushed.duplicate == report.pushed.rejected == 0
    assert report.pending_left == 0 and report.needs_attention == 0
    assert outbox_counts(spoke) == {"pending": 0, "sent": 0, "acked": SEEDED_OPS, "rejected": 0}
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)
    # The hub put every case in its queue and said so in the feed: the spoke shows it.
    assert report.pulled == SEEDED_CASES
    assert set(case_statuses(spoke).values()) == {CaseStatus.AT_HUB.value}
    assert phases[0] == "push" and phases[-1] == "pull"
    assert abs(report.clock_offset_s or 0.0) < 5 and not report.clock_warning

    again = engine.run_once()
    assert again.ok, again.error
    assert again.pushed.total == 0 and again.pulled == 0
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)
    last = spoke.store.read(lambda db: settings.get_state(db, "sync.last_success_at"))
    assert last is not None


def test_the_hub_keeps_each_record_exactly_as_the_spoke_wrote_it(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    """The push body leaves out what the hub can work out (docs/SYNC.md "Tables"): what the
    hub stores must still be the spoke's records, field for field."""
    sent = spoke.store.read(lambda db: outbox.pending(db, limit=10_000))
    assert make_engine().run_once().ok
    hub_db = tmp_path / "hub.sqlite3"
    patients = dict(hub_rows(hub_db, "SELECT id, doc FROM patients"))
    cases = dict(hub_rows(hub_db, "SELECT id, doc FROM cases"))
    observations = dict(hub_rows(hub_db, "SELECT id, doc FROM observations"))
    for op in sent:
        if op.op == "patient.create":
            assert json.loads(patients[op.entity_id]) == op.payload["patient"]
        elif op.op == "case.queue":
            case = op.payload["case"]
            assert json.loads(cases[case["id"]]) == {**case, "news2": op.payload["news2"]}
            for item in op.payload["observations"]:
                assert item["case_id"] == case["id"]
                assert json.loads(observations[item["id"]]) == item
    assert observations and len(observations) == sum(
        len(op.payload["observations"]) for op in sent if op.op == "case.queue"
    )


def test_a_case_queued_after_a_round_goes_in_the_next(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    engine = make_engine()
    assert engine.run_once().ok
    actor = paramedic(spoke)
    case = queue_new_case(spoke, actor)
    assert case.status is CaseStatus.QUEUED
    audited = pending_audit_ops(spoke)  # the audit entries of registering and queueing it

    report = engine.run_once()
    assert report.ok, report.error
    assert report.pushed.applied == 1 + audited
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES + 1, SEEDED_PATIENTS)
    assert case_statuses(spoke)[case.id] == CaseStatus.AT_HUB.value


def test_a_poisoned_op_is_rejected_and_needs_attention_while_the_rest_go(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    bogus_id = new_id()
    # Queued between the patients and the cases: it must not hold back the cases after it.
    poison = spoke.store.write(
        lambda db: outbox.enqueue(
            db,
            entity="case",
            entity_id=bogus_id,
            op="case.explode",
            payload={"id": bogus_id},
            priority=outbox.PRIORITY_RECORD,
        )
    )
    report = make_engine().run_once()

    assert report.ok, report.error
    assert report.pushed.rejected == 1
    assert report.pushed.applied == SEEDED_OPS
    assert report.needs_attention == 1
    op = spoke.store.read(lambda db: outbox.get(db, poison))
    assert op is not None and op.state == "rejected"
    assert op.last_error.startswith("op.unknown")
    assert outbox_counts(spoke) == {"pending": 0, "sent": 0, "acked": SEEDED_OPS, "rejected": 1}
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)

    # Rejected ops are not sent again round after round.
    again = make_engine().run_once()
    assert again.pushed.total == 0 and again.needs_attention == 1


def test_hub_down_fails_the_round_without_acking_then_a_later_round_delivers_once(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    engine = make_engine()
    hub.server.stop()

    down = engine.run_once()
    assert not down.ok
    assert down.error_code == "hub.unreachable"
    assert down.pushed.total == 0
    assert outbox_counts(spoke)["acked"] == 0
    assert outbox_counts(spoke)["pending"] == SEEDED_OPS

    hub.restart()
    up = engine.run_once()
    assert up.ok, up.error
    assert up.pushed.applied == SEEDED_OPS
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)


def test_a_new_hub_epoch_resets_the_cursor_and_re_pushes_acked_ops_as_duplicates(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    engine = make_engine()
    first = engine.run_once()
    assert first.ok and not first.epoch_changed
    cursor_before = spoke.store.read(lambda db: settings.get_state(db, KEY_CURSOR))
    assert cursor_before not in (None, "0")

    hub.store.new_epoch()  # as after a restore from a backup
    report = engine.run_once()

    assert report.ok, report.error
    assert report.epoch_changed
    assert report.pushed.duplicate == SEEDED_OPS
    assert report.pushed.applied == 0
    assert report.pulled == SEEDED_CASES  # the feed was read again from 0
    assert outbox_counts(spoke)["acked"] == SEEDED_OPS
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)
    assert set(case_statuses(spoke).values()) == {CaseStatus.AT_HUB.value}

    quiet = engine.run_once()
    assert quiet.ok and not quiet.epoch_changed and quiet.pushed.total == 0


def test_a_pc_clock_three_years_ahead_is_measured_and_flagged_but_sync_works(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    ahead = timedelta(days=3 * 365)
    engine = make_engine(clock=lambda: datetime.now(UTC) + ahead)
    report = engine.run_once()

    assert report.ok, report.error
    assert report.clock_warning
    assert report.clock_offset_s is not None
    assert abs(report.clock_offset_s + ahead.total_seconds()) < 30
    stored = spoke.store.read(lambda db: settings.get_state(db, "sync.clock_offset_s"))
    assert stored is not None and float(stored) < -ahead.total_seconds() + 30
    assert report.pushed.applied == SEEDED_OPS
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)


def test_a_photo_is_uploaded_after_the_records_and_the_hub_holds_its_bytes(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    actor = paramedic(spoke)
    case = queue_new_case(spoke, actor, photo=make_jpeg(tmp_path / "rash.jpg", 96))
    attachment = spoke.cases.detail(actor, case.id).attachments[0]
    audited = pending_audit_ops(spoke)
    spy = SpyClient(hub.url, hub.spoke_id, hub.secret, timeout=TEST_TIMEOUT)
    report = make_engine(client=spy).run_once()

    assert report.ok, report.error
    assert report.blobs_uploaded == 1
    # + the case and its attachment record, and the audit entries of making them
    assert report.pushed.applied == SEEDED_OPS + 2 + audited
    # Records first: every push (the attachment record last of all) before any byte moves.
    first_blob = spy.calls.index("blob_start")
    assert "push" not in spy.calls[first_blob:]
    assert spy.pushed_ops[-1] == "attachment.create"
    assert hub.store.blob_offset(attachment.sha256) == attachment.size
    assert hub_blob_bytes(tmp_path, attachment.sha256) == spoke.blobs.get(attachment.sha256)
    assert hub_stats(hub)["blobs"] == 1
    assert hub_stats(hub)["per_spoke"][0]["attachments_with_blob"] == 1

    again = make_engine(client=spy).run_once()
    assert again.ok and again.blobs_uploaded == 0
    assert spy.calls.count("blob_start") == 1  # done is remembered: not asked again


def test_the_pull_applies_case_status_and_replaying_the_page_changes_nothing(
    spoke: Services, hub: Hub, make_engine: EngineFactory
) -> None:
    engine = make_engine()
    first = engine.run_once()  # the hub's own at_hub changes come back in this round
    assert first.ok
    cid = CaseId(next(iter(case_statuses(spoke))))
    hub.store.publish(hub.spoke_id, "case", cid, "case.status", {"id": cid, "status": "prescribed"})

    second = engine.run_once()
    assert second.ok and second.pulled == 1
    assert case_statuses(spoke)[cid] == CaseStatus.PRESCRIBED.value

    def snapshot() -> list[tuple[Any, ...]]:
        return spoke.store.read(
            lambda db: [tuple(r) for r in db.execute("SELECT * FROM cases ORDER BY id")]
        )

    before = snapshot()
    # Replay the whole feed (the at_hub changes are behind PRESCRIBED now: no regression).
    spoke.store.write(lambda db: settings.put_state(db, KEY_CURSOR, "0"))
    replay = engine.run_once()
    assert replay.ok and replay.pulled == SEEDED_CASES + 1
    assert snapshot() == before


def test_a_second_caller_gets_already_running(
    spoke: Services, hub: Hub, make_engine: EngineFactory
) -> None:
    engine = make_engine()
    inner: list[Any] = []

    def progress(phase: str, done: int, total: int) -> None:
        if not inner:
            inner.append(make_engine().run_once())

    report = engine.run_once(progress=progress)
    assert report.ok
    assert inner[0].already_running and not inner[0].ok
    assert inner[0].pushed.total == 0


def test_a_cancelled_round_stops_and_keeps_its_ops_pending(
    spoke: Services, hub: Hub, make_engine: EngineFactory
) -> None:
    cancel = threading.Event()
    cancel.set()
    report = make_engine().run_once(cancel=cancel)
    assert report.error_code == "sync.cancelled"
    assert outbox_counts(spoke)["pending"] == SEEDED_OPS


def test_a_pc_clock_reset_to_1970_does_not_stop_sync(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    # A dead CMOS battery: the PC boots at the epoch. Nothing in the protocol uses PC time.
    report = make_engine(clock=lambda: datetime(1970, 1, 1, 0, 5, tzinfo=UTC)).run_once()
    assert report.ok, report.error
    assert report.clock_warning
    assert report.clock_offset_s is not None and report.clock_offset_s > 50 * 365 * 86400
    assert report.pushed.applied == SEEDED_OPS
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)


def test_a_pc_clock_jumping_backwards_between_rounds_loses_and_repeats_nothing(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    moments = iter([datetime.now(UTC), datetime.now(UTC) - timedelta(days=40)])
    now = next(moments)
    engine = make_engine(clock=lambda: now)
    actor = paramedic(spoke)
    first = engine.run_once()
    assert first.ok, first.error
    now = next(moments)  # someone "fixes" the clock by going back 40 days
    queue_new_case(spoke, actor)
    second = engine.run_once()
    assert second.ok, second.error
    assert second.clock_warning
    assert second.pushed.applied >= 1
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES + 1, SEEDED_PATIENTS)
