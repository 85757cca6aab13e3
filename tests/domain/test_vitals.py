"""Vital signs: catalogue, unit conversion, hard limits (refuse) and flags (highlight)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import vitals
from app.domain.errors import DomainError, ImplausibleValue
from app.domain.vitals import (
    VITALS,
    Flag,
    assess,
    bmi,
    check_bp,
    convert,
    format_value,
    limits,
    to_canonical,
    vital,
)


def refused(code: str, value: float, unit: str, age: int | None = None) -> ImplausibleValue:
    with pytest.raises(ImplausibleValue) as info:
        assess(code, value, unit, age)
    return info.value


# --- catalogue ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "canonical", "units"),
    [
        ("8480-6", "mm[Hg]", ("mm[Hg]",)),
        ("8462-4", "mm[Hg]", ("mm[Hg]",)),
        ("8867-4", "/min", ("/min",)),
        ("9279-1", "/min", ("/min",)),
        ("2708-6", "%", ("%",)),
        ("8310-5", "Cel", ("Cel", "[degF]")),
        ("29463-7", "kg", ("kg", "[lb_av]", "g")),
        ("8302-2", "cm", ("cm", "[in_i]")),
        ("39156-5", "kg/m2", ("kg/m2",)),
        ("41653-7", "mg/dL", ("mg/dL", "mmol/L")),
        ("41604-0", "mg/dL", ("mg/dL", "mmol/L")),
        ("56072-2", "cm", ("cm",)),
    ],
)
def test_catalogue_codes_and_units(code: str, canonical: str, units: tuple[str, ...]) -> None:
    v = vital(code)
    assert v.code == code
    assert v.canonical_unit == canonical
    assert v.units == units
    assert v.units[0] == v.canonical_unit


def test_catalogue_is_keyed_by_loinc_and_keys_are_unique() -> None:
    assert all(code == v.code for code, v in VITALS.items())
    assert len({v.key for v in VITALS.values()}) == len(VITALS)
    assert vital(vitals.BMI).computed


def test_unknown_vital() -> None:
    with pytest.raises(DomainError) as info:
        vital("1234-5")
    assert info.value.code == "vital.unknown"
    assert info.value.params == {"code": "1234-5"}


def test_only_resp_rate_is_whole_numbers_only() -> None:
    assert [v.key for v in VITALS.values() if v.integer_only] == ["resp_rate"]


# --- conversion --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (98.6, "[degF]", "Cel", 37.0),
        (101.3, "[degF]", "Cel", 38.5),
        (111.2, "[degF]", "Cel", 44.0),
        (30.0, "Cel", "[degF]", 86.0),
        (-40.0, "Cel", "[degF]", -40.0),
        (1.0, "[lb_av]", "kg", 0.45359237),
        (3500.0, "g", "kg", 3.5),
        (10.0, "[in_i]", "cm", 25.4),
        (5.5, "mmol/L", "mg/dL", 99.088),
        (180.16, "mg/dL", "mmol/L", 10.0),
        (120.0, "mm[Hg]", "mm[Hg]", 120.0),
    ],
)
def test_convert(value: float, src: str, dst: str, expected: float) -> None:
    assert convert(value, src, dst) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("src", "dst"), [("Cel", "kg"), ("mg/dL", "%"), ("furlong", "cm")])
def test_convert_refuses_other_dimensions(src: str, dst: str) -> None:
    with pytest.raises(DomainError) as info:
        convert(1.0, src, dst)
    assert info.value.code == "vital.unit"


def test_same_unknown_unit_is_refused() -> None:
    with pytest.raises(DomainError):
        convert(1.0, "stone", "stone")


pairs = st.sampled_from(
    [("Cel", "[degF]"), ("kg", "[lb_av]"), ("kg", "g"), ("cm", "[in_i]"), ("mg/dL", "mmol/L")]
)


@given(pairs, st.floats(min_value=-1000, max_value=10000, allow_nan=False))
def test_conversion_round_trip(pair: tuple[str, str], value: float) -> None:
    a, b = pair
    assert convert(convert(value, a, b), b, a) == pytest.approx(value, rel=1e-12, abs=1e-9)


@given(st.floats(min_value=30.0, max_value=44.0))
def test_fahrenheit_is_monotonic(celsius: float) -> None:
    f = convert(celsius, "Cel", "[degF]")
    assert f == pytest.approx(celsius * 9 / 5 + 32)


def test_to_canonical_checks_the_unit() -> None:
    assert to_canonical(vitals.WEIGHT, 110.0, "[lb_av]") == pytest.approx(49.8951607)
    with pytest.raises(DomainError) as info:
        to_canonical(vitals.PULSE, 80, "mm[Hg]")
    assert info.value.code == "vital.unit"
    assert info.value.params["allowed"] == "/min"


# --- the scenarios -----------------------------------------------------------------------------


def test_1013_fahrenheit_is_refused_with_the_fahrenheit_limit() -> None:
    e = refused(vitals.TEMPERATURE, 1013, "[degF]")
    assert e.code == "vital.above_limit"
    assert e.params == {
        "name": "Temperature",
        "value": 1013,
        "unit": "[degF]",
        "limit": 111.2,
        "limit_unit": "[degF]",
    }
    assert e.field == "temperature"
    assert "Temperature" in e.message
    assert "1013" in e.message
    assert "111.2 °F" in e.message


def test_101_3_fahrenheit_is_38_5_celsius_and_abnormal() -> None:
    a = assess(vitals.TEMPERATURE, 101.3, "[degF]")
    assert a.value == 101.3
    assert a.unit == "[degF]"
    assert a.canonical_value == 38.5
    assert a.canonical_unit == "Cel"
    assert a.flag is Flag.ABNORMAL
    assert a.reason == "high"


# --- hard limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "unit", "low", "high"),
    [
        (vitals.SYSTOLIC, "mm[Hg]", 50, 300),
        (vitals.DIASTOLIC, "mm[Hg]", 20, 200),
        (vitals.PULSE, "/min", 20, 250),
        (vitals.RESP_RATE, "/min", 4, 70),
        (vitals.SPO2, "%", 50, 100),
        (vitals.TEMPERATURE, "Cel", 30.0, 44.0),
        (vitals.TEMPERATURE, "[degF]", 86.0, 111.2),
        (vitals.WEIGHT, "kg", 0.5, 300),
        (vitals.HEIGHT, "cm", 30, 250),
        (vitals.GLUCOSE_RANDOM, "mg/dL", 20, 800),
        (vitals.GLUCOSE_RANDOM, "mmol/L", 1.1, 44.4),
        (vitals.GLUCOSE_FASTING, "mg/dL", 20, 800),
        (vitals.GLUCOSE_FASTING, "mmol/L", 1.1, 44.4),
    ],
)
def test_hard_limits_from_the_reference(code: str, unit: str, low: float, high: float) -> None:
    """§3.1: the limit itself is accepted, one step beyond is refused, quoting the limit."""
    step = 10.0 ** -vitals.unit_decimals(unit)
    assess(code, low, unit)
    assess(code, high, unit)
    below = refused(code, round(low - step, 3), unit)
    assert below.code == "vital.below_limit"
    assert below.params["limit"] == low
    assert below.params["limit_unit"] == unit
    above = refused(code, round(high + step, 3), unit)
    assert above.code == "vital.above_limit"
    assert above.params["limit"] == high
    assert above.params["name"] == vital(code).name


def test_converted_limits_are_quoted_in_the_typed_unit_and_are_accepted() -> None:
    e = refused(vitals.WEIGHT, 0.4, "[lb_av]")
    assert e.params["limit"] == 1.2  # 0.5 kg = 1.102 lb, rounded inwards
    assert e.params["limit_unit"] == "[lb_av]"
    assess(vitals.WEIGHT, 1.2, "[lb_av]")
    e = refused(vitals.WEIGHT, 300_001, "g")
    assert e.params["limit"] == 300_000
    e = refused(vitals.HEIGHT, 99, "[in_i]")
    assert e.params["limit"] == 98.4  # 250 cm = 98.43 in
    assess(vitals.HEIGHT, 98.4, "[in_i]")


def test_adult_weight_and_height_limits() -> None:
    e = refused(vitals.WEIGHT, 15, "kg", age=30)
    assert e.code == "vital.below_limit"
    assert e.params["limit"] == 20
    assess(vitals.WEIGHT, 15, "kg", 5)  # a child
    assess(vitals.WEIGHT, 15, "kg")  # age unknown: only the all-ages limit
    assert refused(vitals.HEIGHT, 95, "cm", age=16).params["limit"] == 100
    assess(vitals.HEIGHT, 95, "cm", 15)
    assert limits(vitals.WEIGHT, "[lb_av]", 40).hard_low == 44.1


def test_hard_limits_apply_to_children() -> None:
    assert refused(vitals.PULSE, 260, "/min", age=1).code == "vital.above_limit"


@pytest.mark.parametrize("value", [86, 98.6, 101.3, 112])
def test_fahrenheit_value_in_a_celsius_field(value: float) -> None:
    e = refused(vitals.TEMPERATURE, value, "Cel")
    assert e.code == "vital.probably_fahrenheit"
    assert e.params["value"] == value


@pytest.mark.parametrize("value", [85.9, 112.1, 45])
def test_impossible_celsius_outside_the_fahrenheit_window(value: float) -> None:
    assert refused(vitals.TEMPERATURE, value, "Cel").code == "vital.above_limit"


def test_resp_rate_must_be_whole() -> None:
    e = refused(vitals.RESP_RATE, 18.5, "/min")
    assert e.code == "vital.not_integer"
    assert e.params == {"name": "Respiratory rate", "value": 18.5}
    assert assess(vitals.RESP_RATE, 18.0, "/min").flag is Flag.NORMAL


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_not_a_number_is_refused(value: float) -> None:
    assert refused(vitals.PULSE, value, "/min").code == "vital.not_a_number"


def test_wrong_unit_for_the_vital() -> None:
    with pytest.raises(DomainError) as info:
        assess(vitals.TEMPERATURE, 38, "kg")
    assert info.value.code == "vital.unit"
    assert info.value.params["allowed"] == "Cel, [degF]"


# --- flags -------------------------------------------------------------------------------------

U, A, N = Flag.URGENT, Flag.ABNORMAL, Flag.NORMAL


@pytest.mark.parametrize(
    ("code", "value", "unit", "flag", "reason"),
    [
        # systolic: abnormal >= 140 or < 100; urgent >= 180 or <= 90
        (vitals.SYSTOLIC, 90, "mm[Hg]", U, "very_low"),
        (vitals.SYSTOLIC, 91, "mm[Hg]", A, "low"),
        (vitals.SYSTOLIC, 99, "mm[Hg]", A, "low"),
        (vitals.SYSTOLIC, 100, "mm[Hg]", N, ""),
        (vitals.SYSTOLIC, 139, "mm[Hg]", N, ""),
        (vitals.SYSTOLIC, 140, "mm[Hg]", A, "high"),
        (vitals.SYSTOLIC, 179, "mm[Hg]", A, "high"),
        (vitals.SYSTOLIC, 180, "mm[Hg]", U, "very_high"),
        # diastolic: abnormal >= 90 or < 60; urgent >= 110
        (vitals.DIASTOLIC, 59, "mm[Hg]", A, "low"),
        (vitals.DIASTOLIC, 60, "mm[Hg]", N, ""),
        (vitals.DIASTOLIC, 89, "mm[Hg]", N, ""),
        (vitals.DIASTOLIC, 90, "mm[Hg]", A, "high"),
        (vitals.DIASTOLIC, 110, "mm[Hg]", U, "very_high"),
        # pulse: abnormal < 51 or > 90; urgent <= 40 or >= 131
        (vitals.PULSE, 40, "/min", U, "very_low"),
        (vitals.PULSE, 41, "/min", A, "low"),
        (vitals.PULSE, 50, "/min", A, "low"),
        (vitals.PULSE, 51, "/min", N, ""),
        (vitals.PULSE, 90, "/min", N, ""),
        (vitals.PULSE, 91, "/min", A, "high"),
        (vitals.PULSE, 130, "/min", A, "high"),
        (vitals.PULSE, 131, "/min", U, "very_high"),
        # respiratory rate: abnormal < 12 or > 20; urgent <= 8 or >= 25
        (vitals.RESP_RATE, 8, "/min", U, "very_low"),
        (vitals.RESP_RATE, 9, "/min", A, "low"),
        (vitals.RESP_RATE, 11, "/min", A, "low"),
        (vitals.RESP_RATE, 12, "/min", N, ""),
        (vitals.RESP_RATE, 20, "/min", N, ""),
        (vitals.RESP_RATE, 21, "/min", A, "high"),
        (vitals.RESP_RATE, 25, "/min", U, "very_high"),
        # SpO2: abnormal <= 95; urgent <= 91
        (vitals.SPO2, 91, "%", U, "very_low"),
        (vitals.SPO2, 92, "%", A, "low"),
        (vitals.SPO2, 95, "%", A, "low"),
        (vitals.SPO2, 96, "%", N, ""),
        (vitals.SPO2, 100, "%", N, ""),
        # temperature °C: abnormal <= 36.0 or >= 38.1; urgent <= 35.0 or >= 39.1
        (vitals.TEMPERATURE, 35.0, "Cel", U, "very_low"),
        (vitals.TEMPERATURE, 35.1, "Cel", A, "low"),
        (vitals.TEMPERATURE, 36.0, "Cel", A, "low"),
        (vitals.TEMPERATURE, 36.1, "Cel", N, ""),
        (vitals.TEMPERATURE, 38.0, "Cel", N, ""),
        (vitals.TEMPERATURE, 38.1, "Cel", A, "high"),
        (vitals.TEMPERATURE, 39.0, "Cel", A, "high"),
        (vitals.TEMPERATURE, 39.1, "Cel", U, "very_high"),
        # temperature °F, §3.1's own figures: <= 96.8 / >= 100.6; <= 95.0 / >= 102.4
        (vitals.TEMPERATURE, 95.0, "[degF]", U, "very_low"),
        (vitals.TEMPERATURE, 95.1, "[degF]", A, "low"),
        (vitals.TEMPERATURE, 96.8, "[degF]", A, "low"),
        (vitals.TEMPERATURE, 96.9, "[degF]", N, ""),
        (vitals.TEMPERATURE, 98.6, "[degF]", N, ""),
        (vitals.TEMPERATURE, 100.5, "[degF]", N, ""),
        (vitals.TEMPERATURE, 100.6, "[degF]", A, "high"),
        (vitals.TEMPERATURE, 102.3, "[degF]", A, "high"),
        (vitals.TEMPERATURE, 102.4, "[degF]", U, "very_high"),
        # random glucose mg/dL: abnormal < 70 or >= 200; urgent < 54 or >= 300
        (vitals.GLUCOSE_RANDOM, 53, "mg/dL", U, "very_low"),
        (vitals.GLUCOSE_RANDOM, 54, "mg/dL", A, "low"),
        (vitals.GLUCOSE_RANDOM, 69, "mg/dL", A, "low"),
        (vitals.GLUCOSE_RANDOM, 70, "mg/dL", N, ""),
        (vitals.GLUCOSE_RANDOM, 199, "mg/dL", N, ""),
        (vitals.GLUCOSE_RANDOM, 200, "mg/dL", A, "high"),
        (vitals.GLUCOSE_RANDOM, 300, "mg/dL", U, "very_high"),
        # glucose mmol/L: abnormal < 3.9 or >= 11.1; urgent < 3.0 or >= 16.7
        (vitals.GLUCOSE_RANDOM, 2.9, "mmol/L", U, "very_low"),
        (vitals.GLUCOSE_RANDOM, 3.0, "mmol/L", A, "low"),
        (vitals.GLUCOSE_RANDOM, 3.8, "mmol/L", A, "low"),
        (vitals.GLUCOSE_RANDOM, 3.9, "mmol/L", N, ""),
        (vitals.GLUCOSE_RANDOM, 11.0, "mmol/L", N, ""),
        (vitals.GLUCOSE_RANDOM, 11.1, "mmol/L", A, "high"),
        (vitals.GLUCOSE_RANDOM, 16.7, "mmol/L", U, "very_high"),
        # fasting glucose: 100-125 and >= 126 abnormal, < 54 urgent
        (vitals.GLUCOSE_FASTING, 99, "mg/dL", N, ""),
        (vitals.GLUCOSE_FASTING, 100, "mg/dL", A, "high"),
        (vitals.GLUCOSE_FASTING, 126, "mg/dL", A, "high"),
        (vitals.GLUCOSE_FASTING, 53, "mg/dL", U, "very_low"),
        (vitals.GLUCOSE_FASTING, 5.5, "mmol/L", N, ""),
        (vitals.GLUCOSE_FASTING, 5.6, "mmol/L", A, "high"),
        # BMI, Asian cut-offs: < 18.5, >= 23 abnormal; < 16 or >= 35 urgent
        (vitals.BMI, 15.9, "kg/m2", U, "very_low"),
        (vitals.BMI, 16.0, "kg/m2", A, "low"),
        (vitals.BMI, 18.4, "kg/m2", A, "low"),
        (vitals.BMI, 18.5, "kg/m2", N, ""),
        (vitals.BMI, 22.9, "kg/m2", N, ""),
        (vitals.BMI, 23.0, "kg/m2", A, "high"),
        (vitals.BMI, 34.9, "kg/m2", A, "high"),
        (vitals.BMI, 35.0, "kg/m2", U, "very_high"),
        # no flags in §3.1
        (vitals.WEIGHT, 120, "kg", N, ""),
        (vitals.HEIGHT, 150, "cm", N, ""),
        (vitals.MUAC, 20, "cm", N, ""),
    ],
)
def test_adult_flags(code: str, value: float, unit: str, flag: Flag, reason: str) -> None:
    a = assess(code, value, unit, 40)
    assert (a.flag, a.reason) == (flag, reason)
    # Unknown age is judged as an adult.
    assert assess(code, value, unit).flag is flag


@pytest.mark.parametrize("age", [0, 5, 15])
def test_no_adult_flags_under_16(age: int) -> None:
    a = assess(vitals.PULSE, 140, "/min", age)
    assert a.flag is Flag.NOT_ASSESSED
    assert a.reason == ""
    assert a.canonical_value == 140


def test_flags_from_16() -> None:
    assert assess(vitals.PULSE, 140, "/min", 16).flag is Flag.URGENT


def test_canonical_value_is_rounded_to_the_vitals_decimals() -> None:
    assert assess(vitals.WEIGHT, 110, "[lb_av]").canonical_value == 49.9
    assert assess(vitals.GLUCOSE_RANDOM, 5.5, "mmol/L").canonical_value == 99


def test_flags_for_units_without_own_figures_use_the_canonical_value() -> None:
    # 2500 g is judged as 2.5 kg: weight has no flags, so it stays normal.
    assert assess(vitals.WEIGHT, 2500, "g").flag is Flag.NORMAL


# --- blood pressure pair, BMI, formatting ------------------------------------------------------


def test_check_bp_order() -> None:
    check_bp(120, 80)
    for systolic, diastolic in [(80, 120), (90, 90)]:
        with pytest.raises(ImplausibleValue) as info:
            check_bp(systolic, diastolic)
        assert info.value.code == "vital.bp_order"
        assert info.value.params == {"systolic": systolic, "diastolic": diastolic}


def test_bmi() -> None:
    assert bmi(70, 175) == 22.9
    assert bmi(50, 160) == 19.5
    with pytest.raises(ImplausibleValue):
        bmi(70, 0)


@pytest.mark.parametrize(
    ("code", "value", "unit", "text"),
    [
        (vitals.SYSTOLIC, 120.0, None, "120"),
        (vitals.TEMPERATURE, 38.46, None, "38.5"),
        (vitals.TEMPERATURE, 101.3, "[degF]", "101.3"),
        (vitals.WEIGHT, 3500, "g", "3500"),
        (vitals.GLUCOSE_RANDOM, 5.56, "mmol/L", "5.6"),
        (vitals.GLUCOSE_RANDOM, 99.1, "mg/dL", "99"),
    ],
)
def test_format_value(code: str, value: float, unit: str | None, text: str) -> None:
    assert format_value(code, value, unit) == text


def test_a_reading_is_checked_as_a_whole_and_every_refusal_is_listed() -> None:
    from app.domain.vitals import DIASTOLIC, PULSE, SYSTOLIC, assess_reading

    good, none = assess_reading([(SYSTOLIC, 150, "mm[Hg]"), (DIASTOLIC, 95, "mm[Hg]")], 40)
    assert [a.canonical_value for a in good] == [150, 95] and none == []
    _, problems = assess_reading(
        [(SYSTOLIC, 80, "mm[Hg]"), (DIASTOLIC, 120, "mm[Hg]"), (PULSE, 400, "/min")]
    )
    assert [p.code for p in problems] == ["vital.above_limit", "vital.bp_order"]
