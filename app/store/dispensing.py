"""What the clinic handed over for each item of a prescription: the latest status per item
(the hub keeps the same), with the quantity, a note, who recorded it and when.

Threading rule: ``put`` runs inside ``Store.write``; ``for_prescription`` in ``Store.read``
or ``Store.write``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlite_utils

from app.store import codec


class DispenseStatus(StrEnum):
    DISPENSED = "dispensed"
    PARTLY = "partly"  # some of the quantity; the rest may follow
    NOT_AVAILABLE = "not_available"  # out of stock here
    DECLINED = "declined"  # the patient did not take it


# An item needs nothing more from the clinic in these statuses; PARTLY waits for the rest.
SETTLED = frozenset(
    {DispenseStatus.DISPENSED, DispenseStatus.NOT_AVAILABLE, DispenseStatus.DECLINED}
)


@dataclass(frozen=True, slots=True)
class ItemDispensing:
    prescription_id: str
    index: int  # 0-based, in prescribing order
    status: DispenseStatus
    quantity: int | None
    note: str
    by_user_id: str
    by_name: str
    at: datetime

    @property
    def settled(self) -> bool:
        return self.status in SETTLED


def put(db: sqlite_utils.Database, d: ItemDispensing) -> None:
    """Record the latest status of one item (replacing the one before)."""
    db.execute(
        "INSERT INTO prescription_dispensing (prescription_id, item_index, status, quantity, "
        "note, by_user_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (prescription_id, item_index) DO UPDATE SET status = excluded.status, "
        "quantity = excluded.quantity, note = excluded.note, by_user_id = excluded.by_user_id, "
        "by_name = excluded.by_name, at = excluded.at",
        [
            d.prescription_id,
            d.index,
            d.status.value,
            d.quantity,
            d.note,
            d.by_user_id,
            d.by_name,
            codec.iso(d.at),
        ],
    )


def for_prescription(db: sqlite_utils.Database, rid: str) -> dict[int, ItemDispensing]:
    """Item index -> its latest status; items with nothing recorded are absent."""
    rows = db.execute(
        "SELECT * FROM prescription_dispensing WHERE prescription_id = ? ORDER BY item_index",
        [rid],
    ).fetchall()
    return {
        r["item_index"]: ItemDispensing(
            prescription_id=r["prescription_id"],
            index=r["item_index"],
            status=DispenseStatus(r["status"]),
            quantity=r["quantity"],
            note=r["note"],
            by_user_id=r["by_user_id"],
            by_name=r["by_name"],
            at=codec.parse_dt(r["at"]),
        )
        for r in rows
    }
