"""Cases (one visit's teleconsultation request) and the case lists the UI shows.

Drafts stay local: ``insert``/``update`` write no outbox row (autosave every few seconds is
not sync traffic); the service enqueues ``case.queue`` itself when a case is queued.

Threading rule: ``insert``, ``update`` and ``bulk_insert`` run inside ``Store.write``;
``get`` and ``summaries`` in ``Store.read`` or ``Store.write``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from app.domain.ids import CaseId, PatientId
from app.domain.models import Case, CaseStatus, Observation, ObservationStatus, Priority
from app.store import codec
from app.store import observations as observations_repo
from app.store.errors import StoreError

_CASE_COLUMNS = (
    "id",
    "patient_id",
    "created_by",
    "created_at",
    "updated_at",
    "status",
    "chief_complaint",
    "history",
    "examination",
    "specialty",
    "priority",
    "queued_at",
    "on_oxygen",
    "consciousness",
    "consent_given_by",
    "consent_relationship",
    "consent_method",
    "consent_witness",
    "consent_recorded_at",
)
_INSERT_SQL = (
    f"INSERT INTO cases ({', '.join(_CASE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _CASE_COLUMNS)})"
)
_UPDATABLE = tuple(
    c for c in _CASE_COLUMNS if c not in ("id", "patient_id", "created_by", "created_at")
)

_PRIORITY_RANK = (
    f"CASE c.priority WHEN '{Priority.EMERGENCY.value}' THEN 0 "
    f"WHEN '{Priority.URGENT.value}' THEN 1 ELSE 2 END"
)


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case: Case
    patient_name: str
    patient_name_alt: str
    news2_total: int | None  # None when no vital signs yet or NEWS2 does not apply (< 16 y)
    observation_count: int  # FINAL observations


def insert(db: sqlite_utils.Database, c: Case) -> None:
    row = codec.case_to_row(c)
    db.execute(_INSERT_SQL, [row[k] for k in _CASE_COLUMNS])


def update(db: sqlite_utils.Database, c: Case) -> None:
    """Store every mutable field of ``c`` (patient, author and creation time never change)."""
    row = codec.case_to_row(c)
    cursor = db.execute(
        f"UPDATE cases SET {', '.join(f'{k} = ?' for k in _UPDATABLE)} WHERE id = ?",
        [*(row[k] for k in _UPDATABLE), c.id],
    )
    if cursor.rowcount != 1:
        raise StoreError("store.not_found", "No such case.", {"id": c.id})


def get(db: sqlite_utils.Database, cid: CaseId) -> Case | None:
    row = db.execute("SELECT * FROM cases WHERE id = ?", [cid]).fetchone()
    return None if row is None else codec.case_from_row(row)


def bulk_insert(
    db: sqlite_utils.Database, cases: Iterable[Case], observations: Iterable[Observation]
) -> int:
    """Seed cases and their observations (no outbox rows); returns the number of cases."""
    case_rows = [tuple(codec.case_to_row(c)[k] for k in _CASE_COLUMNS) for c in cases]
    db.conn.executemany(_INSERT_SQL, case_rows)
    observations_repo.bulk_insert(db, observations)
    return len(case_rows)


def _age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return max(years, 0)


def summaries(
    db: sqlite_utils.Database,
    *,
    statuses: Collection[CaseStatus] | None = None,
    patient_id: PatientId | None = None,
    limit: int = 200,
) -> list[CaseSummary]:
    """Cases newest first, with their patient's names, NEWS2 total and observation count.

    A queue listing (``statuses`` including QUEUED) puts emergency, then urgent, before
    routine, newest first within each.
    """
    where: list[str] = []
    params: list[object] = []
    if statuses is not None:
        if not statuses:
            return []
        where.append("c.status IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(CaseStatus(s).value for s in statuses)))
    if patient_id is not None:
        where.append("c.patient_id = ?")
        params.append(patient_id)
    order = "c.created_at DESC, c.id DESC"
    if statuses is not None and CaseStatus.QUEUED in statuses:
        order = f"{_PRIORITY_RANK}, {order}"
    rows = db.execute(
        "SELECT c.*, p.name AS patient_name, p.name_alt AS patient_name_alt, "
        "p.birth_date AS patient_birth_date FROM cases c JOIN patients p ON p.id = c.patient_id"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY {order} LIMIT ?",
        [*params, limit],
    ).fetchall()
    by_case: dict[str, list[Observation]] = defaultdict(list)
    for o in observations_repo.for_cases(db, [CaseId(r["id"]) for r in rows]):
        by_case[o.case_id].append(o)
    result = []
    for r in rows:
        case = codec.case_from_row(r)
        observations = by_case.get(case.id, [])
        birth = r["patient_birth_date"]
        age = _age_on(date.fromisoformat(birth) if birth else None, case.created_at.date())
        result.append(
            CaseSummary(
                case=case,
                patient_name=r["patient_name"],
                patient_name_alt=r["patient_name_alt"],
                news2_total=_news2_total(case, observations, age),
                observation_count=sum(1 for o in observations if o.status.value == "final"),
            )
        )
    return result


def _news2_total(case: Case, observations: list[Observation], age: int | None) -> int | None:
    if not any(o.status is ObservationStatus.FINAL for o in observations):
        return None
    # Imported here, not at the top, so the store stays importable while app.domain.news2
    # is being written in parallel; hoist it once that module has landed.
    from app.domain import news2 as news2_rules

    inputs = news2_rules.inputs_from_observations(observations, case.on_oxygen, case.consciousness)
    outcome = news2_rules.news2(inputs, age)
    if not outcome.applicable:
        return None
    return outcome.total
