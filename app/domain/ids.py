"""Record ids: UUIDv7 strings created on the spoke, typed so they cannot be mixed up.

UUIDv7 (RFC 9562 section 5.7) puts a millisecond timestamp in the high bits, so ids sort in
creation order and index well in SQLite and PostgreSQL. Python gains ``uuid.uuid7`` only in
3.14; until then this module builds them. Within one millisecond a 12-bit counter in
``rand_a`` keeps ids from one process strictly increasing (RFC 9562 section 6.2, method 1).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import NewType

PatientId = NewType("PatientId", str)
CaseId = NewType("CaseId", str)
ObservationId = NewType("ObservationId", str)
AttachmentId = NewType("AttachmentId", str)
UserId = NewType("UserId", str)
OpId = NewType("OpId", str)

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """A new UUIDv7; ``now_ms`` (Unix milliseconds) is for tests."""
    global _last_ms, _counter
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    with _lock:
        if ms <= _last_ms:
            # Same millisecond (or the clock stepped back): keep ordering by counting on.
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        else:
            _last_ms = ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF  # leave headroom
        counter = _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def new_id() -> str:
    """A new id as the canonical 36-character string stored and sent everywhere."""
    return str(uuid7())


def id_time_ms(record_id: str) -> int:
    """The Unix millisecond timestamp embedded in a UUIDv7 id."""
    return uuid.UUID(record_id).int >> 80
