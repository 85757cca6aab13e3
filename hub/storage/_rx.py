"""What both backends share for e-prescriptions (docs/PRESCRIPTIONS.md "Issuing at the hub"):
specialists' signing keys, storing an issued prescription with its feed entries, what spokes
report back, and the readers the specialist's console uses.

The SQL is written once, with ``%s`` placeholders; a backend hands each function an ``Sql``
callable that runs a statement on its open connection (SQLite's turns ``%s`` into ``?`` and
datetimes into its stored text). Times come back as ``datetime`` on PostgreSQL and as text
on SQLite: ``when`` reads both.

Keys: every specialist has at most one active key (a partial unique index). Adding a
specialist, or setting their password without the old one (an administrator's reset), makes
a new key sealed under the new password and a certificate signed by the hub's key; a reset
also revokes the old key from the next whole second on, so every prescription it signed
before stays valid at its own time; the hub-signed revocation goes to every enrolled spoke's
feed in the same transaction (``publish_revocations``). A specialist who changes their own
password keeps their key, resealed (``reseal_active_key``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from app.domain.prescriptions import from_canonical
from app.security import rx_signatures
from hub import ops
from hub.storage import _common as common
from hub.storage.base import HubStoreError, NewPrescription, PrescriptionRefused

KEY_SIGNING: Final = "rx.signing_key"  # meta key of the hub's certifying key (hub.signing)

PRESCRIPTION_ENTITY: Final = "prescription"
PRESCRIPTION_ISSUED: Final = "prescription.issued"
CASE_MESSAGE: Final = "case.message"
RX_KEY_ENTITY: Final = "rx_key"
RX_KEY_REVOKED: Final = "rx_key.revoked"
CASE_PRESCRIBED: Final = "prescribed"  # app.domain CaseStatus.PRESCRIBED


class Sql(Protocol):
    def __call__(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class RxWrite(Protocol):
    """One open write transaction of a backend."""

    sql: Sql
    lock: str  # " FOR UPDATE" where rows must be locked (PostgreSQL), "" on SQLite

    def publish(self, spoke_id: str, changes: Sequence[common.Change]) -> list[int]:
        """Add to the spoke's feed: the LAST statement of the transaction (PostgreSQL)."""
        ...


def when(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# -- keys --------------------------------------------------------------------------------------


def hub_key(sql: Sql) -> Any:
    """The hub's certifying key, created on first use (the first one written wins)."""
    rows = sql("SELECT value FROM meta WHERE key = %s", [KEY_SIGNING])
    if not rows:
        proposal = rx_signatures.hub_key_pem(rx_signatures.new_hub_key())
        sql(
            "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
            [KEY_SIGNING, proposal],
        )
        rows = sql("SELECT value FROM meta WHERE key = %s", [KEY_SIGNING])
    return rx_signatures.load_hub_key_pem(str(rows[0][0]))


@dataclass(frozen=True, slots=True)
class Specialist:
    user_id: str
    name: str
    registration_no: str
    council: str
    specialty: str


def _specialist(sql: Sql, user_id: str) -> Specialist:
    ((uid, name, reg, council, spec),) = sql(
        "SELECT id, display_name, registration_no, registration_council, specialty "
        "FROM hub_users WHERE id = %s",
        [user_id],
    )
    return Specialist(str(uid), str(name), str(reg), str(council), str(spec))


def insert_key(sql: Sql, user_id: str, key: rx_signatures.SpecialistKey, now: datetime) -> str:
    """Certify ``key`` as the user's (from now) and store it; returns its key id."""
    who = _specialist(sql, user_id)
    cert = rx_signatures.issue_certificate(
        hub_key(sql),
        public_key=key.public_key,
        user_id=who.user_id,
        name=who.name,
        registration_no=who.registration_no,
        council=who.council,
        specialty=who.specialty,
        valid_from=now,
    )
    sql(
        "INSERT INTO specialist_keys (key_id, user_id, sealed, certificate, created_at) "
        "VALUES (%s, %s, %s, %s, %s)",
        [key.key_id, user_id, key.sealed, cert.text(), now],
    )
    return key.key_id


def revoke_active_keys(sql: Sql, user_id: str, now: datetime) -> list[str]:
    """Revoke the user's active key(s) from the next whole second (certificates count whole
    seconds, and a prescription signed earlier in this second must stay valid); the hub
    signs the revocation as a certificate of its own. Returns the key ids revoked."""
    at = now.replace(microsecond=0) + timedelta(seconds=1)
    revoked: list[str] = []
    key = None
    for key_id, text in sql(
        "SELECT key_id, certificate FROM specialist_keys WHERE user_id = %s AND revoked_at IS NULL",
        [user_id],
    ):
        old = rx_signatures.decode_certificate(str(text)).certificate
        key = key or hub_key(sql)
        revocation = rx_signatures.issue_certificate(
            key,
            public_key=old.public_key,
            user_id=old.user_id,
            name=old.name,
            registration_no=old.registration_no,
            council=old.council,
            specialty=old.specialty,
            valid_from=old.valid_from,
            not_after=old.not_after,
            revoked_at=at,
        )
        sql(
            "UPDATE specialist_keys SET revoked_at = %s, revocation = %s WHERE key_id = %s",
            [at, revocation.text(), key_id],
        )
        revoked.append(str(key_id))
    return revoked


def replace_key(sql: Sql, user_id: str, key: rx_signatures.SpecialistKey, now: datetime) -> str:
    """An administrator's password reset: the old key cannot be unsealed without the old
    password, so a new one replaces it and the old one is revoked (and every spoke told:
    ``publish_revocations``)."""
    revoked = revoke_active_keys(sql, user_id, now)
    key_id = insert_key(sql, user_id, key, now)
    publish_revocations(sql, revoked)
    return key_id


def revocation_change(key_id: str, certificate: str) -> common.Change:
    """The ``rx_key.revoked`` feed entry (docs/SYNC.md): the hub-signed revocation
    certificate, which a spoke checks against the hub key it pinned before it believes it."""
    return (RX_KEY_ENTITY, key_id, RX_KEY_REVOKED, {"key_id": key_id, "certificate": certificate})


def publish_revocations(sql: Sql, key_ids: Sequence[str]) -> None:
    """Publish the revocations of ``key_ids`` to every enrolled spoke's feed, in the
    revoking transaction and as its last writes (PostgreSQL takes the feed counter's lock).

    A spoke enrolled later learns them from ``GET /v1/anchor`` (``key_revocations``), which
    it asks once after enrolment. On PostgreSQL the ``spokes`` table is locked against
    inserts first, so that no enrolment can fall between the two: one committed before this
    transaction reads ``spokes`` gets the feed entry, one committed after it waited for this
    transaction and its first ``GET /v1/anchor`` lists the revocation."""
    if not key_ids:
        return
    feed = sql if isinstance(sql, _ConnSql) else None
    if feed is None:  # pragma: no cover - the backends always hand in _ConnSql
        raise HubStoreError("revocations need the backend's feed: use sqlite_sql/pg_sql")
    feed.lock_spokes()
    changes = [
        revocation_change(str(kid), str(text))
        for kid, text in sql(
            "SELECT key_id, revocation FROM specialist_keys "
            "WHERE revocation IS NOT NULL AND key_id IN "
            f"({', '.join('%s' for _ in key_ids)}) ORDER BY key_id",
            list(key_ids),
        )
    ]
    for (spoke_id,) in sql("SELECT id FROM spokes ORDER BY id"):
        feed.publish(str(spoke_id), changes)


def key_revocations(sql: Sql) -> list[dict[str, str]]:
    """Every revocation the hub has signed, oldest first: key_id and certificate."""
    rows = sql(
        "SELECT key_id, revocation FROM specialist_keys WHERE revocation IS NOT NULL "
        "ORDER BY revoked_at, key_id"
    )
    return [{"key_id": str(kid), "certificate": str(text)} for kid, text in rows]


def apply_key_change(
    sql: Sql,
    user_id: str,
    now: datetime,
    new_key: rx_signatures.SpecialistKey | None,
    reseal: common.Reseal | None,
) -> None:
    """The key side of ``_change_user``, in its transaction."""
    if new_key is not None:
        replace_key(sql, user_id, new_key, now)
    if reseal is not None:
        done = sql(
            "UPDATE specialist_keys SET sealed = %s WHERE key_id = %s AND user_id = %s "
            "AND sealed = %s AND revoked_at IS NULL RETURNING key_id",
            [reseal.after, reseal.key_id, user_id, reseal.before],
        )
        if not done:
            # The key changed since it was read (a reset at the same moment): the password
            # and the key must change together, so neither does.
            raise common_conflict()


def common_conflict() -> HubStoreError:
    return HubStoreError("the signing key changed at the same moment: try again")


KEY_COLUMNS: Final = "key_id, user_id, sealed, certificate, revocation, created_at, revoked_at"


def key_document(row: Sequence[Any], *, with_sealed: bool) -> dict[str, Any]:
    key_id, user_id, sealed, cert, revocation, created, revoked = row
    doc: dict[str, Any] = {
        "key_id": str(key_id),
        "user_id": str(user_id),
        "certificate": str(cert),
        "revocation": None if revocation is None else str(revocation),
        "created_at": common.iso(created),
        "revoked_at": None if revoked is None else common.iso(revoked),
        "active": revoked is None,
    }
    if with_sealed:
        doc["sealed"] = str(sealed)
    return doc


# -- issuing -----------------------------------------------------------------------------------


def case_context(sql: Sql, case_id: str) -> dict[str, Any] | None:
    """The hub's copy of a case and its patient, or None when no spoke sent that case."""
    rows = sql(
        "SELECT c.id, c.spoke_id, c.status, c.doc, p.doc FROM cases c "
        "JOIN spokes s ON s.id = c.spoke_id "
        "LEFT JOIN patients p ON p.id = c.patient_id AND p.spoke_id = c.spoke_id "
        "WHERE c.id = %s",
        [case_id],
    )
    if not rows:
        return None
    cid, spoke_id, status, case_doc, patient_doc = rows[0]
    return {
        "case_id": str(cid),
        "spoke_id": str(spoke_id),
        "status": str(status),
        "case": _json(case_doc),
        "patient": None if patient_doc is None else _json(patient_doc),
    }


def issued_payload(rx: NewPrescription) -> dict[str, Any]:
    """The ``prescription.issued`` feed entry's payload (docs/SYNC.md "Prescriptions")."""
    return {
        "canonical": rx_signatures.b64url(rx.canonical),
        "signature": rx_signatures.b64url(rx.signature),
        "key_id": rx.key_id,
        "certificate": rx.certificate,
        "case_id": rx.case_id,
        "issued_at": rx.issued_at.astimezone(UTC).isoformat(),
    }


def store_prescription(w: RxWrite, rx: NewPrescription, now: datetime) -> tuple[int, str]:
    """Check what only the database can tell, store ``rx`` and publish it (and the case's new
    status) to the case's spoke; returns (feed seq of ``prescription.issued``, spoke id)."""
    sql = w.sql
    rows = sql(
        "SELECT c.spoke_id, c.status FROM cases c JOIN spokes s ON s.id = c.spoke_id "
        f"WHERE c.id = %s{w.lock}",
        [rx.case_id],
    )
    if not rows:
        raise PrescriptionRefused("rx.case_unknown", f"no clinic has sent a case {rx.case_id}")
    spoke_id, status = str(rows[0][0]), str(rows[0][1])
    if status == ops.CASE_CANCELLED:
        raise PrescriptionRefused("rx.case_cancelled", "the clinic cancelled this case")
    keys = sql(
        f"SELECT user_id, revoked_at FROM specialist_keys WHERE key_id = %s{w.lock}",
        [rx.key_id],
    )
    if not keys or str(keys[0][0]) != rx.specialist_id or keys[0][1] is not None:
        raise PrescriptionRefused(
            "rx.key_revoked", "this signing key is no longer the specialist's: sign again"
        )
    if sql("SELECT 1 FROM prescriptions WHERE id = %s", [rx.id]):
        raise PrescriptionRefused("rx.duplicate", f"a prescription {rx.id} exists already")
    if rx.supersedes is not None:
        old = sql("SELECT case_id FROM prescriptions WHERE id = %s", [rx.supersedes])
        if not old or str(old[0][0]) != rx.case_id:
            raise PrescriptionRefused(
                "rx.supersedes_unknown",
                f"this case has no prescription {rx.supersedes} to correct",
            )
        if sql("SELECT 1 FROM prescriptions WHERE supersedes = %s", [rx.supersedes]):
            raise superseded_already(rx.supersedes)
    sql(
        "INSERT INTO prescriptions (id, case_id, spoke_id, specialist_id, key_id, canonical, "
        "signature, certificate, issued_at, supersedes, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            rx.id, rx.case_id, spoke_id, rx.specialist_id, rx.key_id, rx.canonical,
            rx.signature, rx.certificate, rx.issued_at, rx.supersedes, now,
        ],
    )  # fmt: skip
    changes: list[common.Change] = [
        (PRESCRIPTION_ENTITY, rx.id, PRESCRIPTION_ISSUED, issued_payload(rx))
    ]
    if status == ops.CASE_AT_HUB:
        sql(
            "UPDATE cases SET status = %s, updated_at = %s WHERE id = %s",
            [CASE_PRESCRIBED, now, rx.case_id],
        )
        changes.append(ops.case_status_change(rx.case_id, CASE_PRESCRIBED))
    seqs = w.publish(spoke_id, changes)
    return seqs[0], spoke_id


def superseded_already(rx_id: str) -> PrescriptionRefused:
    return PrescriptionRefused(
        "rx.already_superseded", f"prescription {rx_id} has been corrected already"
    )


@dataclass(frozen=True, slots=True)
class HubMessage:
    """A specialist's message for a case's clinic (``post_case_message``)."""

    id: str
    case_id: str
    prescription_id: str | None
    author_user_id: str
    author_name: str
    body: str


def store_hub_message(w: RxWrite, m: HubMessage, now: datetime) -> dict[str, Any]:
    sql = w.sql
    rows = sql(
        "SELECT c.spoke_id FROM cases c JOIN spokes s ON s.id = c.spoke_id WHERE c.id = %s",
        [m.case_id],
    )
    if not rows:
        raise PrescriptionRefused("rx.case_unknown", f"no clinic has sent a case {m.case_id}")
    spoke_id = str(rows[0][0])
    if m.prescription_id is not None and not sql(
        "SELECT 1 FROM prescriptions WHERE id = %s AND case_id = %s",
        [m.prescription_id, m.case_id],
    ):
        raise PrescriptionRefused(
            "rx.prescription_unknown", f"this case has no prescription {m.prescription_id}"
        )
    sent_at = now.astimezone(UTC).isoformat(timespec="microseconds")
    sql(
        "INSERT INTO case_messages (id, case_id, spoke_id, prescription_id, author_user_id, "
        "author_name, author_role, body, sent_at, origin, received_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, 'specialist', %s, %s, 'hub', %s)",
        [
            m.id, m.case_id, spoke_id, m.prescription_id, m.author_user_id, m.author_name,
            m.body, sent_at, now,
        ],
    )  # fmt: skip
    payload = {
        "id": m.id,
        "case_id": m.case_id,
        "prescription_id": m.prescription_id,
        "author_name": m.author_name,
        "author_role": "specialist",
        "body": m.body,
        "sent_at": sent_at,
    }
    w.publish(spoke_id, [("case", m.id, CASE_MESSAGE, payload)])
    (row,) = sql(f"SELECT {MESSAGE_COLUMNS} FROM case_messages WHERE id = %s", [m.id])
    return message_document(row)


# -- what spokes send back ---------------------------------------------------------------------


def write_ops(sql: Sql, spoke_id: str, writes: ops.Writes, now: datetime) -> None:
    """The rows of the prescription op kinds (``hub.ops``), in the spoke's transaction.
    References were checked (``ops.resolve``): every prescription and case is this spoke's."""
    for ack in writes.acks.values():
        sql(
            "INSERT INTO prescription_acks (prescription_id, spoke_id, by_user_id, by_name, at, "
            "received_at) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (prescription_id) DO NOTHING",
            [ack.prescription_id, spoke_id, ack.by_user_id, ack.by_name, ack.at, now],
        )
    for d in writes.dispensed:
        # The newest report per item wins by the spoke's outbox seq, not by arrival: a report
        # replayed after a restore never rolls an item back.
        sql(
            "INSERT INTO prescription_dispensing (prescription_id, item_index, spoke_id, "
            "status, quantity, note, by_user_id, by_name, at, seq, received_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (prescription_id, item_index) DO UPDATE SET status = excluded.status, "
            "quantity = excluded.quantity, note = excluded.note, "
            "by_user_id = excluded.by_user_id, by_name = excluded.by_name, at = excluded.at, "
            "seq = excluded.seq, received_at = excluded.received_at "
            "WHERE prescription_dispensing.seq <= excluded.seq",
            [
                d.prescription_id, d.item_index, spoke_id, d.status, d.quantity, d.note,
                d.by_user_id, d.by_name, d.at, d.seq, now,
            ],
        )  # fmt: skip
    for bad in writes.invalid:
        sql(
            "INSERT INTO prescription_invalid (op_id, prescription_id, spoke_id, status, reason, "
            "at, received_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (op_id) DO NOTHING",
            [bad.op_id, bad.prescription_id, spoke_id, bad.status, bad.reason, bad.at, now],
        )
    for m in writes.messages.values():
        sql(
            "INSERT INTO case_messages (id, case_id, spoke_id, prescription_id, author_user_id, "
            "author_name, author_role, body, sent_at, origin, received_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'spoke', %s) ON CONFLICT (id) DO NOTHING",
            [
                m.id, m.case_id, spoke_id, m.prescription_id, m.author_user_id, m.author_name,
                m.author_role, m.body, m.sent_at, now,
            ],
        )  # fmt: skip


# -- readers -----------------------------------------------------------------------------------

RX_COLUMNS: Final = (
    "p.id, p.case_id, p.spoke_id, p.specialist_id, p.key_id, p.canonical, p.signature, "
    "p.certificate, p.issued_at, p.supersedes, p.created_at, "
    "(SELECT n.id FROM prescriptions n WHERE n.supersedes = p.id)"
)
MESSAGE_COLUMNS: Final = (
    "id, case_id, spoke_id, prescription_id, author_user_id, author_name, author_role, body, "
    "sent_at, origin, received_at"
)


def prescription_document(row: Sequence[Any]) -> dict[str, Any]:
    (pid, case_id, spoke_id, specialist, key_id, canonical, signature, cert, issued, supersedes,
     created, superseded_by) = row  # fmt: skip
    data = bytes(canonical)
    return {
        "id": str(pid),
        "case_id": str(case_id),
        "spoke_id": str(spoke_id),
        "specialist_id": str(specialist),
        "key_id": str(key_id),
        "canonical": data,
        "signature": bytes(signature),
        "certificate": str(cert),
        "issued_at": common.iso(issued),
        "supersedes": None if supersedes is None else str(supersedes),
        "superseded_by": None if superseded_by is None else str(superseded_by),
        "created_at": common.iso(created),
        "prescription": from_canonical(data),
    }


def prescriptions_for_case(sql: Sql, case_id: str) -> list[dict[str, Any]]:
    rows = sql(
        f"SELECT {RX_COLUMNS} FROM prescriptions p WHERE p.case_id = %s "
        "ORDER BY p.issued_at, p.created_at, p.id",
        [case_id],
    )
    return [prescription_document(r) for r in rows]


def prescription(sql: Sql, rx_id: str) -> dict[str, Any] | None:
    rows = sql(f"SELECT {RX_COLUMNS} FROM prescriptions p WHERE p.id = %s", [rx_id])
    if not rows:
        return None
    doc = prescription_document(rows[0])
    ack = sql(
        "SELECT by_user_id, by_name, at, received_at FROM prescription_acks "
        "WHERE prescription_id = %s",
        [rx_id],
    )
    doc["acknowledged"] = (
        None
        if not ack
        else {
            "by_user_id": str(ack[0][0]),
            "by_name": str(ack[0][1]),
            "at": str(ack[0][2]),
            "received_at": common.iso(ack[0][3]),
        }
    )
    doc["dispensing"] = [
        {
            "index": int(index),
            "status": str(status),
            "quantity": None if quantity is None else float(quantity),
            "note": str(note),
            "by_user_id": str(by_user),
            "by_name": str(by_name),
            "at": str(at),
            "received_at": common.iso(received),
        }
        for index, status, quantity, note, by_user, by_name, at, received in sql(
            "SELECT item_index, status, quantity, note, by_user_id, by_name, at, received_at "
            "FROM prescription_dispensing WHERE prescription_id = %s ORDER BY item_index",
            [rx_id],
        )
    ]
    doc["invalid_reports"] = [
        r for r in invalid_reports(sql) if r["prescription_id"] == rx_id
    ]  # few: operators look at each one
    return doc


def message_document(row: Sequence[Any]) -> dict[str, Any]:
    """A row selected as ``MESSAGE_COLUMNS``: all text but ``prescription_id`` (may be None)
    and ``received_at`` (the hub's time)."""
    keys = [k.strip() for k in MESSAGE_COLUMNS.split(",")]
    doc = {k: None if v is None else str(v) for k, v in zip(keys, row, strict=True)}
    doc["received_at"] = common.iso(row[-1])
    return doc


def case_messages(sql: Sql, case_id: str) -> list[dict[str, Any]]:
    rows = sql(
        f"SELECT {MESSAGE_COLUMNS} FROM case_messages WHERE case_id = %s ORDER BY received_at, id",
        [case_id],
    )
    return [message_document(r) for r in rows]


def invalid_reports(sql: Sql) -> list[dict[str, Any]]:
    rows = sql(
        "SELECT r.op_id, r.prescription_id, p.case_id, r.spoke_id, r.status, r.reason, r.at, "
        "r.received_at FROM prescription_invalid r "
        "JOIN prescriptions p ON p.id = r.prescription_id ORDER BY r.received_at DESC, r.op_id"
    )
    keys = ("op_id", "prescription_id", "case_id", "spoke_id", "status", "reason", "at")
    return [
        {**{k: str(v) for k, v in zip(keys, r[:7], strict=True)}, "received_at": common.iso(r[7])}
        for r in rows
    ]


def prescription_counts(sql: Sql) -> dict[str, int]:
    """The ``stats`` totals for prescriptions (per spoke: ``prescriptions`` in ``per_spoke``)."""
    ((issued, superseded, acknowledged, dispensed, invalid),) = sql(
        "SELECT (SELECT count(*) FROM prescriptions), "
        "(SELECT count(*) FROM prescriptions WHERE supersedes IS NOT NULL), "
        "(SELECT count(*) FROM prescription_acks), "
        "(SELECT count(DISTINCT prescription_id) FROM prescription_dispensing), "
        "(SELECT count(DISTINCT prescription_id) FROM prescription_invalid)"
    )
    return {
        "prescriptions": int(issued),
        "prescriptions_corrections": int(superseded),
        "prescriptions_acknowledged": int(acknowledged),
        "prescriptions_dispensing": int(dispensed),
        "prescriptions_reported_invalid": int(invalid),
    }


# -- the store methods both backends share -----------------------------------------------------


class RxStore:
    """Prescription methods of ``HubStore`` over two backend primitives."""

    def _rx_write(self) -> AbstractContextManager[RxWrite]:
        raise NotImplementedError

    def _rx_read(self) -> AbstractContextManager[Sql]:
        raise NotImplementedError

    def _rx_unique_violation(self) -> tuple[type[Exception], ...]:
        raise NotImplementedError

    def _role(self, username: str) -> str | None:
        with self._rx_read() as sql:
            rows = sql(
                "SELECT role FROM hub_users WHERE lower(username) = %s",
                [common.normalise_username(username)],
            )
        return str(rows[0][0]) if rows else None

    def specialist_profile(self, username: str) -> dict[str, Any] | None:
        key = common.normalise_username(username)
        with self._rx_read() as sql:
            rows = sql(
                f"SELECT {common.USER_COLUMNS}, registration_council, qualification "
                "FROM hub_users WHERE lower(username) = %s",
                [key],
            )
            if not rows:
                return None
            doc = common.user_document(rows[0][:-2])
            active = sql(
                f"SELECT {KEY_COLUMNS} FROM specialist_keys "
                "WHERE user_id = %s AND revoked_at IS NULL",
                [doc["id"]],
            )
        doc["registration_council"] = str(rows[0][-2])
        doc["qualification"] = str(rows[0][-1])
        doc["key"] = key_document(active[0], with_sealed=True) if active else None
        return doc

    def specialist_keys(self, username: str) -> list[dict[str, Any]]:
        with self._rx_read() as sql:
            rows = sql(
                f"SELECT {', '.join('k.' + c.strip() for c in KEY_COLUMNS.split(','))} "
                "FROM specialist_keys k JOIN hub_users u ON u.id = k.user_id "
                "WHERE lower(u.username) = %s ORDER BY k.created_at, k.key_id",
                [common.normalise_username(username)],
            )
        return [key_document(r, with_sealed=False) for r in rows]

    def case_context(self, case_id: str) -> dict[str, Any] | None:
        with self._rx_read() as sql:
            return case_context(sql, case_id)

    def store_prescription(self, rx: NewPrescription) -> int:
        try:
            with self._rx_write() as w:
                seq, _spoke = store_prescription(w, rx, datetime.now(UTC))
        except self._rx_unique_violation() as exc:
            # Two corrections of one prescription at once: the index lets one through.
            if rx.supersedes is not None:
                raise superseded_already(rx.supersedes) from exc
            raise PrescriptionRefused("rx.duplicate", f"{rx.id} exists already") from exc
        return seq

    def post_case_message(
        self,
        case_id: str,
        author_user_id: str,
        author_name: str,
        body: str,
        *,
        message_id: str,
        prescription_id: str | None = None,
    ) -> dict[str, Any]:
        text = body.strip() if isinstance(body, str) else ""
        if not text or len(text) > ops.MAX_MESSAGE:
            raise ValueError(f"a message is 1-{ops.MAX_MESSAGE} characters")
        m = HubMessage(message_id, case_id, prescription_id, author_user_id, author_name, text)
        with self._rx_write() as w:
            return store_hub_message(w, m, datetime.now(UTC))

    def prescriptions_for_case(self, case_id: str) -> list[dict[str, Any]]:
        with self._rx_read() as sql:
            return prescriptions_for_case(sql, case_id)

    def prescription(self, rx_id: str) -> dict[str, Any] | None:
        with self._rx_read() as sql:
            return prescription(sql, rx_id)

    def case_messages(self, case_id: str) -> list[dict[str, Any]]:
        with self._rx_read() as sql:
            return case_messages(sql, case_id)

    def invalid_reports(self) -> list[dict[str, Any]]:
        with self._rx_read() as sql:
            return invalid_reports(sql)

    def key_revocations(self) -> list[dict[str, str]]:
        with self._rx_read() as sql:
            return key_revocations(sql)


class _ConnSql:
    """``Sql`` on one open connection of a backend, able to add to spokes' feeds in the same
    transaction (``publish_revocations``) through the backend's own feed insert."""

    def __init__(self, conn: Any, backend: str) -> None:
        self._conn = conn
        self._backend = backend

    def __call__(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._backend == "sqlite":
            values = [
                v.astimezone(UTC).isoformat(timespec="microseconds")
                if isinstance(v, datetime)
                else v
                for v in params
            ]
            return [tuple(r) for r in self._conn.execute(sql.replace("%s", "?"), values).fetchall()]
        cur = self._conn.execute(sql, list(params))
        return [tuple(r) for r in cur.fetchall()] if cur.description is not None else []

    def lock_spokes(self) -> None:
        """No spoke enrols until this transaction ends (SQLite: its single writer does it)."""
        if self._backend == "postgres":
            self._conn.execute("LOCK TABLE spokes IN SHARE MODE")

    def publish(self, spoke_id: str, changes: Sequence[common.Change]) -> list[int]:
        # Imported here: the backends import this module.
        if self._backend == "sqlite":
            from hub.storage import sqlite as backend
        else:
            from hub.storage import postgres as backend  # type: ignore[no-redef]
        return backend._add_changes(self._conn, spoke_id, changes)


def sqlite_sql(conn: Any) -> Sql:
    """``Sql`` on an ``sqlite3`` connection: ``?`` placeholders, datetimes as stored text."""
    return _ConnSql(conn, "sqlite")


def pg_sql(conn: Any) -> Sql:
    """``Sql`` on a psycopg connection."""
    return _ConnSql(conn, "postgres")
