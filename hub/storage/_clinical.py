"""What both backends share for the specialist's web console: the queue of cases waiting at
the hub (most urgent first, ``app.domain.triage``), one case's whole record, an attachment's
bytes, and claims ("a specialist takes a case", so two do not answer the same one).

The SQL is written once with ``%s`` placeholders and runs through ``_rx.Sql`` (see
``hub.storage._rx``). NEWS2 is computed here, in Python, from the observations the hub holds
(``app.domain.news2``): never the score the spoke sent, which predates later readings and
corrections. Observations marked entered-in-error (the ``status`` column, which
``observation.entered_in_error`` updates; the document keeps what was sent) do not count.

Times in what these readers return are UTC-aware ``datetime`` values; the stored documents
(case, patient, observations) are returned as the spoke sent them.

Claims: one row per case in ``case_claims``. ``INSERT ... ON CONFLICT DO NOTHING`` and a read
back in the same transaction: of two specialists claiming at once exactly one row is written
(on PostgreSQL the second insert waits for the first to commit, then does nothing, and its
read back sees the winner).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import Any, Final

from app.domain import news2 as news2_rules
from app.domain import triage, vitals
from app.domain.errors import DomainError
from app.domain.ids import CaseId, ObservationId, UserId
from app.domain.models import Observation, ObservationStatus
from app.domain.patients import age_years as years_between
from hub import ops
from hub.storage import _common as common
from hub.storage import _rx
from hub.storage._rx import Sql

FINAL: Final = "final"
ENTERED_IN_ERROR: Final = ops.OBSERVATION_ENTERED_IN_ERROR
NEWS2_CODES: Final = frozenset(
    {vitals.RESP_RATE, vitals.SPO2, vitals.SYSTOLIC, vitals.PULSE, vitals.TEMPERATURE}
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

# A case waits for a specialist while it is at the hub, and again once prescribed when the
# clinic has written since (a query about the prescription): the newest message is theirs.
_NEWEST_ORIGIN: Final = (
    "(SELECT m.origin FROM case_messages m WHERE m.case_id = c.id "
    "ORDER BY m.received_at DESC, m.id DESC LIMIT 1)"
)
_WAITING: Final = f"(c.status = %s OR (c.status = %s AND {_NEWEST_ORIGIN} = 'spoke'))"
# The waiting cases (optionally of one specialty), each with its spoke, patient, claim, the
# origin of its newest message and its attachment count: one statement however long the queue.
_QUEUE_FROM: Final = f"FROM cases c JOIN spokes s ON s.id = c.spoke_id WHERE {_WAITING}"
_QUEUE: Final = (
    "SELECT c.id, c.spoke_id, s.name, c.patient_id, p.doc, c.priority, c.specialty, c.doc, "
    f"c.received_at, k.username, k.display_name, k.claimed_at, {_NEWEST_ORIGIN}, "
    "(SELECT count(*) FROM attachments a WHERE a.case_id = c.id AND a.spoke_id = c.spoke_id), "
    "c.status "
    "FROM cases c JOIN spokes s ON s.id = c.spoke_id "
    "LEFT JOIN patients p ON p.id = c.patient_id AND p.spoke_id = c.spoke_id "
    "LEFT JOIN case_claims k ON k.case_id = c.id "
    f"WHERE {_WAITING}"
)
_QUEUE_OBSERVATIONS: Final = (
    "SELECT o.case_id, o.status, o.doc FROM observations o "
    "JOIN cases c ON c.id = o.case_id AND c.spoke_id = o.spoke_id "
    "JOIN spokes s ON s.id = c.spoke_id "
    f"WHERE o.status = %s AND {_WAITING}"
)
_ATTACHMENT_COLUMNS: Final = (
    "a.id, a.sha256, a.size, a.media_type, a.doc, b.complete, b.upload_offset"
)
_ATTACHMENT_FROM: Final = "FROM attachments a LEFT JOIN blobs b ON b.sha256 = a.sha256"


def _doc(value: Any) -> dict[str, Any]:
    """A stored JSON document (text on SQLite, parsed on PostgreSQL) as a dict."""
    parsed = json.loads(value) if isinstance(value, str | bytes) else value
    return dict(parsed) if isinstance(parsed, Mapping) else {}


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return _aware(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def stored_time(value: datetime | str) -> datetime:
    """A time the hub stored (timestamptz on PostgreSQL, ISO text on SQLite), UTC-aware."""
    return _aware(_rx.when(value))


def waiting_since(case_doc: Mapping[str, Any], received_at: datetime | str) -> datetime:
    """When the clinic queued the case (``queued_at``), else when the hub received it."""
    return _parse_time(case_doc.get("queued_at")) or stored_time(received_at)


def age_years(patient_doc: Mapping[str, Any] | None, now: datetime) -> int | None:
    """Whole years from the patient's ``birth_date`` to ``now`` (UTC), None when unknown."""
    if patient_doc is None:
        return None
    text = patient_doc.get("birth_date")
    if not isinstance(text, str):
        return None
    try:
        born = date.fromisoformat(text[:10])
    except ValueError:
        return None
    today = _aware(now).date()
    return years_between(born, today) if born <= today else None


def _observation(case_id: str, doc: Mapping[str, Any]) -> Observation | None:
    """A NEWS2 reading from a stored document, or None when it is not one NEWS2 can use (not
    a NEWS2 parameter, no finite value, a unit the vital does not have)."""
    code, value, unit = doc.get("code"), doc.get("value"), doc.get("unit")
    if code not in NEWS2_CODES or not isinstance(unit, str):
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    try:
        vitals.to_canonical(str(code), float(value), unit)
    except (DomainError, ValueError, KeyError):
        return None
    return Observation(
        id=ObservationId(str(doc.get("id", ""))),
        case_id=CaseId(case_id),
        code=str(code),
        value=float(value),
        unit=unit,
        taken_at=_parse_time(doc.get("taken_at")) or _EPOCH,
        recorded_by=UserId(str(doc.get("recorded_by", ""))),
        status=ObservationStatus.FINAL,
    )


def score(
    case_id: str,
    case_doc: Mapping[str, Any],
    final_docs: Iterable[Mapping[str, Any]],
    age: int | None,
) -> news2_rules.News2Result | None:
    """NEWS2 from the case's final observations; None when none of them is a usable vital."""
    readings = [o for o in (_observation(case_id, d) for d in final_docs) if o is not None]
    if not readings:
        return None
    consciousness = case_doc.get("consciousness")
    inputs = news2_rules.inputs_from_observations(
        readings,
        on_oxygen=case_doc.get("on_oxygen") is True,
        consciousness=consciousness if isinstance(consciousness, str) else "alert",
    )
    return news2_rules.news2(inputs, age)


def news2_summary(result: news2_rules.News2Result | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "total": result.total,
        "risk": result.risk,
        "red": triage.red_score(result),
        "partial": bool(result.missing),
        "applicable": result.applicable,
    }


def _claim(username: Any, display_name: Any, claimed_at: Any) -> dict[str, Any] | None:
    if username is None:
        return None
    return {
        "username": str(username),
        "display_name": str(display_name),
        "claimed_at": stored_time(claimed_at),
    }


def _band(priority: str, result: news2_rules.News2Result | None) -> str:
    return triage.band(priority, result).name.lower()


# -- the queue ---------------------------------------------------------------------------------


def _specialty_filter(specialty: str | None) -> tuple[str, list[Any]]:
    waiting = [ops.CASE_AT_HUB, _rx.CASE_PRESCRIBED]
    if specialty is None:
        return "", waiting
    return " AND c.specialty = %s", [*waiting, specialty]


def specialist_queue(sql: Sql, specialty: str | None, now: datetime) -> list[dict[str, Any]]:
    where, params = _specialty_filter(specialty)
    rows = sql(_QUEUE + where, params)
    if not rows:
        return []
    finals: dict[str, list[dict[str, Any]]] = {}
    for case_id, _status, doc in sql(_QUEUE_OBSERVATIONS + where, [FINAL, *params]):
        finals.setdefault(str(case_id), []).append(_doc(doc))
    queue: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for row in rows:
        (case_id, spoke_id, spoke_name, patient_id, patient_raw, priority, spec, case_raw,
         received_at, claim_user, claim_name, claimed_at, last_origin, attachments, status,
         ) = row  # fmt: skip
        cid = str(case_id)
        case_doc = _doc(case_raw)
        patient = None if patient_raw is None else _doc(patient_raw)
        age = age_years(patient, now)
        result = score(cid, case_doc, finals.get(cid, ()), age)
        since = waiting_since(case_doc, received_at)
        entry = {
            "case_id": cid,
            "spoke_id": str(spoke_id),
            "spoke_name": str(spoke_name),
            "patient_id": str(patient_id),
            "patient_name": None if patient is None else patient.get("name"),
            "sex": None if patient is None else patient.get("sex"),
            "age_years": age,
            "chief_complaint": case_doc.get("chief_complaint", ""),
            "status": str(status),
            "priority": str(priority),
            "specialty": str(spec),
            "waiting_since": since,
            "news2": news2_summary(result),
            "band": _band(str(priority), result),
            "claim": _claim(claim_user, claim_name, claimed_at),
            "last_message_from": None if last_origin is None else str(last_origin),
            "attachments": int(attachments),
        }
        queue.append(((*triage.sort_key(str(priority), result, since), cid), entry))
    queue.sort(key=lambda pair: pair[0])
    return [entry for _key, entry in queue]


def queue_count(sql: Sql, specialty: str | None) -> int:
    where, params = _specialty_filter(specialty)
    ((count,),) = sql(f"SELECT count(*) {_QUEUE_FROM}{where}", params)
    return int(count)


# -- one case's record -------------------------------------------------------------------------


def attachment_document(row: Sequence[Any]) -> dict[str, Any]:
    """A row selected as ``_ATTACHMENT_COLUMNS``."""
    aid, sha256, size, media_type, raw, complete, held = row
    doc = _doc(raw)
    return {
        "id": str(aid),
        "filename": str(doc.get("filename", "")),
        "media_type": str(media_type),
        "size": int(size),
        "sha256": str(sha256),
        "caption": str(doc.get("caption", "")),
        "created_at": _parse_time(doc.get("created_at")),
        "complete": bool(complete),
        "received": 0 if held is None else int(held),
    }


def _observation_documents(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    docs = [
        {**_doc(raw), "entered_in_error": str(status) == ENTERED_IN_ERROR} for status, raw in rows
    ]
    docs.sort(key=lambda d: (_parse_time(d.get("taken_at")) or _EPOCH, str(d.get("id", ""))))
    return docs


def _prescription_summary(doc: Mapping[str, Any]) -> dict[str, Any]:
    rx = doc["prescription"]
    return {
        "id": doc["id"],
        "issued_at": stored_time(doc["issued_at"]),
        "mode": rx.mode.value,
        "visit": rx.visit.value,
        "provisional_diagnosis": rx.provisional_diagnosis,
        "items": [
            {"generic_name": i.generic_name, "strength": i.strength, "dosage_form": i.dosage_form}
            for i in rx.items
        ],
        "superseded_by": doc["superseded_by"],
    }


def _earlier(sql: Sql, case_id: str, spoke_id: str, patient_id: str) -> list[dict[str, Any]]:
    """The patient's other cases at the same spoke, newest first."""
    same = "c.patient_id = %s AND c.spoke_id = %s AND c.id <> %s"
    params = [patient_id, spoke_id, case_id]
    cases = sql(f"SELECT c.id, c.status, c.doc, c.received_at FROM cases c WHERE {same}", params)
    if not cases:
        return []
    observations: dict[str, list[tuple[Any, Any]]] = {}
    for cid, status, raw in sql(
        "SELECT o.case_id, o.status, o.doc FROM observations o "
        f"JOIN cases c ON c.id = o.case_id AND c.spoke_id = o.spoke_id WHERE {same} "
        "AND o.status = %s",
        [*params, FINAL],
    ):
        observations.setdefault(str(cid), []).append((status, raw))
    prescriptions: dict[str, list[dict[str, Any]]] = {}
    for row in sql(
        f"SELECT {_rx.RX_COLUMNS} FROM prescriptions p JOIN cases c ON c.id = p.case_id "
        f"WHERE {same} ORDER BY p.issued_at, p.created_at, p.id",
        params,
    ):
        doc = _rx.prescription_document(row)
        prescriptions.setdefault(doc["case_id"], []).append(_prescription_summary(doc))
    earlier = []
    for cid, status, raw, received_at in cases:
        case_doc = _doc(raw)
        earlier.append(
            {
                "case_id": str(cid),
                "status": str(status),
                "chief_complaint": case_doc.get("chief_complaint", ""),
                "when": waiting_since(case_doc, received_at),
                "observations": [
                    {k: v for k, v in d.items() if k != "entered_in_error"}
                    for d in _observation_documents(observations.get(str(cid), []))
                ],
                "prescriptions": prescriptions.get(str(cid), []),
            }
        )
    earlier.sort(key=lambda e: (e["when"], e["case_id"]), reverse=True)
    return earlier


def case_record(sql: Sql, case_id: str, now: datetime) -> dict[str, Any] | None:
    rows = sql(
        "SELECT c.id, c.spoke_id, s.name, c.status, c.priority, c.patient_id, c.doc, p.doc, "
        "k.username, k.display_name, k.claimed_at "
        "FROM cases c JOIN spokes s ON s.id = c.spoke_id "
        "LEFT JOIN patients p ON p.id = c.patient_id AND p.spoke_id = c.spoke_id "
        "LEFT JOIN case_claims k ON k.case_id = c.id WHERE c.id = %s",
        [case_id],
    )
    if not rows:
        return None
    (cid, spoke_id, spoke_name, status, priority, patient_id, case_raw, patient_raw,
     claim_user, claim_name, claimed_at) = rows[0]  # fmt: skip
    cid, spoke_id = str(cid), str(spoke_id)
    case_doc = _doc(case_raw)
    patient = None if patient_raw is None else _doc(patient_raw)
    age = age_years(patient, now)
    observations = _observation_documents(
        sql(
            "SELECT status, doc FROM observations WHERE case_id = %s AND spoke_id = %s",
            [cid, spoke_id],
        )
    )
    result = score(cid, case_doc, (o for o in observations if not o["entered_in_error"]), age)
    summary = news2_summary(result)
    if summary is not None and result is not None:
        summary["scores"] = dict(result.scores)
        summary["missing"] = list(result.missing)
    attachments = [
        attachment_document(r)
        for r in sql(
            f"SELECT {_ATTACHMENT_COLUMNS} {_ATTACHMENT_FROM} "
            "WHERE a.case_id = %s AND a.spoke_id = %s ORDER BY a.received_at, a.id",
            [cid, spoke_id],
        )
    ]
    return {
        "case_id": cid,
        "spoke_id": spoke_id,
        "spoke_name": str(spoke_name),
        "status": str(status),
        "case": case_doc,
        "patient": patient,
        "age_years": age,
        "observations": observations,
        "news2": summary,
        "band": _band(str(priority), result),
        "attachments": attachments,
        "earlier": _earlier(sql, cid, spoke_id, str(patient_id)),
        "claim": _claim(claim_user, claim_name, claimed_at),
    }


def attachment_content(
    sql: Sql, case_id: str, attachment_id: str
) -> tuple[dict[str, Any], bytes] | None:
    rows = sql(
        f"SELECT {_ATTACHMENT_COLUMNS} {_ATTACHMENT_FROM} WHERE a.id = %s AND a.case_id = %s",
        [attachment_id, case_id],
    )
    if not rows:
        return None
    doc = attachment_document(rows[0])
    if not doc["complete"]:
        return None
    data = b"".join(
        bytes(chunk)
        for (chunk,) in sql(
            "SELECT data FROM blob_chunks WHERE sha256 = %s ORDER BY start", [doc["sha256"]]
        )
    )
    return doc, data


# -- claims ------------------------------------------------------------------------------------


def claim_case(
    sql: Sql, case_id: str, username: str, take_over: bool, now: datetime
) -> dict[str, Any]:
    users = sql(
        "SELECT id, username, display_name, role, active FROM hub_users WHERE lower(username) = %s",
        [common.normalise_username(username)],
    )
    if not users or str(users[0][3]) != "specialist" or not bool(users[0][4]):
        raise PermissionError("only an active specialist can take a case")
    user_id, login, name = (str(v) for v in users[0][:3])
    if not sql(
        "SELECT 1 FROM cases c JOIN spokes s ON s.id = c.spoke_id WHERE c.id = %s", [case_id]
    ):
        raise KeyError(case_id)
    conflict = (
        "DO UPDATE SET user_id = excluded.user_id, username = excluded.username, "
        "display_name = excluded.display_name, claimed_at = excluded.claimed_at "
        "WHERE case_claims.user_id <> excluded.user_id"
        if take_over
        else "DO NOTHING"
    )
    sql(
        "INSERT INTO case_claims (case_id, user_id, username, display_name, claimed_at) "
        f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (case_id) {conflict}",
        [case_id, user_id, login, name, now],
    )
    ((held_by, held_name, claimed_at),) = sql(
        "SELECT username, display_name, claimed_at FROM case_claims WHERE case_id = %s",
        [case_id],
    )
    claim = _claim(held_by, held_name, claimed_at)
    assert claim is not None
    return claim


def release_case(sql: Sql, case_id: str, username: str) -> None:
    sql(
        "DELETE FROM case_claims WHERE case_id = %s AND user_id IN "
        "(SELECT id FROM hub_users WHERE lower(username) = %s)",
        [case_id, common.normalise_username(username)],
    )


# -- the store methods both backends share -----------------------------------------------------


class ClinicalReads:
    """The console's methods of ``HubStore`` over the backend primitives ``_rx.RxStore``
    uses (a backend mixes both in and implements them once)."""

    def _rx_write(self) -> AbstractContextManager[_rx.RxWrite]:
        raise NotImplementedError

    def _rx_read(self) -> AbstractContextManager[Sql]:
        raise NotImplementedError

    def specialist_queue(
        self, specialty: str | None, *, now: datetime | None = None
    ) -> list[dict[str, Any]]:
        with self._rx_read() as sql:
            return specialist_queue(sql, specialty, now or datetime.now(UTC))

    def queue_count(self, specialty: str | None) -> int:
        with self._rx_read() as sql:
            return queue_count(sql, specialty)

    def case_record(self, case_id: str, *, now: datetime | None = None) -> dict[str, Any] | None:
        with self._rx_read() as sql:
            return case_record(sql, case_id, now or datetime.now(UTC))

    def attachment_content(
        self, case_id: str, attachment_id: str
    ) -> tuple[dict[str, Any], bytes] | None:
        with self._rx_read() as sql:
            return attachment_content(sql, case_id, attachment_id)

    def claim_case(self, case_id: str, username: str, *, take_over: bool = False) -> dict[str, Any]:
        with self._rx_write() as w:
            return claim_case(w.sql, case_id, username, take_over, datetime.now(UTC))

    def release_case(self, case_id: str, username: str) -> None:
        with self._rx_write() as w:
            release_case(w.sql, case_id, username)
