"""Vital signs: LOINC codes, UCUM units, unit conversion, plausibility limits and flags.

Two distinct checks (standards reference, section 3.1):
- **Hard limits** catch keying and unit mistakes. A value outside them is refused
  (``ImplausibleValue``) with the limit it broke, in the unit it was typed in; nothing is stored.
- **Flags** mark a plausible value as abnormal or urgent. A flagged value is always stored: a
  correct red-flag value must never be blocked (the UI asks for a confirm tick instead).

Limits and flag thresholds are kept in the canonical unit and are inclusive (``<=`` for the
low side, ``>=`` for the high side), compared after rounding to the vital's decimals, so
101.3 degF (38.5 Cel) is judged exactly as 38.5 Cel would be. The thresholds are the project's
engineering proposals (ASSUMED in the reference) and need a clinician's sign-off; adult flags
are not applied under 16 years.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import DomainError, ImplausibleValue

SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
PULSE = "8867-4"
RESP_RATE = "9279-1"
SPO2 = "2708-6"
TEMPERATURE = "8310-5"
WEIGHT = "29463-7"
HEIGHT = "8302-2"
BMI = "39156-5"
GLUCOSE_RANDOM = "41653-7"
GLUCOSE_FASTING = "41604-0"
MUAC = "56072-2"
BP_PANEL = "85354-9"  # groups systolic and diastolic in FHIR export

ADULT_AGE = 16


class Flag(StrEnum):
    NORMAL = "normal"
    ABNORMAL = "abnormal"
    URGENT = "urgent"
    NOT_ASSESSED = "not_assessed"


# unit -> (dimension, factor, offset): value_in_base = value * factor + offset
_UNITS: dict[str, tuple[str, float, float]] = {
    "mm[Hg]": ("pressure", 1.0, 0.0),
    "/min": ("rate", 1.0, 0.0),
    "%": ("fraction", 1.0, 0.0),
    "Cel": ("temperature", 1.0, 0.0),
    "[degF]": ("temperature", 5.0 / 9.0, -160.0 / 9.0),
    "kg": ("mass", 1.0, 0.0),
    "g": ("mass", 0.001, 0.0),
    "[lb_av]": ("mass", 0.45359237, 0.0),
    "cm": ("length", 1.0, 0.0),
    "[in_i]": ("length", 2.54, 0.0),
    "kg/m2": ("bmi", 1.0, 0.0),
    "mg/dL": ("glucose", 1.0, 0.0),
    # Glucose molar mass 180.16 g/mol: 1 mmol/L = 18.016 mg/dL (standards reference 2.1).
    "mmol/L": ("glucose", 18.016, 0.0),
}

UNIT_SYMBOLS: dict[str, str] = {
    "mm[Hg]": "mmHg",
    "/min": "/min",
    "%": "%",
    "Cel": "°C",
    "[degF]": "°F",
    "kg": "kg",
    "g": "g",
    "[lb_av]": "lb",
    "cm": "cm",
    "[in_i]": "in",
    "kg/m2": "kg/m²",
    "mg/dL": "mg/dL",
    "mmol/L": "mmol/L",
}


@dataclass(frozen=True, slots=True)
class VitalSign:
    code: str  # LOINC
    key: str
    name: str  # English; the UI translates by key
    canonical_unit: str  # UCUM
    units: tuple[str, ...]  # accepted input units, canonical first
    decimals: int  # in the canonical unit
    hard_low: float
    hard_high: float
    integer_only: bool = False
    urgent_low: float | None = None  # value <= this is urgent
    abnormal_low: float | None = None  # value <= this is abnormal
    abnormal_high: float | None = None  # value >= this is abnormal
    urgent_high: float | None = None  # value >= this is urgent


VITALS: dict[str, VitalSign] = {
    v.code: v
    for v in (
        VitalSign(SYSTOLIC, "systolic", "Systolic BP", "mm[Hg]", ("mm[Hg]",), 0, 50, 300,
                  True, 90, 99, 140, 180),
        VitalSign(DIASTOLIC, "diastolic", "Diastolic BP", "mm[Hg]", ("mm[Hg]",), 0, 20, 200,
                  True, None, 59, 90, 110),
        VitalSign(PULSE, "pulse", "Pulse", "/min", ("/min",), 0, 20, 250,
                  True, 40, 50, 91, 131),
        VitalSign(RESP_RATE, "resp_rate", "Respiratory rate", "/min", ("/min",), 0, 4, 70,
                  True, 8, 11, 21, 25),
        VitalSign(SPO2, "spo2", "SpO₂", "%", ("%",), 0, 50, 100,
                  True, 91, 95, None, None),
        VitalSign(TEMPERATURE, "temperature", "Temperature", "Cel", ("Cel", "[degF]"), 1,
                  30.0, 44.0, False, 35.0, 36.0, 38.1, 39.1),
        VitalSign(WEIGHT, "weight", "Weight", "kg", ("kg", "[lb_av]", "g"), 1, 0.5, 300),
        VitalSign(HEIGHT, "height", "Height", "cm", ("cm", "[in_i]"), 1, 30, 250),
        VitalSign(BMI, "bmi", "BMI", "kg/m2", ("kg/m2",), 1, 5, 100,
                  False, 15.9, 18.4, 23.0, 35.0),
        VitalSign(GLUCOSE_RANDOM, "glucose_random", "Blood glucose (random)", "mg/dL",
                  ("mg/dL", "mmol/L"), 0, 20, 800, False, 53, 69, 200, 300),
        VitalSign(GLUCOSE_FASTING, "glucose_fasting", "Blood glucose (fasting)", "mg/dL",
                  ("mg/dL", "mmol/L"), 0, 20, 800, False, 53, 69, 100, 300),
        VitalSign(MUAC, "muac", "Mid-upper arm circumference", "cm", ("cm",), 1, 5, 60),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Assessment:
    code: str
    value: float
    unit: str
    canonical_value: float
    canonical_unit: str
    flag: Flag
    reason: str  # "", "low", "very_low", "high", "very_high"


def vital(code: str) -> VitalSign:
    try:
        return VITALS[code]
    except KeyError:
        raise DomainError(
            "vital.unknown", f"Unknown vital sign code {code}.", {"code": code}
        ) from None


def convert(value: float, from_unit: str, to_unit: str) -> float:
    if from_unit == to_unit:
        return value
    src, dst = _UNITS.get(from_unit), _UNITS.get(to_unit)
    if src is None or dst is None or src[0] != dst[0]:
        raise DomainError(
            "vital.unit",
            f"Cannot convert {from_unit} to {to_unit}.",
            {"unit": from_unit, "allowed": to_unit},
        )
    base = value * src[1] + src[2]
    return (base - dst[2]) / dst[1]


def _check_unit(v: VitalSign, unit: str) -> None:
    if unit not in v.units:
        raise DomainError(
            "vital.unit",
            f"{v.name} cannot be given in {unit}; use {', '.join(v.units)}.",
            {"code": v.code, "unit": unit, "allowed": ", ".join(v.units)},
        )


def to_canonical(code: str, value: float, unit: str) -> float:
    v = vital(code)
    _check_unit(v, unit)
    return convert(value, unit, v.canonical_unit)


def format_value(code: str, value: float, unit: str | None = None) -> str:
    """The value with the vital's usual precision (one more decimal for converted units)."""
    v = vital(code)
    decimals = v.decimals if unit in (None, v.canonical_unit) else max(v.decimals, 1)
    if unit == "mmol/L":
        decimals = 1
    return f"{value:.{decimals}f}"


def _limit_in(v: VitalSign, limit: float, unit: str) -> float:
    return round(convert(limit, v.canonical_unit, unit), 1)


def assess(code: str, value: float, unit: str, age_years: int | None = None) -> Assessment:
    """Refuse an impossible value (``ImplausibleValue``) or flag a plausible one."""
    v = vital(code)
    _check_unit(v, unit)
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        raise ImplausibleValue(
            "vital.below_limit",
            f"{v.name}: not a number.",
            {"name": v.name, "value": value, "unit": unit, "limit": v.hard_low,
             "limit_unit": v.canonical_unit},
            field=v.key,
        )  # fmt: skip
    if v.integer_only and value != int(value):
        raise ImplausibleValue(
            "vital.not_integer",
            f"{v.name} is counted in whole numbers; {value:g} is not one.",
            {"name": v.name, "value": value},
            field=v.key,
        )
    if code == TEMPERATURE and unit == "Cel" and 86 <= value <= 112:
        raise ImplausibleValue(
            "vital.probably_fahrenheit",
            f"{value:g} °C is impossible; it looks like °F. Choose °F as the unit.",
            {"value": value},
            field=v.key,
        )
    canonical = convert(value, unit, v.canonical_unit)
    # Round away float noise (111.2 degF is 44.000000000000004 Cel) before judging the limits.
    exact = round(canonical, 6)
    if exact < v.hard_low or exact > v.hard_high:
        low = exact < v.hard_low
        limit = _limit_in(v, v.hard_low if low else v.hard_high, unit)
        symbol = UNIT_SYMBOLS.get(unit, unit)
        side = "below the lowest" if low else "above the highest"
        raise ImplausibleValue(
            "vital.below_limit" if low else "vital.above_limit",
            f"{v.name} {value:g} {symbol} is {side} possible value ({limit:g} {symbol}). "
            "Check the number and the unit.",
            {"name": v.name, "value": value, "unit": unit, "limit": limit, "limit_unit": unit},
            field=v.key,
        )
    rounded = round(canonical, v.decimals)
    flag, reason = Flag.NORMAL, ""
    if age_years is not None and age_years < ADULT_AGE:
        flag = Flag.NOT_ASSESSED
    elif v.urgent_low is not None and rounded <= v.urgent_low:
        flag, reason = Flag.URGENT, "very_low"
    elif v.urgent_high is not None and rounded >= v.urgent_high:
        flag, reason = Flag.URGENT, "very_high"
    elif v.abnormal_low is not None and rounded <= v.abnormal_low:
        flag, reason = Flag.ABNORMAL, "low"
    elif v.abnormal_high is not None and rounded >= v.abnormal_high:
        flag, reason = Flag.ABNORMAL, "high"
    return Assessment(code, value, unit, rounded, v.canonical_unit, flag, reason)


def check_bp(systolic: float, diastolic: float) -> None:
    """A pair where systolic is not above diastolic is a keying mistake (swapped fields)."""
    if systolic <= diastolic:
        raise ImplausibleValue(
            "vital.bp_order",
            f"Systolic ({systolic:g}) must be higher than diastolic ({diastolic:g}).",
            {"systolic": systolic, "diastolic": diastolic},
            field="systolic",
        )


def bmi(weight_kg: float, height_cm: float) -> float:
    metres = height_cm / 100.0
    return round(weight_kg / (metres * metres), 1)
