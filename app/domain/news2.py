"""NEWS2, the National Early Warning Score 2 (Royal College of Physicians, London 2017, Chart 1;
table reproduced in the standards reference, section 3.2).

The score is for adults (16 and over) who are not pregnant; below 16 it is ``applicable=False``.
Missing parameters score 0 and are listed in ``missing`` so the UI can say the score is partial.
A spoke escalates (urgent teleconsultation) at a total of 5 or more, or 3 in any one parameter.

Each band function below is one row of RCP NEWS2 Chart 1 (standards reference §3.2), with the
boundaries exactly as published; values are rounded to the chart's precision first (whole
numbers, temperature to 0.1 °C). Consciousness is ACVPU: anything but "alert" (new confusion,
voice, pain, unresponsive) scores 3; an unrecognised level also scores 3, erring towards
escalation rather than silence.

Contract: pure functions, thread-safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain import vitals
from app.domain.models import Observation, ObservationStatus

CONSCIOUSNESS_LEVELS = ("alert", "confusion", "voice", "pain", "unresponsive")
_ALERT = frozenset({"alert", "a"})


@dataclass(frozen=True, slots=True)
class News2Inputs:
    resp_rate: float | None = None
    spo2: float | None = None
    on_oxygen: bool = False
    systolic: float | None = None
    pulse: float | None = None
    consciousness: str = "alert"
    temperature_c: float | None = None
    spo2_scale2: bool = False  # only for confirmed hypercapnic respiratory failure


@dataclass(frozen=True, slots=True)
class News2Result:
    total: int
    scores: dict[str, int]
    missing: tuple[str, ...]
    risk: str  # "low", "low_medium", "medium", "high"
    urgent: bool
    applicable: bool

    @property
    def complete(self) -> bool:
        return not self.missing


# RCP 2017 Chart 1, respiration rate: <=8 -> 3, 9-11 -> 1, 12-20 -> 0, 21-24 -> 2, >=25 -> 3
def _resp_rate(rr: float) -> int:
    rr = round(rr)
    if rr <= 8:
        return 3
    if rr <= 11:
        return 1
    if rr <= 20:
        return 0
    if rr <= 24:
        return 2
    return 3


# SpO2 Scale 1: <=91 -> 3, 92-93 -> 2, 94-95 -> 1, >=96 -> 0
def _spo2_scale1(s: float) -> int:
    s = round(s)
    if s <= 91:
        return 3
    if s <= 93:
        return 2
    if s <= 95:
        return 1
    return 0


# SpO2 Scale 2 (hypercapnic respiratory failure only): <=83 -> 3, 84-85 -> 2, 86-87 -> 1,
# 88-92 or >=93 on air -> 0, 93-94 on O2 -> 1, 95-96 on O2 -> 2, >=97 on O2 -> 3
def _spo2_scale2(s: float, on_oxygen: bool) -> int:
    s = round(s)
    if s <= 83:
        return 3
    if s <= 85:
        return 2
    if s <= 87:
        return 1
    if s <= 92 or not on_oxygen:
        return 0
    if s <= 94:
        return 1
    if s <= 96:
        return 2
    return 3


# Systolic BP: <=90 -> 3, 91-100 -> 2, 101-110 -> 1, 111-219 -> 0, >=220 -> 3
def _systolic(sbp: float) -> int:
    sbp = round(sbp)
    if sbp <= 90:
        return 3
    if sbp <= 100:
        return 2
    if sbp <= 110:
        return 1
    if sbp <= 219:
        return 0
    return 3


# Pulse: <=40 -> 3, 41-50 -> 1, 51-90 -> 0, 91-110 -> 1, 111-130 -> 2, >=131 -> 3
def _pulse(p: float) -> int:
    p = round(p)
    if p <= 40:
        return 3
    if p <= 50:
        return 1
    if p <= 90:
        return 0
    if p <= 110:
        return 1
    if p <= 130:
        return 2
    return 3


# Temperature: <=35.0 -> 3, 35.1-36.0 -> 1, 36.1-38.0 -> 0, 38.1-39.0 -> 1, >=39.1 -> 2
# (Air or oxygen: oxygen -> 2, air -> 0. Consciousness: alert -> 0, CVPU -> 3.)
def _temperature(t: float) -> int:
    t = round(t, 1)
    if t <= 35.0:
        return 3
    if t <= 36.0:
        return 1
    if t <= 38.0:
        return 0
    if t <= 39.0:
        return 1
    return 2


def news2(inputs: News2Inputs, age_years: int | None = None) -> News2Result:
    scores: dict[str, int] = {}
    missing: list[str] = []

    def take(name: str, value: float | None, score: int | None) -> None:
        if value is None or score is None:
            missing.append(name)
        else:
            scores[name] = score

    rr, spo2, sbp, pulse, temp = (
        inputs.resp_rate,
        inputs.spo2,
        inputs.systolic,
        inputs.pulse,
        inputs.temperature_c,
    )
    take("resp_rate", rr, None if rr is None else _resp_rate(rr))
    if spo2 is None:
        missing.append("spo2")
    elif inputs.spo2_scale2:
        scores["spo2"] = _spo2_scale2(spo2, inputs.on_oxygen)
    else:
        scores["spo2"] = _spo2_scale1(spo2)
    scores["air_or_oxygen"] = 2 if inputs.on_oxygen else 0
    take("systolic", sbp, None if sbp is None else _systolic(sbp))
    take("pulse", pulse, None if pulse is None else _pulse(pulse))
    scores["consciousness"] = 0 if inputs.consciousness.strip().lower() in _ALERT else 3
    take("temperature", temp, None if temp is None else _temperature(temp))

    total = sum(scores.values())
    any_three = any(s == 3 for s in scores.values())
    if total >= 7:
        risk = "high"
    elif total >= 5:
        risk = "medium"
    elif any_three:
        risk = "low_medium"
    else:
        risk = "low"
    applicable = age_years is None or age_years >= vitals.ADULT_AGE
    return News2Result(
        total=total,
        scores=scores,
        missing=tuple(missing),
        risk=risk,
        urgent=applicable and (total >= 5 or any_three),
        applicable=applicable,
    )


def inputs_from_observations(
    observations: Iterable[Observation], on_oxygen: bool, consciousness: str
) -> News2Inputs:
    """The latest final reading of each NEWS2 parameter (temperature in Cel)."""
    latest: dict[str, Observation] = {}
    for o in observations:
        if o.status is not ObservationStatus.FINAL:
            continue
        seen = latest.get(o.code)
        if seen is None or (o.taken_at, o.id) >= (seen.taken_at, seen.id):
            latest[o.code] = o

    def value(code: str) -> float | None:
        o = latest.get(code)
        return None if o is None else vitals.to_canonical(code, o.value, o.unit)

    return News2Inputs(
        resp_rate=value(vitals.RESP_RATE),
        spo2=value(vitals.SPO2),
        on_oxygen=on_oxygen,
        systolic=value(vitals.SYSTOLIC),
        pulse=value(vitals.PULSE),
        consciousness=consciousness,
        temperature_c=value(vitals.TEMPERATURE),
    )
