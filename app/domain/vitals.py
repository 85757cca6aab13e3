"""Vital signs: LOINC codes, UCUM units, unit conversion, plausibility limits and flags.

Two distinct checks (standards reference, section 3.1):
- **Hard limits** catch keying and unit mistakes. A value outside them is refused
  (``ImplausibleValue``) with the limit it broke, in the unit it was typed in; nothing is stored.
- **Flags** mark a plausible value as abnormal or urgent. A flagged value is always stored: a
  correct red-flag value must never be blocked (the UI asks for a confirm tick instead).

Limits are held in the canonical unit. Where §3.1 gives its own figures for another unit
(°F, mmol/L) those are used as written, so 111.2 °F is the °F limit and 100.6 °F the °F fever
threshold; for other units (lb, g, in) the canonical limits are converted and rounded inwards
to the unit's decimals, so the limit a message quotes is itself an accepted value. Thresholds
are inclusive (``<=`` on the low side, ``>=`` on the high side) and compared after rounding
the value to the unit's decimals ("< 100" is written as ``<= 99`` for whole-number vitals).
The thresholds are the project's engineering proposals (ASSUMED in the reference) and need a
clinician's sign-off. Adult flags are applied at 16 years and over, and when the age is
unknown; under 16 the flag is NOT_ASSESSED but the hard limits still apply.

Contract: pure functions over immutable tables, thread-safe.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import DomainError, ImplausibleValue

# LOINC codes (standards reference 2.1)
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
MEAN_BP = "8478-0"  # mean arterial pressure: sent by BP monitors, shown, never typed or scored
BP_PANEL = "85354-9"  # groups systolic and diastolic in FHIR export

ADULT_AGE = 16
# Glucose molar mass 180.16 g/mol: 1 mmol/L = 18.016 mg/dL (standards reference 2.1).
GLUCOSE_MG_PER_MMOL = 18.016


class Flag(StrEnum):
    NORMAL = "normal"
    ABNORMAL = "abnormal"
    URGENT = "urgent"
    NOT_ASSESSED = "not_assessed"


# UCUM unit -> (dimension, factor, offset, decimals): value_in_base = value * factor + offset
_UNITS: dict[str, tuple[str, float, float, int]] = {
    "mm[Hg]": ("pressure", 1.0, 0.0, 0),
    "/min": ("rate", 1.0, 0.0, 0),
    "%": ("fraction", 1.0, 0.0, 0),
    "Cel": ("temperature", 1.0, 0.0, 1),
    "[degF]": ("temperature", 5.0 / 9.0, -160.0 / 9.0, 1),
    "kg": ("mass", 1.0, 0.0, 1),
    "g": ("mass", 0.001, 0.0, 0),
    "[lb_av]": ("mass", 0.45359237, 0.0, 1),  # the international avoirdupois pound, exact
    "cm": ("length", 1.0, 0.0, 1),
    "[in_i]": ("length", 2.54, 0.0, 1),  # the international inch, exact
    "kg/m2": ("bmi", 1.0, 0.0, 1),
    "mg/dL": ("glucose", 1.0, 0.0, 0),
    "mmol/L": ("glucose", GLUCOSE_MG_PER_MMOL, 0.0, 1),
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
class Limits:
    """Hard limits and flag thresholds of one vital in one unit (None: no such flag)."""

    unit: str
    decimals: int
    hard_low: float
    hard_high: float
    urgent_low: float | None = None  # value <= this is urgent
    abnormal_low: float | None = None  # value <= this is abnormal
    abnormal_high: float | None = None  # value >= this is abnormal
    urgent_high: float | None = None  # value >= this is urgent

    @property
    def has_flags(self) -> bool:
        return any(
            t is not None
            for t in (self.urgent_low, self.abnormal_low, self.abnormal_high, self.urgent_high)
        )


@dataclass(frozen=True, slots=True)
class VitalSign:
    code: str  # LOINC
    key: str
    name: str  # English; the UI translates by key
    canonical_unit: str  # UCUM
    units: tuple[str, ...]  # accepted input units, canonical first
    decimals: int  # in the canonical unit
    hard_low: float  # canonical unit, all ages
    hard_high: float
    integer_only: bool = False
    urgent_low: float | None = None  # canonical unit; value <= this is urgent
    abnormal_low: float | None = None  # value <= this is abnormal
    abnormal_high: float | None = None  # value >= this is abnormal
    urgent_high: float | None = None  # value >= this is urgent
    adult_hard_low: float | None = None  # tighter low limit from 16 years (weight, height)
    unit_limits: tuple[Limits, ...] = ()  # §3.1's own figures for a non-canonical unit
    computed: bool = False  # derived by the program (BMI), never typed


# Standards reference §3.1 (adults). "< 100" for a whole-number vital is "<= 99"; "< 18.5"
# at one decimal is "<= 18.4"; "< 54" mg/dL is "<= 53".
VITALS: dict[str, VitalSign] = {
    v.code: v
    for v in (
        VitalSign(SYSTOLIC, "systolic", "Systolic BP", "mm[Hg]", ("mm[Hg]",), 0, 50, 300,
                  urgent_low=90, abnormal_low=99, abnormal_high=140, urgent_high=180),
        VitalSign(DIASTOLIC, "diastolic", "Diastolic BP", "mm[Hg]", ("mm[Hg]",), 0, 20, 200,
                  abnormal_low=59, abnormal_high=90, urgent_high=110),
        VitalSign(PULSE, "pulse", "Pulse", "/min", ("/min",), 0, 20, 250,
                  urgent_low=40, abnormal_low=50, abnormal_high=91, urgent_high=131),
        VitalSign(RESP_RATE, "resp_rate", "Respiratory rate", "/min", ("/min",), 0, 4, 70,
                  integer_only=True,
                  urgent_low=8, abnormal_low=11, abnormal_high=21, urgent_high=25),
        VitalSign(SPO2, "spo2", "SpO₂", "%", ("%",), 0, 50, 100,
                  urgent_low=91, abnormal_low=95),
        VitalSign(TEMPERATURE, "temperature", "Temperature", "Cel", ("Cel", "[degF]"), 1,
                  30.0, 44.0,
                  urgent_low=35.0, abnormal_low=36.0, abnormal_high=38.1, urgent_high=39.1,
                  unit_limits=(Limits("[degF]", 1, 86.0, 111.2,
                                      urgent_low=95.0, abnormal_low=96.8,
                                      abnormal_high=100.6, urgent_high=102.4),)),
        VitalSign(WEIGHT, "weight", "Weight", "kg", ("kg", "[lb_av]", "g"), 1, 0.5, 300,
                  adult_hard_low=20),
        VitalSign(HEIGHT, "height", "Height", "cm", ("cm", "[in_i]"), 1, 30, 250,
                  adult_hard_low=100),
        # BMI has no hard limit in §3.1 (it is computed); these bounds only stop garbage.
        VitalSign(BMI, "bmi", "BMI", "kg/m2", ("kg/m2",), 1, 1, 250,
                  urgent_low=15.9, abnormal_low=18.4, abnormal_high=23.0, urgent_high=35.0,
                  computed=True),
        VitalSign(GLUCOSE_RANDOM, "glucose_random", "Blood glucose (random)", "mg/dL",
                  ("mg/dL", "mmol/L"), 0, 20, 800,
                  urgent_low=53, abnormal_low=69, abnormal_high=200, urgent_high=300,
                  unit_limits=(Limits("mmol/L", 1, 1.1, 44.4,
                                      urgent_low=2.9, abnormal_low=3.8,
                                      abnormal_high=11.1, urgent_high=16.7),)),
        # Fasting: §3.1 flags 100-125 and >= 126 abnormal, < 54 urgent. We also keep < 70
        # abnormal and >= 300 urgent from the random row: hypo- and hyperglycaemia do not
        # depend on when the patient last ate (for the clinician to confirm).
        VitalSign(GLUCOSE_FASTING, "glucose_fasting", "Blood glucose (fasting)", "mg/dL",
                  ("mg/dL", "mmol/L"), 0, 20, 800,
                  urgent_low=53, abnormal_low=69, abnormal_high=100, urgent_high=300,
                  unit_limits=(Limits("mmol/L", 1, 1.1, 44.4,
                                      urgent_low=2.9, abnormal_low=3.8,
                                      abnormal_high=5.6, urgent_high=16.7),)),
        # MUAC is judged against WHO growth standards (not in §3.1): no flags, loose bounds.
        VitalSign(MUAC, "muac", "Mid-upper arm circumference", "cm", ("cm",), 1, 5, 60),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Assessment:
    code: str
    value: float  # as entered
    unit: str  # as entered (UCUM)
    canonical_value: float  # rounded to the vital's decimals
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
    """``value`` in ``from_unit`` expressed in ``to_unit`` (UCUM codes of one dimension)."""
    if from_unit == to_unit and from_unit in _UNITS:
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


def unit_decimals(unit: str) -> int:
    """How many decimals a value in ``unit`` is shown and judged with."""
    entry = _UNITS.get(unit)
    return 1 if entry is None else entry[3]


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
    """``value`` with the usual precision of the vital (or of ``unit`` when one is given)."""
    v = vital(code)
    decimals = v.decimals if unit in (None, v.canonical_unit) else unit_decimals(unit)
    return f"{value:.{decimals}f}"


def _inwards(x: float, decimals: int, up: bool) -> float:
    # Round a converted limit towards the accepted range, so the quoted limit is accepted.
    scale = 10.0**decimals
    scaled = round(x * scale, 6)  # strip float noise (44 Cel is 111.20000000000002 degF)
    return round((math.ceil(scaled) if up else math.floor(scaled)) / scale, decimals)


def _is_adult(age_years: int | None) -> bool:
    return age_years is None or age_years >= ADULT_AGE


def limits(code: str, unit: str, age_years: int | None = None) -> Limits:
    """Hard limits (and flag thresholds, where §3.1 gives them) of ``code`` in ``unit``."""
    v = vital(code)
    _check_unit(v, unit)
    hard_low = v.hard_low
    if v.adult_hard_low is not None and age_years is not None and age_years >= ADULT_AGE:
        hard_low = v.adult_hard_low
    if unit == v.canonical_unit:
        return Limits(unit, v.decimals, hard_low, v.hard_high, v.urgent_low, v.abnormal_low,
                      v.abnormal_high, v.urgent_high)  # fmt: skip
    for own in v.unit_limits:
        if own.unit == unit:
            return own
    decimals = unit_decimals(unit)
    return Limits(
        unit,
        decimals,
        _inwards(convert(hard_low, v.canonical_unit, unit), decimals, up=True),
        _inwards(convert(v.hard_high, v.canonical_unit, unit), decimals, up=False),
    )


def _judge(value: float, lim: Limits) -> tuple[Flag, str]:
    if lim.urgent_low is not None and value <= lim.urgent_low:
        return Flag.URGENT, "very_low"
    if lim.urgent_high is not None and value >= lim.urgent_high:
        return Flag.URGENT, "very_high"
    if lim.abnormal_low is not None and value <= lim.abnormal_low:
        return Flag.ABNORMAL, "low"
    if lim.abnormal_high is not None and value >= lim.abnormal_high:
        return Flag.ABNORMAL, "high"
    return Flag.NORMAL, ""


def assess(code: str, value: float, unit: str, age_years: int | None = None) -> Assessment:
    """Refuse an impossible value (``ImplausibleValue``) or flag a plausible one."""
    v = vital(code)
    _check_unit(v, unit)
    symbol = UNIT_SYMBOLS.get(unit, unit)
    if not math.isfinite(value):
        raise ImplausibleValue(
            "vital.not_a_number",
            f"{v.name}: {value} is not a number.",
            {"name": v.name, "value": str(value)},
            field=v.key,
        )
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
            f"Temperature {value:g} °C is impossible; it looks like °F. Choose °F as the unit.",
            {"name": v.name, "value": value, "unit": unit},
            field=v.key,
        )
    lim = limits(code, unit, age_years)
    if value < lim.hard_low or value > lim.hard_high:
        low = value < lim.hard_low
        limit = lim.hard_low if low else lim.hard_high
        side = "below the lowest" if low else "above the highest"
        raise ImplausibleValue(
            "vital.below_limit" if low else "vital.above_limit",
            f"{v.name} {value:g} {symbol} is {side} possible value ({limit:g} {symbol}). "
            "Check the number and the unit.",
            {"name": v.name, "value": value, "unit": unit, "limit": limit, "limit_unit": unit},
            field=v.key,
        )
    canonical = round(convert(value, unit, v.canonical_unit), v.decimals)
    if not _is_adult(age_years):
        flag, reason = Flag.NOT_ASSESSED, ""
    elif lim.has_flags:
        flag, reason = _judge(round(value, lim.decimals), lim)
    else:
        flag, reason = _judge(canonical, limits(code, v.canonical_unit, age_years))
    return Assessment(code, value, unit, canonical, v.canonical_unit, flag, reason)


def check_bp(systolic: float, diastolic: float) -> None:
    """A pair where systolic is not above diastolic is a keying mistake (swapped fields)."""
    if systolic <= diastolic:
        raise ImplausibleValue(
            "vital.bp_order",
            f"Systolic ({systolic:g}) must be higher than diastolic ({diastolic:g}).",
            {"systolic": systolic, "diastolic": diastolic},
            field="systolic",
        )


def assess_reading(
    values: Iterable[tuple[str, float, str]], age_years: int | None = None
) -> tuple[list[Assessment], list[ImplausibleValue | DomainError]]:
    """Check the values of one reading together: each as ``assess`` does, and a systolic and
    diastolic pair as ``check_bp`` does. Returns the assessments and every refusal (empty
    when all is plausible), so a caller can either show them all or raise the first."""
    assessments: list[Assessment] = []
    problems: list[ImplausibleValue | DomainError] = []
    by_code: dict[str, float] = {}
    for code, value, unit in values:
        by_code[code] = value
        try:
            assessments.append(assess(code, value, unit, age_years))
        except DomainError as exc:
            problems.append(exc)
    if SYSTOLIC in by_code and DIASTOLIC in by_code:
        try:
            check_bp(by_code[SYSTOLIC], by_code[DIASTOLIC])
        except DomainError as exc:
            problems.append(exc)
    return assessments, problems


def bmi(weight_kg: float, height_cm: float) -> float:
    """Body-mass index in kg/m², one decimal."""
    if not height_cm > 0:
        raise ImplausibleValue(
            "vital.below_limit",
            f"Height {height_cm:g} cm is below the lowest possible value (30 cm).",
            {"name": "Height", "value": height_cm, "unit": "cm", "limit": VITALS[HEIGHT].hard_low,
             "limit_unit": "cm"},
            field="height",
        )  # fmt: skip
    metres = height_cm / 100.0
    return round(weight_kg / (metres * metres), 1)
