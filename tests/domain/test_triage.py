"""The specialist's queue order (app.domain.triage): bands at the NEWS2 thresholds of RCP
NEWS2 2017 (standards reference section 3.2), and the order inside a band."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain import news2 as n2
from app.domain import vitals
from app.domain.ids import CaseId, ObservationId, UserId
from app.domain.models import Observation
from app.domain.news2 import News2Inputs, News2Result
from app.domain.triage import Band, band, sort_key

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def result(total: int, *, red: bool = False, applicable: bool = True) -> News2Result:
    """A NEWS2 result with ``total``; ``red``: one parameter scores 3 (the rest make up the
    total, so a red score never also crosses a total threshold by accident)."""
    names = ("resp_rate", "spo2", "air_or_oxygen", "systolic", "pulse", "temperature")
    scores = dict.fromkeys(names, 0)
    left = total
    if red:
        scores["pulse"], left = 3, total - 3
    for name in names:
        if scores[name] == 0:
            scores[name] = min(2, left)
            left -= scores[name]
    assert left == 0 and sum(scores.values()) == total
    return News2Result(total, scores, (), "low", False, applicable)


@pytest.mark.parametrize(
    ("total", "expected"),
    [(0, Band.ROUTINE), (4, Band.ROUTINE), (5, Band.URGENT), (6, Band.URGENT),
     (7, Band.IMMEDIATE), (12, Band.IMMEDIATE)],
)  # fmt: skip
def test_total_thresholds_for_a_routine_case(total: int, expected: Band) -> None:
    assert band("routine", result(total)) is expected


def test_a_single_three_is_urgent_even_with_a_low_total() -> None:
    assert band("routine", result(3, red=True)) is Band.URGENT
    assert band("routine", result(3)) is Band.ROUTINE  # the same total spread out


def test_the_real_score_at_the_boundaries() -> None:
    """Through news2() itself: 6 vs 7, 4 vs 5, and a single 3."""
    base = News2Inputs(resp_rate=16, spo2=97, systolic=120, pulse=70, temperature_c=37.0)

    def scored(**changes: float) -> News2Result:
        return n2.news2(replace(base, **changes), 40)  # type: ignore[arg-type]

    four = scored(resp_rate=22, pulse=95, spo2=95)  # 2 + 1 + 1
    five = scored(resp_rate=22, pulse=95, spo2=95, temperature_c=38.5)  # + 1
    six = scored(resp_rate=22, pulse=115, spo2=95, temperature_c=38.5)  # 2 + 2 + 1 + 1
    seven = scored(resp_rate=22, pulse=115, spo2=93, temperature_c=38.5)  # 2 + 2 + 2 + 1
    red = scored(systolic=88)  # a single 3
    assert [r.total for r in (four, five, six, seven, red)] == [4, 5, 6, 7, 3]
    assert band("routine", four) is Band.ROUTINE
    assert band("routine", five) is Band.URGENT
    assert band("routine", six) is Band.URGENT
    assert band("routine", seven) is Band.IMMEDIATE
    assert band("routine", red) is Band.URGENT


def test_priority_sets_the_floor() -> None:
    assert band("emergency", None) is Band.IMMEDIATE
    assert band("emergency", result(0)) is Band.IMMEDIATE
    assert band("urgent", None) is Band.URGENT
    assert band("urgent", result(0)) is Band.URGENT
    assert band("urgent", result(7)) is Band.IMMEDIATE
    assert band("routine", None) is Band.ROUTINE


def test_an_unknown_priority_counts_as_routine() -> None:
    assert band("whenever", None) is Band.ROUTINE
    assert band("", result(2)) is Band.ROUTINE
    assert band("EMERGENCY", None) is Band.ROUTINE  # priorities are lower-case keys
    assert band("whenever", result(5)) is Band.URGENT  # the vitals still lift it


def test_a_score_that_does_not_apply_does_not_lift_the_band() -> None:
    assert band("routine", result(9, applicable=False)) is Band.ROUTINE
    assert band("routine", result(3, red=True, applicable=False)) is Band.ROUTINE


def test_emergency_beats_a_news2_of_six() -> None:
    cases = [
        ("urgent-6", "urgent", result(6), T0),
        ("emergency", "emergency", None, T0 + timedelta(hours=1)),
        ("routine-6", "routine", result(6), T0 - timedelta(hours=1)),
    ]
    order = sorted(cases, key=lambda c: sort_key(c[1], c[2], c[3]))
    assert [c[0] for c in order] == ["emergency", "routine-6", "urgent-6"]


def test_inside_a_band_higher_total_then_longest_waiting() -> None:
    cases = [
        ("late-5", "routine", result(5), T0 + timedelta(minutes=30)),
        ("early-5", "routine", result(5), T0),
        ("six", "routine", result(6), T0 + timedelta(hours=2)),
        ("urgent-unscored", "urgent", None, T0 - timedelta(days=1)),
        ("urgent-zero", "urgent", result(0), T0 + timedelta(hours=3)),
    ]
    order = sorted(cases, key=lambda c: sort_key(c[1], c[2], c[3]))
    # No score counts as -1: after a score of 0 however long it waited.
    assert [c[0] for c in order] == ["six", "early-5", "late-5", "urgent-zero", "urgent-unscored"]


def test_waiting_time_breaks_ties() -> None:
    a = sort_key("routine", result(2), T0 + timedelta(seconds=1))
    b = sort_key("routine", result(2), T0)
    assert b < a
    assert sort_key("routine", None, T0) < sort_key("routine", None, T0 + timedelta(seconds=1))


def test_a_score_from_observations() -> None:
    """The path the hub takes: observations -> inputs -> news2 -> band."""
    taken = T0

    def obs(code: str, value: float, unit: str) -> Observation:
        return Observation(
            ObservationId(f"o-{code}"), CaseId("c"), code, value, unit, taken, UserId("u")
        )

    items = [obs(vitals.PULSE, 135, "/min"), obs(vitals.SPO2, 97, "%")]
    score = n2.news2(n2.inputs_from_observations(items, False, "alert"), 50)
    assert score.scores["pulse"] == 3 and band("routine", score) is Band.URGENT
