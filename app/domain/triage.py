"""The specialist's queue order: which waiting case is seen first.

Three bands, by the clinic's priority and the case's NEWS2 (RCP NEWS2 2017, Chart 2 "NEWS
thresholds and triggers"; the standards reference, section 3.2):

- IMMEDIATE: priority "emergency", or an applicable NEWS2 total of 7 or more (RCP: "high
  clinical risk", emergency assessment);
- URGENT: priority "urgent", or a NEWS2 total of 5-6 ("medium", urgent response), or 3 in any
  single parameter (the "red score": urgent ward-based response);
- ROUTINE: everything else (a total of 0-4 with no single 3). A priority this module does not
  know counts as routine; the vitals can still lift the case.

A NEWS2 that is not applicable (under 16: ``News2Result.applicable`` is False) does not move
the band; its total still orders cases within one. Inside a band: the higher NEWS2 total first
(a case without a score after every scored one), then the longest waiting first.

Contract: pure functions, thread-safe.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Final

from app.domain.news2 import News2Result

HIGH_TOTAL: Final = 7  # RCP NEWS2 2017: aggregate 7 or more, high clinical risk
MEDIUM_TOTAL: Final = 5  # aggregate 5-6, medium clinical risk
RED_SCORE: Final = 3  # 3 in any single parameter


class Band(IntEnum):
    """Lower is seen sooner."""

    IMMEDIATE = 0
    URGENT = 1
    ROUTINE = 2


def red_score(result: News2Result) -> bool:
    """3 in any single parameter (RCP NEWS2's "red score")."""
    return any(score >= RED_SCORE for score in result.scores.values())


def band(priority: str, news2: News2Result | None) -> Band:
    """The case's band from the clinic's ``priority`` and its NEWS2 (None: no vitals)."""
    scored = news2 is not None and news2.applicable
    if priority == "emergency" or (scored and news2 is not None and news2.total >= HIGH_TOTAL):
        return Band.IMMEDIATE
    if priority == "urgent":
        return Band.URGENT
    if scored and news2 is not None and (news2.total >= MEDIUM_TOTAL or red_score(news2)):
        return Band.URGENT
    return Band.ROUTINE


def sort_key(
    priority: str, news2: News2Result | None, waiting_since: datetime
) -> tuple[int, int, datetime]:
    """``sorted(cases, key=...)`` puts the most urgent first: band, then the higher NEWS2
    total (no score counts as -1), then the earlier ``waiting_since``."""
    total = -1 if news2 is None else news2.total
    return (int(band(priority, news2)), -total, waiting_since)
