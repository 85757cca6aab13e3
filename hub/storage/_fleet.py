"""What both backends share for the Clinics page (the fleet): each spoke's latest health
report (docs/SYNC.md "Health report") and the hub's time it arrived.

One row per spoke in ``spoke_health``, replaced by each report. ``received_at`` is the hub's
clock, never the spoke's: the report is the last request of a round that got through, so it
is also when the clinic last completed a sync. The SQL is written once with ``%s``
placeholders and runs through ``_rx.Sql`` (see ``hub.storage._rx``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from hub.storage import _common as common
from hub.storage import _rx


def record(sql: _rx.Sql, spoke_id: str, report: Mapping[str, Any], received_at: datetime) -> None:
    sql(
        "INSERT INTO spoke_health (spoke_id, report, received_at) VALUES (%s, %s, %s) "
        "ON CONFLICT (spoke_id) DO UPDATE SET report = excluded.report, "
        "received_at = excluded.received_at",
        [spoke_id, common.to_json(report), received_at],
    )


def fleet(sql: _rx.Sql) -> list[dict[str, Any]]:
    rows = sql(
        "SELECT s.id, s.name, s.created_at, h.report, h.received_at FROM spokes s "
        "LEFT JOIN spoke_health h ON h.spoke_id = s.id ORDER BY s.created_at, s.id"
    )
    return [
        {
            "id": str(spoke_id),
            "name": str(name),
            "created_at": _rx.when(created),
            "report": None if report is None else _document(report),
            "received_at": None if received is None else _rx.when(received),
        }
        for spoke_id, name, created, report, received in rows
    ]


def _document(value: Any) -> dict[str, Any]:
    """JSON text (SQLite) or the decoded ``jsonb`` (PostgreSQL)."""
    doc = json.loads(value) if isinstance(value, str) else value
    return dict(doc) if isinstance(doc, dict) else {}


class FleetStore:
    """The fleet methods of ``HubStore`` over the backends' ``_rx_read``/``_rx_write``."""

    def _rx_write(self) -> AbstractContextManager[_rx.RxWrite]:
        raise NotImplementedError

    def _rx_read(self) -> AbstractContextManager[_rx.Sql]:
        raise NotImplementedError

    def record_health(
        self, spoke_id: str, report: Mapping[str, Any], received_at: datetime
    ) -> None:
        with self._rx_write() as w:
            record(w.sql, spoke_id, report, received_at)

    def fleet(self) -> list[dict[str, Any]]:
        with self._rx_read() as sql:
            return fleet(sql)
