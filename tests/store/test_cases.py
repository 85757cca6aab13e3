"""Case records and the case lists: round trips, consent, ordering, counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app.domain.ids import CaseId
from app.domain.models import (
    CaseStatus,
    Consent,
    ConsentMethod,
    ObservationStatus,
    Patient,
    Priority,
)
from app.store import cases, observations, outbox, patients
from app.store.db import Store
from app.store.errors import StoreError
from tests.store.conftest import T0, USER_ID, make_case, make_observation, make_patient


@pytest.fixture
def ramesh(store: Store) -> Patient:
    p = make_patient(name_alt="रमेश कुमार")
    store.write(lambda db: patients.insert(db, p, USER_ID))
    return p


def test_case_round_trip_with_consent(store: Store, ramesh: Patient) -> None:
    consent = Consent("Ramesh Kumar", "self", ConsentMethod.THUMBPRINT, "Asha Verma", T0)
    c = make_case(
        ramesh.id,
        consent=consent,
        chief_complaint="बुखार",
        specialty="general_medicine",
        priority=Priority.URGENT,
        on_oxygen=True,
        consciousness="voice",
    )
    store.write(lambda db: cases.insert(db, c))
    assert store.read(lambda db: cases.get(db, c.id)) == c
    assert store.read(lambda db: cases.get(db, CaseId("missing"))) is None
    # Drafts are local: no outbox row.
    assert store.read(lambda db: outbox.for_entity(db, c.id)) == []


def test_update_stores_every_mutable_field(store: Store, ramesh: Patient) -> None:
    c = make_case(ramesh.id)
    store.write(lambda db: cases.insert(db, c))
    later = T0 + timedelta(minutes=5)
    queued = replace(
        c,
        status=CaseStatus.QUEUED,
        queued_at=later,
        updated_at=later,
        history="3 days",
        examination="chest clear",
    )
    store.write(lambda db: cases.update(db, queued))
    assert store.read(lambda db: cases.get(db, c.id)) == queued
    with pytest.raises(StoreError) as info:
        store.write(lambda db: cases.update(db, replace(c, id=CaseId("missing"))))
    assert info.value.code == "store.not_found"


def test_a_case_needs_an_existing_patient(store: Store) -> None:
    orphan = make_case(make_patient().id)
    with pytest.raises(StoreError):
        store.write(lambda db: cases.insert(db, orphan))


def test_summaries_newest_first_with_names_and_counts(store: Store, ramesh: Patient) -> None:
    first = make_case(ramesh.id, minutes=0)
    second = make_case(ramesh.id, minutes=10)
    store.write(lambda db: cases.insert(db, first))
    store.write(lambda db: cases.insert(db, second))
    kept = make_observation(first.id, "8867-4", 72, "/min")
    wrong = make_observation(first.id, "8867-4", 720, "/min")
    for o in (kept, wrong):
        store.write(lambda db, o=o: observations.insert(db, o, outbox=False))
    store.write(lambda db: observations.mark_entered_in_error(db, wrong.id, outbox=False))
    rows = store.read(lambda db: cases.summaries(db, patient_id=ramesh.id))
    assert [s.case.id for s in rows] == [second.id, first.id]
    assert rows[0].patient_name == "Ramesh Kumar"
    assert rows[0].patient_name_alt == "रमेश कुमार"
    assert [s.observation_count for s in rows] == [0, 1]
    assert rows[0].news2_total is None  # no vital signs yet


def test_queue_lists_emergency_then_urgent_then_routine(store: Store, ramesh: Patient) -> None:
    made = {
        "routine-new": make_case(ramesh.id, 30, status=CaseStatus.QUEUED),
        "urgent-old": make_case(ramesh.id, 0, status=CaseStatus.QUEUED, priority=Priority.URGENT),
        "emergency": make_case(
            ramesh.id, 10, status=CaseStatus.QUEUED, priority=Priority.EMERGENCY
        ),
        "urgent-new": make_case(ramesh.id, 20, status=CaseStatus.QUEUED, priority=Priority.URGENT),
        "draft": make_case(ramesh.id, 40),
    }
    for c in made.values():
        store.write(lambda db, c=c: cases.insert(db, c))
    names = {c.id: k for k, c in made.items()}
    queue = store.read(lambda db: cases.summaries(db, statuses={CaseStatus.QUEUED}))
    assert [names[s.case.id] for s in queue] == [
        "emergency",
        "urgent-new",
        "urgent-old",
        "routine-new",
    ]
    everything = store.read(lambda db: cases.summaries(db))
    assert [names[s.case.id] for s in everything] == [
        "draft",
        "routine-new",
        "urgent-new",
        "emergency",
        "urgent-old",
    ]
    drafts = store.read(lambda db: cases.summaries(db, statuses=[CaseStatus.DRAFT]))
    assert [names[s.case.id] for s in drafts] == ["draft"]
    assert store.read(lambda db: cases.summaries(db, statuses=[])) == []
    assert len(store.read(lambda db: cases.summaries(db, limit=2))) == 2


def test_summaries_carry_the_news2_total(store: Store, ramesh: Patient) -> None:
    c = make_case(ramesh.id)
    store.write(lambda db: cases.insert(db, c))
    normal = [
        ("9279-1", 16, "/min"),
        ("2708-6", 97, "%"),
        ("8480-6", 120, "mm[Hg]"),
        ("8867-4", 72, "/min"),
        ("8310-5", 37.0, "Cel"),
    ]
    for code, value, unit in normal:
        o = make_observation(c.id, code, value, unit)
        store.write(lambda db, o=o: observations.insert(db, o, outbox=False))
    [summary] = store.read(lambda db: cases.summaries(db))
    assert summary.news2_total == 0
    fast = make_observation(c.id, "9279-1", 26, "/min", minutes=5)  # resp. rate >= 25 scores 3
    store.write(lambda db: observations.insert(db, fast, outbox=False))
    [summary] = store.read(lambda db: cases.summaries(db))
    assert summary.news2_total == 3
    assert summary.observation_count == 6


def test_bulk_insert_cases_with_observations(store: Store, ramesh: Patient) -> None:
    made = [make_case(ramesh.id, i) for i in range(20)]
    obs = [make_observation(c.id, "8867-4", 70 + i, "/min") for i, c in enumerate(made)]
    assert store.write(lambda db: cases.bulk_insert(db, made, obs)) == 20
    rows = store.read(lambda db: cases.summaries(db))
    assert len(rows) == 20
    assert all(s.observation_count == 1 for s in rows)
    assert store.read(lambda db: observations.for_case(db, made[3].id))[0].value == 73
    assert store.read(lambda db: observations.for_case(db, made[3].id))[0].status is (
        ObservationStatus.FINAL
    )
