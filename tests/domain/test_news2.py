"""NEWS2 (RCP 2017, Chart 1; standards.md §3.2): every band boundary, totals, risk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain import vitals
from app.domain.ids import CaseId, ObservationId, UserId
from app.domain.models import Observation, ObservationStatus
from app.domain.news2 import News2Inputs, inputs_from_observations, news2

# All parameters present and scoring 0.
CALM = News2Inputs(
    resp_rate=16,
    spo2=98,
    on_oxygen=False,
    systolic=120,
    pulse=70,
    consciousness="alert",
    temperature_c=37.0,
)


def score_of(name: str, **change: object) -> int:
    return news2(replace(CALM, **change)).scores[name]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "score"),
    [(4, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (40, 3)],
)
def test_resp_rate_bands(value: int, score: int) -> None:
    assert score_of("resp_rate", resp_rate=value) == score


@pytest.mark.parametrize(
    ("value", "score"), [(85, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
)
def test_spo2_scale1_bands(value: int, score: int) -> None:
    assert score_of("spo2", spo2=value) == score
    # Scale 1 scores the same on oxygen (oxygen itself scores separately).
    assert score_of("spo2", spo2=value, on_oxygen=True) == score


@pytest.mark.parametrize(
    ("value", "on_oxygen", "score"),
    [
        (83, False, 3),
        (84, False, 2),
        (85, False, 2),
        (86, False, 1),
        (87, False, 1),
        (88, False, 0),
        (92, False, 0),
        (93, False, 0),  # >= 93 on air
        (100, False, 0),
        (88, True, 0),
        (92, True, 0),
        (93, True, 1),
        (94, True, 1),
        (95, True, 2),
        (96, True, 2),
        (97, True, 3),
        (100, True, 3),
        (83, True, 3),
    ],
)
def test_spo2_scale2_bands(value: int, on_oxygen: bool, score: int) -> None:
    result = news2(replace(CALM, spo2=value, on_oxygen=on_oxygen, spo2_scale2=True))
    assert result.scores["spo2"] == score


def test_air_or_oxygen() -> None:
    assert score_of("air_or_oxygen", on_oxygen=False) == 0
    assert score_of("air_or_oxygen", on_oxygen=True) == 2


@pytest.mark.parametrize(
    ("value", "score"),
    [(70, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_systolic_bands(value: int, score: int) -> None:
    assert score_of("systolic", systolic=value) == score


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (30, 3),
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
        (180, 3),
    ],
)
def test_pulse_bands(value: int, score: int) -> None:
    assert score_of("pulse", pulse=value) == score


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (34.0, 3),
        (35.0, 3),
        (35.1, 1),
        (36.0, 1),
        (36.1, 0),
        (38.0, 0),
        (38.1, 1),
        (39.0, 1),
        (39.1, 2),
        (41.0, 2),
    ],
)
def test_temperature_bands(value: float, score: int) -> None:
    assert score_of("temperature", temperature_c=value) == score


@pytest.mark.parametrize(
    ("level", "score"),
    [
        ("alert", 0),
        ("Alert", 0),
        ("confusion", 3),
        ("voice", 3),
        ("pain", 3),
        ("unresponsive", 3),
        ("", 3),  # unknown: err towards escalation
    ],
)
def test_consciousness(level: str, score: int) -> None:
    assert score_of("consciousness", consciousness=level) == score


def test_calm_adult_scores_zero() -> None:
    result = news2(CALM, 40)
    assert result.total == 0
    assert result.risk == "low"
    assert not result.urgent
    assert result.applicable
    assert result.missing == ()
    assert set(result.scores) == {
        "resp_rate",
        "spo2",
        "air_or_oxygen",
        "systolic",
        "pulse",
        "consciousness",
        "temperature",
    }


def test_low_total_one_to_four() -> None:
    result = news2(replace(CALM, resp_rate=21, pulse=95, temperature_c=38.5))  # 2 + 1 + 1
    assert result.total == 4
    assert result.risk == "low"
    assert not result.urgent


def test_a_single_three_is_low_medium_and_urgent() -> None:
    result = news2(replace(CALM, consciousness="voice"))
    assert result.total == 3
    assert result.risk == "low_medium"
    assert result.urgent


def test_five_is_medium_and_urgent() -> None:
    result = news2(replace(CALM, resp_rate=22, pulse=115, temperature_c=38.5))  # 2 + 2 + 1
    assert result.total == 5
    assert result.risk == "medium"
    assert result.urgent


def test_six_is_medium() -> None:
    result = news2(replace(CALM, resp_rate=22, pulse=115, spo2=94, temperature_c=38.5))
    assert result.total == 6
    assert result.risk == "medium"


def test_seven_or_more_is_high() -> None:
    result = news2(replace(CALM, resp_rate=26, spo2=90, systolic=88, pulse=135))  # 3+3+3+3
    assert result.total == 12
    assert result.risk == "high"
    assert result.urgent


def test_worst_case_is_twenty() -> None:
    worst = News2Inputs(
        resp_rate=5,
        spo2=80,
        on_oxygen=True,
        systolic=80,
        pulse=30,
        consciousness="unresponsive",
        temperature_c=34.0,
    )
    assert news2(worst).total == 3 + 3 + 2 + 3 + 3 + 3 + 3 == 20


def test_missing_parameters_are_listed_and_score_nothing() -> None:
    result = news2(News2Inputs(pulse=135))
    assert result.total == 3
    assert result.missing == ("resp_rate", "spo2", "systolic", "temperature")
    assert result.urgent
    assert not result.complete


def test_not_applicable_under_16() -> None:
    result = news2(replace(CALM, pulse=135, resp_rate=30), 15)
    assert not result.applicable
    assert not result.urgent
    assert news2(replace(CALM, pulse=135), 16).applicable


# --- from observations -------------------------------------------------------------------------

T0 = datetime(2025, 3, 15, 9, 0, tzinfo=UTC)


def obs(
    n: int, code: str, value: float, unit: str, minutes: int = 0, *, final: bool = True
) -> Observation:
    return Observation(
        id=ObservationId(f"o{n:03d}"),
        case_id=CaseId("c1"),
        code=code,
        value=value,
        unit=unit,
        taken_at=T0 + timedelta(minutes=minutes),
        recorded_by=UserId("u1"),
        status=ObservationStatus.FINAL if final else ObservationStatus.ENTERED_IN_ERROR,
    )


def test_inputs_from_observations_take_the_latest_final_reading() -> None:
    observations = [
        obs(1, vitals.PULSE, 80, "/min", 0),
        obs(2, vitals.PULSE, 120, "/min", 10),
        obs(3, vitals.PULSE, 140, "/min", 20, final=False),  # entered in error
        obs(4, vitals.TEMPERATURE, 101.3, "[degF]", 5),
        obs(5, vitals.SYSTOLIC, 118, "mm[Hg]", 5),
        obs(6, vitals.DIASTOLIC, 70, "mm[Hg]", 5),
        obs(7, vitals.SPO2, 97, "%", 5),
        obs(8, vitals.WEIGHT, 60, "kg", 5),
    ]
    inputs = inputs_from_observations(reversed(observations), on_oxygen=True, consciousness="pain")
    assert inputs.pulse == 120
    assert inputs.temperature_c == pytest.approx(38.5)
    assert inputs.systolic == 118
    assert inputs.spo2 == 97
    assert inputs.resp_rate is None
    assert inputs.on_oxygen
    assert inputs.consciousness == "pain"
    result = news2(inputs)
    # pulse 120 -> 2, temp 38.5 -> 1, sbp 118 -> 0, spo2 97 -> 0, oxygen 2, pain 3
    assert result.total == 8
    assert result.missing == ("resp_rate",)


def test_inputs_same_time_tie_breaks_on_id() -> None:
    observations = [obs(2, vitals.PULSE, 100, "/min"), obs(1, vitals.PULSE, 60, "/min")]
    assert inputs_from_observations(observations, False, "alert").pulse == 100


def test_no_observations() -> None:
    result = news2(inputs_from_observations([], False, "alert"))
    assert result.total == 0
    assert len(result.missing) == 5
