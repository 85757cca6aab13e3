"""AIMD push batches and poison isolation, with a real hub behind a client that misbehaves
on purpose for some requests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.domain.ids import new_id
from app.services.container import Services
from app.store import outbox, settings
from app.sync.engine import BATCH_START, KEY_BATCH
from app.sync.transport import HubClient, HubProtocolError, HubReply, HubTimeout
from tests.sync.conftest import (
    SEEDED_CASES,
    SEEDED_OPS,
    SEEDED_PATIENTS,
    TEST_TIMEOUT,
    EngineFactory,
    Hub,
    outbox_counts,
)
from tests.sync.test_end_to_end import (
    assert_hub_has_each_once,
    make_jpeg,
    paramedic,
    queue_new_case,
)

Fault = Callable[[Sequence[Mapping[str, Any]]], Exception | None]


class FaultyClient(HubClient):
    """Pushes through to the real hub unless ``fault(ops)`` returns an exception to raise."""

    def __init__(self, hub: Hub, fault: Fault) -> None:
        super().__init__(hub.url, hub.spoke_id, hub.secret, timeout=TEST_TIMEOUT)
        self.fault = fault
        self.batch_sizes: list[int] = []

    def push(self, ops: Sequence[Mapping[str, Any]], epoch_seen: str | None) -> HubReply:
        self.batch_sizes.append(len(ops))
        problem = self.fault(ops)
        if problem is not None:
            raise problem
        return super().push(ops, epoch_seen)


def stored_batch(services: Services) -> int:
    raw = services.store.read(lambda db: settings.get_state(db, KEY_BATCH))
    return int(raw) if raw is not None else BATCH_START


def test_a_batch_the_link_cannot_carry_is_halved_and_the_size_remembered(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    def too_big(ops: Sequence[Mapping[str, Any]]) -> Exception | None:
        if len(ops) > 20:
            return HubTimeout("hub.timeout", "read timed out", reached=True)
        return None

    client = FaultyClient(hub, too_big)
    report = make_engine(client=client).run_once()

    assert report.ok, report.error
    assert report.pushed.applied == SEEDED_OPS
    assert client.batch_sizes == [SEEDED_OPS, SEEDED_OPS // 2, SEEDED_OPS // 2]
    assert stored_batch(spoke) == 2 * SEEDED_OPS  # halved to 15, doubled twice after
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)


def test_a_link_that_keeps_failing_ends_the_round_with_everything_pending(
    spoke: Services, hub: Hub, make_engine: EngineFactory
) -> None:
    def always(ops: Sequence[Mapping[str, Any]]) -> Exception | None:
        return HubTimeout("hub.timeout", "read timed out", reached=True)

    client = FaultyClient(hub, always)
    report = make_engine(client=client).run_once()

    assert not report.ok and report.error_code == "hub.timeout"
    assert len(client.batch_sizes) == 3  # MAX_LINK_FAILURES, not forever
    assert outbox_counts(spoke) == {"pending": SEEDED_OPS, "sent": 0, "acked": 0, "rejected": 0}
    assert stored_batch(spoke) < BATCH_START  # the next round starts smaller


def test_an_op_that_always_breaks_the_answer_is_isolated_and_left_pending(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    bad_id = new_id()
    poison = spoke.store.write(
        lambda db: outbox.enqueue(
            db,
            entity="patient",
            entity_id=bad_id,
            op="patient.update",
            payload={"id": bad_id},
            priority=outbox.PRIORITY_RECORD,
        )
    )

    garbled_sends: list[int] = []

    def garbled(ops: Sequence[Mapping[str, Any]]) -> Exception | None:
        if any(op["op_id"] == poison for op in ops):
            garbled_sends.append(len(ops))
            return HubProtocolError("hub.bad_reply", "answer cut off")
        return None

    client = FaultyClient(hub, garbled)
    engine = make_engine(client=client)
    report = engine.run_once()

    assert not report.ok and report.error_code == "sync.ops_failed"
    assert report.pushed.failed == 1
    assert report.pushed.applied == SEEDED_OPS  # everything else went
    op = spoke.store.read(lambda db: outbox.get(db, poison))
    assert op is not None and op.state == "pending"
    assert op.attempts == len(garbled_sends)  # every send counted, and halving ended at 1
    assert garbled_sends[-1] == 1 and garbled_sends.count(1) == 1
    assert op.last_error.startswith("hub.bad_reply")
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES, SEEDED_PATIENTS)

    # The next round tries it once more (alone), no more.
    sizes_before = len(client.batch_sizes)
    again = engine.run_once()
    assert again.pushed.failed == 1
    assert client.batch_sizes[sizes_before:] == [1]


def test_a_damaged_photo_needs_attention_and_does_not_block_the_round(
    spoke: Services, hub: Hub, make_engine: EngineFactory, tmp_path: Path
) -> None:
    actor = paramedic(spoke)
    case = queue_new_case(spoke, actor, photo=make_jpeg(tmp_path / "slip.jpg", 64))
    attachment = spoke.cases.detail(actor, case.id).attachments[0]
    path = spoke.blobs.path(attachment.sha256)
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01  # one flipped bit on a failing disk
    path.write_bytes(bytes(damaged))

    engine = make_engine()
    report = engine.run_once()
    assert report.ok, report.error
    assert report.blobs_uploaded == 0
    assert report.needs_attention == 1
    assert hub.store.blob_offset(attachment.sha256) is None  # damaged bytes never leave
    assert_hub_has_each_once(hub, tmp_path, SEEDED_CASES + 1, SEEDED_PATIENTS)
    assert engine.run_once().needs_attention == 1
