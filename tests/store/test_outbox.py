"""The outbox queue and the JSON payload codec."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.store import codec, outbox
from app.store.db import Store
from app.store.errors import StoreError


def _enqueue(store: Store, entity_id: str, priority: int, op: str = "x.create") -> str:
    return store.write(
        lambda db: outbox.enqueue(
            db,
            entity="x",
            entity_id=entity_id,
            op=op,
            payload={"n": entity_id},
            priority=priority,
        )
    )


def test_pending_is_by_priority_then_sequence(store: Store) -> None:
    _enqueue(store, "blob-1", outbox.PRIORITY_BLOB)
    _enqueue(store, "rec-1", outbox.PRIORITY_RECORD)
    _enqueue(store, "obs-1", outbox.PRIORITY_OBSERVATION)
    _enqueue(store, "rec-2", outbox.PRIORITY_RECORD)
    ops = store.read(lambda db: outbox.pending(db, 10))
    assert [o.entity_id for o in ops] == ["rec-1", "rec-2", "obs-1", "blob-1"]
    assert [o.seq for o in ops] == [2, 4, 3, 1]
    assert [o.entity_id for o in store.read(lambda db: outbox.pending(db, 2))] == [
        "rec-1",
        "rec-2",
    ]


def test_states_counts_and_sequence_never_steps_back(store: Store) -> None:
    a = _enqueue(store, "a", 0)
    b = _enqueue(store, "b", 0)
    c = _enqueue(store, "c", 0)
    store.write(lambda db: outbox.mark_sent(db, a))
    store.write(lambda db: outbox.mark_acked(db, a))
    store.write(lambda db: outbox.mark_rejected(db, b, "hub: unknown patient"))
    store.write(lambda db: outbox.mark_failed(db, c, "timeout"))
    assert store.read(outbox.counts) == {"pending": 1, "sent": 0, "acked": 1, "rejected": 1}
    op_b = store.read(lambda db: outbox.get(db, b))
    assert op_b is not None and (op_b.state, op_b.last_error) == (
        "rejected",
        "hub: unknown patient",
    )
    op_c = store.read(lambda db: outbox.get(db, c))
    assert op_c is not None and (op_c.state, op_c.attempts) == ("pending", 1)
    # Pruning acknowledged rows (the highest seq included) must not reuse a number.
    store.write(lambda db: db.execute("DELETE FROM outbox WHERE op_id IN (?, ?)", [b, c]))
    d = _enqueue(store, "d", 0)
    op_d = store.read(lambda db: outbox.get(db, d))
    assert op_d is not None and op_d.seq == 4


def test_op_ids_are_uuid7_and_created_at_is_utc(store: Store) -> None:
    op_id = _enqueue(store, "a", 0)
    op = store.read(lambda db: outbox.get(db, op_id))
    assert op is not None
    assert op_id[14] == "7"
    assert op.created_at.tzinfo is not None and op.created_at.utcoffset() == timedelta(0)
    assert store.read(lambda db: outbox.for_entity(db, "a")) == [op]


def test_a_payload_that_is_not_json_rolls_back(store: Store) -> None:
    with pytest.raises(TypeError):
        store.write(
            lambda db: outbox.enqueue(
                db, entity="x", entity_id="a", op="x", payload={"bad": object()}, priority=0
            )
        )
    assert store.read(outbox.counts)["pending"] == 0
    with pytest.raises(StoreError):  # the CHECK (json_valid) guards raw SQL too
        store.write(
            lambda db: db.execute(
                "INSERT INTO outbox (op_id, seq, entity, entity_id, op, payload, created_at) "
                "VALUES ('o', 99, 'x', 'a', 'x', 'not json', '')"
            )
        )


def test_codec_json_times_are_utc_iso_and_bytes_base64() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    text = codec.to_json(
        {
            "at": datetime(2026, 11, 25, 15, 0, tzinfo=ist),
            "day": date(2026, 1, 2),
            "raw": b"\x00\xff",
            "names": ("रमेश",),
        }
    )
    assert json.loads(text) == {
        "at": "2026-11-25T09:30:00.000000+00:00",
        "day": "2026-01-02",
        "raw": "AP8=",
        "names": ["रमेश"],
    }
    assert "रमेश" in text  # stored readable, not \\u escapes
    assert codec.parse_dt("2026-11-25T09:30:00.000000+00:00") == datetime(
        2026, 11, 25, 9, 30, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        codec.iso(datetime(2026, 11, 25, 9, 30))  # naive: refused, not guessed
