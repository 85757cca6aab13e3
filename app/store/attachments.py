"""Attachment records (the bytes live in ``BlobStore``, addressed by ``sha256``).

Threading rule: ``insert`` runs inside ``Store.write``; ``for_case``/``get`` anywhere a
``Database`` is handed out.
"""

from __future__ import annotations

import sqlite_utils

from app.domain.ids import AttachmentId, CaseId
from app.domain.models import Attachment
from app.store import codec
from app.store import outbox as _outbox

_COLUMNS = (
    "id",
    "case_id",
    "sha256",
    "media_type",
    "filename",
    "size",
    "created_at",
    "width",
    "height",
    "caption",
)


def insert(db: sqlite_utils.Database, a: Attachment, *, outbox: bool) -> None:
    """Add the record; with ``outbox`` also queue ``attachment.create`` at blob priority
    (records travel before the bytes that hang off them)."""
    row = codec.attachment_to_row(a)
    db.execute(
        f"INSERT INTO attachments ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
        [row[k] for k in _COLUMNS],
    )
    if outbox:
        _outbox.enqueue(
            db,
            entity="attachment",
            entity_id=a.id,
            op="attachment.create",
            payload={"attachment": codec.attachment_to_dict(a)},
            priority=_outbox.PRIORITY_BLOB,
            now=a.created_at,
        )


def get(db: sqlite_utils.Database, aid: AttachmentId) -> Attachment | None:
    row = db.execute("SELECT * FROM attachments WHERE id = ?", [aid]).fetchone()
    return None if row is None else codec.attachment_from_row(row)


def for_case(db: sqlite_utils.Database, cid: CaseId) -> list[Attachment]:
    rows = db.execute(
        "SELECT * FROM attachments WHERE case_id = ? ORDER BY created_at, id", [cid]
    ).fetchall()
    return [codec.attachment_from_row(r) for r in rows]
