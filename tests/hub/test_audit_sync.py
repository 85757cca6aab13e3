"""A spoke's audit trail at the hub, on both backends: entries from the spoke's real outbox,
a gap the hub notices when an entry was deleted before it synced, and a rewritten entry kept
aside as a conflict."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.domain import audit as rules
from app.domain.ids import UserId
from app.domain.models import Role, User
from app.store import audit, outbox
from app.store.db import Store
from hub import ops
from hub.storage import HubStore
from tests.store.conftest import T0

ASHA = User(UserId("u-asha"), "asha", "Asha Verma", Role.PARAMEDIC, "scrypt$x", created_at=T0)


@pytest.fixture
def spoke(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "spoke.sqlite3")
    try:
        yield store
    finally:
        store.close()


def _append(spoke: Store, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.record(
            spoke, ASHA, audit.Action.VIEW, "case", f"c-{i}", "", T0 + timedelta(minutes=i)
        )


def _pending(spoke: Store) -> list[dict[str, Any]]:
    """The spoke's pending audit ops, as apply_ops reads them."""
    return [
        {
            "op_id": o.op_id, "seq": o.seq, "op": o.op, "entity": o.entity,
            "entity_id": o.entity_id, "payload": o.payload, "created_at": o.created_at.isoformat(),
        }
        for o in spoke.read(lambda db: outbox.pending(db, 1000))
        if o.op == "audit.append"
    ]  # fmt: skip


def _push(hub: HubStore, spoke_id: str, raw: list[dict[str, Any]]) -> list[str]:
    return [r.status for r in hub.apply_ops(spoke_id, raw)]


def test_entries_reach_the_hub_and_verify_there(hub_store: HubStore, spoke: Store) -> None:
    spoke_id, _ = hub_store.register_spoke("HWC Kheri")
    _append(spoke, 4)
    assert _push(hub_store, spoke_id, _pending(spoke)) == ["applied"] * 4
    report = hub_store.audit_verify(spoke_id)
    assert report["intact"] and report["entries"] == 4 and report["last_seq"] == 4
    assert report["missing"] == [] and report["broken"] == [] and report["conflicts"] == []
    held = hub_store.audit_entries(spoke_id)
    assert [e["seq"] for e in held] == [1, 2, 3, 4]
    assert held[0]["entity_id"] == "c-0" and held[0]["action"] == "view"
    assert held[0]["prev_hash"] == rules.genesis(held[0]["chain"])
    # Sent again (a lost answer): duplicates, nothing changes.
    assert _push(hub_store, spoke_id, _pending(spoke)) == ["duplicate"] * 4
    assert hub_store.audit_verify(spoke_id)["entries"] == 4


def test_the_wire_form_without_entity_is_restored(hub_store: HubStore, spoke: Store) -> None:
    spoke_id, _ = hub_store.register_spoke("HWC Kheri")
    _append(spoke, 2)
    raw = _pending(spoke)
    table = {k: [r[k] for r in raw] for k in ("op_id", "seq", "op", "payload", "created_at")}
    wire = ops.push_ops(len(raw), table)
    assert _push(hub_store, spoke_id, wire) == ["applied", "applied"]


def test_out_of_order_entries_close_their_gap(hub_store: HubStore, spoke: Store) -> None:
    spoke_id, _ = hub_store.register_spoke("HWC Kheri")
    _append(spoke, 5)
    raw = _pending(spoke)
    _push(hub_store, spoke_id, [raw[0], raw[1], raw[4]])
    assert hub_store.audit_gaps(spoke_id) == [(3, 4)]
    assert not hub_store.audit_verify(spoke_id)["intact"]
    _push(hub_store, spoke_id, [raw[3], raw[2]])
    assert hub_store.audit_gaps(spoke_id) == []
    assert hub_store.audit_verify(spoke_id)["intact"]


def test_an_entry_deleted_before_sync_is_a_gap_that_stays(
    hub_store: HubStore, spoke: Store
) -> None:
    spoke_id, _ = hub_store.register_spoke("HWC Kheri")
    _append(spoke, 5)
    chain = spoke.read(audit.chain_id)
    conn = sqlite3.connect(spoke.path)  # someone with the file, covering their tracks
    try:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
        conn.execute("DELETE FROM outbox WHERE entity_id = ?", [f"{chain}:3"])
        conn.commit()
    finally:
        conn.close()
    assert _push(hub_store, spoke_id, _pending(spoke)) == ["applied"] * 4
    report = hub_store.audit_verify(spoke_id)
    assert not report["intact"] and report["missing"] == [[3, 3]]
    _append(spoke, 2, start=5)  # the trail goes on; the hole never closes
    _push(hub_store, spoke_id, _pending(spoke))
    assert hub_store.audit_gaps(spoke_id) == [(3, 3)]


def test_a_rewritten_entry_is_kept_aside_as_a_conflict(hub_store: HubStore, spoke: Store) -> None:
    spoke_id, _ = hub_store.register_spoke("HWC Kheri")
    _append(spoke, 3)
    raw = _pending(spoke)
    _push(hub_store, spoke_id, raw)
    # Entry 3 rewritten (and re-hashed, so it passes the op checks) and sent as a new op.
    p = dict(raw[2]["payload"], entity_id="c-other")
    p["hash"] = rules.entry_hash(
        3, p["at"], p["actor_id"], p["actor_role"], p["action"], p["entity"], p["entity_id"],
        p["detail"], p["prev_hash"],
    )  # fmt: skip
    forged = dict(raw[2], op_id="op-forged-3", seq=99, payload=p)
    assert _push(hub_store, spoke_id, [forged]) == ["applied"]
    report = hub_store.audit_verify(spoke_id)
    assert not report["intact"]
    (conflict,) = report["conflicts"]
    assert conflict["seq"] == 3 and conflict["hash"] == p["hash"]
    assert conflict["held_hash"] == raw[2]["payload"]["hash"]
    held = hub_store.audit_entries(spoke_id)
    assert held[2]["entity_id"] == "c-2"  # the first copy stays


def test_a_rewritten_history_that_no_longer_links_is_broken(
    hub_store: HubStore, spoke: Store
) -> None:
    spoke_id, _ = hub_store.register_spoke("HWC Kheri")
    _append(spoke, 3)
    raw = _pending(spoke)
    p = dict(raw[1]["payload"], entity_id="c-other")
    p["hash"] = rules.entry_hash(
        2, p["at"], p["actor_id"], p["actor_role"], p["action"], p["entity"], p["entity_id"],
        p["detail"], p["prev_hash"],
    )  # fmt: skip
    _push(hub_store, spoke_id, [raw[0], dict(raw[1], payload=p), raw[2]])
    assert hub_store.audit_verify(spoke_id)["broken"] == [3]


def _base() -> dict[str, Any]:
    chain = "0b6f3c9e-1d2a-4c5b-8e7f-001122334455"
    payload = {
        "id": f"{chain}:1", "chain": chain, "seq": 1, "at": "2026-11-25T09:30:00.000000+00:00",
        "actor_id": "u-1", "actor_role": "paramedic", "action": "login", "entity": "",
        "entity_id": "", "detail": "", "prev_hash": rules.genesis(chain),
    }  # fmt: skip
    return payload


def _op(payload: dict[str, Any], *, rehash: bool = True) -> dict[str, Any]:
    p = dict(payload)
    if rehash:
        p["hash"] = rules.entry_hash(
            p["seq"] if isinstance(p["seq"], int) else 0, str(p["at"]), str(p["actor_id"]),
            str(p["actor_role"]), str(p["action"]), str(p["entity"]), str(p["entity_id"]),
            str(p["detail"]), str(p["prev_hash"]),
        )  # fmt: skip
    return {"op_id": "op-1", "seq": 1, "op": "audit.append", "entity": "audit",
            "entity_id": p.get("id"), "payload": p}  # fmt: skip


def test_a_valid_entry_parses() -> None:
    op = ops.parse(_op(_base()))
    assert op.audit is not None and op.audit.seq == 1 and op.audit.action == "login"


@pytest.mark.parametrize(
    ("change", "rehash"),
    [
        ({"action": "peek"}, True),
        ({"detail": "रमेश"}, True),
        ({"entity_id": "Ramesh Kumar", "entity": "patient"}, True),
        ({"seq": 0}, True),
        ({"seq": True}, True),
        ({"id": "other:1"}, True),
        ({"at": "yesterday"}, True),
        ({"at": "2026-11-25\x00"}, True),
        ({"prev_hash": "0" * 64}, True),  # entry 1 not from its genesis
        ({"detail": "A5"}, False),  # the hash does not cover the fields
        ({"chain": ""}, True),
    ],
)
def test_malformed_entries_are_rejected(change: dict[str, Any], rehash: bool) -> None:
    payload = _base() | {"hash": ""}
    raw = _op(payload)
    raw["payload"] = raw["payload"] | change
    if rehash:
        raw = _op(raw["payload"])
        raw["entity_id"] = payload["id"]
    with pytest.raises(ops.OpRejected) as exc:
        ops.parse(raw)
    assert exc.value.code == "op.malformed"
