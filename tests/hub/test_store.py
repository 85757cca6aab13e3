"""The hub storage contract (hub/storage/base.py, docs/SYNC.md), on SQLite AND PostgreSQL.

Every test takes ``hub_store`` or ``open_hub`` (tests/hub/conftest.py), which run it once per
backend: the two must behave identically. Ops are built by the spoke's own code
(``hub.testing.spoke_ops``), so payloads are exactly what a spoke sends.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections.abc import Callable
from typing import Any

import pytest

from hub import ops as hub_ops
from hub.storage import BlobHashMismatch, BlobOffsetError, HubStore, OpResult
from tests.hub.conftest import Peek
from tests.hub.spoke_ops import SpokeOps

PHOTO = os.urandom(150_000)


def statuses(results: list[OpResult]) -> list[str]:
    return [r.status for r in results]


def counts(store: HubStore, spoke_id: str) -> dict[str, int]:
    (row,) = [s for s in store.stats()["per_spoke"] if s["id"] == spoke_id]
    keys = ("patients", "cases", "observations", "attachments")
    return {k: row[k] for k in keys}


def realistic_batch(spoke: SpokeOps) -> list[dict[str, Any]]:
    """A new patient, their queued case with 8 readings, and a photo of the case."""
    create, patient = spoke.patient_create()
    queue, case = spoke.case_queue(patient.id, observations=8)
    return [create, queue, spoke.attachment_create(case.id, PHOTO)]


def pull_all(store: HubStore, spoke_id: str, since: int = 0, limit: int = 1000) -> list[Any]:
    changes: list[Any] = []
    while True:
        page = store.pull(spoke_id, since, limit)
        changes += page.changes
        since = page.next_since
        if not page.has_more:
            return changes


# -- spokes ------------------------------------------------------------------------------------


def test_register_and_authenticate(hub_store: HubStore, peek: Peek) -> None:
    spoke_id, secret = hub_store.register_spoke("Kheri HWC")
    other_id, other_secret = hub_store.register_spoke("Bodh Gaya HWC")
    assert spoke_id != other_id and "." not in spoke_id and "." not in secret
    assert hub_store.authenticate(spoke_id, secret)
    assert hub_store.authenticate(spoke_id, secret)  # again (the verified-secret cache)
    assert not hub_store.authenticate(spoke_id, secret + "x")
    assert not hub_store.authenticate(spoke_id, other_secret)
    assert not hub_store.authenticate("no-such-spoke", secret)
    # Only an scrypt hash of the secret is kept.
    ((stored,),) = peek(f"SELECT secret_hash FROM spokes WHERE id = '{spoke_id}'")
    assert stored.startswith("scrypt$") and secret not in stored
    stats = hub_store.stats()
    assert stats["spokes"] == 2
    assert [s["name"] for s in stats["per_spoke"]] == ["Kheri HWC", "Bodh Gaya HWC"]
    with pytest.raises(ValueError):
        hub_store.register_spoke("   ")


# -- push --------------------------------------------------------------------------------------


def test_a_realistic_batch_is_applied_once(hub_store: HubStore, peek: Peek) -> None:
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    batch = realistic_batch(SpokeOps())
    results = hub_store.apply_ops(spoke_id, batch)
    assert [r.op_id for r in results] == [op["op_id"] for op in batch]
    assert statuses(results) == ["applied"] * 3
    expected = {"patients": 1, "cases": 1, "observations": 8, "attachments": 1}
    assert counts(hub_store, spoke_id) == expected
    case_id = batch[1]["entity_id"]
    assert pull_all(hub_store, spoke_id) == [
        {
            "seq": 1,
            "entity": "case",
            "entity_id": case_id,
            "op": "case.status",
            "payload": {"id": case_id, "status": "at_hub"},
        }
    ]
    # The documents are stored as sent.
    ((doc, status),) = peek(f"SELECT doc, status FROM cases WHERE id = '{case_id}'")
    assert status == "at_hub"
    assert doc["chief_complaint"] == batch[1]["payload"]["case"]["chief_complaint"]
    assert doc["news2"] == batch[1]["payload"]["news2"]

    # A lost ack: the same batch again. Nothing is stored twice, nothing is published twice.
    assert statuses(hub_store.apply_ops(spoke_id, batch)) == ["duplicate"] * 3
    assert counts(hub_store, spoke_id) == expected
    assert len(pull_all(hub_store, spoke_id)) == 1
    assert hub_store.max_seq() == 1


def test_the_same_op_twice_in_one_batch(hub_store: HubStore) -> None:
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    create, _patient = SpokeOps().patient_create()
    bad = {**create, "op_id": "same-bad-id", "op": "patient.teleport"}
    results = hub_store.apply_ops(spoke_id, [create, create, bad, bad])
    assert statuses(results) == ["applied", "duplicate", "rejected", "rejected"]
    assert results[3].code == "op.unknown"
    assert counts(hub_store, spoke_id)["patients"] == 1


POISONS: dict[str, tuple[Callable[[SpokeOps], dict[str, Any]], str]] = {
    "unknown op kind": (
        lambda s: {**s.patient_create()[0], "op": "patient.teleport"},
        "op.unknown",
    ),
    "malformed payload": (
        lambda s: {**s.patient_create()[0], "payload": {"patient": {"id": "x"}}},
        "op.malformed",
    ),
    "case for an unknown patient": (
        lambda s: s.case_queue("0193aaaa-0000-7000-8000-000000000000")[0],
        "patient.unknown",
    ),
    "NUL character in a record": (
        lambda s: s.patient_create(s.patient(name="Sunita\x00Devi"))[0],
        "op.malformed",
    ),
    "observation for an unknown case": (
        lambda s: s.observation_create("0193aaaa-0000-7000-8000-000000000001"),
        "case.unknown",
    ),
}


@pytest.mark.parametrize("poison", list(POISONS))
def test_a_poisoned_op_is_rejected_and_the_others_applied(hub_store: HubStore, poison: str) -> None:
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    spoke = SpokeOps()
    make, code = POISONS[poison]
    create, patient = spoke.patient_create()
    bad = make(spoke)
    queue, case = spoke.case_queue(patient.id)
    batch = [create, bad, queue, spoke.observation_create(case.id)]
    results = hub_store.apply_ops(spoke_id, batch)
    assert statuses(results) == ["applied", "rejected", "applied", "applied"]
    assert (results[1].op_id, results[1].code) == (bad["op_id"], code)
    assert results[1].message
    assert results[1].as_json()["reason"] == {"code": code, "message": results[1].message}
    assert counts(hub_store, spoke_id) == {
        "patients": 1,
        "cases": 1,
        "observations": 9,
        "attachments": 0,
    }
    # Sent again: the applied ones are duplicates, the poisoned one is still rejected.
    again = hub_store.apply_ops(spoke_id, batch)
    assert statuses(again) == ["duplicate", "rejected", "duplicate", "duplicate"]
    assert again[1].code == code


def test_references_follow_the_order_of_the_batch(hub_store: HubStore) -> None:
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    spoke = SpokeOps()
    create, patient = spoke.patient_create()
    queue, _case = spoke.case_queue(patient.id)
    # The case before its patient: unknown at that point of the batch.
    results = hub_store.apply_ops(spoke_id, [queue, create])
    assert statuses(results) == ["rejected", "applied"]
    assert results[0].code == "patient.unknown"
    # A rejected op is judged again when resent: now its patient is there.
    assert statuses(hub_store.apply_ops(spoke_id, [queue])) == ["applied"]
    assert statuses(hub_store.apply_ops(spoke_id, [queue])) == ["duplicate"]


def test_updates_cancels_and_errors(hub_store: HubStore, peek: Peek) -> None:
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    spoke = SpokeOps()
    create, patient = spoke.patient_create()
    queue, case = spoke.case_queue(patient.id, observations=2)
    first_obs = queue["payload"]["observations"][0]["id"]
    address = {**create["payload"]["patient"]["address"], "village": "Kheri Kalan"}
    update = spoke.patient_update(patient, {"phone": "9123456780", "address": address}, 2)
    stale = spoke.patient_update(patient, {"phone": "0000000000"}, 2)  # same version again
    batch = [
        create,
        queue,
        update,
        stale,
        spoke.observation_entered_in_error(first_obs, "wrong patient"),
        spoke.case_cancel(case.id, "patient went to the district hospital"),
        spoke.observation_entered_in_error("0193aaaa-0000-7000-8000-000000000002", "?"),
        spoke.case_cancel("0193aaaa-0000-7000-8000-000000000003", "?"),
        spoke.patient_update(spoke.patient(), {"phone": "1"}, 2),
    ]
    results = hub_store.apply_ops(spoke_id, batch)
    assert statuses(results) == ["applied"] * 6 + ["rejected"] * 3
    assert [r.code for r in results[6:]] == [
        "observation.unknown",
        "case.unknown",
        "patient.unknown",
    ]
    ((doc, version),) = peek(f"SELECT doc, version FROM patients WHERE id = '{patient.id}'")
    assert version == 2 and doc["version"] == 2
    assert doc["phone"] == "9123456780"  # the stale update did not roll it back
    assert doc["address"]["village"] == "Kheri Kalan"
    assert doc["name"] == patient.name
    rows = peek(f"SELECT status, status_reason FROM observations WHERE id = '{first_obs}'")
    assert rows == [("entered-in-error", "wrong patient")]
    rows = peek(f"SELECT status, status_reason FROM cases WHERE id = '{case.id}'")
    assert rows == [("cancelled", "patient went to the district hospital")]


def test_a_case_queued_after_its_cancel_in_one_batch_keeps_op_order(hub_store: HubStore) -> None:
    # Not something a spoke sends today; the set-based path must still not reorder it.
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    spoke = SpokeOps()
    create, patient = spoke.patient_create()
    queue, case = spoke.case_queue(patient.id)
    assert statuses(hub_store.apply_ops(spoke_id, [create, queue])) == ["applied"] * 2
    requeue = {**queue, "op_id": "requeue-1"}
    batch = [spoke.case_cancel(case.id, "by mistake"), requeue]
    assert statuses(hub_store.apply_ops(spoke_id, batch)) == ["applied"] * 2
    statuses_seen = [c["payload"]["status"] for c in pull_all(hub_store, spoke_id)]
    assert statuses_seen == ["at_hub", "cancelled"]  # a re-queue leaves the hub's status


# -- spokes are isolated -------------------------------------------------------------------------


def test_one_spoke_never_sees_or_touches_another(hub_store: HubStore) -> None:
    a_id, _ = hub_store.register_spoke("Kheri HWC")
    b_id, _ = hub_store.register_spoke("Bodh Gaya HWC")
    a, b = SpokeOps(), SpokeOps()
    a_batch = realistic_batch(a)
    assert statuses(hub_store.apply_ops(a_id, a_batch)) == ["applied"] * 3
    a_patient, a_case = a_batch[0]["entity_id"], a_batch[1]["entity_id"]
    hub_store.publish(a_id, "prescription", "rx-1", "prescription.issue", {"id": "rx-1"})
    assert hub_store.pull(b_id, 0, 100).changes == []
    assert len(pull_all(hub_store, a_id)) == 2

    b_create, b_patient = b.patient_create()
    b_queue, _ = b.case_queue(b_patient.id)
    results = hub_store.apply_ops(
        b_id,
        [
            b.case_queue(a_patient)[0],  # A's patient: unknown to B
            b.observation_create(a_case),  # A's case: unknown to B
            b.patient_create(a.patient())[0] | {"entity_id": a_patient},  # malformed
            {**b.patient_create()[0], "op_id": a_batch[0]["op_id"]},  # A's op id
            b_create,
            b_queue,
        ],
    )
    assert [(r.status, r.code) for r in results] == [
        ("rejected", "patient.unknown"),
        ("rejected", "case.unknown"),
        ("rejected", "op.malformed"),
        ("rejected", "op.conflict"),
        ("applied", ""),
        ("applied", ""),
    ]
    # B creating a patient with A's patient id must not overwrite A's record.
    forged = b.patient_create(b.patient())[0]
    forged["entity_id"] = forged["payload"]["patient"]["id"] = a_patient
    (result,) = hub_store.apply_ops(b_id, [forged])
    assert (result.status, result.code) == ("rejected", "patient.conflict")
    assert [c["entity_id"] for c in pull_all(hub_store, b_id)] == [b_queue["entity_id"]]
    assert counts(hub_store, a_id) == {
        "patients": 1,
        "cases": 1,
        "observations": 8,
        "attachments": 1,
    }
    assert counts(hub_store, b_id)["patients"] == 1


# -- pull --------------------------------------------------------------------------------------


def test_pull_pages_and_replays(hub_store: HubStore) -> None:
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    spoke = SpokeOps()
    batch: list[dict[str, Any]] = []
    for _ in range(5):
        create, patient = spoke.patient_create()
        batch += [create, spoke.case_queue(patient.id, observations=1)[0]]
    hub_store.apply_ops(spoke_id, batch)
    seq = hub_store.publish(spoke_id, "prescription", "rx-1", "prescription.issue", {"n": 1})
    assert seq == 6 == hub_store.max_seq()

    page1 = hub_store.pull(spoke_id, 0, 2)
    assert [c["seq"] for c in page1.changes] == [1, 2]
    assert (page1.next_since, page1.has_more) == (2, True)
    page2 = hub_store.pull(spoke_id, page1.next_since, 2)
    assert [c["seq"] for c in page2.changes] == [3, 4]
    page3 = hub_store.pull(spoke_id, page2.next_since, 2)
    assert [c["seq"] for c in page3.changes] == [5, 6]
    assert (page3.next_since, page3.has_more) == (6, False)
    assert page3.changes[-1]["payload"] == {"n": 1}
    empty = hub_store.pull(spoke_id, 6, 2)
    assert (empty.changes, empty.next_since, empty.has_more) == ([], 6, False)
    # A spoke that lost its cursor pulls the same changes again.
    assert hub_store.pull(spoke_id, page1.next_since, 2) == page2
    assert [c["entity_id"] for c in pull_all(hub_store, spoke_id)] == [
        op["entity_id"] for op in batch[1::2]
    ] + ["rx-1"]
    with pytest.raises(ValueError):
        hub_store.pull(spoke_id, 0, 0)


def test_concurrent_pushes_give_a_gapless_feed_and_apply_each_op_once(
    hub_store: HubStore,
) -> None:
    spoke_ids = [hub_store.register_spoke(f"HWC {i}")[0] for i in range(3)]
    batches = {sid: [] for sid in spoke_ids}  # type: dict[str, list[list[dict[str, Any]]]]
    for sid in spoke_ids:
        spoke = SpokeOps()
        for _ in range(4):
            batch: list[dict[str, Any]] = []
            for _ in range(5):
                create, patient = spoke.patient_create()
                batch += [create, spoke.case_queue(patient.id, observations=2)[0]]
            batches[sid].append(batch)
    results: dict[str, list[str]] = {sid: [] for sid in spoke_ids}
    errors: list[BaseException] = []

    def push(sid: str) -> None:
        try:
            for batch in batches[sid]:
                results[sid] += statuses(hub_store.apply_ops(sid, batch))
        except BaseException as exc:
            errors.append(exc)

    # Two threads per spoke push the SAME batches: a retry overlapping a slow first attempt.
    threads = [threading.Thread(target=push, args=(sid,)) for sid in spoke_ids for _ in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    seqs: list[int] = []
    for sid in spoke_ids:
        assert sorted(results[sid]) == ["applied"] * 40 + ["duplicate"] * 40
        assert counts(hub_store, sid) == {
            "patients": 20,
            "cases": 20,
            "observations": 40,
            "attachments": 0,
        }
        feed = pull_all(hub_store, sid, limit=7)
        assert len(feed) == 20 == len({c["entity_id"] for c in feed})
        seqs += [c["seq"] for c in feed]
    # Seqs are handed out once each, with no gaps (a rolled-back batch gives its seqs back).
    assert sorted(seqs) == list(range(1, 61)) and hub_store.max_seq() == 60


# -- epoch and reopening -------------------------------------------------------------------------


def test_epoch_is_stable_until_a_new_one_is_made(open_hub: Callable[[], HubStore]) -> None:
    store = open_hub()
    epoch = store.epoch()
    assert epoch and store.epoch() == epoch
    store.close()
    store = open_hub()
    assert store.epoch() == epoch
    fresh = store.new_epoch()
    assert fresh != epoch and store.epoch() == fresh
    store.close()
    assert open_hub().epoch() == fresh


def test_reopening_keeps_everything(open_hub: Callable[[], HubStore]) -> None:
    store = open_hub()
    spoke_id, secret = store.register_spoke("Kheri HWC")
    batch = realistic_batch(SpokeOps())
    store.apply_ops(spoke_id, batch)
    sha = hashlib.sha256(PHOTO).hexdigest()
    store.blob_start(sha, len(PHOTO), "image/jpeg")
    store.blob_append(sha, 0, PHOTO)
    before = (store.stats(), store.pull(spoke_id, 0, 100), store.epoch())
    store.close()
    store.close()  # idempotent

    store = open_hub()
    store.migrate()  # migrating an up-to-date database changes nothing
    assert (store.stats(), store.pull(spoke_id, 0, 100), store.epoch()) == before
    assert store.authenticate(spoke_id, secret)
    assert statuses(store.apply_ops(spoke_id, batch)) == ["duplicate"] * 3
    assert store.blob_start(sha, len(PHOTO), "image/jpeg") == ("exists", len(PHOTO))
    assert before[0]["per_spoke"][0]["attachments_with_blob"] == 1
    assert before[0]["blobs"] == 1 and before[0]["blob_bytes"] == len(PHOTO)


# -- blobs -------------------------------------------------------------------------------------


def test_blob_upload_in_chunks_with_a_wrong_offset(hub_store: HubStore) -> None:
    data = os.urandom(600_000)
    sha = hashlib.sha256(data).hexdigest()
    assert hub_store.blob_offset(sha) is None
    assert hub_store.blob_start(sha, len(data), "image/jpeg") == ("created", 0)
    assert hub_store.blob_append(sha, 0, data[:250_000]) == 250_000
    # A resend of the first chunk (its answer was lost): the hub says where it really is.
    with pytest.raises(BlobOffsetError) as wrong:
        hub_store.blob_append(sha, 0, data[:250_000])
    assert wrong.value.expected == 250_000
    with pytest.raises(BlobOffsetError):
        hub_store.blob_append(sha, 400_000, data[400_000:])
    # Resuming after a restart: ask, then go on.
    assert hub_store.blob_offset(sha) == 250_000
    assert hub_store.blob_start(sha, len(data), "image/jpeg") == ("created", 250_000)
    assert hub_store.blob_append(sha, 250_000, data[250_000:500_000]) == 500_000
    assert hub_store.blob_append(sha, 500_000, data[500_000:]) == 600_000
    assert hub_store.blob_offset(sha) == 600_000
    assert hub_store.blob_start(sha, len(data), "image/jpeg") == ("exists", 600_000)
    with pytest.raises(BlobOffsetError) as late:  # the last chunk again: already complete
        hub_store.blob_append(sha, 500_000, data[500_000:])
    assert late.value.expected == 600_000
    stats = hub_store.stats()
    assert (stats["blobs"], stats["blob_bytes"], stats["uploads_in_progress"]) == (1, 600_000, 0)


def test_blob_with_a_wrong_hash_is_discarded(hub_store: HubStore) -> None:
    data = os.urandom(300_000)
    claimed = hashlib.sha256(b"something else").hexdigest()
    assert hub_store.blob_start(claimed, len(data), "image/jpeg") == ("created", 0)
    assert hub_store.blob_append(claimed, 0, data[:200_000]) == 200_000
    with pytest.raises(BlobHashMismatch):
        hub_store.blob_append(claimed, 200_000, data[200_000:])
    assert hub_store.blob_offset(claimed) is None
    assert hub_store.stats()["uploads_in_progress"] == 0
    # It can start over from nothing.
    assert hub_store.blob_start(claimed, len(data), "image/jpeg") == ("created", 0)


def test_blob_edge_cases(hub_store: HubStore) -> None:
    empty = hashlib.sha256(b"").hexdigest()
    assert hub_store.blob_start(empty, 0, "text/plain") == ("created", 0)
    assert hub_store.blob_append(empty, 0, b"") == 0
    assert hub_store.blob_start(empty, 0, "text/plain") == ("exists", 0)
    data = b"12345"
    sha = hashlib.sha256(data).hexdigest()
    hub_store.blob_start(sha, 5, "text/plain")
    with pytest.raises(ValueError):  # more bytes than announced
        hub_store.blob_append(sha, 0, data + b"678")
    assert hub_store.blob_offset(sha) == 0
    # Announced again with another size: the bytes held so far are dropped.
    hub_store.blob_append(sha, 0, b"12")
    assert hub_store.blob_start(sha, 6, "text/plain") == ("created", 0)
    with pytest.raises(KeyError):
        hub_store.blob_append(hashlib.sha256(b"never").hexdigest(), 0, b"x")
    with pytest.raises(ValueError):
        hub_store.blob_start("not-a-hash", 1, "text/plain")
    with pytest.raises(ValueError):
        hub_store.blob_start(sha, -1, "text/plain")


def test_an_op_the_database_refuses_is_rejected_alone(
    hub_store: HubStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The set-based write fails as a whole; the batch is replayed op by op in savepoints and
    only the op the database refused is rejected (``op.unstorable``)."""
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    spoke = SpokeOps()
    create1, patient1 = spoke.patient_create()
    poisoned, _ = spoke.patient_create()
    queue1, _case = spoke.case_queue(patient1.id)
    create3, patient3 = spoke.patient_create()
    queue3, _ = spoke.case_queue(patient3.id)
    parse = hub_ops.parse

    def parse_with_a_bad_document(raw: object) -> hub_ops.Op:
        op = parse(raw)
        if op.op_id == poisoned["op_id"] and op.patient is not None:
            # Something validation let through and the database will not store.
            return dataclasses.replace(op, patient=dataclasses.replace(op.patient, doc="{no"))
        return op

    monkeypatch.setattr(hub_ops, "parse", parse_with_a_bad_document)
    results = hub_store.apply_ops(spoke_id, [create1, poisoned, queue1, create3, queue3])
    assert statuses(results) == ["applied", "rejected", "applied", "applied", "applied"]
    assert results[1].code == "op.unstorable"
    assert counts(hub_store, spoke_id)["patients"] == 2
    assert [c["seq"] for c in pull_all(hub_store, spoke_id)] == [1, 2]
    again = hub_store.apply_ops(spoke_id, [create1, poisoned])
    assert [(r.status, r.code) for r in again] == [("duplicate", ""), ("rejected", "op.unstorable")]


@pytest.mark.parametrize(
    ("field", "value"),
    [("seq", 2**63), ("seq", -1), ("seq", True), ("version", 2**31), ("name", None)],
)
def test_numbers_and_types_the_database_cannot_hold_are_malformed(
    hub_store: HubStore, field: str, value: Any
) -> None:
    spoke_id, _ = hub_store.register_spoke("Kheri HWC")
    op, _ = SpokeOps().patient_create()
    if field == "seq":
        op["seq"] = value
    else:
        op["payload"]["patient"][field] = value
    (result,) = hub_store.apply_ops(spoke_id, [op])
    assert (result.status, result.code) == ("rejected", "op.malformed")
