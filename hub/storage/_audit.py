"""What both backends share for the clinics' audit trails (docs/SECURITY.md "The audit
trail"): storing the ``audit.append`` entries a spoke pushes, and the checks on them.

The hub keeps each spoke's entries by (spoke, seq), first copy wins. It does not need them in
order: the checks are reads over what it holds.

- A seq below the newest held that never arrives is a gap (``audit_gaps``): an entry deleted
  on the spoke before it was synced.
- An entry whose ``prev_hash`` is not the held hash of the entry before it is a broken link:
  history rewritten on the spoke before it was synced.
- An entry for a seq the hub already holds, with another hash, is a rewrite of what the hub
  has seen: it is not stored over the first copy but kept in ``audit_conflicts`` (the op is
  still answered "applied": the hub has what it needs, and a spoke that rewrote its trail is
  the one that must not decide what is kept).

The SQL is written once with ``%s`` placeholders, run through ``_rx.Sql`` (see ``_rx``).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Final

from hub import ops
from hub.storage import _rx
from hub.storage._common import iso

_CHUNK: Final = 500
ENTRY_COLUMNS: Final = (
    "seq, chain, at, actor_id, actor_role, action, entity, entity_id, detail, prev_hash, hash"
)


def write_ops(sql: _rx.Sql, spoke_id: str, rows: Sequence[ops.AuditRow], now: datetime) -> None:
    """Store the batch's entries in the spoke's transaction (see the module docstring)."""
    if not rows:
        return
    held: dict[int, str] = {}
    seqs = sorted({r.seq for r in rows})
    for start in range(0, len(seqs), _CHUNK):
        part = seqs[start : start + _CHUNK]
        marks = ", ".join(["%s"] * len(part))
        for seq, digest in sql(
            f"SELECT seq, hash FROM audit_entries WHERE spoke_id = %s AND seq IN ({marks})",
            [spoke_id, *part],
        ):
            held[int(seq)] = str(digest)
    for r in rows:
        values = [
            spoke_id, r.seq, r.chain, r.at, r.actor_id, r.actor_role, r.action, r.entity,
            r.entity_id, r.detail, r.prev_hash, r.hash,
        ]  # fmt: skip
        first = held.get(r.seq)
        if first is None:
            sql(
                f"INSERT INTO audit_entries (spoke_id, {ENTRY_COLUMNS}, received_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [*values, now],
            )
            held[r.seq] = r.hash
        elif first != r.hash:
            sql(
                f"INSERT INTO audit_conflicts (spoke_id, {ENTRY_COLUMNS}, held_hash, "
                "received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (spoke_id, seq, hash) DO NOTHING",
                [*values, first, now],
            )


def audit_gaps(sql: _rx.Sql, spoke_id: str, limit: int = 1000) -> list[tuple[int, int]]:
    rows = sql(
        "SELECT prev + 1, seq - 1 FROM (SELECT seq, LAG(seq, 1, 0) OVER (ORDER BY seq) AS prev "
        "FROM audit_entries WHERE spoke_id = %s) t WHERE seq > prev + 1 ORDER BY seq LIMIT %s",
        [spoke_id, limit],
    )
    return [(int(a), int(b)) for a, b in rows]


def audit_verify(sql: _rx.Sql, spoke_id: str, limit: int = 1000) -> dict[str, Any]:
    ((count, last_seq, last_at, chains),) = sql(
        "SELECT COUNT(*), MAX(seq), MAX(at), COUNT(DISTINCT chain) FROM audit_entries "
        "WHERE spoke_id = %s",
        [spoke_id],
    )
    broken = [
        int(r[0])
        for r in sql(
            "SELECT seq FROM (SELECT seq, prev_hash, LAG(seq) OVER (ORDER BY seq) AS before_seq, "
            "LAG(hash) OVER (ORDER BY seq) AS before_hash FROM audit_entries "
            "WHERE spoke_id = %s) t WHERE before_seq = seq - 1 AND prev_hash <> before_hash "
            "ORDER BY seq LIMIT %s",
            [spoke_id, limit],
        )
    ]
    conflicts = [
        {
            "seq": int(seq),
            "held_hash": str(held),
            "hash": str(digest),
            "action": str(action),
            "at": str(at),
            "received_at": iso(received),
        }
        for seq, held, digest, action, at, received in sql(
            "SELECT seq, held_hash, hash, action, at, received_at FROM audit_conflicts "
            "WHERE spoke_id = %s ORDER BY seq, received_at LIMIT %s",
            [spoke_id, limit],
        )
    ]
    gaps = audit_gaps(sql, spoke_id, limit)
    return {
        "spoke_id": spoke_id,
        "entries": int(count),
        "last_seq": None if last_seq is None else int(last_seq),
        "last_at": None if last_at is None else str(last_at),
        "chains": int(chains),
        "missing": [list(g) for g in gaps],
        "broken": broken,
        "conflicts": conflicts,
        "intact": not gaps and not broken and not conflicts and int(chains) <= 1,
    }


def audit_entries(sql: _rx.Sql, spoke_id: str, since: int, limit: int) -> list[dict[str, Any]]:
    rows = sql(
        f"SELECT {ENTRY_COLUMNS}, received_at FROM audit_entries "
        "WHERE spoke_id = %s AND seq > %s ORDER BY seq LIMIT %s",
        [spoke_id, since, limit],
    )
    keys = [c.strip() for c in ENTRY_COLUMNS.split(",")]
    out: list[dict[str, Any]] = []
    for row in rows:
        doc = dict(zip(keys, row[:-1], strict=True))
        doc["seq"] = int(doc["seq"])
        doc["received_at"] = iso(row[-1])
        out.append(doc)
    return out


class AuditStore:
    """The audit methods of ``HubStore`` over the backends' ``_rx_read``."""

    def _rx_read(self) -> AbstractContextManager[_rx.Sql]:
        raise NotImplementedError

    def audit_gaps(self, spoke_id: str) -> list[tuple[int, int]]:
        with self._rx_read() as sql:
            return audit_gaps(sql, spoke_id)

    def audit_verify(self, spoke_id: str) -> dict[str, Any]:
        with self._rx_read() as sql:
            return audit_verify(sql, spoke_id)

    def audit_entries(
        self, spoke_id: str, since: int = 0, limit: int = 500
    ) -> list[dict[str, Any]]:
        with self._rx_read() as sql:
            return audit_entries(sql, spoke_id, since, limit)
