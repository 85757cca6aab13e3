"""hub.ops on its own: the validation rules (the store tests cover how a batch is applied)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from app.domain.ids import OpId
from app.store import codec
from app.store.outbox import OutboxOp
from app.sync.engine import _wire
from app.sync.transport import encode_table
from hub import ops
from tests.hub.spoke_ops import SpokeOps

Op = dict[str, Any]


def _queue() -> Op:
    spoke = SpokeOps()
    return spoke.case_queue(spoke.patient().id, observations=3)[0]


def _create() -> Op:
    return SpokeOps().patient_create()[0]


def test_every_op_kind_a_spoke_sends_parses() -> None:
    spoke = SpokeOps()
    create, patient = spoke.patient_create()
    queue, case = spoke.case_queue(patient.id, observations=8)
    obs_id = queue["payload"]["observations"][0]["id"]
    raw = [
        create,
        spoke.patient_update(patient, {"phone": "9000000000", "birth_date": None}, 2),
        queue,
        spoke.observation_create(case.id),
        spoke.observation_entered_in_error(obs_id, "wrong patient"),
        spoke.attachment_create(case.id, b"jpeg bytes"),
        spoke.case_cancel(case.id, "went to the district hospital"),
    ]
    parsed = [ops.parse(op) for op in raw]
    assert [p.kind for p in parsed] == sorted(ops.KINDS, key=[op["op"] for op in raw].index)
    q = parsed[2]
    assert q.needs == (("patient", patient.id),)
    assert q.creates[0] == ("case", case.id) and len(q.observations) == 8
    assert parsed[1].patch is not None and '"birth_date":null' in parsed[1].patch.merge


MUTATIONS: dict[str, tuple[Callable[[], Op], Callable[[Op], None], str]] = {
    "an empty object": (_create, lambda op: op.clear(), "op.malformed"),
    "op_id with a space": (_create, lambda op: op.update(op_id="a b"), "op.malformed"),
    "op kind not a string": (_create, lambda op: op.update(op=7), "op.unknown"),
    "entity of another kind": (_create, lambda op: op.update(entity="case"), "op.malformed"),
    "entity_id not the record's": (
        _create,
        lambda op: op.update(entity_id="0193ffff-0000-7000-8000-000000000000"),
        "op.malformed",
    ),
    "payload not an object": (_create, lambda op: op.update(payload=[]), "op.malformed"),
    "NaN value": (
        _queue,
        lambda op: op["payload"]["observations"][0].update(value=float("nan")),
        "op.malformed",
    ),
    "boolean value": (
        _queue,
        lambda op: op["payload"]["observations"][0].update(value=True),
        "op.malformed",
    ),
    "observation of another case": (
        _queue,
        lambda op: op["payload"]["observations"][0].update(case_id="other-case"),
        "op.malformed",
    ),
    "observation id twice": (
        _queue,
        lambda op: op["payload"]["observations"][1].update(
            id=op["payload"]["observations"][0]["id"]
        ),
        "op.malformed",
    ),
    "unpaired surrogate": (
        _queue,
        lambda op: op["payload"]["case"].update(history="\ud800"),
        "op.malformed",
    ),
    "oversize record": (
        _queue,
        lambda op: op["payload"]["case"].update(history="x" * (ops.MAX_DOC_BYTES + 1)),
        "op.malformed",
    ),
    "news2 not an object": (
        _queue,
        lambda op: op["payload"].update(news2="high"),
        "op.malformed",
    ),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_what_is_rejected(mutation: str) -> None:
    make, mutate, code = MUTATIONS[mutation]
    op = copy.deepcopy(make())
    mutate(op)
    with pytest.raises(ops.OpRejected) as rejected:
        ops.parse(op)
    assert rejected.value.code == code and rejected.value.message


def test_patient_update_rules() -> None:
    spoke = SpokeOps()
    patient = spoke.patient()
    for changed, version in (({"id": "x"}, 2), ({"version": 9}, 2), ({"name": "A"}, 1)):
        with pytest.raises(ops.OpRejected):
            ops.parse(spoke.patient_update(patient, changed, version))


def test_attachment_needs_a_real_sha256() -> None:
    spoke = SpokeOps()
    op = spoke.attachment_create(spoke.patient().id, b"bytes")
    op["payload"]["attachment"]["sha256"] = op["payload"]["attachment"]["sha256"].upper()
    with pytest.raises(ops.OpRejected):
        ops.parse(op)


def test_a_nul_is_found_only_where_it_really_is() -> None:
    spoke = SpokeOps()
    # The six characters \u0000 typed as text are fine; a real NUL is not.
    ops.parse(spoke.patient_create(spoke.patient(name="Sunita \\u0000 Devi"))[0])
    with pytest.raises(ops.OpRejected):
        ops.parse(spoke.patient_create(spoke.patient(name="Sunita \x00 Devi"))[0])


def test_resolve_walks_the_batch_in_order() -> None:
    spoke = SpokeOps()
    create, patient = spoke.patient_create()
    queue, case = spoke.case_queue(patient.id)
    cancel = spoke.case_cancel(case.id, "no")
    parsed = [ops.parse(op) for op in (cancel, create, queue, cancel)]
    verdicts = ops.resolve("me", parsed, {})
    assert [v.code if v else None for v in verdicts] == ["case.unknown", None, None, None]
    # Records of another spoke are unknown to this one, and never overwritten by it.
    theirs: dict[ops.Ref, str] = {("patient", str(patient.id)): "them"}
    verdicts = ops.resolve("me", [ops.parse(create), ops.parse(queue)], theirs)
    assert [v.code if v else None for v in verdicts] == ["patient.conflict", "patient.unknown"]


def test_collect_flags_a_batch_that_must_keep_its_order() -> None:
    spoke = SpokeOps()
    create, patient = spoke.patient_create()
    queue, case = spoke.case_queue(patient.id)
    cancel = spoke.case_cancel(case.id, "no")
    assert not ops.collect([ops.parse(op) for op in (create, queue, cancel)]).ordered
    assert ops.collect([ops.parse(op) for op in (create, cancel, queue)]).ordered


# -- the push body's table (docs/SYNC.md "Tables") -------------------------------------------


def _as_sent(op: Op) -> OutboxOp:
    return OutboxOp(
        op_id=OpId(op["op_id"]),
        seq=op["seq"],
        entity=op["entity"],
        entity_id=op["entity_id"],
        op=op["op"],
        payload=op["payload"],
        priority=0,
        state="pending",
        attempts=0,
        last_error="",
        created_at=codec.parse_dt(op["created_at"]),
    )


def _round_trip(raw: list[Op]) -> list[dict[str, Any]]:
    table = json.loads(json.dumps(encode_table([_wire(_as_sent(op)) for op in raw])))
    return ops.push_ops(len(raw), table)


def test_the_table_gives_back_every_op_kind_exactly() -> None:
    spoke = SpokeOps()
    create, patient = spoke.patient_create()
    queue, case = spoke.case_queue(patient.id, observations=8)
    other, _ = spoke.case_queue(patient.id, observations=0)
    raw = [
        create,
        spoke.patient_update(patient, {"phone": "9000000000", "birth_date": None}, 2),
        queue,
        other,
        spoke.observation_create(case.id),
        spoke.observation_entered_in_error(queue["payload"]["observations"][0]["id"], "wrong"),
        spoke.attachment_create(case.id, b"jpeg bytes"),
        spoke.case_cancel(case.id, "went to the district hospital"),
    ]
    back = _round_trip(raw)
    # The same JSON, key for key and type for type (1.0 stays 1.0, null stays null).
    assert [json.dumps(op, sort_keys=True) for op in back] == [
        json.dumps(op, sort_keys=True) for op in raw
    ]
    assert [ops.parse(op).kind for op in back] == [op["op"] for op in raw]


def test_the_wire_leaves_out_what_it_can_work_out() -> None:
    spoke = SpokeOps()
    queue, _ = spoke.case_queue(spoke.patient().id, observations=8)
    wire = _wire(_as_sent(queue))
    assert "entity" not in wire and "entity_id" not in wire
    assert "consent" not in wire["payload"]  # it is the case's own
    assert all("case_id" not in o for o in wire["payload"]["observations"])
    # An observation of another case keeps its case_id, so the hub still rejects it.
    queue["payload"]["observations"][0]["case_id"] = "other-case"
    back = _round_trip([queue])[0]
    assert back["payload"]["observations"][0]["case_id"] == "other-case"
    with pytest.raises(ops.OpRejected, match="another case"):
        ops.parse(back)


def test_table_forms_are_exact_for_awkward_values() -> None:
    rows: list[dict[str, Any]] = [
        {"n": 1, "f": 1.0, "b": True, "t": "2026-11-20T05:08:00.000000+00:00", "z": None},
        {"n": 2, "f": 1, "b": 1, "t": "2026-11-20T05:08:00+00:00", "z": None, "only": {}},
        {"n": -3, "f": 2.5, "b": False, "t": "1969-12-31T23:59:59.999999+00:00", "z": None},
    ]
    table = json.loads(json.dumps(encode_table(rows)))
    assert table["n"] == {"d": [1, 1, -5]}
    assert table["z"] == {"=": None}
    assert table["only"] == {"at": [1], "col": {"=": {}}}
    back, bad = ops._decode_table(table, 3, ops._Budget())
    assert not bad
    assert json.dumps(back) == json.dumps(rows)
    times = json.loads(json.dumps(encode_table([{"t": r["t"]} for r in (rows[0], rows[2])])))
    assert "t" in times["t"]  # codec-written times travel as microseconds
