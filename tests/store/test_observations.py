"""Observations are append-only; the only change is marking one entered-in-error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.ids import ObservationId
from app.domain.models import Case, ObservationSource, ObservationStatus
from app.store import attachments, cases, observations, outbox, patients
from app.store.db import Store
from app.store.errors import StoreError
from tests.store.conftest import T0, USER_ID, make_case, make_observation, make_patient


@pytest.fixture
def case(store: Store) -> Case:
    p = make_patient()
    c = make_case(p.id)
    store.write(lambda db: patients.insert(db, p, USER_ID))
    store.write(lambda db: cases.insert(db, c))
    return c


def test_device_reading_round_trips_with_its_raw_frame(store: Store, case: Case) -> None:
    o = make_observation(
        case.id,
        "2708-6",
        96,
        "%",
        source=ObservationSource.DEVICE,
        device_id="oxi-7",
        device_time=datetime(2026, 11, 25, 9, 29, 58, 250000, tzinfo=UTC),
        raw=b"\x02\x00\xffSPO2=96\x03",
        parser_version="oxi/1.2",
        confirmed_abnormal=True,
    )
    store.write(lambda db: observations.insert(db, o, outbox=False))
    assert store.read(lambda db: observations.for_case(db, case.id)) == [o]
    assert store.read(lambda db: observations.get(db, o.id)) == o


def test_addendum_queues_observation_create(store: Store, case: Case) -> None:
    o = make_observation(case.id, "8867-4", 88, "/min", raw=b"\x01\x02")
    store.write(lambda db: observations.insert(db, o, outbox=True))
    [op] = store.read(lambda db: outbox.for_entity(db, o.id))
    assert (op.op, op.priority) == ("observation.create", outbox.PRIORITY_OBSERVATION)
    assert op.payload["observation"]["raw"] == "AQI="  # base64
    assert op.payload["observation"]["taken_at"].endswith("+00:00")


def test_observations_cannot_be_changed_or_deleted_in_sql(store: Store, case: Case) -> None:
    o = make_observation(case.id, "8867-4", 88, "/min")
    store.write(lambda db: observations.insert(db, o, outbox=False))
    for sql in (
        "UPDATE observations SET value = 77",
        "DELETE FROM observations",
        "UPDATE observations SET status = 'entered-in-error', unit = 'x'",
    ):
        with pytest.raises(StoreError):
            store.write(lambda db, sql=sql: db.execute(sql))
    assert store.read(lambda db: observations.for_case(db, case.id)) == [o]


def test_mark_entered_in_error_once_and_queue_it(store: Store, case: Case) -> None:
    o = make_observation(case.id, "8480-6", 300, "mm[Hg]")
    store.write(lambda db: observations.insert(db, o, outbox=False))
    for _ in range(2):
        store.write(
            lambda db: observations.mark_entered_in_error(db, o.id, outbox=True, reason="typo")
        )
    [marked] = store.read(lambda db: observations.for_case(db, case.id))
    assert marked.status is ObservationStatus.ENTERED_IN_ERROR
    assert marked.value == 300  # kept, only marked
    [op] = store.read(lambda db: outbox.for_entity(db, o.id))
    assert op.op == "observation.entered_in_error"
    assert op.payload == {"id": o.id, "reason": "typo"}
    with pytest.raises(StoreError) as info:
        store.write(
            lambda db: observations.mark_entered_in_error(
                db, ObservationId("missing"), outbox=False
            )
        )
    assert info.value.code == "store.not_found"


def test_trend_is_final_values_across_cases_oldest_first(store: Store, case: Case) -> None:
    later_case = make_case(case.patient_id, minutes=60)
    other = make_patient("Someone Else")
    other_case = make_case(other.id)
    store.write(lambda db: cases.insert(db, later_case))
    store.write(lambda db: patients.insert(db, other, USER_ID))
    store.write(lambda db: cases.insert(db, other_case))
    values = [
        make_observation(later_case.id, "29463-7", 61, "kg", minutes=70),
        make_observation(case.id, "29463-7", 60, "kg", minutes=1),
        make_observation(case.id, "29463-7", 600, "kg", minutes=2),  # marked in error below
        make_observation(case.id, "8867-4", 80, "/min", minutes=3),  # another code
        make_observation(other_case.id, "29463-7", 90, "kg", minutes=4),  # another patient
    ]
    for o in values:
        store.write(lambda db, o=o: observations.insert(db, o, outbox=False))
    store.write(lambda db: observations.mark_entered_in_error(db, values[2].id, outbox=False))
    trend = store.read(lambda db: observations.trend(db, case.patient_id, "29463-7"))
    assert [o.value for o in trend] == [60, 61]
    latest = store.read(lambda db: observations.trend(db, case.patient_id, "29463-7", limit=1))
    assert [o.value for o in latest] == [61]


def test_attachment_record_and_its_low_priority_op(store: Store, case: Case) -> None:
    from app.domain.ids import AttachmentId, new_id
    from app.domain.models import Attachment

    a = Attachment(
        AttachmentId(new_id()), case.id, "ab" * 32, "image/jpeg", "rash.jpg", 1234, T0, 800, 600
    )
    store.write(lambda db: attachments.insert(db, a, outbox=True))
    assert store.read(lambda db: attachments.for_case(db, case.id)) == [a]
    assert store.read(lambda db: attachments.get(db, a.id)) == a
    [op] = store.read(lambda db: outbox.for_entity(db, a.id))
    assert (op.op, op.priority) == ("attachment.create", outbox.PRIORITY_BLOB)
    assert op.payload["attachment"]["sha256"] == "ab" * 32
