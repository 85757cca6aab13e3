"""hub.ops on its own: the validation rules (the store tests cover how a batch is applied)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

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
