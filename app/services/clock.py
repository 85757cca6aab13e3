"""The services' notion of time: an injectable UTC clock, and "today" where the spoke is.

Threading: pure functions; safe from any thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def local_today(clock: Clock) -> date:
    """The calendar date at the spoke (ages and "today" follow the wall calendar there)."""
    return clock().astimezone().date()
